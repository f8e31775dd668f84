// Tensors across threads: the process-wide registry behind torch.share / torch.fromShared (the same
// storage seen from several JavaScript threads, no copy), and CPU tensors on the memory of a
// SharedArrayBuffer (torch.frombuffer on one), which several threads can write and read.
#include "env.h"
#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

namespace sp {
namespace {

// ---- the share registry (process-wide, under g_shareMu) ---------------------------------------------
struct SharedEntry {
  at::Tensor t;
  int64_t remaining;  // receptions left before the entry goes
  int64_t owner;      // the worker_threads threadId of the thread that made it (0: the main thread)
};
std::mutex g_shareMu;
std::unordered_map<uint64_t, SharedEntry> g_shared;
uint64_t g_nextShare = 1;

// ---- SharedArrayBuffer-backed storages -----------------------------------------------------------------
// A tensor on a SharedArrayBuffer holds a reference to it (so V8 keeps the buffer's memory) until
// its storage is freed. A napi_ref belongs to its environment's thread: the deleter deletes it there,
// or, when the storage is freed on another thread, leaves it for that environment to delete on its
// next call into the addon (and drops it when the environment has ended: Node frees it then).
struct JsBufferRef {
  napi_env env;
  napi_ref ref;
  std::thread::id thread;
};
std::mutex g_unrefMu;
std::unordered_set<napi_env> g_liveEnvs;                       // under g_unrefMu
std::unordered_map<napi_env, std::vector<napi_ref>> g_unrefs;  // under g_unrefMu
std::atomic<bool> g_haveUnrefs{false};

void releaseJsBuffer(void* p) {
  std::unique_ptr<JsBufferRef> r(static_cast<JsBufferRef*>(p));
  {
    std::lock_guard<std::mutex> lock(g_unrefMu);
    if (!g_liveEnvs.count(r->env)) return;
    if (std::this_thread::get_id() != r->thread) {
      g_unrefs[r->env].push_back(r->ref);
      g_haveUnrefs.store(true, std::memory_order_release);
      return;
    }
  }
  napi_delete_reference(r->env, r->ref);
}

bool onJsBuffer(const at::Tensor& t) {
  return t.has_storage() && t.storage().data_ptr().get_deleter() == &releaseJsBuffer;
}

}  // namespace

void noteEnvStart(napi_env env) {
  std::lock_guard<std::mutex> lock(g_unrefMu);
  g_liveEnvs.insert(env);
}

void noteEnvEnd(napi_env env) {
  std::lock_guard<std::mutex> lock(g_unrefMu);
  g_liveEnvs.erase(env);
  g_unrefs.erase(env);
}

void drainUnrefs(napi_env env) {
  if (!g_haveUnrefs.load(std::memory_order_acquire)) return;
  std::vector<napi_ref> refs;
  {
    std::lock_guard<std::mutex> lock(g_unrefMu);
    auto it = g_unrefs.find(env);
    if (it != g_unrefs.end()) {
      refs.swap(it->second);
      g_unrefs.erase(it);
    }
    if (g_unrefs.empty()) g_haveUnrefs.store(false, std::memory_order_release);
  }
  for (napi_ref r : refs) napi_delete_reference(env, r);
}

// share(h, receivers, owner) -> id: registers the tensor (a leaf, or anything that does not require grad)
// for `receivers` fromShared calls, from any thread; owner is the calling thread's threadId.
static Napi::Value jsShare(const Napi::CallbackInfo& info) {
  at::Tensor& t = get(info[0], "tensor");
  int64_t receivers = toInt(info[1], "receivers");
  int64_t owner = toInt(info[2], "owner");
  if (receivers < 1) rangeError("share(): 'receivers' must be >= 1, got " + std::to_string(receivers));
  if (t.requires_grad() && !t.is_leaf())
    typeError(
        "share(): the tensor requires grad and is not a leaf (it has an autograd graph, which stays with this thread): "
        "share t.detach(), or a leaf (a parameter)");
  if (onJsBuffer(t))
    typeError(
        "share(): the tensor is on a SharedArrayBuffer's memory: post the SharedArrayBuffer itself and make the tensor "
        "there with torch.frombuffer (or share a copy, t.clone())");
  at::Tensor alias = t.detach();
  if (t.requires_grad()) alias.requires_grad_(true);
  std::lock_guard<std::mutex> lock(g_shareMu);
  uint64_t id = g_nextShare++;
  g_shared.emplace(id, SharedEntry{std::move(alias), receivers, owner});
  return Napi::Number::New(info.Env(), static_cast<double>(id));
}

static uint64_t shareId(const Napi::Value& v) {
  if (!v.IsNumber()) typeError("fromShared(): the token's id must be a number, got " + jsTypeName(v));
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 1 && d == std::floor(d) && d < 9007199254740992.0))
    typeError("fromShared(): not a share id: " + jsTypeName(v));
  return static_cast<uint64_t>(d);
}

// fromShared(id) -> handle in this thread's table (the same storage); the entry goes after its last reception.
static Napi::Value jsFromShared(const Napi::CallbackInfo& info) {
  uint64_t id = shareId(info[0]);
  at::Tensor t;
  {
    std::lock_guard<std::mutex> lock(g_shareMu);
    auto it = g_shared.find(id);
    if (it == g_shared.end())
      rangeError("fromShared(): share " + std::to_string(id) +
                 " is not (or no longer) available: each torch.share() token can be received as many times as its "
                 "'receivers' option says (default 1), until torch.unshare()");
    t = it->second.t;
    if (--it->second.remaining == 0) g_shared.erase(it);
  }
  // a fresh alias per reception: requires_grad_ or .grad on one side does not reach the others
  at::Tensor alias = t.detach();
  if (t.requires_grad()) alias.requires_grad_(true);
  return putValue(info.Env(), std::move(alias));
}

// unshare(id) -> whether the entry was still there.
static Napi::Value jsUnshare(const Napi::CallbackInfo& info) {
  uint64_t id = shareId(info[0]);
  at::Tensor t;  // freed outside the lock
  bool found = false;
  {
    std::lock_guard<std::mutex> lock(g_shareMu);
    auto it = g_shared.find(id);
    if (it != g_shared.end()) {
      t = std::move(it->second.t);
      g_shared.erase(it);
      found = true;
    }
  }
  return Napi::Boolean::New(info.Env(), found);
}

// unshareFrom([threadIds]) -> how many entries made by those threads were still there (dropped).
static Napi::Value jsUnshareFrom(const Napi::CallbackInfo& info) {
  std::vector<int64_t> owners = toIntVec(info[0], "threadIds");
  std::vector<at::Tensor> dropped;  // freed outside the lock
  {
    std::lock_guard<std::mutex> lock(g_shareMu);
    for (auto it = g_shared.begin(); it != g_shared.end();) {
      if (std::find(owners.begin(), owners.end(), it->second.owner) != owners.end()) {
        dropped.push_back(std::move(it->second.t));
        it = g_shared.erase(it);
      } else {
        ++it;
      }
    }
  }
  return Napi::Number::New(info.Env(), static_cast<double>(dropped.size()));
}

static Napi::Value jsSharedCount(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> lock(g_shareMu);
  return Napi::Number::New(info.Env(), static_cast<double>(g_shared.size()));
}

// fromSharedBuffer(typedArray on a SharedArrayBuffer, shape, dtype) -> a CPU tensor on that memory.
static Napi::Value jsFromSharedBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray())
    typeError("frombuffer(): expected a typed array view of a SharedArrayBuffer, got " + jsTypeName(info[0]));
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  napi_value abv;
  void* data = nullptr;
  size_t length = 0, byteOffset = 0;
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, ta, &type, &length, &data, &abv, &byteOffset) != napi_ok)
    typeError("frombuffer(): bad typed array");
  std::vector<int64_t> shape = toIntVec(info[1], "shape");
  at::ScalarType dt = toDtype(info[2], "dtype");
  int64_t numel = 1;
  for (int64_t s : shape) {
    if (s < 0) rangeError("negative dimension " + std::to_string(s) + " in shape");
    numel *= s;
  }
  size_t esize = c10::elementSize(dt);
  size_t bytes = ta.ByteLength();
  if (static_cast<size_t>(numel) * esize != bytes)
    rangeError("frombuffer(): the view has " + std::to_string(bytes) + " bytes but shape " +
               c10::str(at::IntArrayRef(shape)) + " needs " + std::to_string(numel * esize));
  if (reinterpret_cast<uintptr_t>(data) % esize != 0)
    rangeError("frombuffer(): a tensor on a SharedArrayBuffer must start at a multiple of its element size (" +
               std::to_string(esize) + " bytes); 'offset' is not");
  auto ctx = std::make_unique<JsBufferRef>();
  ctx->env = env;
  ctx->thread = std::this_thread::get_id();
  if (napi_create_reference(env, abv, 1, &ctx->ref) != napi_ok)
    torchError("frombuffer(): could not reference the buffer");
  at::DataPtr ptr(data, ctx.get(), &releaseJsBuffer, at::Device(at::kCPU));
  ctx.release();
  at::Storage storage(at::Storage::use_byte_size_t(), bytes, std::move(ptr), /*allocator=*/nullptr,
                      /*resizable=*/false);
  at::Tensor t = at::empty({0}, at::TensorOptions().dtype(dt)).set_(storage, 0, shape);
  return putValue(env, std::move(t));
}

void initShare(Napi::Env env, Napi::Object exports) {
  SP_DEF("share", jsShare);
  SP_DEF("fromShared", jsFromShared);
  SP_DEF("unshare", jsUnshare);
  SP_DEF("unshareFrom", jsUnshareFrom);
  SP_DEF("sharedCount", jsSharedCount);
  SP_DEF("fromSharedBuffer", jsFromSharedBuffer);
}

}  // namespace sp
