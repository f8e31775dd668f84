// Adam / AdamW, single-tensor step (torch.optim's _single_tensor_adam and _single_tensor_adamw), every
// parameter of a group in one native call. The op sequence is the loaded libtorch's PyTorch's,
// chosen at compile time (SP_ADAM_2X below): PyTorch 1.13's, or PyTorch 2.14's (the 2.x this project
// supports), where AdamW is Adam with decoupled_weight_decay and exp_avg is updated with lerp_.
//
// Two paths, with bitwise the same results:
// - stepOps: the ATen ops Python's loop issues, in its order (any device, dtype or layout);
// - stepFused: for contiguous float32 CPU tensors, one pass over the memory that repeats, element
//   by element, the float arithmetic those ops do on an AVX2 machine (the fused multiply-adds of
//   ATen's vectorized add/addcmul/lerp kernels included). It skips ~10 kernel launches per parameter
//   and the temporaries; the step's cost becomes the memory pass. (With 2.x it is two passes around
//   ATen's own sqrt kernel, which pip's libtorch computes with MKL: see fusedMoments.)
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

// PyTorch 2.x's Adam (as of 2.14): exp_avg.lerp_, weight decay only when nonzero, bias_correction2 ** 0.5.
#define SP_ADAM_2X (TORCH_VERSION_MAJOR >= 2)

namespace sp {
namespace {

struct AdamHyper {
  double beta1, beta2, lr, weightDecay, eps;
  bool amsgrad, maximize, decoupled;
};

struct AdamSlot {
  at::Tensor param, grad, expAvg, expAvgSq, maxExpAvgSq, step;
};

// Python's bias corrections (float arithmetic in double, the C library's pow and sqrt).
struct BiasCorrection {
  double stepSize, bc2Sqrt;
};
BiasCorrection biasCorrection(const AdamHyper& h, double step) {
  const double bc2 = 1 - std::pow(h.beta2, step);
#if SP_ADAM_2X
  return {h.lr / (1 - std::pow(h.beta1, step)), std::pow(bc2, 0.5)};  // 2.14: bias_correction2**0.5
#else
  return {h.lr / (1 - std::pow(h.beta1, step)), std::sqrt(bc2)};  // 1.13: _dispatch_sqrt = math.sqrt
#endif
}

// Does the step scale the parameter by 1 - lr * weight_decay (AdamW), or add weight_decay * param to the grad?
bool decoupledDecay(const AdamHyper& h) {
#if SP_ADAM_2X
  return h.decoupled && h.weightDecay != 0;  // 2.14: `if weight_decay != 0: if decoupled_weight_decay: ...`
#else
  return h.decoupled;  // 1.13's _single_tensor_adamw scales even by 1 - lr * 0
#endif
}

// The op sequence of _single_tensor_adam(w) in the loaded libtorch's PyTorch (lib/torch/optim/adam.ts
// documents both).
void stepOps(AdamSlot& s, const AdamHyper& h) {
  at::Tensor grad = h.maximize ? s.grad.neg() : s.grad;
  s.step.add_(1);
  if (decoupledDecay(h)) s.param.mul_(1 - h.lr * h.weightDecay);
  else if (!h.decoupled && h.weightDecay != 0) grad = grad.add(s.param, h.weightDecay);
#if SP_ADAM_2X
  s.expAvg.lerp_(grad, 1 - h.beta1);
#else
  s.expAvg.mul_(h.beta1).add_(grad, 1 - h.beta1);
#endif
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
  bool lerpSmall;  // 2.x: |1 - beta1| < 0.5, the branch ATen's lerp takes
};

// ATen's scalar loop for torch.maximum on floats (NaN wins).
__attribute__((target("avx2,fma"))) inline float maxScalar(float a, float b) {
  return (a != a || b != b) ? std::numeric_limits<float>::quiet_NaN() : std::max(a, b);
}

// The element-wise pieces of the step, as ATen's kernels compute them: its scalar loops (their
// float ops contracted to fmas too) for the elements outside the vectorized range, and its AVX2
// loops (2 x 8 floats per iteration; the rest, n % 16, goes to the scalar loop).
//   prep:    grad = maximize ? -grad : grad; decoupled: param *= 1 - lr * wd; coupled: grad += wd * param
//   moments: exp_avg (1.13: mul_ + add_; 2.x: lerp_), exp_avg_sq (mul_ + addcmul_), amsgrad's maximum
//   update:  param += -step_size * exp_avg / (sqrt(v) / bias_correction2_sqrt + eps)
struct Moments {
  float m, vv;  // vv: the second moment the denominator uses (max_exp_avg_sq with amsgrad)
};

__attribute__((target("avx2,fma"))) inline Moments momentsOne(float* p, const float* g, float* m, float* v, float* vmax,
                                                              int64_t i, const FusedK& k) {
  float gi = k.maximize ? -g[i] : g[i];
  if (k.decoupled) p[i] = p[i] * k.dec;
  else if (k.coupled) gi = std::fma(p[i], k.wd, gi);
#if SP_ADAM_2X
  // lerp(m, g, w) = |w| < 0.5 ? m + w * (g - m) : g - (g - m) * (1 - w), both contracted to an fma
  const float mi = k.lerpSmall ? std::fma(k.a1, gi - m[i], m[i]) : std::fma(k.a1 - 1.0f, gi - m[i], gi);
#else
  const float mi = std::fma(gi, k.a1, m[i] * k.b1);
#endif
  const float vi = std::fma(k.a2 * gi, gi, v[i] * k.b2);
  float vv = vi;
  if (k.amsgrad) vv = vmax[i] = maxScalar(vmax[i], vi);
  m[i] = mi;
  v[i] = vi;
  return {mi, vv};
}

__attribute__((target("avx2,fma"))) inline float updateOne(float p, float m, float sq, const FusedK& k) {
  return p + (k.ss * m) / (sq / k.c2 + k.eps);
}

// The vector registers of FusedK.
struct FusedV {
  __m256 b1, a1, a1m1, b2, a2, wd, dec, c2, eps, ss, sign;
};
__attribute__((target("avx2,fma"))) inline FusedV fusedV(const FusedK& k) {
  return {_mm256_set1_ps(k.b1),  _mm256_set1_ps(k.a1), _mm256_set1_ps(k.a1 - 1.0f), _mm256_set1_ps(k.b2),
          _mm256_set1_ps(k.a2),  _mm256_set1_ps(k.wd), _mm256_set1_ps(k.dec),       _mm256_set1_ps(k.c2),
          _mm256_set1_ps(k.eps), _mm256_set1_ps(k.ss), _mm256_set1_ps(-0.0f)};
}

struct MomentsV {
  __m256 m, vv;
};

// momentsOne for 8 elements: stores the moments (and the decayed parameter, when decoupled).
__attribute__((target("avx2,fma"))) inline MomentsV momentsVec(float* p, const float* g, float* m, float* v,
                                                               float* vmax, int64_t i, const FusedK& k,
                                                               const FusedV& c) {
  __m256 gi = _mm256_loadu_ps(g + i);
  if (k.maximize) gi = _mm256_xor_ps(gi, c.sign);
  if (k.decoupled) _mm256_storeu_ps(p + i, _mm256_mul_ps(_mm256_loadu_ps(p + i), c.dec));
  else if (k.coupled) gi = _mm256_fmadd_ps(_mm256_loadu_ps(p + i), c.wd, gi);
  const __m256 mOld = _mm256_loadu_ps(m + i);
#if SP_ADAM_2X
  // at::native's lerp_vec: fmadd(small ? w : w - 1, end - start, small ? start : end)
  const __m256 mi = k.lerpSmall ? _mm256_fmadd_ps(c.a1, _mm256_sub_ps(gi, mOld), mOld)
                                : _mm256_fmadd_ps(c.a1m1, _mm256_sub_ps(gi, mOld), gi);
#else
  const __m256 mi = _mm256_fmadd_ps(gi, c.a1, _mm256_mul_ps(mOld, c.b1));
#endif
  const __m256 vi = _mm256_fmadd_ps(_mm256_mul_ps(c.a2, gi), gi, _mm256_mul_ps(_mm256_loadu_ps(v + i), c.b2));
  __m256 vv = vi;
  if (k.amsgrad) {
    const __m256 old = _mm256_loadu_ps(vmax + i);
    // at::vec::maximum: max, or all-ones (a NaN) where either is NaN
    vv = _mm256_or_ps(_mm256_max_ps(old, vi), _mm256_cmp_ps(old, vi, _CMP_UNORD_Q));
    _mm256_storeu_ps(vmax + i, vv);
  }
  _mm256_storeu_ps(m + i, mi);
  _mm256_storeu_ps(v + i, vi);
  return {mi, vv};
}

__attribute__((target("avx2,fma"))) inline __m256 updateVec(__m256 p, __m256 m, __m256 sq, const FusedV& c) {
  return _mm256_add_ps(p, _mm256_div_ps(_mm256_mul_ps(c.ss, m), _mm256_add_ps(_mm256_div_ps(sq, c.c2), c.eps)));
}

#if !SP_ADAM_2X
// PyTorch 1.13 (Debian's libtorch): one pass, with the sqrt of ATen's kernel, the correctly rounded
// _mm256_sqrt_ps / std::sqrt.
__attribute__((target("avx2,fma"))) void fusedAvx2(float* p, const float* g, float* m, float* v, float* vmax, int64_t n,
                                                   const FusedK& k) {
  const int64_t vend = n - n % 16;
  const FusedV c = fusedV(k);
  for (int64_t i = 0; i < vend; i += 8) {
    const MomentsV mv = momentsVec(p, g, m, v, vmax, i, k, c);
    _mm256_storeu_ps(p + i, updateVec(_mm256_loadu_ps(p + i), mv.m, _mm256_sqrt_ps(mv.vv), c));
  }
  for (int64_t i = vend; i < n; ++i) {
    const Moments mv = momentsOne(p, g, m, v, vmax, i, k);
    p[i] = updateOne(p[i], mv.m, std::sqrt(mv.vv), k);
  }
}
#else
// PyTorch 2.14: two passes around ATen's own sqrt kernel. pip's libtorch (with MKL: its VML sqrt,
// as far as we can tell) does not round float sqrt correctly: one ulp off _mm256_sqrt_ps for ~20% of
// the values, a function of the value alone. So the fused step leaves the sqrt to at::sqrt, the op
// the op sequence calls, and fuses what comes before and after it (the sqrt then costs about as
// much as the rest of the step: ~0.45 ns per element, against 0.2 for 1.13's).
__attribute__((target("avx2,fma"))) void fusedMoments(float* p, const float* g, float* m, float* v, float* vmax,
                                                      int64_t n, const FusedK& k) {
  const int64_t vend = n - n % 16;
  const FusedV c = fusedV(k);
  for (int64_t i = 0; i < vend; i += 8) momentsVec(p, g, m, v, vmax, i, k, c);
  for (int64_t i = vend; i < n; ++i) momentsOne(p, g, m, v, vmax, i, k);
}

__attribute__((target("avx2,fma"))) void fusedUpdate(float* p, const float* m, const float* sq, int64_t n,
                                                     const FusedK& k) {
  const int64_t vend = n - n % 16;
  const FusedV c = fusedV(k);
  for (int64_t i = 0; i < vend; i += 8)
    _mm256_storeu_ps(p + i, updateVec(_mm256_loadu_ps(p + i), _mm256_loadu_ps(m + i), _mm256_loadu_ps(sq + i), c));
  for (int64_t i = vend; i < n; ++i) p[i] = updateOne(p[i], m[i], sq[i], k);
}
#endif

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
  k.decoupled = decoupledDecay(h);
  k.coupled = !h.decoupled && h.weightDecay != 0;
  k.amsgrad = h.amsgrad;
  k.lerpSmall = std::abs(k.a1) < 0.5f;
  float* vmax = h.amsgrad ? s.maxExpAvgSq.data_ptr<float>() : nullptr;
#if SP_ADAM_2X
  fusedMoments(s.param.data_ptr<float>(), s.grad.data_ptr<float>(), s.expAvg.data_ptr<float>(),
               s.expAvgSq.data_ptr<float>(), vmax, s.param.numel(), k);
  const at::Tensor sq = at::sqrt(h.amsgrad ? s.maxExpAvgSq : s.expAvgSq);  // (max_)exp_avg_sq.sqrt(): ATen's kernel
  fusedUpdate(s.param.data_ptr<float>(), s.expAvg.data_ptr<float>(), sq.data_ptr<float>(), s.param.numel(), k);
#else
  fusedAvx2(s.param.data_ptr<float>(), s.grad.data_ptr<float>(), s.expAvg.data_ptr<float>(),
            s.expAvgSq.data_ptr<float>(), vmax, s.param.numel(), k);
#endif
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
      {0.95, 0.9999, 2e-3, 0.5, 1e-8, false, true, false}, {0.3, 0.95, 1e-2, 0, 1e-8, true, false, true},
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
