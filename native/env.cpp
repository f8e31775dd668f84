// Per-environment state (env.h), error translation, the object table and the addon's entry point.
#include "env.h"

namespace sp {

namespace {
thread_local Env* tl_env = nullptr;

void deleteEnv(napi_env, void* data, void*) { delete static_cast<Env*>(data); }
}  // namespace

void enter(napi_env env) {
  // one environment per thread in Node (main, each Worker): look the state up only when it changes
  if (tl_env == nullptr || tl_env->env != env) {
    void* data = nullptr;
    napi_get_instance_data(env, &data);
    tl_env = static_cast<Env*>(data);
  }
  drainUnrefs(env);
}

Env& cur() {
  if (!tl_env)
    throw JsError(code::ErrKind_Torch, "internal: the sigprop addon was called from a thread that has not loaded it");
  return *tl_env;
}

Env::~Env() {
  // The environment is ending: every tensor and object it still holds goes, so a Worker that ends
  // (returns, is terminated, throws) leaves nothing behind. Tensors shared with other threads stay
  // alive there (libtorch's reference counts are atomic).
  for (Slot& s : slots) {
    s.t.reset();
    if (s.weak) napi_delete_reference(env, s.weak);
  }
  slots.clear();
  objects.clear();
  ops.clear();
  if (errorFactory) napi_delete_reference(env, errorFactory);
  if (argsRef) napi_delete_reference(env, argsRef);
  if (statsRef) napi_delete_reference(env, statsRef);
  drainUnrefs(env);
  noteEnvEnd(env);
  if (tl_env == this) tl_env = nullptr;
}

void Env::flushExternal() {
  if (pendingExternal == 0 || env == nullptr) return;
  int64_t result = 0;
  napi_adjust_external_memory(env, pendingExternal, &result);
  pendingExternal = 0;
}

uint32_t Env::addObject(std::unique_ptr<NativeObject> o) {
  if (!freeObjects.empty()) {
    uint32_t h = freeObjects.back();
    freeObjects.pop_back();
    objects[h] = std::move(o);
    return h;
  }
  objects.push_back(std::move(o));
  return static_cast<uint32_t>(objects.size() - 1);
}

NativeObject* Env::object(const Napi::Value& v) {
  if (!v.IsNumber()) return nullptr;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d < static_cast<double>(objects.size()) && d == std::floor(d))) return nullptr;
  return objects[static_cast<size_t>(d)].get();
}

void Env::freeObject(const Napi::Value& v) {
  NativeObject* o = object(v);
  if (!o || o->pinned()) return;
  size_t h = static_cast<size_t>(v.As<Napi::Number>().DoubleValue());
  objects[h].reset();
  freeObjects.push_back(static_cast<uint32_t>(h));
}

static void rethrowAsJsUnguarded(napi_env env);

[[noreturn]] void typeError(const std::string& msg) { throw JsError(code::ErrKind_Type, msg); }
[[noreturn]] void rangeError(const std::string& msg) { throw JsError(code::ErrKind_Range, msg); }
[[noreturn]] void torchError(const std::string& msg) { throw JsError(code::ErrKind_Torch, msg); }

// ---- errors to JS ----------------------------------------------------------------------------------
// Never throws (it runs in catch blocks of entry points): only raw N-API calls, whose failures (an
// environment being torn down, a Worker terminated mid-call) are ignored.
void rethrowAsJs(napi_env env) {
  try {
    rethrowAsJsUnguarded(env);
  } catch (...) {}
}

static void rethrowAsJsUnguarded(napi_env env) {
  int kind = code::ErrKind_Torch;
  std::string msg, tk;
  try {
    throw;
  } catch (const JsError& e) {
    kind = e.kind;
    msg = e.msg;
    tk = e.torchKind;
  } catch (const Napi::Error& e) {
    // A JS exception raised while calling back into JS (or an N-API call that failed): rethrow the
    // JS error unchanged if it is not pending already.
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    napi_value v = e.IsEmpty() ? nullptr : static_cast<napi_value>(e.Value());
    if (!pending && v) napi_throw(env, v);
    return;
  } catch (const c10::OutOfMemoryError& e) {
    kind = code::ErrKind_OutOfMemory;
    msg = e.what_without_backtrace();
    tk = "OutOfMemoryError";
  } catch (const c10::IndexError& e) {
    msg = e.what_without_backtrace();
    tk = "IndexError";
  } catch (const c10::ValueError& e) {
    msg = e.what_without_backtrace();
    tk = "ValueError";
  } catch (const c10::TypeError& e) {
    msg = e.what_without_backtrace();
    tk = "TypeError";
  } catch (const c10::NotImplementedError& e) {
    msg = e.what_without_backtrace();
    tk = "NotImplementedError";
  } catch (const c10::LinAlgError& e) {
    msg = e.what_without_backtrace();
    tk = "LinAlgError";
  } catch (const c10::Error& e) {
    msg = e.what_without_backtrace();
    tk = "RuntimeError";
    if (msg.find("CUDA out of memory") != std::string::npos || msg.find("out of memory") != std::string::npos)
      kind = code::ErrKind_OutOfMemory;
  } catch (const std::bad_alloc&) {
    kind = code::ErrKind_OutOfMemory;
    msg = "out of memory (std::bad_alloc)";
    tk = "OutOfMemoryError";
  } catch (const std::exception& e) {
    msg = e.what();
    tk = "RuntimeError";
  } catch (...) {
    msg = "unknown native exception";
    tk = "RuntimeError";
  }
  // libtorch messages sometimes end with a newline or carry a trailing "Exception raised from" line.
  auto cut = msg.find("\nException raised from");
  if (cut != std::string::npos) msg.resize(cut);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();

  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  napi_ref factoryRef = data ? static_cast<Env*>(data)->errorFactory : nullptr;
  napi_value factory = nullptr;
  if (factoryRef) napi_get_reference_value(env, factoryRef, &factory);
  if (factory) {
    napi_value argv[3], global, err;
    napi_create_int32(env, kind, &argv[0]);
    napi_create_string_utf8(env, msg.c_str(), msg.size(), &argv[1]);
    napi_create_string_utf8(env, tk.c_str(), tk.size(), &argv[2]);
    napi_get_global(env, &global);
    if (napi_call_function(env, global, factory, 3, argv, &err) == napi_ok) {
      napi_throw(env, err);
      return;
    }
    napi_is_exception_pending(env, &pending);
    if (pending) return;
  }
  if (kind == code::ErrKind_Type) napi_throw_type_error(env, nullptr, msg.c_str());
  else if (kind == code::ErrKind_Range) napi_throw_range_error(env, nullptr, msg.c_str());
  else napi_throw_error(env, nullptr, msg.c_str());
}

// ---- exported functions -----------------------------------------------------------------------------
static Napi::Value jsSetErrorFactory(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) typeError("setErrorFactory: expected a function");
  Env& e = cur();
  if (e.errorFactory) napi_delete_reference(info.Env(), e.errorFactory);
  napi_create_reference(info.Env(), info[0], 1, &e.errorFactory);
  return info.Env().Undefined();
}

// setArgBuffer(Float64Array): the buffer hot ops read their arguments from.
static Napi::Value jsSetArgBuffer(const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    typeError("setArgBuffer: expected a Float64Array");
  Napi::Float64Array a = info[0].As<Napi::Float64Array>();
  if (a.ElementLength() < 16) typeError("setArgBuffer: expected at least 16 elements");
  Env& e = cur();
  if (e.argsRef) napi_delete_reference(info.Env(), e.argsRef);
  napi_create_reference(info.Env(), a, 1, &e.argsRef);  // keeps the backing store alive
  e.args = a.Data();
  return info.Env().Undefined();
}

// codes() -> { group: { name: value } }: codes.def as the binary was built with it.
static Napi::Value jsCodes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  auto set = [&](const char* group, const char* name, int value) {
    if (!out.Has(group)) out.Set(group, Napi::Object::New(env));
    out.Get(group).As<Napi::Object>().Set(name, Napi::Number::New(env, value));
  };
#define SP_CODE(group, name, value) set(#group, #name, value);
#include "codes.def"
#undef SP_CODE
  return out;
}

// objectKind(handle) -> the ObjectKind code of a live object, or 0.
static Napi::Value jsObjectKind(const Napi::CallbackInfo& info) {
  NativeObject* o = cur().object(info[0]);
  return Napi::Number::New(info.Env(), o ? o->kind() : 0);
}

// objectFree(handle): frees a native object (a generator); unknown and pinned handles are left alone.
static Napi::Value jsObjectFree(const Napi::CallbackInfo& info) {
  cur().freeObject(info[0]);
  return info.Env().Undefined();
}

static Napi::Value jsLiveObjects(const Napi::CallbackInfo& info) {
  size_t n = 0;
  for (auto& o : cur().objects) n += o ? 1 : 0;
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

void def(Napi::Env env, Napi::Object exports, const char* name, Fn fn) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, nullptr, &f);
  exports.Set(name, Napi::Value(env, f));
}

void initEnv(Napi::Env env, Napi::Object exports) {
  Env* e = new Env();
  e->env = env;
  e->thread = std::this_thread::get_id();
  if (napi_set_instance_data(env, e, deleteEnv, nullptr) != napi_ok) {
    delete e;
    torchError("internal: could not attach the addon's state to this JavaScript environment");
  }
  tl_env = e;
  noteEnvStart(env);
  SP_DEF("setErrorFactory", jsSetErrorFactory);
  SP_DEF("setArgBuffer", jsSetArgBuffer);
  SP_DEF("codes", jsCodes);
  SP_DEF("objectKind", jsObjectKind);
  SP_DEF("objectFree", jsObjectFree);
  SP_DEF("liveObjects", jsLiveObjects);
}

}  // namespace sp

// Context-aware: Init runs once for each environment that loads the addon.
static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  try {
    sp::initEnv(env, exports);
    sp::initTable(env, exports);
    sp::initTensor(env, exports);
    sp::initDispatch(env, exports);
    sp::initRuntime(env, exports);
    sp::initAllocator(env, exports);
    sp::initOptim(env, exports);
    sp::initShare(env, exports);
    sp::initIo(env, exports);
    sp::initC10d(env, exports);
  } catch (...) {
    sp::rethrowAsJs(env);
  }
  return exports;
}

NODE_API_MODULE(sigprop, Init)
