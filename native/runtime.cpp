// Argument conversion helpers, random generators, threads, CUDA queries and build information.
#include "env.h"
#include <dlfcn.h>
#include <torch/cuda.h>
#ifdef SIGPROP_CUDA
// cuda_runtime_api.h rather than ATen/cuda/CUDAContext.h (which needs the cuSPARSE/cuBLAS headers);
// cudart's symbols resolve through libtorch_cuda, which links it.
#include <cuda_runtime_api.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <ATen/cuda/CUDAGeneratorImpl.h>
#endif

namespace sp {

// ---- argument helpers ----------------------------------------------------------------------------------
std::string jsTypeName(const Napi::Value& v) {
  switch (v.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return std::string("boolean ") + (v.As<Napi::Boolean>().Value() ? "true" : "false");
    case napi_number: {
      std::ostringstream s;
      s << "number " << v.As<Napi::Number>().DoubleValue();
      return s.str();
    }
    case napi_string: {
      std::string s = v.As<Napi::String>().Utf8Value();
      if (s.size() > 40) s = s.substr(0, 40) + "...";
      return "string '" + s + "'";
    }
    case napi_bigint: return "bigint";
    case napi_function: return "function";
    case napi_object: return v.IsArray() ? "array" : "object";
    default: return "value";
  }
}

int64_t toInt(const Napi::Value& v, const char* what) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || d != std::floor(d))
      typeError(std::string("'") + what + "' must be an integer, got " + jsTypeName(v));
    if (d >= 9223372036854775808.0 || d < -9223372036854775808.0)
      rangeError(std::string("'") + what + "' is out of the int64 range, got " + jsTypeName(v));
    return static_cast<int64_t>(d);
  }
  if (v.IsBigInt()) {
    bool lossless = true;
    int64_t r = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) rangeError(std::string("'") + what + "' is out of the int64 range");
    return r;
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  typeError(std::string("'") + what + "' must be an integer, got " + jsTypeName(v));
}

double toDouble(const Napi::Value& v, const char* what) {
  if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue();
  if (v.IsBigInt()) {
    bool lossless;
    return static_cast<double>(v.As<Napi::BigInt>().Int64Value(&lossless));
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1.0 : 0.0;
  typeError(std::string("'") + what + "' must be a number, got " + jsTypeName(v));
}

bool toBool(const Napi::Value& v, const char* what) {
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value();
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (d == 0 || d == 1) return d == 1;
  }
  typeError(std::string("'") + what + "' must be a boolean, got " + jsTypeName(v));
}

std::string toStr(const Napi::Value& v, const char* what) {
  if (!v.IsString()) typeError(std::string("'") + what + "' must be a string, got " + jsTypeName(v));
  return v.As<Napi::String>().Utf8Value();
}

std::vector<int64_t> toIntVec(const Napi::Value& v, const char* what) {
  std::vector<int64_t> out;
  if (v.IsNumber() || v.IsBigInt()) {
    out.push_back(toInt(v, what));
    return out;
  }
  if (!v.IsArray()) typeError(std::string("'") + what + "' must be an array of integers, got " + jsTypeName(v));
  Napi::Array a = v.As<Napi::Array>();
  uint32_t n = a.Length();
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) out.push_back(toInt(a.Get(i), what));
  return out;
}

at::Scalar scalarFromDouble(double d) {
  // every integral double in the int64 range is an integer scalar (Python: arange(2**53, 2**53 + 4) is int64)
  if (std::isfinite(d) && d == std::floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
      !(d == 0 && std::signbit(d)))
    return at::Scalar(static_cast<int64_t>(d));
  return at::Scalar(d);
}

at::Scalar toScalar(const Napi::Value& v, const char* what) {
  if (v.IsNumber()) return scalarFromDouble(v.As<Napi::Number>().DoubleValue());
  if (v.IsBoolean()) return at::Scalar(v.As<Napi::Boolean>().Value());
  if (v.IsBigInt()) return at::Scalar(toInt(v, what));
  typeError(std::string("'") + what + "' must be a number or boolean, got " + jsTypeName(v));
}

at::ScalarType toDtype(const Napi::Value& v, const char* what) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    int c = static_cast<int>(d);
    if (d == c) {
      switch (c) {
#define SP_CODE(group, name, value)
#define SP_DTYPE(name, value) case value:
#include "codes.def"
#undef SP_DTYPE
#undef SP_CODE
        return static_cast<at::ScalarType>(c);
        default: break;
      }
    }
  }
  typeError(std::string("'") + what + "' is not a supported dtype code: " + jsTypeName(v));
}

c10::Device toDevice(const Napi::Value& v, const char* what) {
  std::string s = toStr(v, what);
  try {
    return c10::Device(s);
  } catch (const c10::Error&) {
    typeError(std::string("'") + what + "' is not a device: '" + s + "' (expected 'cpu', 'cuda' or 'cuda:N')");
  }
}

std::string deviceString(const c10::Device& d) {
  if (d.is_cuda()) return "cuda:" + std::to_string(d.has_index() ? d.index() : 0);
  return d.str();
}

Napi::Value fromScalar(Napi::Env env, const at::Scalar& s) {
  if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
  if (s.isIntegral(false)) return Napi::Number::New(env, static_cast<double>(s.toLong()));
  return Napi::Number::New(env, s.toDouble());
}

Napi::Array fromIntVec(Napi::Env env, at::IntArrayRef v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i)
    a.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(v[i])));
  return a;
}

std::vector<at::Tensor> toTensors(const Napi::Value& v, const char* what, bool allowNull) {
  if (!v.IsArray()) typeError(std::string("'") + what + "' must be an array of Tensors, got " + jsTypeName(v));
  Napi::Array a = v.As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value x = a.Get(i);
    if (allowNull && (x.IsNull() || x.IsUndefined())) out.emplace_back();
    else out.push_back(get(x, what));
  }
  return out;
}

// ---- generators (objects of the environment's object table) --------------------------------------------
at::Generator& getGenerator(const Napi::Value& v, const char* what) {
  return cur().objectAs<GeneratorObject>(v, what, "torch.Generator").gen;
}

static uint64_t toSeed(const Napi::Value& v) {
  if (v.IsBigInt()) {
    bool lossless;
    return v.As<Napi::BigInt>().Uint64Value(&lossless);
  }
  return static_cast<uint64_t>(toInt(v, "seed"));  // negative seeds wrap like Python's
}

static Napi::Value fromSeed(Napi::Env env, uint64_t s) {
  if (s <= 9007199254740991ull) return Napi::Number::New(env, static_cast<double>(s));
  return Napi::BigInt::New(env, s);
}

static Napi::Value jsGeneratorNew(const Napi::CallbackInfo& info) {
  c10::Device dev = info[0].IsString() ? toDevice(info[0], "device") : c10::Device(c10::kCPU);
  at::Generator g;
  if (dev.is_cpu()) {
    g = at::make_generator<at::CPUGeneratorImpl>();
  } else if (dev.is_cuda()) {
#ifdef SIGPROP_CUDA
    g = at::make_generator<at::CUDAGeneratorImpl>(dev.has_index() ? dev.index() : c10::cuda::current_device());
#else
    throw JsError(code::ErrKind_Cuda, "CUDA is not available: this addon was built against a CPU-only libtorch");
#endif
  } else {
    typeError("torch.Generator: unsupported device " + dev.str());
  }
  uint32_t h = cur().addObject(std::make_unique<GeneratorObject>(std::move(g), false));
  return Napi::Number::New(info.Env(), static_cast<double>(h));
}

// generatorDefault(device?) -> the handle of the default CPU generator (or of CUDA device N's); one
// handle per environment and generator, pinned (objectFree leaves it alone).
static Napi::Value jsGeneratorDefault(const Napi::CallbackInfo& info) {
  at::Generator g;
  if (info[0].IsString()) {
    c10::Device dev = toDevice(info[0], "device");
    if (dev.is_cuda()) {
      if (!torch::cuda::is_available()) throw JsError(code::ErrKind_Cuda, "CUDA is not available");
      g = at::globalContext().defaultGenerator(dev);
    } else {
      g = defaultCpuGenerator();
    }
  } else {
    g = defaultCpuGenerator();
  }
  Env& e = cur();
  for (size_t i = 0; i < e.objects.size(); ++i) {
    auto* o = dynamic_cast<GeneratorObject*>(e.objects[i].get());
    if (o && o->isDefault && o->gen == g) return Napi::Number::New(info.Env(), static_cast<double>(i));
  }
  uint32_t h = e.addObject(std::make_unique<GeneratorObject>(std::move(g), true));
  return Napi::Number::New(info.Env(), static_cast<double>(h));
}

static Napi::Value jsGeneratorManualSeed(const Napi::CallbackInfo& info) {
  at::Generator& g = getGenerator(info[0], "generator");
  uint64_t seed = toSeed(info[1]);
  std::lock_guard<std::mutex> lock(g.mutex());
  g.set_current_seed(seed);
  return info.Env().Undefined();
}

static Napi::Value jsGeneratorInitialSeed(const Napi::CallbackInfo& info) {
  at::Generator& g = getGenerator(info[0], "generator");
  return fromSeed(info.Env(), g.current_seed());
}

static Napi::Value jsGeneratorSeed(const Napi::CallbackInfo& info) {
  at::Generator& g = getGenerator(info[0], "generator");
  std::lock_guard<std::mutex> lock(g.mutex());
  return fromSeed(info.Env(), g.seed());
}

static Napi::Value jsGeneratorGetState(const Napi::CallbackInfo& info) {
  at::Generator& g = getGenerator(info[0], "generator");
  std::lock_guard<std::mutex> lock(g.mutex());
  return putValue(info.Env(), g.get_state());
}

static Napi::Value jsGeneratorSetState(const Napi::CallbackInfo& info) {
  at::Generator& g = getGenerator(info[0], "generator");
  at::Tensor& s = get(info[1], "state");
  std::lock_guard<std::mutex> lock(g.mutex());
  g.set_state(s);
  return info.Env().Undefined();
}

static Napi::Value jsGeneratorDevice(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), deviceString(getGenerator(info[0], "generator").device()));
}

at::Generator defaultCpuGenerator() {
  Env& e = cur();
  return e.ownGenerator.defined() ? e.ownGenerator : at::detail::getDefaultCPUGenerator();
}

// useOwnGenerator(): from now on this environment (a Worker) has its own default CPU generator, seeded
// as a fresh process's is, so that its manualSeed and unseeded random ops do not touch other threads'.
static Napi::Value jsUseOwnGenerator(const Napi::CallbackInfo& info) {
  Env& e = cur();
  if (!e.ownGenerator.defined()) e.ownGenerator = at::make_generator<at::CPUGeneratorImpl>(c10::default_rng_seed_val);
  return info.Env().Undefined();
}

// manualSeed(seed): the CPU default generator and every CUDA device's, like torch.manual_seed; in an
// environment with its own CPU generator, that one only (CUDA generators are process-wide).
static Napi::Value jsManualSeed(const Napi::CallbackInfo& info) {
  uint64_t seed = toSeed(info[0]);
  Env& e = cur();
  if (e.ownGenerator.defined()) {
    std::lock_guard<std::mutex> lock(e.ownGenerator.mutex());
    e.ownGenerator.set_current_seed(seed);
  } else {
    at::manual_seed(seed);
  }
  return info.Env().Undefined();
}

static Napi::Value jsInitialSeed(const Napi::CallbackInfo& info) {
  return fromSeed(info.Env(), defaultCpuGenerator().current_seed());
}

static Napi::Value jsSeed(const Napi::CallbackInfo& info) {
  auto g = defaultCpuGenerator();
  uint64_t s;
  {
    std::lock_guard<std::mutex> lock(g.mutex());
    s = g.seed();
  }
  if (!cur().ownGenerator.defined() && torch::cuda::is_available()) torch::cuda::manual_seed_all(s);
  return fromSeed(info.Env(), s);
}

// ---- threads ---------------------------------------------------------------------------------------------
static Napi::Value jsSetNumThreads(const Napi::CallbackInfo& info) {
  int64_t n = toInt(info[0], "n");
  if (n < 1) rangeError("setNumThreads: 'n' must be >= 1, got " + std::to_string(n));
  at::set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

static Napi::Value jsGetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

static Napi::Value jsGetNumInteropThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_interop_threads());
}

// ---- CUDA ---------------------------------------------------------------------------------------------------
static std::string cudaUnavailableReason(int* count);
[[noreturn]] static void noCuda() {
#ifdef SIGPROP_CUDA
  throw JsError(code::ErrKind_Cuda,
                "CUDA is not available: " + cudaUnavailableReason(nullptr) + " (torch.cuda.isAvailable() is false)");
#else
  throw JsError(code::ErrKind_Cuda, "CUDA is not available: this addon was built against a CPU-only libtorch");
#endif
}

static int64_t cudaIndex(const Napi::CallbackInfo& info, size_t i) {
  if (!torch::cuda::is_available()) noCuda();
  int64_t n = static_cast<int64_t>(torch::cuda::device_count());
  int64_t d = 0;
  if (info.Length() > i && !info[i].IsUndefined() && !info[i].IsNull()) {
    if (info[i].IsString()) {
      c10::Device dev = toDevice(info[i], "device");
      if (!dev.is_cuda()) typeError("expected a CUDA device, got '" + dev.str() + "'");
      d = dev.has_index() ? dev.index() : 0;
    } else {
      d = toInt(info[i], "device");
    }
  }
  if (d < 0 || d >= n)
    rangeError("CUDA device " + std::to_string(d) + " does not exist (device count " + std::to_string(n) + ")");
  return d;
}

static Napi::Value jsCudaIsAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), torch::cuda::is_available());
}

static Napi::Value jsCudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(torch::cuda::device_count()));
}

// Why there is no CUDA device ("" when there are devices): no driver, no device, a driver too old,
// a CPU-only build.
static std::string cudaUnavailableReason(int* count) {
  if (count) *count = 0;
#ifdef SIGPROP_CUDA
  int n = 0;
  cudaError_t err = cudaGetDeviceCount(&n);
  if (err == cudaSuccess) {
    if (count) *count = n;
    return n > 0 ? "" : "the CUDA runtime found no device";
  }
  if (err == cudaErrorInsufficientDriver || err == cudaErrorNoDevice) {
    void* drv = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD);
    if (!drv) drv = dlopen("libcuda.so.1", RTLD_LAZY);
    if (!drv) return "no NVIDIA driver is installed (libcuda.so.1 was not found)";
    dlclose(drv);
  }
  return std::string(cudaGetErrorName(err)) + ": " + cudaGetErrorString(err);
#else
  return "this addon was built against a CPU-only libtorch";
#endif
}

// cudaStatus() -> [deviceCount, why]: why is null when devices were found.
static Napi::Value jsCudaStatus(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int n = 0;
  std::string why = cudaUnavailableReason(&n);
  Napi::Array a = Napi::Array::New(env, 2);
  a.Set(0u, Napi::Number::New(env, n));
  a.Set(1u, why.empty() ? env.Null() : Napi::String::New(env, why));
  return a;
}

static Napi::Value jsCudaSynchronize(const Napi::CallbackInfo& info) {
  int64_t d = cudaIndex(info, 0);
  torch::cuda::synchronize(d);
  return info.Env().Undefined();
}

static Napi::Value jsCudaDeviceName(const Napi::CallbackInfo& info) {
  int64_t d = cudaIndex(info, 0);
#ifdef SIGPROP_CUDA
  cudaDeviceProp prop;
  cudaError_t err = cudaGetDeviceProperties(&prop, static_cast<int>(d));
  if (err != cudaSuccess)
    throw JsError(code::ErrKind_Cuda, std::string("cudaGetDeviceProperties failed: ") + cudaGetErrorString(err));
  return Napi::String::New(info.Env(), prop.name);
#else
  (void)d;
  noCuda();
#endif
}

static Napi::Value jsCudaMemory(const Napi::CallbackInfo& info) {
  // [allocated, maxAllocated, reserved, maxReserved] in bytes
  int64_t d = cudaIndex(info, 0);
#ifdef SIGPROP_CUDA
  auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(d));
  constexpr size_t agg = 0;  // StatType::AGGREGATE
  Napi::Array a = Napi::Array::New(info.Env(), 4);
  a.Set(0u, Napi::Number::New(info.Env(), static_cast<double>(stats.allocated_bytes[agg].current)));
  a.Set(1u, Napi::Number::New(info.Env(), static_cast<double>(stats.allocated_bytes[agg].peak)));
  a.Set(2u, Napi::Number::New(info.Env(), static_cast<double>(stats.reserved_bytes[agg].current)));
  a.Set(3u, Napi::Number::New(info.Env(), static_cast<double>(stats.reserved_bytes[agg].peak)));
  return a;
#else
  (void)d;
  noCuda();
#endif
}

static Napi::Value jsCudaResetPeak(const Napi::CallbackInfo& info) {
  int64_t d = cudaIndex(info, 0);
#ifdef SIGPROP_CUDA
  c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(d));
  return info.Env().Undefined();
#else
  (void)d;
  noCuda();
#endif
}

static Napi::Value jsCudaEmptyCache(const Napi::CallbackInfo& info) {
#ifdef SIGPROP_CUDA
  if (torch::cuda::is_available()) c10::cuda::CUDACachingAllocator::emptyCache();
#endif
  return info.Env().Undefined();
}

// ---- build information -----------------------------------------------------------------------------------
// The hash of the native sources (CMakeLists.txt), behind a marker that test/package.test.ts finds
// in the bytes of every shipped binary, loadable here or not.
static const char kSourceHash[] = "sigprop-source-hash:" SIGPROP_SOURCE_HASH;

static Napi::Value jsBuildInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("torchVersion", TORCH_VERSION);
#ifdef SIGPROP_CUDA
  o.Set("cuda", true);
  o.Set("cudaVersion", std::to_string(CUDART_VERSION / 1000) + "." + std::to_string(CUDART_VERSION % 1000 / 10));
#else
  o.Set("cuda", false);
  o.Set("cudaVersion", env.Null());
#endif
  o.Set("mkl", at::hasMKL());
  o.Set("mkldnn", at::hasMKLDNN());
  Dl_info dl;
  if (dladdr(reinterpret_cast<void*>(&at::get_num_threads), &dl) && dl.dli_fname) o.Set("libtorchPath", dl.dli_fname);
  if (dladdr(reinterpret_cast<void*>(&jsBuildInfo), &dl) && dl.dli_fname) o.Set("addonPath", dl.dli_fname);
  o.Set("parallelInfo", at::get_parallel_info());
  o.Set("sourceHash", kSourceHash + sizeof("sigprop-source-hash:") - 1);
  return o;
}

void initRuntime(Napi::Env env, Napi::Object exports) {
  SP_DEF("generatorNew", jsGeneratorNew);
  SP_DEF("generatorDefault", jsGeneratorDefault);
  SP_DEF("generatorManualSeed", jsGeneratorManualSeed);
  SP_DEF("generatorInitialSeed", jsGeneratorInitialSeed);
  SP_DEF("generatorSeed", jsGeneratorSeed);
  SP_DEF("generatorGetState", jsGeneratorGetState);
  SP_DEF("generatorSetState", jsGeneratorSetState);
  SP_DEF("generatorDevice", jsGeneratorDevice);
  SP_DEF("useOwnGenerator", jsUseOwnGenerator);
  SP_DEF("manualSeed", jsManualSeed);
  SP_DEF("initialSeed", jsInitialSeed);
  SP_DEF("seed", jsSeed);
  SP_DEF("setNumThreads", jsSetNumThreads);
  SP_DEF("getNumThreads", jsGetNumThreads);
  SP_DEF("getNumInteropThreads", jsGetNumInteropThreads);
  SP_DEF("cudaIsAvailable", jsCudaIsAvailable);
  SP_DEF("cudaDeviceCount", jsCudaDeviceCount);
  SP_DEF("cudaStatus", jsCudaStatus);
  SP_DEF("cudaSynchronize", jsCudaSynchronize);
  SP_DEF("cudaDeviceName", jsCudaDeviceName);
  SP_DEF("cudaMemory", jsCudaMemory);
  SP_DEF("cudaResetPeak", jsCudaResetPeak);
  SP_DEF("cudaEmptyCache", jsCudaEmptyCache);
  SP_DEF("buildInfo", jsBuildInfo);
}

}  // namespace sp
