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
  if (bytes) {
    noteExternal(e, bytes);
    if (e.stats) e.stats[0] += static_cast<double>(bytes);
  }
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

// Drops a slot's weak reference (its tensor is being freed).
static void unwatch(Env& e, Env::Slot& sl) {
  if (!sl.weak) return;
  napi_delete_reference(e.env, sl.weak);
  sl.weak = nullptr;
  e.watchedBytes -= sl.reported;
}

// Frees the slot's tensor; the slot itself goes back to the free list unless keepSlot.
static void release(Env& e, Env::Slot& sl, bool keepSlot) {
  unwatch(e, sl);
  at::Tensor t = std::move(sl.t);
  sl.t.reset();
  if (sl.reported) noteExternal(e, -sl.reported);
  sl.reported = 0;
  if (keepSlot) sl.swept = true;
  else e.freeSlots.push_back(static_cast<uint32_t>(&sl - e.slots.data()));
  --e.live;
  t.reset();  // may free a whole autograd graph
}

bool freeHandle(double h) {
  Env& e = cur();
  Env::Slot* sl = lookup(e, h);
  if (!sl) {
    // a slot sweep() emptied: its finalizer has come, the slot can be reused
    if (h >= 0 && h < static_cast<double>(e.slots.size()) && static_cast<double>(static_cast<size_t>(h)) == h) {
      Env::Slot& s = e.slots[static_cast<size_t>(h)];
      if (s.swept) {
        s.swept = false;
        e.freeSlots.push_back(static_cast<uint32_t>(h));
      }
    }
    return false;
  }
  release(e, *sl, false);
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

// ---- the GC backstop's synchronous half (memory.ts): weak references to the JS tensor objects of
// unscoped tensors, so that right after a forced collection the tensors of collected objects can be
// freed at once, without waiting for their FinalizationRegistry callbacks (which run only when the
// event loop turns).

// watch(slot, tensorObject)
static Napi::Value jsWatch(const Napi::CallbackInfo& info) {
  Env& e = cur();
  Env::Slot* sl = info[0].IsNumber() ? lookup(e, info[0].As<Napi::Number>().DoubleValue()) : nullptr;
  if (!sl || sl->weak || !info[1].IsObject()) return info.Env().Undefined();
  napi_create_reference(info.Env(), info[1], 0, &sl->weak);
  e.watchedBytes += sl->reported;
  if (e.stats) e.stats[1] += static_cast<double>(sl->reported);
  return info.Env().Undefined();
}

// sweep() -> how many tensors it freed: those whose watched JS object has been collected.
static Napi::Value jsSweep(const Napi::CallbackInfo& info) {
  Env& e = cur();
  double n = 0;
  for (Env::Slot& sl : e.slots) {
    if (!sl.weak || !sl.t.defined()) continue;
    napi_value v = nullptr;
    if (napi_get_reference_value(info.Env(), sl.weak, &v) == napi_ok && v == nullptr) {
      release(e, sl, true);
      ++n;
    }
  }
  return Napi::Number::New(info.Env(), n);
}

static Napi::Value jsWatchedBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(cur().watchedBytes));
}

// setStatsBuffer(Float64Array(>= 2)): where put() and watch() count bytes (see Env::stats).
static Napi::Value jsSetStatsBuffer(const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    typeError("setStatsBuffer: expected a Float64Array");
  Napi::Float64Array a = info[0].As<Napi::Float64Array>();
  if (a.ElementLength() < 2) typeError("setStatsBuffer: expected at least 2 elements");
  Env& e = cur();
  if (e.statsRef) napi_delete_reference(info.Env(), e.statsRef);
  napi_create_reference(info.Env(), a, 1, &e.statsRef);
  e.stats = a.Data();
  return info.Env().Undefined();
}

void initTable(Napi::Env env, Napi::Object exports) {
  SP_DEF("watch", jsWatch);
  SP_DEF("sweep", jsSweep);
  SP_DEF("watchedBytes", jsWatchedBytes);
  SP_DEF("setStatsBuffer", jsSetStatsBuffer);
  def(env, exports, "free", jsFree);
  def(env, exports, "freeMany", jsFreeMany);
  SP_DEF("liveCount", jsLiveCount);
  SP_DEF("liveBytes", jsLiveBytes);
}

}  // namespace sp
