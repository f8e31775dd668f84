// The tensor handle table of the current environment and its memory accounting.
#include "env.h"
#include <unordered_set>

namespace sp {

namespace {
constexpr size_t kMaxSlots = 1u << 30;
constexpr int64_t kExternalBatch = 1 << 20;

inline void noteExternal(Env& e, int64_t delta) {
  e.pendingExternal += delta;
  if (e.pendingExternal >= kExternalBatch || e.pendingExternal <= -kExternalBatch) e.flushExternal();
}

inline Env::Slot* lookup(Env& e, double h) {
  if (!(h >= 0 && h < static_cast<double>(e.slots.size()))) return nullptr;
  size_t s = static_cast<size_t>(h);
  if (static_cast<double>(s) != h) return nullptr;
  Env::Slot& sl = e.slots[s];
  return sl.t.defined() ? &sl : nullptr;
}
}  // namespace

int32_t put(at::Tensor t) {
  if (!t.defined()) torchError("internal: tried to store an undefined tensor");
  Env& e = cur();
  uint32_t s;
  if (!e.freeSlots.empty()) {
    s = e.freeSlots.back();
    e.freeSlots.pop_back();
  } else {
    if (e.slots.size() >= kMaxSlots) rangeError("too many live tensors: dispose tensors or use torch.tidy()");
    e.slots.emplace_back();
    s = static_cast<uint32_t>(e.slots.size() - 1);
  }
  Env::Slot& sl = e.slots[s];
  int64_t bytes = 0;
  if (t.has_storage() && !t.is_view()) bytes = static_cast<int64_t>(t.storage().nbytes());
  sl.t = std::move(t);
  sl.reported = bytes;
  if (bytes) noteExternal(e, bytes);
  ++e.live;
  return static_cast<int32_t>(s);
}

Napi::Value putValue(Napi::Env env, at::Tensor t) {
  if (!t.defined()) return env.Null();
  return Napi::Number::New(env, static_cast<double>(put(std::move(t))));
}

// A disposed tensor: the JS error factory writes the message (errors.ts, disposedMessage) from the
// parameter name, as the TypeScript checks do.
at::Tensor& get(double h, const char* what) {
  Env::Slot* sl = lookup(cur(), h);
  if (!sl) throw JsError(code::ErrKind_Disposed, what);
  return sl->t;
}

at::Tensor& get(const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) typeError(std::string("'") + what + "' must be a Tensor, got " + jsTypeName(v));
  return get(v.As<Napi::Number>().DoubleValue(), what);
}

bool freeHandle(double h) {
  Env& e = cur();
  Env::Slot* sl = lookup(e, h);
  if (!sl) return false;
  at::Tensor t = std::move(sl->t);
  sl->t.reset();
  if (sl->reported) noteExternal(e, -sl->reported);
  sl->reported = 0;
  e.freeSlots.push_back(static_cast<uint32_t>(sl - e.slots.data()));
  --e.live;
  t.reset();  // may free a whole autograd graph
  return true;
}

double* args() { return cur().args; }

size_t liveCount() { return cur().live; }

int64_t liveBytes() {
  std::unordered_set<const void*> seen;
  int64_t total = 0;
  for (const Env::Slot& sl : cur().slots) {
    if (!sl.t.defined() || !sl.t.has_storage()) continue;
    const void* key = sl.t.storage().unsafeGetStorageImpl();
    if (seen.insert(key).second) total += static_cast<int64_t>(sl.t.storage().nbytes());
  }
  return total;
}

// ---- exported functions -----------------------------------------------------------------------------
// free(slot): raw N-API, it is on the hot path of dispose().
static napi_value jsFree(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double h;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) == napi_ok && argc == 1 &&
      napi_get_value_double(env, argv[0], &h) == napi_ok) {
    try {
      enter(env);
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
    enter(env);
    for (size_t i = 0, n = static_cast<size_t>(cnt); i < n; ++i) freeHandle(slots[i]);
  } catch (...) {
    rethrowAsJs(env);
  }
  return nullptr;
}

static Napi::Value jsLiveCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(liveCount()));
}

static Napi::Value jsLiveBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(liveBytes()));
}

void initTable(Napi::Env env, Napi::Object exports) {
  def(env, exports, "free", jsFree);
  def(env, exports, "freeMany", jsFreeMany);
  SP_DEF("liveCount", jsLiveCount);
  SP_DEF("liveBytes", jsLiveBytes);
}

}  // namespace sp
