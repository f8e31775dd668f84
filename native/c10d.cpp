// torch.distributed on libtorch's c10d: TCP and prefix stores, Gloo (and NCCL where libtorch has it) process groups,
// collectives as Works waited on the JS thread or off it (a Promise), and DDP's c10d::Reducer.
#include "env.h"
#include <chrono>
#include <limits>
#ifdef SIGPROP_C10D
// (CMakeLists.txt defines SIGPROP_GLOO / SIGPROP_NCCL where their headers are found; libtorch's own
// USE_C10D_* flags, which its CMake config may set regardless, guard the headers' contents.)
#if defined(SIGPROP_GLOO) && !defined(USE_C10D_GLOO)
#define USE_C10D_GLOO
#endif
#if defined(SIGPROP_NCCL) && !defined(USE_C10D_NCCL)
#define USE_C10D_NCCL
#endif
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/comm.hpp>
#include <torch/csrc/autograd/engine.h>
#include <torch/csrc/autograd/function_hook.h>
#include <mutex>
#ifdef SIGPROP_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef SIGPROP_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#endif

namespace sp {
namespace {

#ifdef SIGPROP_C10D
#if TORCH_VERSION_MAJOR >= 2
#define SP_C10D_BACKENDS 1  // 2.x: a ProcessGroup holds one Backend per device type
#endif
using std::chrono::milliseconds;

struct StoreObject final : NativeObject {
  c10::intrusive_ptr<c10d::Store> store;
  explicit StoreObject(c10::intrusive_ptr<c10d::Store> s) : store(std::move(s)) {}
  int kind() const override { return code::ObjectKind_store; }
  const char* typeName() const override { return "torch.distributed.Store"; }
};

struct GroupObject final : NativeObject {
  c10::intrusive_ptr<c10d::ProcessGroup> pg;
#ifdef SP_C10D_BACKENDS
  c10::intrusive_ptr<c10d::Backend> impl;  // the group's one backend
#endif
  std::string backend;
  GroupObject(c10::intrusive_ptr<c10d::ProcessGroup> p, std::string b) : pg(std::move(p)), backend(std::move(b)) {}
  int kind() const override { return code::ObjectKind_processGroup; }
  const char* typeName() const override { return "torch.distributed.ProcessGroup"; }
};

struct WorkObject final : NativeObject {
  c10::intrusive_ptr<c10d::Work> work;
  std::vector<at::Tensor> keep;  // the tensors the collective reads and writes, alive until the work is freed
  WorkObject(c10::intrusive_ptr<c10d::Work> w, std::vector<at::Tensor> k) : work(std::move(w)), keep(std::move(k)) {}
  int kind() const override { return code::ObjectKind_work; }
  const char* typeName() const override { return "torch.distributed.Work"; }
};

c10::intrusive_ptr<c10d::Store>& storeArg(const Napi::Value& v, const char* what) {
  return cur().objectAs<StoreObject>(v, what, "torch.distributed.Store").store;
}
GroupObject& groupArg(const Napi::Value& v) {
  return cur().objectAs<GroupObject>(v, "group", "torch.distributed.ProcessGroup");
}
milliseconds msArg(const Napi::Value& v, const char* what) {
  double d = toDouble(v, what);
  if (!(d > 0)) rangeError(std::string("'") + what + "' must be a positive number of milliseconds");
  return milliseconds(static_cast<int64_t>(d));
}

Napi::Value workValue(Napi::Env env, c10::intrusive_ptr<c10d::Work> w, std::vector<at::Tensor> keep) {
  return Napi::Number::New(env, cur().addObject(std::make_unique<WorkObject>(std::move(w), std::move(keep))));
}

c10d::ReduceOp reduceOpArg(const Napi::Value& v) {
  switch (toInt(v, "op")) {
    case 0: return c10d::ReduceOp(c10d::ReduceOp::SUM);
    case 1: return c10d::ReduceOp(c10d::ReduceOp::AVG);
    case 2: return c10d::ReduceOp(c10d::ReduceOp::PRODUCT);
    case 3: return c10d::ReduceOp(c10d::ReduceOp::MIN);
    case 4: return c10d::ReduceOp(c10d::ReduceOp::MAX);
    default: rangeError("op: unknown reduce op code");
  }
}

// ---- capabilities --------------------------------------------------------------------------------
Napi::Value jsDistInfo(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("available", true);
#ifdef SIGPROP_GLOO
  o.Set("gloo", true);
#else
  o.Set("gloo", false);
#endif
#ifdef SIGPROP_NCCL
  o.Set("nccl", true);
#else
  o.Set("nccl", false);
#endif
  return o;
}

// ---- stores ---------------------------------------------------------------------------------------
// storeTcp(host, port, isServer, numWorkers (-1: unknown), timeoutMs, waitWorkers, multiTenant)
Napi::Value jsStoreTcp(const Napi::CallbackInfo& info) {
  std::string host = toStr(info[0], "host");
  int64_t port = toInt(info[1], "port");
  if (port < 0 || port > 65535) rangeError("port must be in 0..65535, got " + std::to_string(port));
  c10d::TCPStoreOptions o;
  o.port = static_cast<uint16_t>(port);
  o.isServer = toBool(info[2], "isServer");
  int64_t n = toInt(info[3], "numWorkers");
  if (n >= 0) o.numWorkers = static_cast<size_t>(n);
  o.timeout = msArg(info[4], "timeout");
  o.waitWorkers = toBool(info[5], "waitWorkers");
  o.multiTenant = toBool(info[6], "multiTenant");
  auto s = c10::make_intrusive<c10d::TCPStore>(host, o);
  return Napi::Number::New(info.Env(), cur().addObject(std::make_unique<StoreObject>(s)));
}

// storePort(store) -> the port a TCPStore listens on / connects to (0 asked the OS for a free one).
Napi::Value jsStorePort(const Napi::CallbackInfo& info) {
  auto* t = dynamic_cast<c10d::TCPStore*>(storeArg(info[0], "store").get());
  if (!t) typeError("storePort: not a TCPStore");
  return Napi::Number::New(info.Env(), t->getPort());
}

Napi::Value jsStorePrefix(const Napi::CallbackInfo& info) {
  std::string prefix = toStr(info[0], "prefix");
  auto s = c10::make_intrusive<c10d::PrefixStore>(prefix, storeArg(info[1], "store"));
  return Napi::Number::New(info.Env(), cur().addObject(std::make_unique<StoreObject>(s)));
}

Napi::Value jsStoreSet(const Napi::CallbackInfo& info) {
  std::string v = toStr(info[2], "value");
  storeArg(info[0], "store")->set(toStr(info[1], "key"), std::vector<uint8_t>(v.begin(), v.end()));
  return info.Env().Undefined();
}

Napi::Value jsStoreGet(const Napi::CallbackInfo& info) {
  std::vector<uint8_t> v = storeArg(info[0], "store")->get(toStr(info[1], "key"));
  return Napi::String::New(info.Env(), std::string(v.begin(), v.end()));
}

Napi::Value jsStoreAdd(const Napi::CallbackInfo& info) {
  int64_t r = storeArg(info[0], "store")->add(toStr(info[1], "key"), toInt(info[2], "value"));
  return Napi::Number::New(info.Env(), static_cast<double>(r));
}

std::vector<std::string> keysArg(const Napi::Value& v) {
  if (!v.IsArray()) typeError("keys must be an array of strings");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<std::string> keys;
  for (uint32_t i = 0; i < a.Length(); ++i) keys.push_back(toStr(a.Get(i), "keys[i]"));
  return keys;
}

Napi::Value jsStoreCheck(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), storeArg(info[0], "store")->check(keysArg(info[1])));
}

Napi::Value jsStoreWait(const Napi::CallbackInfo& info) {
  storeArg(info[0], "store")->wait(keysArg(info[1]), msArg(info[2], "timeout"));
  return info.Env().Undefined();
}

Napi::Value jsStoreSetTimeout(const Napi::CallbackInfo& info) {
  storeArg(info[0], "store")->setTimeout(msArg(info[1], "timeout"));
  return info.Env().Undefined();
}

// ---- process groups -------------------------------------------------------------------------------
// pgNew(backend 'gloo' | 'nccl', store, rank, size, timeoutMs) -> a process group (connects to every peer).
Napi::Value jsPgNew(const Napi::CallbackInfo& info) {
  std::string backend = toStr(info[0], "backend");
  auto& store = storeArg(info[1], "store");
  int rank = static_cast<int>(toInt(info[2], "rank"));
  int size = static_cast<int>(toInt(info[3], "size"));
  milliseconds timeout = msArg(info[4], "timeout");
  if (size < 1 || rank < 0 || rank >= size)
    rangeError("rank " + std::to_string(rank) + " is outside the group of size " + std::to_string(size));
  c10::intrusive_ptr<c10d::ProcessGroup> pg;
#ifdef SP_C10D_BACKENDS
  c10::intrusive_ptr<c10d::Backend> impl;
#endif
  if (backend == "gloo") {
#ifdef SIGPROP_GLOO
    auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
    // as torch.distributed: GLOO_SOCKET_IFNAME names the interfaces, else the host name's address
    const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
    if (ifname && *ifname) {
      std::string s(ifname);
      size_t start = 0;
      while (start <= s.size()) {
        size_t end = s.find(',', start);
        if (end == std::string::npos) end = s.size();
        if (end > start)
          opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(s.substr(start, end - start)));
        start = end + 1;
      }
    } else {
      opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
    opts->threads = static_cast<int>(opts->devices.size() * 2);
    auto gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, size, opts);
#ifdef SP_C10D_BACKENDS
    pg = c10::make_intrusive<c10d::ProcessGroup>(store, rank, size);
    pg->setBackend(c10::DeviceType::CPU, c10d::ProcessGroup::BackendType::GLOO, gloo);
    pg->setDefaultBackend(c10d::ProcessGroup::BackendType::GLOO);
    impl = gloo;
#else
    pg = gloo;
#endif
#else
    torchError(
        "backend 'gloo' is not in this build of the addon (built without Gloo: install libgloo-dev and rebuild)");
#endif
  } else if (backend == "nccl") {
#ifdef SIGPROP_NCCL
    if (!at::detail::getCUDAHooks().hasCUDA() || at::detail::getCUDAHooks().getNumGPUs() < 1)
      torchError("backend 'nccl' needs a CUDA device, and this process sees none (use backend 'gloo' on CPUs)");
    auto opts = c10d::ProcessGroupNCCL::Options::create();
    opts->timeout = timeout;
    auto nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, size, opts);
    pg = c10::make_intrusive<c10d::ProcessGroup>(store, rank, size);
    pg->setBackend(c10::DeviceType::CUDA, c10d::ProcessGroup::BackendType::NCCL, nccl);
    pg->setDefaultBackend(c10d::ProcessGroup::BackendType::NCCL);
    impl = nccl;
#else
    torchError(
        "backend 'nccl' is not in this build: it needs a CUDA libtorch that has NCCL (pip's CUDA PyTorch), and a GPU; "
        "use backend 'gloo'");
#endif
  } else {
    rangeError("backend must be 'gloo' or 'nccl', got '" + backend + "'");
  }
  auto obj = std::make_unique<GroupObject>(pg, backend);
#ifdef SP_C10D_BACKENDS
  obj->impl = impl;
#endif
  return Napi::Number::New(info.Env(), cur().addObject(std::move(obj)));
}

Napi::Value jsPgSetSequenceNumber(const Napi::CallbackInfo& info) {
#ifdef SP_C10D_BACKENDS
  groupArg(info[0]).impl->setSequenceNumberForGroup();
#else
  groupArg(info[0]).pg->setSequenceNumberForGroup();
#endif
  return info.Env().Undefined();
}

// pgAllReduce(pg, tensors, op) -> work
Napi::Value jsPgAllReduce(const Napi::CallbackInfo& info) {
  auto& g = groupArg(info[0]);
  std::vector<at::Tensor> ts = toTensors(info[1], "tensors");
  c10d::AllreduceOptions o;
  o.reduceOp = reduceOpArg(info[2]);
  return workValue(info.Env(), g.pg->allreduce(ts, o), ts);
}

// pgBroadcast(pg, tensors, root) -> work
Napi::Value jsPgBroadcast(const Napi::CallbackInfo& info) {
  auto& g = groupArg(info[0]);
  std::vector<at::Tensor> ts = toTensors(info[1], "tensors");
  c10d::BroadcastOptions o;
  o.rootRank = toInt(info[2], "src");
  return workValue(info.Env(), g.pg->broadcast(ts, o), ts);
}

// pgReduce(pg, tensor, root, op) -> work
Napi::Value jsPgReduce(const Napi::CallbackInfo& info) {
  auto& g = groupArg(info[0]);
  std::vector<at::Tensor> ts{get(info[1], "tensor")};
  c10d::ReduceOptions o;
  o.rootRank = toInt(info[2], "dst");
  o.reduceOp = reduceOpArg(info[3]);
  return workValue(info.Env(), g.pg->reduce(ts, o), ts);
}

// pgAllGather(pg, outputs, input) -> work
Napi::Value jsPgAllGather(const Napi::CallbackInfo& info) {
  auto& g = groupArg(info[0]);
  std::vector<std::vector<at::Tensor>> outs{toTensors(info[1], "tensorList")};
  std::vector<at::Tensor> ins{get(info[2], "tensor")};
  std::vector<at::Tensor> keep = outs[0];
  keep.push_back(ins[0]);
  return workValue(info.Env(), g.pg->allgather(outs, ins), keep);
}

// pgGather(pg, outputs (empty off the root), input, root) -> work
Napi::Value jsPgGather(const Napi::CallbackInfo& info) {
  auto& g = groupArg(info[0]);
  std::vector<at::Tensor> list = toTensors(info[1], "gatherList");
  std::vector<std::vector<at::Tensor>> outs;
  if (!list.empty()) outs.push_back(list);
  std::vector<at::Tensor> ins{get(info[2], "tensor")};
  c10d::GatherOptions o;
  o.rootRank = toInt(info[3], "dst");
  list.push_back(ins[0]);
  return workValue(info.Env(), g.pg->gather(outs, ins, o), list);
}

// pgScatter(pg, output, inputs (empty off the root), root) -> work
Napi::Value jsPgScatter(const Napi::CallbackInfo& info) {
  auto& g = groupArg(info[0]);
  std::vector<at::Tensor> outs{get(info[1], "tensor")};
  std::vector<at::Tensor> list = toTensors(info[2], "scatterList");
  std::vector<std::vector<at::Tensor>> ins;
  if (!list.empty()) ins.push_back(list);
  c10d::ScatterOptions o;
  o.rootRank = toInt(info[3], "src");
  list.push_back(outs[0]);
  return workValue(info.Env(), g.pg->scatter(outs, ins, o), list);
}

// pgReduceScatter(pg, output, inputs, op) -> work
Napi::Value jsPgReduceScatter(const Napi::CallbackInfo& info) {
  auto& g = groupArg(info[0]);
  std::vector<at::Tensor> outs{get(info[1], "output")};
  std::vector<std::vector<at::Tensor>> ins{toTensors(info[2], "inputList")};
  c10d::ReduceScatterOptions o;
  o.reduceOp = reduceOpArg(info[3]);
  std::vector<at::Tensor> keep = ins[0];
  keep.push_back(outs[0]);
  return workValue(info.Env(), g.pg->reduce_scatter(outs, ins, o), keep);
}

Napi::Value jsPgBarrier(const Napi::CallbackInfo& info) {
  auto& g = groupArg(info[0]);
  return workValue(info.Env(), g.pg->barrier(), {});
}

// pgSend(pg, tensor, dst, tag) / pgRecv(pg, tensor, src (-1: any), tag) -> work
Napi::Value jsPgSend(const Napi::CallbackInfo& info) {
  auto& g = groupArg(info[0]);
  std::vector<at::Tensor> ts{get(info[1], "tensor")};
  int dst = static_cast<int>(toInt(info[2], "dst"));
  int tag = static_cast<int>(toInt(info[3], "tag"));
  return workValue(info.Env(), g.pg->send(ts, dst, tag), ts);
}

Napi::Value jsPgRecv(const Napi::CallbackInfo& info) {
  auto& g = groupArg(info[0]);
  std::vector<at::Tensor> ts{get(info[1], "tensor")};
  int src = static_cast<int>(toInt(info[2], "src"));
  int tag = static_cast<int>(toInt(info[3], "tag"));
  auto w = src < 0 ? g.pg->recvAnysource(ts, tag) : g.pg->recv(ts, src, tag);
  return workValue(info.Env(), w, ts);
}

// pgBroadcastCoalesced(pg, tensors, bufferBytes, src): DDP's broadcast of module states (waits).
Napi::Value jsPgBroadcastCoalesced(const Napi::CallbackInfo& info) {
  auto& g = groupArg(info[0]);
  std::vector<at::Tensor> ts = toTensors(info[1], "tensors");
  c10d::broadcast_coalesced(g.pg, ts, static_cast<size_t>(toInt(info[2], "bufferSize")),
                            static_cast<int>(toInt(info[3], "src")));
  return info.Env().Undefined();
}

// ---- works ----------------------------------------------------------------------------------------
WorkObject& workArg(const Napi::Value& v) { return cur().objectAs<WorkObject>(v, "work", "torch.distributed.Work"); }

// workWait(work): waits on the JS thread (the group's timeout bounds it); throws the work's error.
Napi::Value jsWorkWait(const Napi::CallbackInfo& info) {
  workArg(info[0]).work->wait();
  return info.Env().Undefined();
}

Napi::Value jsWorkIsCompleted(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), workArg(info[0]).work->isCompleted());
}

Napi::Value jsWorkSourceRank(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), workArg(info[0]).work->sourceRank());
}

struct WaitJob {
  napi_async_work job = nullptr;
  napi_deferred deferred = nullptr;
  c10::intrusive_ptr<c10d::Work> work;
  std::string error;
};

void waitExecute(napi_env, void* data) {
  auto* w = static_cast<WaitJob*>(data);
  try {
    w->work->wait();
  } catch (const c10::Error& e) {
    w->error = e.what_without_backtrace();
  } catch (const std::exception& e) {
    w->error = e.what();
  } catch (...) {
    w->error = "unknown native exception waiting on a collective";
  }
}

void waitComplete(napi_env env, napi_status status, void* data) {
  std::unique_ptr<WaitJob> w(static_cast<WaitJob*>(data));
  napi_delete_async_work(env, w->job);
  if (status == napi_cancelled) return;  // the environment is going away
  enter(env);
  if (w->error.empty()) {
    napi_value u;
    napi_get_undefined(env, &u);
    napi_resolve_deferred(env, w->deferred, u);
    return;
  }
  try {
    throw JsError(code::ErrKind_Torch, w->error, "DistBackendError");
  } catch (...) {
    rethrowAsJs(env);
  }
  napi_value err = nullptr;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) napi_get_and_clear_last_exception(env, &err);
  if (!err) napi_create_string_utf8(env, w->error.c_str(), NAPI_AUTO_LENGTH, &err);
  napi_reject_deferred(env, w->deferred, err);
}

// workWaitAsync(work) -> a Promise settled when the work ends (the wait runs on libuv's pool).
Napi::Value jsWorkWaitAsync(const Napi::CallbackInfo& info) {
  auto job = std::make_unique<WaitJob>();
  job->work = workArg(info[0]).work;
  napi_env env = info.Env();
  napi_value promise, name;
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok) torchError("workWaitAsync: no promise");
  napi_create_string_utf8(env, "sigprop.c10dWait", NAPI_AUTO_LENGTH, &name);
  if (napi_create_async_work(env, nullptr, name, waitExecute, waitComplete, job.get(), &job->job) != napi_ok)
    torchError("workWaitAsync: could not create the async work");
  if (napi_queue_async_work(env, job->job) != napi_ok) {
    napi_delete_async_work(env, job->job);
    torchError("workWaitAsync: could not queue the async work");
  }
  job.release();
  return Napi::Value(env, promise);
}

// ---- DistributedDataParallel's reducer ---------------------------------------------------------------
// The design of c10d::Reducer (whose header Debian's libtorch-dev lacks): a post hook on each
// parameter's gradient accumulator marks it ready during backward; a bucket whose gradients are all
// ready is flattened (each gradient times 1 / world size, as the Reducer does) and all-reduced
// asynchronously, buckets strictly in their order on every rank; a callback queued on the autograd
// engine waits for every bucket at the end of backward and copies the averages back into .grad.
struct RBucket {
  std::vector<size_t> params;
  std::vector<int64_t> offsets;
  int64_t numel = 0;
  size_t pending = 0;
  at::Tensor flat;
  c10::intrusive_ptr<c10d::Work> work;
};

// The pending exception as a DistBackendError naming what the reducer was doing (it reaches JS from backward()).
[[noreturn]] void reducerFailed(const char* what) {
  std::string msg;
  try {
    throw;
  } catch (const JsError& e) {
    msg = e.msg;
  } catch (const c10::Error& e) {
    msg = e.what_without_backtrace();
  } catch (const std::exception& e) {
    msg = e.what();
  } catch (...) {
    msg = "unknown exception";
  }
  throw JsError(code::ErrKind_Torch, std::string("DistributedDataParallel: ") + what + " failed: " + msg,
                "DistBackendError");
}

struct ReducerState {
  c10::intrusive_ptr<c10d::ProcessGroup> pg;
  double divFactor = 1;
  std::vector<at::Tensor> params;
  std::vector<decltype(torch::autograd::impl::grad_accumulator(std::declval<at::Tensor>()))> accumulators;
  std::vector<std::pair<size_t, size_t>> where;  // parameter -> (bucket, position in it)
  std::vector<RBucket> buckets;
  std::vector<char> ready;
  std::mutex mu;
  bool expect = false;  // prepared by the forward: this backward's gradients are reduced
  bool queued = false;
  size_t next = 0;  // the next bucket to launch

  void reset() {
    expect = queued = false;
    next = 0;
    std::fill(ready.begin(), ready.end(), 0);
    for (RBucket& b : buckets) {
      b.pending = b.params.size();
      b.work.reset();
      b.flat = at::Tensor();
    }
  }
  void launch(RBucket& b) {
    const at::Tensor& p0 = params[b.params[0]];
    b.flat = at::empty({b.numel}, p0.options().requires_grad(false));
    auto scale = at::native::wrapped_scalar_tensor(1. / divFactor);
    for (size_t k = 0; k < b.params.size(); ++k) {
      const at::Tensor& p = params[b.params[k]];
      at::Tensor view = b.flat.narrow(0, b.offsets[k], p.numel());
      const at::Tensor& g = p.grad();
      if (g.defined()) at::mul_out(view, g.reshape({-1}), scale);
      else view.zero_();
    }
    std::vector<at::Tensor> ts{b.flat};
    b.work = pg->allreduce(ts);
  }
  void launchReady() {
    while (next < buckets.size() && buckets[next].pending == 0) launch(buckets[next++]);
  }
  void finalize() {
    std::lock_guard<std::mutex> lock(mu);
    struct Reset {
      ReducerState* s;
      ~Reset() { s->reset(); }
    } resetAfter{this};
    try {
      // parameters that got no gradient in this backward take part with zeros, so that no rank waits forever
      while (next < buckets.size()) launch(buckets[next++]);
      for (RBucket& b : buckets) b.work->wait();
    } catch (...) {
      reducerFailed("all-reducing the gradients");
    }
    for (RBucket& b : buckets) {
      for (size_t k = 0; k < b.params.size(); ++k) {
        at::Tensor& p = params[b.params[k]];
        at::Tensor view = b.flat.narrow(0, b.offsets[k], p.numel()).view(p.sizes());
        at::Tensor& g = p.mutable_grad();
        if (g.defined()) g.copy_(view);
        else g = view.clone();
      }
    }
  }
  void markReady(size_t i) {
    std::lock_guard<std::mutex> lock(mu);
    if (!expect || ready[i]) return;
    ready[i] = 1;
    if (!queued) {
      queued = true;
      std::weak_ptr<ReducerState> self = selfRef;
      torch::autograd::Engine::get_default_engine().queue_callback([self] {
        if (auto s = self.lock()) s->finalize();
      });
    }
    buckets[where[i].first].pending--;
    try {
      launchReady();
    } catch (...) {
      reducerFailed("starting a bucket's all-reduce");
    }
  }
  std::weak_ptr<ReducerState> selfRef;
};

struct ReadyHook final : torch::autograd::FunctionPostHook {
  std::weak_ptr<ReducerState> state;
  size_t index;
  ReadyHook(std::weak_ptr<ReducerState> s, size_t i) : state(std::move(s)), index(i) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                            const torch::autograd::variable_list&) override {
    if (auto s = state.lock()) s->markReady(index);
    return outputs;
  }
};

struct ReducerObject final : NativeObject {
  std::shared_ptr<ReducerState> state;
  std::vector<uintptr_t> hookKeys;
  ~ReducerObject() override {
    // hooks left on the accumulators find the state gone (weak) and do nothing; remove them too
    for (size_t i = 0; i < state->accumulators.size() && i < hookKeys.size(); ++i)
      state->accumulators[i]->del_post_hook(hookKeys[i]);
  }
  int kind() const override { return code::ObjectKind_reducer; }
  const char* typeName() const override { return "DistributedDataParallel's reducer"; }
};

// reducerNew(pg, params, buckets (arrays of indices into params), worldSize) -> a reducer
Napi::Value jsReducerNew(const Napi::CallbackInfo& info) {
  auto& g = groupArg(info[0]);
  auto st = std::make_shared<ReducerState>();
  st->selfRef = st;
  st->pg = g.pg;
  st->params = toTensors(info[1], "params");
  st->divFactor = static_cast<double>(toInt(info[3], "worldSize"));
  if (!info[2].IsArray()) typeError("buckets must be an array of arrays of parameter indices");
  Napi::Array bs = info[2].As<Napi::Array>();
  st->where.assign(st->params.size(), {SIZE_MAX, 0});
  for (uint32_t b = 0; b < bs.Length(); ++b) {
    std::vector<int64_t> idx = toIntVec(bs.Get(b), "buckets[i]");
    if (idx.empty()) rangeError("a bucket is empty");
    RBucket rb;
    for (int64_t i : idx) {
      if (i < 0 || i >= static_cast<int64_t>(st->params.size()) || st->where[i].first != SIZE_MAX)
        rangeError("buckets must name each parameter index exactly once");
      const at::Tensor& p = st->params[i];
      const at::Tensor& p0 = st->params[idx[0]];
      if (p.scalar_type() != p0.scalar_type() || p.device() != p0.device())
        rangeError("a bucket's parameters must share dtype and device");
      st->where[i] = {st->buckets.size(), rb.params.size()};
      rb.params.push_back(static_cast<size_t>(i));
      rb.offsets.push_back(rb.numel);
      rb.numel += p.numel();
    }
    st->buckets.push_back(std::move(rb));
  }
  for (auto& w : st->where)
    if (w.first == SIZE_MAX) rangeError("buckets must name every parameter");
  st->ready.assign(st->params.size(), 0);
  st->reset();
  auto obj = std::make_unique<ReducerObject>();
  for (size_t i = 0; i < st->params.size(); ++i) {
    const at::Tensor& p = st->params[i];
    if (!p.requires_grad() || !p.is_leaf())
      rangeError("DistributedDataParallel: parameters must be leaves that require grad");
    auto acc = torch::autograd::impl::grad_accumulator(p);
    if (!acc) torchError("DistributedDataParallel: a parameter has no gradient accumulator");
    st->accumulators.push_back(acc);
    obj->hookKeys.push_back(acc->add_post_hook(std::make_unique<ReadyHook>(st, i)));
  }
  obj->state = st;
  return Napi::Number::New(info.Env(), cur().addObject(std::move(obj)));
}

ReducerState& reducerArg(const Napi::Value& v) {
  return *cur().objectAs<ReducerObject>(v, "reducer", "DistributedDataParallel reducer").state;
}

// reducerPrepare(reducer, expect): the forward's call; with expect, the next backward's gradients are all-reduced.
Napi::Value jsReducerPrepare(const Napi::CallbackInfo& info) {
  ReducerState& s = reducerArg(info[0]);
  std::lock_guard<std::mutex> lock(s.mu);
  s.reset();  // (after a backward that failed, its buckets are dropped)
  s.expect = toBool(info[1], "expect");
  return info.Env().Undefined();
}

#else  // no c10d in this libtorch

Napi::Value jsDistInfo(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("available", false);
  o.Set("gloo", false);
  o.Set("nccl", false);
  return o;
}
Napi::Value jsMissing(const Napi::CallbackInfo&) {
  torchError("torch.distributed is not in this build of the addon (its libtorch has no c10d headers)");
}
#define jsStoreTcp jsMissing
#define jsStorePort jsMissing
#define jsStorePrefix jsMissing
#define jsStoreSet jsMissing
#define jsStoreGet jsMissing
#define jsStoreAdd jsMissing
#define jsStoreCheck jsMissing
#define jsStoreWait jsMissing
#define jsStoreSetTimeout jsMissing
#define jsPgNew jsMissing
#define jsPgSetSequenceNumber jsMissing
#define jsPgAllReduce jsMissing
#define jsPgBroadcast jsMissing
#define jsPgReduce jsMissing
#define jsPgAllGather jsMissing
#define jsPgGather jsMissing
#define jsPgScatter jsMissing
#define jsPgReduceScatter jsMissing
#define jsPgBarrier jsMissing
#define jsPgSend jsMissing
#define jsPgRecv jsMissing
#define jsPgBroadcastCoalesced jsMissing
#define jsWorkWait jsMissing
#define jsWorkIsCompleted jsMissing
#define jsWorkSourceRank jsMissing
#define jsWorkWaitAsync jsMissing
#define jsReducerNew jsMissing
#define jsReducerPrepare jsMissing
#endif

}  // namespace

void initC10d(Napi::Env env, Napi::Object exports) {
  SP_DEF("distInfo", jsDistInfo);
  SP_DEF("storeTcp", jsStoreTcp);
  SP_DEF("storePort", jsStorePort);
  SP_DEF("storePrefix", jsStorePrefix);
  SP_DEF("storeSet", jsStoreSet);
  SP_DEF("storeGet", jsStoreGet);
  SP_DEF("storeAdd", jsStoreAdd);
  SP_DEF("storeCheck", jsStoreCheck);
  SP_DEF("storeWait", jsStoreWait);
  SP_DEF("storeSetTimeout", jsStoreSetTimeout);
  SP_DEF("pgNew", jsPgNew);
  SP_DEF("pgSetSequenceNumber", jsPgSetSequenceNumber);
  SP_DEF("pgAllReduce", jsPgAllReduce);
  SP_DEF("pgBroadcast", jsPgBroadcast);
  SP_DEF("pgReduce", jsPgReduce);
  SP_DEF("pgAllGather", jsPgAllGather);
  SP_DEF("pgGather", jsPgGather);
  SP_DEF("pgScatter", jsPgScatter);
  SP_DEF("pgReduceScatter", jsPgReduceScatter);
  SP_DEF("pgBarrier", jsPgBarrier);
  SP_DEF("pgSend", jsPgSend);
  SP_DEF("pgRecv", jsPgRecv);
  SP_DEF("pgBroadcastCoalesced", jsPgBroadcastCoalesced);
  SP_DEF("workWait", jsWorkWait);
  SP_DEF("workIsCompleted", jsWorkIsCompleted);
  SP_DEF("workSourceRank", jsWorkSourceRank);
  SP_DEF("workWaitAsync", jsWorkWaitAsync);
  SP_DEF("reducerNew", jsReducerNew);
  SP_DEF("reducerPrepare", jsReducerPrepare);
}

}  // namespace sp
