// The tensor handle table, error translation, memory accounting and module registration.
#include "common.h"
#include <thread>
#include <unordered_set>

namespace sp {

namespace {
struct Slot {
  at::Tensor t;
  int64_t reported = 0;  // bytes reported to V8 for this slot
};
std::vector<Slot> g_slots;
std::vector<uint32_t> g_free;
size_t g_live = 0;
int64_t g_pendingExternal = 0;
napi_env g_env = nullptr;
napi_ref g_errorFactory = nullptr;
std::thread::id g_thread;
constexpr size_t kMaxSlots = 1u << 30;
constexpr int64_t kExternalBatch = 1 << 20;
napi_ref g_argsRef = nullptr;
}  // namespace

double* g_args = nullptr;

[[noreturn]] void typeError(const std::string& msg) { throw JsError(ErrKind::Type, msg); }
[[noreturn]] void rangeError(const std::string& msg) { throw JsError(ErrKind::Range, msg); }

void flushExternalMemory(napi_env env) {
  if (g_pendingExternal == 0 || env == nullptr) return;
  int64_t result = 0;
  napi_adjust_external_memory(env, g_pendingExternal, &result);
  g_pendingExternal = 0;
}

static inline void noteExternal(int64_t delta) {
  g_pendingExternal += delta;
  if (g_pendingExternal >= kExternalBatch || g_pendingExternal <= -kExternalBatch) flushExternalMemory(g_env);
}

int32_t put(at::Tensor t) {
  if (!t.defined()) throw JsError(ErrKind::Torch, "internal: tried to store an undefined tensor");
  uint32_t s;
  if (!g_free.empty()) {
    s = g_free.back();
    g_free.pop_back();
  } else {
    if (g_slots.size() >= kMaxSlots) rangeError("too many live tensors: dispose tensors or use torch.tidy()");
    g_slots.emplace_back();
    s = static_cast<uint32_t>(g_slots.size() - 1);
  }
  Slot& sl = g_slots[s];
  int64_t bytes = 0;
  if (t.has_storage() && !t.is_view()) bytes = static_cast<int64_t>(t.storage().nbytes());
  sl.t = std::move(t);
  sl.reported = bytes;
  if (bytes) noteExternal(bytes);
  ++g_live;
  return static_cast<int32_t>(s);
}

Napi::Value putValue(Napi::Env env, at::Tensor t) {
  if (!t.defined()) return env.Null();
  return Napi::Number::New(env, static_cast<double>(put(std::move(t))));
}

static inline Slot* lookup(double h) {
  if (!(h >= 0 && h < static_cast<double>(g_slots.size()))) return nullptr;
  size_t s = static_cast<size_t>(h);
  if (static_cast<double>(s) != h) return nullptr;
  Slot& sl = g_slots[s];
  return sl.t.defined() ? &sl : nullptr;
}

at::Tensor& get(double h, const char* what) {
  Slot* sl = lookup(h);
  if (!sl) {
    throw JsError(ErrKind::Disposed, std::string("'") + what +
                                         "' is a disposed tensor: it was freed by dispose() or by the scope "
                                         "(torch.tidy / torch.scope) it was created in; keep it with torch.keep() "
                                         "or return it from the scope");
  }
  return sl->t;
}

at::Tensor& get(const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) typeError(std::string("'") + what + "' must be a Tensor, got " + jsTypeName(v));
  return get(v.As<Napi::Number>().DoubleValue(), what);
}

bool freeHandle(double h) {
  Slot* sl = lookup(h);
  if (!sl) return false;
  at::Tensor t = std::move(sl->t);
  sl->t.reset();
  if (sl->reported) noteExternal(-sl->reported);
  sl->reported = 0;
  g_free.push_back(static_cast<uint32_t>(sl - g_slots.data()));
  --g_live;
  t.reset();  // may free a whole autograd graph
  return true;
}

size_t liveCount() { return g_live; }

int64_t liveBytes() {
  std::unordered_set<const void*> seen;
  int64_t total = 0;
  for (const Slot& sl : g_slots) {
    if (!sl.t.defined() || !sl.t.has_storage()) continue;
    const void* key = sl.t.storage().unsafeGetStorageImpl();
    if (seen.insert(key).second) total += static_cast<int64_t>(sl.t.storage().nbytes());
  }
  return total;
}

// ---- errors to JS ----------------------------------------------------------------------------------
void rethrowAsJs(napi_env env) {
  ErrKind kind = ErrKind::Torch;
  std::string msg, tk;
  try {
    throw;
  } catch (const JsError& e) {
    kind = e.kind;
    msg = e.msg;
    tk = e.torchKind;
  } catch (const Napi::Error& e) {
    // A JS exception raised while calling back into JS: rethrow it unchanged.
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) e.ThrowAsJavaScriptException();
    return;
  } catch (const c10::OutOfMemoryError& e) {
    kind = ErrKind::OutOfMemory;
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
      kind = ErrKind::OutOfMemory;
  } catch (const std::bad_alloc&) {
    kind = ErrKind::OutOfMemory;
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
  napi_value factory = nullptr;
  if (g_errorFactory) napi_get_reference_value(env, g_errorFactory, &factory);
  if (factory) {
    napi_value args[3], global, err;
    napi_create_int32(env, static_cast<int>(kind), &args[0]);
    napi_create_string_utf8(env, msg.c_str(), msg.size(), &args[1]);
    napi_create_string_utf8(env, tk.c_str(), tk.size(), &args[2]);
    napi_get_global(env, &global);
    if (napi_call_function(env, global, factory, 3, args, &err) == napi_ok) {
      napi_throw(env, err);
      return;
    }
    napi_is_exception_pending(env, &pending);
    if (pending) return;
  }
  if (kind == ErrKind::Type) napi_throw_type_error(env, nullptr, msg.c_str());
  else if (kind == ErrKind::Range) napi_throw_range_error(env, nullptr, msg.c_str());
  else napi_throw_error(env, nullptr, msg.c_str());
}

// ---- exported functions -----------------------------------------------------------------------------
static Napi::Value jsSetErrorFactory(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) typeError("setErrorFactory: expected a function");
  if (g_errorFactory) napi_delete_reference(info.Env(), g_errorFactory);
  napi_create_reference(info.Env(), info[0], 1, &g_errorFactory);
  return info.Env().Undefined();
}

// free(slot): raw N-API, it is on the hot path of dispose().
static napi_value jsFree(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double h;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) == napi_ok && argc == 1 &&
      napi_get_value_double(env, argv[0], &h) == napi_ok) {
    try {
      freeHandle(h);
    } catch (...) {
      rethrowAsJs(env);
    }
  }
  return nullptr;
}

// freeMany(Int32Array slots, count): frees a scope's tensors in one call.
static napi_value jsFreeMany(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  bool isTa = false;
  if (argc < 2 || napi_is_typedarray(env, argv[0], &isTa) != napi_ok || !isTa) {
    napi_throw_type_error(env, nullptr, "freeMany: expected an Int32Array of slots");
    return nullptr;
  }
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_get_typedarray_info(env, argv[0], &type, &length, &data, nullptr, nullptr);
  double cnt = 0;
  napi_get_value_double(env, argv[1], &cnt);
  if (type != napi_int32_array || cnt < 0 || cnt > length) {
    napi_throw_type_error(env, nullptr, "freeMany: expected an Int32Array of slots and a count");
    return nullptr;
  }
  const int32_t* slots = static_cast<const int32_t*>(data);
  try {
    for (size_t i = 0, n = static_cast<size_t>(cnt); i < n; ++i) freeHandle(slots[i]);
  } catch (...) {
    rethrowAsJs(env);
  }
  return nullptr;
}

// setArgBuffer(Float64Array): the buffer hot ops read their arguments from.
static Napi::Value jsSetArgBuffer(const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    typeError("setArgBuffer: expected a Float64Array");
  Napi::Float64Array a = info[0].As<Napi::Float64Array>();
  if (a.ElementLength() < 16) typeError("setArgBuffer: expected at least 16 elements");
  if (g_argsRef) napi_delete_reference(info.Env(), g_argsRef);
  napi_create_reference(info.Env(), a, 1, &g_argsRef);  // keeps the backing store alive
  g_args = a.Data();
  return info.Env().Undefined();
}

static Napi::Value jsLiveCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(liveCount()));
}

static Napi::Value jsLiveBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(liveBytes()));
}

void def(Napi::Env env, Napi::Object exports, const char* name, Fn fn) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, nullptr, &f);
  exports.Set(name, Napi::Value(env, f));
}

void initTable(Napi::Env env, Napi::Object exports) {
  if (g_env != nullptr && g_thread != std::this_thread::get_id())
    throw JsError(ErrKind::Torch, "sigprop's native addon can be used from one thread only (it was loaded in a worker thread as well as elsewhere)");
  g_env = env;
  g_thread = std::this_thread::get_id();
  SP_DEF("setErrorFactory", jsSetErrorFactory);
  def(env, exports, "free", jsFree);
  def(env, exports, "freeMany", jsFreeMany);
  SP_DEF("setArgBuffer", jsSetArgBuffer);
  SP_DEF("liveCount", jsLiveCount);
  SP_DEF("liveBytes", jsLiveBytes);
}

}  // namespace sp

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  try {
    sp::initTable(env, exports);
    sp::initTensor(env, exports);
    sp::initDispatch(env, exports);
    sp::initRuntime(env, exports);
    sp::initAllocator(env, exports);
    sp::initOptim(env, exports);
  } catch (...) {
    sp::rethrowAsJs(env);
  }
  return exports;
}

NODE_API_MODULE(sigprop, Init)
