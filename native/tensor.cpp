// Tensor bindings: creation from JS buffers, metadata, data readback, conversion, indexing,
// the hot element-wise ops (direct calls, no boxing), and autograd.
#include "guards.h"
#include "common.h"
#include "fastops.h"

namespace sp {

// ---- creation and data ------------------------------------------------------------------------------------
// fromBuffer(typedArray, shape, srcDtype, dstDtype, device|null, requiresGrad)
static Napi::Value jsFromBuffer(const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray()) typeError("data must be a TypedArray, got " + jsTypeName(info[0]));
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  std::vector<int64_t> shape = toIntVec(info[1], "shape");
  at::ScalarType src = toDtype(info[2], "srcDtype");
  at::ScalarType dst = toDtype(info[3], "dtype");
  int64_t numel = 1;
  for (int64_t s : shape) {
    if (s < 0) rangeError("negative dimension " + std::to_string(s) + " in shape");
    numel *= s;
  }
  size_t esize = c10::elementSize(src);
  size_t bytes = ta.ByteLength();
  if (static_cast<size_t>(numel) * esize != bytes) {
    rangeError("data has " + std::to_string(bytes / esize) + " elements but shape " + c10::str(at::IntArrayRef(shape)) +
               " needs " + std::to_string(numel));
  }
  Napi::ArrayBuffer ab = ta.ArrayBuffer();
  const uint8_t* p = static_cast<const uint8_t*>(ab.Data()) + ta.ByteOffset();
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(src));
  if (bytes) std::memcpy(t.data_ptr(), p, bytes);
  if (dst != src) t = t.to(dst);
  if (info[4].IsString()) {
    c10::Device dev = toDevice(info[4], "device");
    if (!dev.is_cpu()) t = t.to(dev);
  }
  if (info[5].IsBoolean() && info[5].As<Napi::Boolean>().Value()) t.requires_grad_(true);
  return putValue(info.Env(), t);
}

// toBuffer(h, raw) -> ArrayBuffer with the contiguous CPU data; float16/bfloat16 are widened to
// float32 unless raw is true (then the bytes are exactly the tensor's, in its own dtype).
static Napi::Value jsToBuffer(const Napi::CallbackInfo& info) {
  at::Tensor t = get(info[0], "tensor").detach();
  bool raw = info[1].IsBoolean() && info[1].As<Napi::Boolean>().Value();
  if (!t.device().is_cpu()) t = t.cpu();
  if (!raw && (t.scalar_type() == at::kHalf || t.scalar_type() == at::kBFloat16)) t = t.to(at::kFloat);
  t = t.contiguous();
  size_t bytes = t.numel() * t.element_size();
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(info.Env(), bytes);
  if (bytes) std::memcpy(ab.Data(), t.data_ptr(), bytes);
  return ab;
}

static Napi::Value jsItem(const Napi::CallbackInfo& info) {
  at::Tensor& t = get(info[0], "tensor");
  if (t.numel() != 1) {
    throw JsError(code::ErrKind_Range,
                  "a Tensor with " + std::to_string(t.numel()) +
                      " elements cannot be converted to a scalar (item() needs exactly one element)");
  }
  return fromScalar(info.Env(), t.item());
}

// ---- metadata ------------------------------------------------------------------------------------------------
static Napi::Value jsShape(const Napi::CallbackInfo& info) { return fromIntVec(info.Env(), get(info[0]).sizes()); }
static Napi::Value jsStride(const Napi::CallbackInfo& info) { return fromIntVec(info.Env(), get(info[0]).strides()); }
static Napi::Value jsDim(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(get(info[0]).dim()));
}
static Napi::Value jsNumel(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(get(info[0]).numel()));
}
static Napi::Value jsDtype(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<int>(get(info[0]).scalar_type()));
}
static Napi::Value jsDevice(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), deviceString(get(info[0]).device()));
}
static Napi::Value jsRequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), get(info[0]).requires_grad());
}
static Napi::Value jsIsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), get(info[0]).is_leaf());
}
static Napi::Value jsIsContiguous(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), get(info[0]).is_contiguous());
}
static Napi::Value jsStorageOffset(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(get(info[0]).storage_offset()));
}
static Napi::Value jsSameTensor(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), get(info[0]).unsafeGetTensorImpl() == get(info[1]).unsafeGetTensorImpl());
}
static Napi::Value jsSameStorage(const Napi::CallbackInfo& info) {
  at::Tensor &a = get(info[0]), &b = get(info[1]);
  return Napi::Boolean::New(info.Env(), a.has_storage() && b.has_storage() && a.storage().is_alias_of(b.storage()));
}

static Napi::Value jsGradFn(const Napi::CallbackInfo& info) {
  at::Tensor& t = get(info[0]);
  const auto& fn = t.grad_fn();
  if (!fn) return info.Env().Null();
  std::string n = fn->name();
  auto p = n.rfind("::");
  if (p != std::string::npos) n = n.substr(p + 2);
  return Napi::String::New(info.Env(), n);
}

// ---- conversion --------------------------------------------------------------------------------------------------
// to(h, device|null, dtype|null, nonBlocking, copy)
static Napi::Value jsTo(const Napi::CallbackInfo& info) {
  at::Tensor& t = get(info[0]);
  bool hasDev = info[1].IsString(), hasDt = info[2].IsNumber();
  bool nb = info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  bool copy = info[4].IsBoolean() && info[4].As<Napi::Boolean>().Value();
  at::ScalarType dt = hasDt ? toDtype(info[2], "dtype") : t.scalar_type();
  if (hasDev) return putValue(info.Env(), t.to(toDevice(info[1], "device"), dt, nb, copy));
  return putValue(info.Env(), t.to(dt, nb, copy));
}

// setData(h, src): Python's `t.data = src` (keeps t's identity and autograd metadata).
static Napi::Value jsSetData(const Napi::CallbackInfo& info) {
  get(info[0], "self").set_data(get(info[1], "data"));
  return info.Env().Undefined();
}

static Napi::Value jsRequiresGrad_(const Napi::CallbackInfo& info) {
  get(info[0]).requires_grad_(toBool(info[1], "requiresGrad"));
  return info.Env().Undefined();
}

// ---- indexing
// -------------------------------------------------------------------------------------------------------- Index items
// arrive as two arrays: kinds (IndexKind codes) and values.
static std::vector<at::indexing::TensorIndex> toIndices(const Napi::Value& kindsV, const Napi::Value& valsV) {
  using namespace at::indexing;
  if (!kindsV.IsArray() || !valsV.IsArray()) typeError("internal: bad index arrays");
  Napi::Array kinds = kindsV.As<Napi::Array>(), vals = valsV.As<Napi::Array>();
  std::vector<TensorIndex> out;
  uint32_t n = kinds.Length();
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    int k = static_cast<int>(kinds.Get(i).As<Napi::Number>().Int32Value());
    Napi::Value v = vals.Get(i);
    switch (k) {
      case code::IndexKind_int: out.emplace_back(toInt(v, "index")); break;
      case code::IndexKind_none: out.emplace_back(None); break;
      case code::IndexKind_ellipsis: out.emplace_back(Ellipsis); break;
      case code::IndexKind_slice: {
        Napi::Array s = v.As<Napi::Array>();
        auto opt = [&](uint32_t j) -> c10::optional<int64_t> {
          Napi::Value x = s.Get(j);
          if (x.IsNull() || x.IsUndefined()) return c10::nullopt;
          return toInt(x, "slice bound");
        };
        c10::optional<int64_t> step = opt(2);
        if (step && *step <= 0) rangeError("slice step must be positive, got " + std::to_string(*step));
        out.emplace_back(Slice(opt(0), opt(1), step));
        break;
      }
      case code::IndexKind_bool: out.emplace_back(toBool(v, "index")); break;
      case code::IndexKind_tensor: out.emplace_back(get(v, "index")); break;
      default: typeError("internal: bad index kind");
    }
  }
  return out;
}

static Napi::Value jsIndex(const Napi::CallbackInfo& info) {
  at::Tensor& t = get(info[0]);
  auto idx = toIndices(info[1], info[2]);
  return putValue(info.Env(), t.index(idx));
}

// With accumulate (PyTorch's index_put_(indices, values, accumulate=True)): the items are index
// tensors, or ':' (every position of that dimension).
static c10::List<c10::optional<at::Tensor>> toTensorIndices(const Napi::Value& kindsV, const Napi::Value& valsV) {
  if (!kindsV.IsArray() || !valsV.IsArray()) typeError("internal: bad index arrays");
  Napi::Array kinds = kindsV.As<Napi::Array>(), vals = valsV.As<Napi::Array>();
  c10::List<c10::optional<at::Tensor>> out;
  for (uint32_t i = 0; i < kinds.Length(); ++i) {
    int k = static_cast<int>(kinds.Get(i).As<Napi::Number>().Int32Value());
    Napi::Value v = vals.Get(i);
    bool all = false;
    if (k == code::IndexKind_slice && v.IsArray()) {
      Napi::Array sl = v.As<Napi::Array>();
      all = true;
      for (uint32_t j = 0; j < 3; ++j) all = all && (sl.Get(j).IsNull() || sl.Get(j).IsUndefined());
    }
    if (k == code::IndexKind_tensor) out.push_back(get(v, "index"));
    else if (all) out.push_back(c10::nullopt);
    else
      typeError(
          "indexPut_(): with accumulate, every index item must be an index tensor (or an array of indices) or ':'");
  }
  return out;
}

// indexPut(h, kinds, vals, valueTensor|null, valueScalar, accumulate)
static Napi::Value jsIndexPut(const Napi::CallbackInfo& info) {
  at::Tensor& t = get(info[0]);
  if (info[5].IsBoolean() && info[5].As<Napi::Boolean>().Value()) {
    at::Tensor v =
        info[3].IsNumber() ? get(info[3], "value") : at::scalar_tensor(toScalar(info[4], "value"), t.options());
    t.index_put_(toTensorIndices(info[1], info[2]), v, true);
    return info.Env().Undefined();
  }
  auto idx = toIndices(info[1], info[2]);
  if (info[3].IsNumber()) t.index_put_(idx, get(info[3], "value"));
  else t.index_put_(idx, toScalar(info[4], "value"));
  return info.Env().Undefined();
}

// ---- hot element-wise ops
// ----------------------------------------------------------------------------------------------
// The integer-dividing codes are checked first for the overflow that kills the process (guards.h).
static void guardDivision(int code, const c10::IValue& a, const c10::IValue& b, bool inplace) {
  const char* name = code == code::Binary_remainder     ? "remainder"
                     : code == code::Binary_fmod        ? "fmod"
                     : code == code::Binary_floorDivide ? "floorDivide"
                                                        : nullptr;
  if (name) checkIntDivision(std::string(name) + (inplace ? "_()" : "()"), a, b);
}

static at::Tensor binary(int code, const at::Tensor& a, const at::Tensor& b) {
  guardDivision(code, a, b, false);
  switch (code) {
    case code::Binary_add: return at::add(a, b);
    case code::Binary_sub: return at::sub(a, b);
    case code::Binary_mul: return at::mul(a, b);
    case code::Binary_div: return at::div(a, b);
    case code::Binary_matmul: return at::matmul(a, b);
    case code::Binary_mm: return at::mm(a, b);
    case code::Binary_bmm: return at::bmm(a, b);
    case code::Binary_eq: return at::eq(a, b);
    case code::Binary_ne: return at::ne(a, b);
    case code::Binary_lt: return at::lt(a, b);
    case code::Binary_le: return at::le(a, b);
    case code::Binary_gt: return at::gt(a, b);
    case code::Binary_ge: return at::ge(a, b);
    case code::Binary_pow: return at::pow(a, b);
    case code::Binary_maximum: return at::maximum(a, b);
    case code::Binary_minimum: return at::minimum(a, b);
    case code::Binary_remainder: return at::remainder(a, b);
    case code::Binary_logicalAnd: return at::logical_and(a, b);
    case code::Binary_logicalOr: return at::logical_or(a, b);
    case code::Binary_logicalXor: return at::logical_xor(a, b);
    case code::Binary_atan2: return at::atan2(a, b);
    case code::Binary_fmod: return at::fmod(a, b);
    case code::Binary_floorDivide: return at::floor_divide(a, b);
    default: typeError("internal: bad binary op code");
  }
}

// Python passes a number operand of add/sub/mul/div as a 0-d "wrapped number" tensor to the
// Tensor overload (the Scalar overloads are C++-only); doing the same gives the same autograd
// nodes (AddBackward0, not AddBackward1) and the same type promotion.
at::Tensor wrapScalar(const at::Scalar& s) {
  at::Tensor t = c10::scalar_to_tensor(s);
  t.unsafeGetTensorImpl()->set_wrapped_number(true);
  return t;
}

static at::Tensor binaryScalar(int code, const at::Tensor& a, const at::Scalar& s) {
  guardDivision(code, a, s, false);
  switch (code) {
    case code::Binary_add: return at::add(a, wrapScalar(s));
    case code::Binary_sub: return at::sub(a, wrapScalar(s));
    case code::Binary_mul: return at::mul(a, wrapScalar(s));
    case code::Binary_div: return at::div(a, wrapScalar(s));
    case code::Binary_eq: return at::eq(a, s);
    case code::Binary_ne: return at::ne(a, s);
    case code::Binary_lt: return at::lt(a, s);
    case code::Binary_le: return at::le(a, s);
    case code::Binary_gt: return at::gt(a, s);
    case code::Binary_ge: return at::ge(a, s);
    case code::Binary_pow: return at::pow(a, s);
    case code::Binary_remainder: return at::remainder(a, s);
    case code::Binary_fmod: return at::fmod(a, s);
    case code::Binary_floorDivide: return at::floor_divide(a, s);
    case code::Binary_rsub: return at::rsub(a, s);                             // s - a
    case code::Binary_rdiv: return at::mul(at::reciprocal(a), wrapScalar(s));  // s / a, as Python's __rtruediv__
    default: typeError("internal: bad scalar op code");
  }
}

static void binaryInplace(int code, at::Tensor& a, const at::Tensor& b) {
  guardDivision(code, a, b, true);
  switch (code) {
    case code::Binary_add: a.add_(b); return;
    case code::Binary_sub: a.sub_(b); return;
    case code::Binary_mul: a.mul_(b); return;
    case code::Binary_div: a.div_(b); return;
    case code::Binary_pow: a.pow_(b); return;
    case code::Binary_remainder: a.remainder_(b); return;
    case code::Binary_copy: a.copy_(b); return;
    default: typeError("internal: bad in-place op code");
  }
}

static void binaryScalarInplace(int code, at::Tensor& a, const at::Scalar& s) {
  guardDivision(code, a, s, true);
  switch (code) {
    case code::Binary_add: a.add_(wrapScalar(s)); return;
    case code::Binary_sub: a.sub_(wrapScalar(s)); return;
    case code::Binary_mul: a.mul_(wrapScalar(s)); return;
    case code::Binary_div: a.div_(wrapScalar(s)); return;
    case code::Binary_pow: a.pow_(s); return;
    case code::Binary_remainder: a.remainder_(s); return;
    case code::Binary_fill: a.fill_(s); return;
    default: typeError("internal: bad in-place op code");
  }
}

static at::Tensor unary(int code, const at::Tensor& a) {
  switch (code) {
    case code::Unary_neg: return at::neg(a);
    case code::Unary_abs: return at::abs(a);
    case code::Unary_exp: return at::exp(a);
    case code::Unary_log: return at::log(a);
    case code::Unary_sqrt: return at::sqrt(a);
    case code::Unary_rsqrt: return at::rsqrt(a);
    case code::Unary_relu: return at::relu(a);
    case code::Unary_sigmoid: return at::sigmoid(a);
    case code::Unary_tanh: return at::tanh(a);
    case code::Unary_sign: return at::sign(a);
    case code::Unary_floor: return at::floor(a);
    case code::Unary_ceil: return at::ceil(a);
    case code::Unary_round: return at::round(a);
    case code::Unary_clone: return a.clone();
    case code::Unary_detach: return a.detach();
    case code::Unary_contiguous: return a.contiguous();
    case code::Unary_t: return a.t();
    case code::Unary_sum: return a.sum();
    case code::Unary_mean: return a.mean();
    case code::Unary_logicalNot: return at::logical_not(a);
    case code::Unary_isnan: return at::isnan(a);
    case code::Unary_isfinite: return at::isfinite(a);
    case code::Unary_square: return at::square(a);
    case code::Unary_reciprocal: return at::reciprocal(a);
    case code::Unary_sin: return at::sin(a);
    case code::Unary_cos: return at::cos(a);
    case code::Unary_log1p: return at::log1p(a);
    case code::Unary_expm1: return at::expm1(a);
    case code::Unary_trunc: return at::trunc(a);
    case code::Unary_frac: return at::frac(a);
    case code::Unary_erf: return at::erf(a);
    case code::Unary_log2: return at::log2(a);
    case code::Unary_log10: return at::log10(a);
    case code::Unary_max: return a.max();
    case code::Unary_min: return a.min();
    case code::Unary_argmax:
    case code::Unary_argmin: {
      at::Tensor out;
      if (fastArgmax(a, code == code::Unary_argmax, out)) return out;
      return code == code::Unary_argmax ? a.argmax() : a.argmin();
    }
    case code::Unary_any: return a.any();
    case code::Unary_all: return a.all();
    case code::Unary_prod: return a.prod();
    case code::Unary_silu: return at::silu(a);
    case code::Unary_isinf: return at::isinf(a);
    case code::Unary_tan: return at::tan(a);
    case code::Unary_asin: return at::asin(a);
    case code::Unary_acos: return at::acos(a);
    case code::Unary_atan: return at::atan(a);
    case code::Unary_sinh: return at::sinh(a);
    case code::Unary_cosh: return at::cosh(a);
    case code::Unary_flatten: return a.flatten();
    case code::Unary_exp2: return at::exp2(a);
    case code::Unary_sgn: return at::sgn(a);
    default: typeError("internal: bad unary op code");
  }
}

static void unaryInplace(int code, at::Tensor& a) {
  switch (code) {
    case code::Unary_neg: a.neg_(); return;
    case code::Unary_abs: a.abs_(); return;
    case code::Unary_exp: a.exp_(); return;
    case code::Unary_log: a.log_(); return;
    case code::Unary_sqrt: a.sqrt_(); return;
    case code::Unary_rsqrt: a.rsqrt_(); return;
    case code::Unary_relu: a.relu_(); return;
    case code::Unary_sigmoid: a.sigmoid_(); return;
    case code::Unary_tanh: a.tanh_(); return;
    case code::Unary_sign: a.sign_(); return;
    case code::Unary_floor: a.floor_(); return;
    case code::Unary_ceil: a.ceil_(); return;
    case code::Unary_round: a.round_(); return;
    case code::Unary_square: a.square_(); return;
    case code::Unary_reciprocal: a.reciprocal_(); return;
    case code::Unary_zero: a.zero_(); return;
    case code::Unary_detach_: a.detach_(); return;
    default: typeError("internal: bad in-place op code");
  }
}

static inline int codeOf(const Napi::Value& v) { return v.As<Napi::Number>().Int32Value(); }

// ---- raw fast paths: arguments in the environment's shared buffer ([0] op code, [1] self, [2] other) ----

template <int32_t (*F)(const double*)>
static napi_value fastRet(napi_env env, napi_callback_info) {
  try {
    enter(env);
    int32_t slot = F(args());
    napi_value r;
    napi_create_int32(env, slot, &r);
    return r;
  } catch (...) {
    rethrowAsJs(env);
    return nullptr;
  }
}
template <void (*F)(const double*)>
static napi_value fastVoid(napi_env env, napi_callback_info) {
  try {
    enter(env);
    F(args());
  } catch (...) {
    rethrowAsJs(env);
  }
  return nullptr;
}
static inline int argCode(const double* a) { return static_cast<int>(a[0]); }
static int32_t fBin(const double* a) { return put(binary(argCode(a), get(a[1], "self"), get(a[2], "other"))); }
static int32_t fBinS(const double* a) {
  return put(binaryScalar(argCode(a), get(a[1], "self"), scalarFromDouble(a[2])));
}
static int32_t fUn(const double* a) { return put(unary(argCode(a), get(a[1], "self"))); }
static void fBinI(const double* a) { binaryInplace(argCode(a), get(a[1], "self"), get(a[2], "other")); }
static void fBinSI(const double* a) { binaryScalarInplace(argCode(a), get(a[1], "self"), scalarFromDouble(a[2])); }
static void fUnI(const double* a) { unaryInplace(argCode(a), get(a[1], "self")); }

// wrapScalar(number|boolean) -> handle of a wrapped-number tensor (for the alpha / rounding-mode forms)
static Napi::Value jsWrapScalar(const Napi::CallbackInfo& info) {
  return putValue(info.Env(), wrapScalar(toScalar(info[0], "other")));
}

static Napi::Value jsBinS(const Napi::CallbackInfo& info) {
  return putValue(info.Env(), binaryScalar(codeOf(info[0]), get(info[1], "self"), toScalar(info[2], "other")));
}
static Napi::Value jsBinI(const Napi::CallbackInfo& info) {
  binaryInplace(codeOf(info[0]), get(info[1], "self"), get(info[2], "other"));
  return info.Env().Undefined();
}
static Napi::Value jsBinSI(const Napi::CallbackInfo& info) {
  binaryScalarInplace(codeOf(info[0]), get(info[1], "self"), toScalar(info[2], "other"));
  return info.Env().Undefined();
}

// ---- autograd
// ------------------------------------------------------------------------------------------------------------
static c10::optional<bool> optBool(const Napi::Value& v, const char* what) {
  if (v.IsUndefined() || v.IsNull()) return c10::nullopt;
  return toBool(v, what);
}

// backward(h, gradient|null, retainGraph|undefined, createGraph, inputs|undefined)
static Napi::Value jsBackward(const Napi::CallbackInfo& info) {
  at::Tensor& t = get(info[0]);
  at::Tensor g;
  if (info[1].IsNumber()) g = get(info[1], "gradient");
  bool create = info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  c10::optional<bool> retain = optBool(info[2], "retainGraph");
  if (info[4].IsArray()) {
    std::vector<at::Tensor> inputs;
    Napi::Array a = info[4].As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) inputs.push_back(get(a.Get(i), "inputs"));
    t.backward(g, retain, create, at::TensorList(inputs));
  } else {
    t.backward(g, retain, create);
  }
  return info.Env().Undefined();
}

// grad(h, cachedHandle|null) -> -1 when the cached handle still is the gradient, null when none, else a new handle
static Napi::Value jsGrad(const Napi::CallbackInfo& info) {
  at::Tensor& t = get(info[0]);
  const at::Tensor& g = t.grad();
  if (!g.defined()) return info.Env().Null();
  if (info[1].IsNumber()) {
    double c = info[1].As<Napi::Number>().DoubleValue();
    if (c >= 0) {
      try {
        if (get(c).unsafeGetTensorImpl() == g.unsafeGetTensorImpl()) return Napi::Number::New(info.Env(), -1);
      } catch (const JsError&) {}
    }
  }
  return putValue(info.Env(), g);
}

static Napi::Value jsSetGrad(const Napi::CallbackInfo& info) {
  at::Tensor& t = get(info[0]);
  if (info[1].IsNull() || info[1].IsUndefined()) {
    t.mutable_grad().reset();
    return info.Env().Undefined();
  }
  at::Tensor& g = get(info[1], "grad");
  if (g.sizes() != t.sizes())
    rangeError("assigned grad has shape " + c10::str(g.sizes()) + " but the tensor has shape " + c10::str(t.sizes()));
  if (g.scalar_type() != t.scalar_type())
    typeError(std::string("assigned grad has dtype ") + c10::toString(g.scalar_type()) + " but the tensor has dtype " +
              c10::toString(t.scalar_type()));
  if (g.device() != t.device())
    typeError("assigned grad is on device " + deviceString(g.device()) + " but the tensor is on " +
              deviceString(t.device()));
  t.mutable_grad() = g;
  return info.Env().Undefined();
}

static Napi::Value jsRetainGrad(const Napi::CallbackInfo& info) {
  get(info[0]).retain_grad();
  return info.Env().Undefined();
}

static Napi::Value jsRetainsGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), get(info[0]).retains_grad());
}

static Napi::Value jsSetGradEnabled(const Napi::CallbackInfo& info) {
  c10::GradMode::set_enabled(toBool(info[0], "mode"));
  return info.Env().Undefined();
}

static Napi::Value jsIsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled());
}

// autogradGrad(outputs, inputs, gradOutputs|null, retainGraph|undefined, createGraph, allowUnused)
static Napi::Value jsAutogradGrad(const Napi::CallbackInfo& info) {
  auto outputs = toTensors(info[0], "outputs");
  auto inputs = toTensors(info[1], "inputs");
  std::vector<at::Tensor> gradOutputs;
  if (info[2].IsArray()) gradOutputs = toTensors(info[2], "gradOutputs", true);
  bool create = info[4].IsBoolean() && info[4].As<Napi::Boolean>().Value();
  bool allowUnused = info[5].IsBoolean() && info[5].As<Napi::Boolean>().Value();
  auto res = torch::autograd::grad(outputs, inputs, gradOutputs, optBool(info[3], "retainGraph"), create, allowUnused);
  Napi::Array a = Napi::Array::New(info.Env(), res.size());
  for (size_t i = 0; i < res.size(); ++i) a.Set(static_cast<uint32_t>(i), putValue(info.Env(), res[i]));
  return a;
}

void initTensor(Napi::Env env, Napi::Object exports) {
  SP_DEF("fromBuffer", jsFromBuffer);
  SP_DEF("toBuffer", jsToBuffer);
  SP_DEF("item", jsItem);
  SP_DEF("shape", jsShape);
  SP_DEF("stride", jsStride);
  SP_DEF("dim", jsDim);
  SP_DEF("numel", jsNumel);
  SP_DEF("dtype", jsDtype);
  SP_DEF("device", jsDevice);
  SP_DEF("requiresGrad", jsRequiresGrad);
  SP_DEF("isLeaf", jsIsLeaf);
  SP_DEF("isContiguous", jsIsContiguous);
  SP_DEF("storageOffset", jsStorageOffset);
  SP_DEF("sameTensor", jsSameTensor);
  SP_DEF("sameStorage", jsSameStorage);
  SP_DEF("gradFn", jsGradFn);
  SP_DEF("to", jsTo);
  SP_DEF("requiresGrad_", jsRequiresGrad_);
  SP_DEF("setData", jsSetData);
  SP_DEF("index", jsIndex);
  SP_DEF("indexPut", jsIndexPut);
  def(env, exports, "fbin", &fastRet<fBin>);
  def(env, exports, "fbinS", &fastRet<fBinS>);
  def(env, exports, "fun", &fastRet<fUn>);
  def(env, exports, "fbinI", &fastVoid<fBinI>);
  def(env, exports, "fbinSI", &fastVoid<fBinSI>);
  def(env, exports, "funI", &fastVoid<fUnI>);
  SP_DEF("wrapScalar", jsWrapScalar);
  SP_DEF("binS", jsBinS);
  SP_DEF("binI", jsBinI);
  SP_DEF("binSI", jsBinSI);
  SP_DEF("backward", jsBackward);
  SP_DEF("grad", jsGrad);
  SP_DEF("setGrad", jsSetGrad);
  SP_DEF("retainGrad", jsRetainGrad);
  SP_DEF("retainsGrad", jsRetainsGrad);
  SP_DEF("setGradEnabled", jsSetGradEnabled);
  SP_DEF("isGradEnabled", jsIsGradEnabled);
  SP_DEF("autogradGrad", jsAutogradGrad);
}

}  // namespace sp
