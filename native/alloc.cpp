// A CPU allocator that keeps large blocks (>= 64 KiB) in size-class pools.
//
// Why: JS frees tensors in batches (at scope end) rather than one by one as Python's refcounting
// does, so with glibc a small long-lived allocation often lands inside a just-freed large block,
// and the next large request cannot reuse it: RSS grows by a block per step. Serving large
// blocks from their own mmap'd pools keeps small allocations out of them, and reused blocks
// skip page faults. Small allocations still go to c10's alloc_cpu (glibc). The bound is 64 KiB, not
// glibc's 128 KiB mmap threshold: blocks of 64-256 KiB (a 128x256 float activation is 128 KiB) served
// by glibc page-faulted ~50 times per step of the MLP benchmark, as glibc trimmed and regrew its heap.
// SIGPROP_CPU_ALLOCATOR=default keeps libtorch's allocator; SIGPROP_CPU_CACHE_MB caps the pool
// (default 1024).
#include "common.h"
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <sys/mman.h>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <unordered_map>

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
#define SP_ALLOC_CONST
#define SP_ALLOC_COPY_DATA 1
#else
#define SP_ALLOC_CONST const
#endif

namespace sp {
namespace {

constexpr size_t kMinPooled = 64 * 1024;

struct Pools {
  std::mutex mu;
  std::unordered_map<void*, size_t> sizes;              // live and cached large blocks -> class size
  std::unordered_map<size_t, std::vector<void*>> free;  // class size -> cached blocks
  size_t cached = 0, inUse = 0, cap = size_t(1024) << 20;
};
Pools* g_pools = nullptr;  // leaked on purpose: tensors may be freed during static destruction

size_t sizeClass(size_t n) {
  size_t p = kMinPooled;
  while (p < n) p <<= 1;
  size_t step = std::max<size_t>(p / 16, 4096);
  return (n + step - 1) / step * step;
}

void freeSmall(void* p) { c10::free_cpu(p); }

// Frees a large block; returns false if p is not one (then it came from alloc_cpu).
bool releaseLarge(void* p) {
  Pools& P = *g_pools;
  size_t sz;
  {
    std::lock_guard<std::mutex> lock(P.mu);
    auto it = P.sizes.find(p);
    if (it == P.sizes.end()) return false;
    sz = it->second;
    P.inUse -= sz;
    if (P.cached + sz <= P.cap) {
      P.free[sz].push_back(p);
      P.cached += sz;
      return true;
    }
    P.sizes.erase(it);
  }
  munmap(p, sz);
  return true;
}

void freeLarge(void* p) { releaseLarge(p); }

// The deleter of raw_allocate()d memory (MKL-DNN kernels use that path): either kind of block.
void freeAny(void* p) {
  if (!releaseLarge(p)) c10::free_cpu(p);
}

// A block larger than what the machine can still give (MemAvailable + SwapFree) would be mapped
// anyway (Linux overcommits) and the process killed when its pages are touched: for blocks of 1 GiB
// and more, that is an out-of-memory error instead (a best effort: it cannot see other mappings
// that are not touched yet).
void checkAvailable(size_t sz) {
  if (sz < (size_t{1} << 30)) return;
  FILE* f = std::fopen("/proc/meminfo", "r");
  if (!f) return;
  char line[256];
  unsigned long long availKb = 0, swapKb = 0;
  bool found = false;
  while (std::fgets(line, sizeof line, f)) {
    unsigned long long v = 0;
    if (std::sscanf(line, "MemAvailable: %llu kB", &v) == 1) {
      availKb = v;
      found = true;
    } else if (std::sscanf(line, "SwapFree: %llu kB", &v) == 1) {
      swapKb = v;
    }
  }
  std::fclose(f);
  if (!found) return;
  const unsigned long long avail = (availKb + swapKb) * 1024ull;
  TORCH_CHECK(sz <= avail, "out of memory: tried to allocate ", sz >> 20, " MiB, but this machine has ", avail >> 20,
              " MiB available (MemAvailable + SwapFree)");
}

struct PoolAllocator final : public at::Allocator {
  at::DataPtr allocate(size_t n) SP_ALLOC_CONST override {
    if (n < kMinPooled) {
      void* p = c10::alloc_cpu(n);
      return {p, p, &freeSmall, at::Device(at::DeviceType::CPU)};
    }
    size_t sz = sizeClass(n);
    Pools& P = *g_pools;
    {
      std::lock_guard<std::mutex> lock(P.mu);
      auto it = P.free.find(sz);
      if (it != P.free.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        P.cached -= sz;
        P.inUse += sz;
        return {p, p, &freeLarge, at::Device(at::DeviceType::CPU)};
      }
    }
    checkAvailable(sz);
    void* p = mmap(nullptr, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      releaseCache();
      p = mmap(nullptr, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
    }
    std::lock_guard<std::mutex> lock(P.mu);
    P.sizes[p] = sz;
    P.inUse += sz;
    return {p, p, &freeLarge, at::Device(at::DeviceType::CPU)};
  }
  // DataPtrs carry freeSmall / freeLarge; raw_allocate() / raw_deallocate() use this one.
  at::DeleterFnPtr raw_deleter() const override { return &freeAny; }
#ifdef SP_ALLOC_COPY_DATA
  void copy_data(void* dest, const void* src, std::size_t count) const override { std::memcpy(dest, src, count); }
#endif

  static void releaseCache() {
    std::vector<std::pair<void*, size_t>> out;
    {
      Pools& P = *g_pools;
      std::lock_guard<std::mutex> lock(P.mu);
      for (auto& kv : P.free)
        for (void* p : kv.second) {
          out.emplace_back(p, kv.first);
          P.sizes.erase(p);
        }
      P.free.clear();
      P.cached = 0;
    }
    for (auto& b : out) munmap(b.first, b.second);
  }
};
PoolAllocator* g_alloc = nullptr;

Napi::Value jsCpuCacheInfo(const Napi::CallbackInfo& info) {
  Napi::Array a = Napi::Array::New(info.Env(), 3);
  if (g_pools) {
    std::lock_guard<std::mutex> lock(g_pools->mu);
    a.Set(0u, static_cast<double>(g_pools->cached));
    a.Set(1u, static_cast<double>(g_pools->inUse));
    a.Set(2u, static_cast<double>(g_pools->cap));
  } else {
    a.Set(0u, 0.0);
    a.Set(1u, 0.0);
    a.Set(2u, 0.0);
  }
  return a;
}

Napi::Value jsCpuEmptyCache(const Napi::CallbackInfo& info) {
  if (g_alloc) PoolAllocator::releaseCache();
  return info.Env().Undefined();
}
}  // namespace

// Process-wide (the allocator is libtorch's, shared by every thread): installed once, by the first
// environment that loads the addon.
void initAllocator(Napi::Env env, Napi::Object exports) {
  SP_DEF("cpuCacheInfo", jsCpuCacheInfo);
  SP_DEF("cpuEmptyCache", jsCpuEmptyCache);
  static std::once_flag once;
  std::call_once(once, [] {
    const char* mode = std::getenv("SIGPROP_CPU_ALLOCATOR");
    if (mode && std::string(mode) == "default") return;
    g_pools = new Pools();
    if (const char* mb = std::getenv("SIGPROP_CPU_CACHE_MB"))
      g_pools->cap = static_cast<size_t>(std::max(0L, std::atol(mb))) << 20;
    g_alloc = new PoolAllocator();
    c10::SetCPUAllocator(g_alloc, /*priority=*/100);
  });
}

}  // namespace sp
