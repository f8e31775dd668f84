// Adam / AdamW, single-tensor step (torch.optim 1.13's _single_tensor_adam and _single_tensor_adamw),
// every parameter of a group in one native call.
//
// Two paths, with bitwise the same results:
// - stepOps: the ATen ops Python's loop issues, in its order (any device, dtype or layout);
// - stepFused: for contiguous float32 CPU tensors, one pass over the memory that repeats, element
//   by element, the float arithmetic those ops do on an AVX2 machine (the fused multiply-adds of
//   ATen's vectorized add/addcmul kernels included). It skips ~10 kernel launches per parameter and
//   the temporaries; the step's cost becomes the memory pass.
// The fused path is used only where it has been checked against stepOps on this machine and this
// libtorch (fusedVerified: random data, every option, every tail length, compared bit for bit), so a
// libtorch or CPU whose kernels round differently falls back to the ops, never to other numbers.
#include "common.h"
#include "fastops.h"
#include <cmath>
#include <algorithm>
#include <cstring>
#include <limits>
#if defined(__x86_64__)
#include <immintrin.h>
#define SP_FUSED_X86 1
#endif

namespace sp {
namespace {

struct AdamHyper {
  double beta1, beta2, lr, weightDecay, eps;
  bool amsgrad, maximize, decoupled;
};

struct AdamSlot {
  at::Tensor param, grad, expAvg, expAvgSq, maxExpAvgSq, step;
};

// Python's bias corrections (float arithmetic in double, C library pow and sqrt).
struct BiasCorrection {
  double stepSize, bc2Sqrt;
};
BiasCorrection biasCorrection(const AdamHyper& h, double step) {
  return {h.lr / (1 - std::pow(h.beta1, step)), std::sqrt(1 - std::pow(h.beta2, step))};
}

// The op sequence of _single_tensor_adam(w) in PyTorch 1.13 (lib/torch/optim/adam.ts documents it).
void stepOps(AdamSlot& s, const AdamHyper& h) {
  at::Tensor grad = h.maximize ? s.grad.neg() : s.grad;
  s.step.add_(1);
  if (h.decoupled) s.param.mul_(1 - h.lr * h.weightDecay);
  else if (h.weightDecay != 0) grad = grad.add(s.param, h.weightDecay);
  s.expAvg.mul_(h.beta1).add_(grad, 1 - h.beta1);
  s.expAvgSq.mul_(h.beta2).addcmul_(grad, grad, 1 - h.beta2);
  const BiasCorrection bc = biasCorrection(h, s.step.item<double>());
  at::Tensor denom;
  if (h.amsgrad) {
    at::maximum_out(s.maxExpAvgSq, s.maxExpAvgSq, s.expAvgSq);
    denom = s.maxExpAvgSq.sqrt().div(bc.bc2Sqrt).add_(h.eps);
  } else {
    denom = s.expAvgSq.sqrt().div(bc.bc2Sqrt).add_(h.eps);
  }
  s.param.addcdiv_(s.expAvg, denom, -bc.stepSize);
}

#ifdef SP_FUSED_X86
// The scalars as ATen hands them to a float32 kernel (a Python float becomes float).
struct FusedK {
  float b1, a1, b2, a2, wd, dec, c2, eps, ss;
  bool maximize, coupled, decoupled, amsgrad;
};

// ATen's scalar loop for torch.maximum on floats (NaN wins).
__attribute__((target("avx2,fma"))) inline float maxScalar(float a, float b) {
  return (a != a || b != b) ? std::numeric_limits<float>::quiet_NaN() : std::max(a, b);
}

// One element outside the vectorized range (ATen's scalar loop; its float ops are contracted too).
__attribute__((target("avx2,fma"))) inline void fusedOne(float* p, const float* g, float* m, float* v, float* vmax,
                                                         int64_t i, const FusedK& k) {
  float gi = k.maximize ? -g[i] : g[i];
  float pi = p[i];
  if (k.decoupled) pi = pi * k.dec;
  else if (k.coupled) gi = std::fma(pi, k.wd, gi);
  const float mi = std::fma(gi, k.a1, m[i] * k.b1);
  const float vi = std::fma(k.a2 * gi, gi, v[i] * k.b2);
  float vv = vi;
  if (k.amsgrad) vv = vmax[i] = maxScalar(vmax[i], vi);
  const float d = std::sqrt(vv) / k.c2 + k.eps;
  p[i] = pi + (k.ss * mi) / d;
  m[i] = mi;
  v[i] = vi;
}

// ATen's vectorized loops take 2 x 8 floats per iteration and leave the rest (n % 16) to the scalar loop.
__attribute__((target("avx2,fma"))) void fusedAvx2(float* p, const float* g, float* m, float* v, float* vmax, int64_t n,
                                                   const FusedK& k) {
  const int64_t vend = n - n % 16;
  const __m256 b1 = _mm256_set1_ps(k.b1), a1 = _mm256_set1_ps(k.a1), b2 = _mm256_set1_ps(k.b2),
               a2 = _mm256_set1_ps(k.a2);
  const __m256 wd = _mm256_set1_ps(k.wd), dec = _mm256_set1_ps(k.dec), c2 = _mm256_set1_ps(k.c2),
               eps = _mm256_set1_ps(k.eps);
  const __m256 ss = _mm256_set1_ps(k.ss), sign = _mm256_set1_ps(-0.0f);
  for (int64_t i = 0; i < vend; i += 8) {
    __m256 gi = _mm256_loadu_ps(g + i);
    if (k.maximize) gi = _mm256_xor_ps(gi, sign);
    __m256 pi = _mm256_loadu_ps(p + i);
    if (k.decoupled) pi = _mm256_mul_ps(pi, dec);
    else if (k.coupled) gi = _mm256_fmadd_ps(pi, wd, gi);
    const __m256 mi = _mm256_fmadd_ps(gi, a1, _mm256_mul_ps(_mm256_loadu_ps(m + i), b1));
    const __m256 vi = _mm256_fmadd_ps(_mm256_mul_ps(a2, gi), gi, _mm256_mul_ps(_mm256_loadu_ps(v + i), b2));
    __m256 vv = vi;
    if (k.amsgrad) {
      const __m256 old = _mm256_loadu_ps(vmax + i);
      // at::vec::maximum: max, or all-ones (a NaN) where either is NaN
      vv = _mm256_or_ps(_mm256_max_ps(old, vi), _mm256_cmp_ps(old, vi, _CMP_UNORD_Q));
      _mm256_storeu_ps(vmax + i, vv);
    }
    const __m256 d = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vv), c2), eps);
    _mm256_storeu_ps(p + i, _mm256_add_ps(pi, _mm256_div_ps(_mm256_mul_ps(ss, mi), d)));
    _mm256_storeu_ps(m + i, mi);
    _mm256_storeu_ps(v + i, vi);
  }
  for (int64_t i = vend; i < n; ++i) fusedOne(p, g, m, v, vmax, i, k);
}

bool plainFloat(const at::Tensor& t, const at::Tensor& like) {
  return t.defined() && t.device().is_cpu() && t.layout() == at::kStrided && t.scalar_type() == at::kFloat &&
         t.is_contiguous() && t.sizes() == like.sizes();
}

bool fusable(const AdamSlot& s, const AdamHyper& h) {
  const at::Tensor& p = s.param;
  if (!plainFloat(p, p) || !plainFloat(s.grad, p) || !plainFloat(s.expAvg, p) || !plainFloat(s.expAvgSq, p))
    return false;
  if (h.amsgrad && !plainFloat(s.maxExpAvgSq, p)) return false;
  if (!(s.step.defined() && s.step.device().is_cpu() && s.step.scalar_type() == at::kFloat && s.step.numel() == 1))
    return false;
  // distinct memory (an aliased grad or state would be read after it is written)
  const void* ptrs[] = {p.data_ptr(), s.grad.data_ptr(), s.expAvg.data_ptr(), s.expAvgSq.data_ptr(),
                        h.amsgrad ? s.maxExpAvgSq.data_ptr() : nullptr};
  for (int i = 0; i < 5; ++i)
    for (int j = i + 1; j < 5; ++j)
      if (ptrs[i] && ptrs[i] == ptrs[j]) return false;
  return true;
}

void stepFused(AdamSlot& s, const AdamHyper& h) {
  float* stepPtr = s.step.data_ptr<float>();
  *stepPtr = *stepPtr + 1.0f;  // step.add_(1)
  const BiasCorrection bc = biasCorrection(h, static_cast<double>(*stepPtr));
  FusedK k;
  k.b1 = static_cast<float>(h.beta1);
  k.a1 = static_cast<float>(1 - h.beta1);
  k.b2 = static_cast<float>(h.beta2);
  k.a2 = static_cast<float>(1 - h.beta2);
  k.wd = static_cast<float>(h.weightDecay);
  k.dec = static_cast<float>(1 - h.lr * h.weightDecay);
  k.c2 = static_cast<float>(bc.bc2Sqrt);
  k.eps = static_cast<float>(h.eps);
  k.ss = static_cast<float>(-bc.stepSize);
  k.maximize = h.maximize;
  k.decoupled = h.decoupled;
  k.coupled = !h.decoupled && h.weightDecay != 0;
  k.amsgrad = h.amsgrad;
  fusedAvx2(s.param.data_ptr<float>(), s.grad.data_ptr<float>(), s.expAvg.data_ptr<float>(),
            s.expAvgSq.data_ptr<float>(), h.amsgrad ? s.maxExpAvgSq.data_ptr<float>() : nullptr, s.param.numel(), k);
  // what the in-place ops would have done to the version counters (autograd's saved-tensor checks)
  for (at::Tensor* t : {&s.param, &s.expAvg, &s.expAvgSq, &s.step}) t->unsafeGetTensorImpl()->bump_version();
  if (h.amsgrad) s.maxExpAvgSq.unsafeGetTensorImpl()->bump_version();
}

// Runs both paths on random data (a private generator: the global RNG is untouched) for every
// option and every tail length, 3 steps each, and compares the results bit for bit.
bool verifyFused() {
  if (!cpuHasAvx2(/*fma=*/true)) return false;
  at::NoGradGuard noGrad;
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(20261123);
  const AdamHyper configs[] = {
      {0.9, 0.999, 1e-3, 0, 1e-8, false, false, false},    {0.8, 0.99, 0.1, 0.01, 1e-6, true, true, false},
      {0.9, 0.999, 4e-4, 0.02, 1e-8, false, false, true},  {0.5, 0.9, 0.05, 0.1, 1e-3, true, false, true},
      {0.95, 0.9999, 2e-3, 0.5, 1e-8, false, true, false},
  };
  for (const AdamHyper& h : configs) {
    for (int64_t n = 32; n < 48; ++n) {
      AdamSlot a, b;
      a.param = at::randn({n}, gen, at::kFloat);
      a.expAvg = at::zeros({n});
      a.expAvgSq = at::zeros({n});
      a.maxExpAvgSq = at::zeros({n});
      a.step = at::zeros({}, at::kFloat);
      b = {a.param.clone(), {}, a.expAvg.clone(), a.expAvgSq.clone(), a.maxExpAvgSq.clone(), a.step.clone()};
      for (int it = 0; it < 3; ++it) {
        a.grad = b.grad = at::randn({n}, gen, at::kFloat).mul_(std::pow(10.0, it * 2 - 2));
        stepOps(a, h);
        stepFused(b, h);
      }
      for (auto pair : {std::make_pair(&a.param, &b.param), std::make_pair(&a.expAvg, &b.expAvg),
                        std::make_pair(&a.expAvgSq, &b.expAvgSq), std::make_pair(&a.maxExpAvgSq, &b.maxExpAvgSq)})
        if (std::memcmp(pair.first->data_ptr(), pair.second->data_ptr(), n * sizeof(float)) != 0) return false;
    }
  }
  return true;
}
#endif  // SP_FUSED_X86

bool fusedAvailable() {
#ifdef SP_FUSED_X86
  static const bool ok = verifyFused();
  return ok;
#else
  return false;
#endif
}

// Each parameter's .grad (grads = null in adamStep): saves JS a wrapper per gradient per step.
std::vector<at::Tensor> paramGrads(const std::vector<at::Tensor>& params) {
  std::vector<at::Tensor> out;
  out.reserve(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    if (!params[i].grad().defined()) rangeError("adamStep: parameter " + std::to_string(i) + " has no gradient");
    out.push_back(params[i].grad());
  }
  return out;
}

// adamStep(params, grads|null, expAvgs, expAvgSqs, maxExpAvgSqs, steps, beta1, beta2, lr, weightDecay, eps, flags);
// grads null: each parameter's own gradient.
Napi::Value jsAdamStep(const Napi::CallbackInfo& info) {
  auto params = toTensors(info[0], "params");
  auto grads = info[1].IsNull() ? paramGrads(params) : toTensors(info[1], "grads");
  auto expAvgs = toTensors(info[2], "expAvgs"), expAvgSqs = toTensors(info[3], "expAvgSqs");
  auto maxExpAvgSqs = toTensors(info[4], "maxExpAvgSqs"), steps = toTensors(info[5], "steps");
  const int64_t flags = toInt(info[11], "flags");
  AdamHyper h{toDouble(info[6], "beta1"),
              toDouble(info[7], "beta2"),
              toDouble(info[8], "lr"),
              toDouble(info[9], "weightDecay"),
              toDouble(info[10], "eps"),
              (flags & code::AdamFlag_amsgrad) != 0,
              (flags & code::AdamFlag_maximize) != 0,
              (flags & code::AdamFlag_decoupled) != 0};
  const size_t n = params.size();
  if (grads.size() != n || expAvgs.size() != n || expAvgSqs.size() != n || steps.size() != n ||
      (h.amsgrad && maxExpAvgSqs.size() != n))
    rangeError("adamStep: the parameter, gradient and state lists differ in length");
  const bool tryFused = !(flags & code::AdamFlag_opsOnly) && fusedAvailable();
  at::NoGradGuard noGrad;
  for (size_t i = 0; i < n; ++i) {
    AdamSlot s{params[i], grads[i], expAvgs[i], expAvgSqs[i], h.amsgrad ? maxExpAvgSqs[i] : at::Tensor(), steps[i]};
#ifdef SP_FUSED_X86
    if (tryFused && fusable(s, h)) {
      stepFused(s, h);
      continue;
    }
#endif
    stepOps(s, h);
  }
  return info.Env().Undefined();
}

// zeroGrads(params, foreach, setToNone): Optimizer.zero_grad for every parameter of an optimizer
// (or a module) in one call. setToNone: drop each gradient (PyTorch >= 2.0's default); otherwise
// zero it as PyTorch 1.13's default does. foreach: a Foreach code (never, always, or for CUDA gradients: the
// default); foreach gradients are zeroed with one _foreach_zero_ per device and dtype, sparse ones
// one by one.
Napi::Value jsZeroGrads(const Napi::CallbackInfo& info) {
  auto params = toTensors(info[0], "params");
  const int64_t mode = toInt(info[1], "foreach");
  const bool setToNone = info[2].ToBoolean().Value();
  std::vector<std::vector<at::Tensor>> lists;
  for (at::Tensor& p : params) {
    at::Tensor& g = p.mutable_grad();
    if (!g.defined()) continue;
    if (setToNone) {
      g.reset();
      continue;
    }
    if (g.grad_fn()) g.detach_();
    else g.requires_grad_(false);
    const bool foreach = mode == code::Foreach_always || (mode == code::Foreach_cuda && g.is_cuda());
    if (!foreach || g.is_sparse()) {
      g.zero_();
      continue;
    }
    auto same = [&](const std::vector<at::Tensor>& l) {
      return l[0].device() == g.device() && l[0].scalar_type() == g.scalar_type();
    };
    auto it = std::find_if(lists.begin(), lists.end(), same);
    if (it == lists.end()) lists.push_back({g});
    else it->push_back(g);
  }
  for (auto& l : lists) at::_foreach_zero_(l);
  return info.Env().Undefined();
}

// hasGrads(params) -> [boolean]: which parameters have a gradient (one call instead of a .grad read each).
Napi::Value jsHasGrads(const Napi::CallbackInfo& info) {
  auto params = toTensors(info[0], "params");
  Napi::Array out = Napi::Array::New(info.Env(), params.size());
  for (size_t i = 0; i < params.size(); ++i)
    out.Set(static_cast<uint32_t>(i), Napi::Boolean::New(info.Env(), params[i].grad().defined()));
  return out;
}

Napi::Value jsAdamFusedAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), fusedAvailable());
}

}  // namespace

void initOptim(Napi::Env env, Napi::Object exports) {
  SP_DEF("adamStep", jsAdamStep);
  SP_DEF("adamFusedAvailable", jsAdamFusedAvailable);
  SP_DEF("zeroGrads", jsZeroGrads);
  SP_DEF("hasGrads", jsHasGrads);
}

}  // namespace sp
