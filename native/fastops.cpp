// Exact fast paths for a few ATen operators whose CPU kernels are slow for what they compute and
// whose results do not depend on the order of floating-point arithmetic: argmax / argmin, max.dim /
// min.dim (an index and a copied element) and one_hot (integers). A 128x128 argmax along dim 1 takes
// ~45 us in ATen 1.13 (a pair comparison per element); the loop here takes a few, with the same answer.
//
// Each fast path covers only the plain case (contiguous float32 / int64 CPU tensors, reduction over the
// last dimension, no autograd) and returns false for anything else, so the caller runs the ATen
// operator, which also produces every error message. test/fastops.test.ts compares both on NaNs,
// infinities, signed zeros and ties.
//
// Also here, the same way: the dropout family in a Worker that has its own default generator (see
// dropoutHook), which ATen's operators cannot be given.
#include "env.h"
#include <cstring>
#if defined(__x86_64__)
#include <immintrin.h>
#define SP_FAST_X86 1
#endif

namespace sp {
namespace {

// Named tensors: has_names() exists on libtorch 1.13 and is gone from recent 2.x (and with it, names).
template <class T>
auto hasNamesImpl(const T& t, int) -> decltype(t.has_names()) {
  return t.has_names();
}
template <class T>
bool hasNamesImpl(const T&, long) {
  return false;
}
bool hasNames(const at::Tensor& t) { return hasNamesImpl(t, 0); }

// ATen's semantics (argmax/argmin and max.dim/min.dim on CPU): the index of the first NaN if the row
// has one, else of the first element equal (==, so -0.0 ties with 0.0) to the row's maximum / minimum.
template <bool Max>
int64_t extremeIndexScalar(const float* x, int64_t n) {
  float m = x[0];
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    if (v != v) return i;
    if (Max ? v > m : v < m) m = v;
  }
  for (int64_t i = 0;; ++i)
    if (x[i] == m) return i;
}

#ifdef SP_FAST_X86
template <bool Max>
__attribute__((target("avx2"))) int64_t extremeIndexAvx2(const float* x, int64_t n) {
  const int64_t vend = n - n % 8;
  __m256 acc = _mm256_loadu_ps(x);
  __m256 nan = _mm256_cmp_ps(acc, acc, _CMP_UNORD_Q);
  for (int64_t i = 8; i < vend; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    acc = Max ? _mm256_max_ps(acc, v) : _mm256_min_ps(acc, v);
  }
  float lanes[8];
  _mm256_storeu_ps(lanes, acc);
  bool anyNan = _mm256_movemask_ps(nan) != 0;
  float m = lanes[0];
  for (int k = 1; k < 8; ++k) m = Max ? (lanes[k] > m ? lanes[k] : m) : (lanes[k] < m ? lanes[k] : m);
  for (int64_t i = vend; i < n; ++i) {
    const float v = x[i];
    if (v != v) anyNan = true;
    else if (Max ? v > m : v < m) m = v;
  }
  if (anyNan) {
    for (int64_t i = 0;; ++i)
      if (x[i] != x[i]) return i;
  }
  const __m256 mv = _mm256_set1_ps(m);
  for (int64_t i = 0; i < vend; i += 8) {
    const int mask = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + i), mv, _CMP_EQ_OQ));
    if (mask) return i + __builtin_ctz(static_cast<unsigned>(mask));
  }
  for (int64_t i = vend;; ++i)
    if (x[i] == m) return i;
}
#endif

template <bool Max>
int64_t extremeIndex(const float* x, int64_t n) {
#ifdef SP_FAST_X86
  if (n >= 16 && cpuHasAvx2(false)) return extremeIndexAvx2<Max>(x, n);
#endif
  return extremeIndexScalar<Max>(x, n);
}

// A plain float32 CPU tensor the loops can read directly.
bool plainFloat(const at::Tensor& t) {
  return t.defined() && t.layout() == at::kStrided && t.device().is_cpu() && t.scalar_type() == at::kFloat &&
         t.is_contiguous() && !t.is_neg() && !t._is_zerotensor() && !hasNames(t) && t.numel() > 0;
}

// Shape of a reduction over the last dimension.
std::vector<int64_t> reducedShape(const at::Tensor& t, bool keepdim) {
  std::vector<int64_t> s(t.sizes().begin(), t.sizes().end());
  if (keepdim) s.back() = 1;
  else s.pop_back();
  return s;
}

// Rows x n view of t's data; fills idx (int64, rows) and, when vals is non-null, the extreme elements.
template <bool Max>
void rowExtremes(const at::Tensor& t, int64_t n, int64_t* idx, float* vals) {
  const float* x = t.data_ptr<float>();
  const int64_t rows = t.numel() / n;
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * n;
    const int64_t i = extremeIndex<Max>(row, n);
    idx[r] = i;
    if (vals) std::memcpy(vals + r, row + i, sizeof(float));  // the element's exact bits (a NaN's payload too)
  }
}

// The dimension argument of a reduction, if it is the last one (dim must be in range; otherwise let ATen
// raise its IndexError).
bool isLastDim(const at::Tensor& t, int64_t dim) {
  const int64_t nd = t.dim();
  if (nd < 1 || dim < -nd || dim >= nd) return false;
  return (dim < 0 ? dim + nd : dim) == nd - 1;
}

bool noGradNeeded(const at::Tensor& t) { return !(t.requires_grad() && at::GradMode::is_enabled()); }

template <bool Max>
bool argFast(const at::Tensor& t, c10::optional<int64_t> dim, bool keepdim, at::Tensor& out) {
  if (!plainFloat(t)) return false;
  if (dim.has_value()) {
    if (!isLastDim(t, *dim)) return false;
    out = at::empty(reducedShape(t, keepdim), t.options().dtype(at::kLong));
    rowExtremes<Max>(t, t.size(-1), out.data_ptr<int64_t>(), nullptr);
  } else {
    if (keepdim) return false;
    out = at::empty({}, t.options().dtype(at::kLong));
    rowExtremes<Max>(t, t.numel(), out.data_ptr<int64_t>(), nullptr);
  }
  return true;
}

// ---- the dispatcher hooks: the stack holds the operator's arguments; on success, its results ----

template <bool Max>
bool argHook(std::vector<c10::IValue>& stack) {  // argmax(Tensor self, int? dim=None, bool keepdim=False)
  if (stack.size() != 3 || !stack[0].isTensor() || !(stack[1].isNone() || stack[1].isInt()) || !stack[2].isBool())
    return false;
  at::Tensor out;
  if (!argFast<Max>(stack[0].toTensor(), stack[1].isNone() ? c10::nullopt : c10::optional<int64_t>(stack[1].toInt()),
                    stack[2].toBool(), out))
    return false;
  stack.clear();
  stack.emplace_back(std::move(out));
  return true;
}

template <bool Max>
bool maxDimHook(
    std::vector<c10::IValue>& stack) {  // max.dim(Tensor self, int dim, bool keepdim=False) -> (values, indices)
  if (stack.size() != 3 || !stack[0].isTensor() || !stack[1].isInt() || !stack[2].isBool()) return false;
  const at::Tensor t = stack[0].toTensor();
  if (!plainFloat(t) || !noGradNeeded(t) || t._fw_grad(/*level=*/0).defined() || !isLastDim(t, stack[1].toInt()))
    return false;
  const std::vector<int64_t> shape = reducedShape(t, stack[2].toBool());
  at::Tensor values = at::empty(shape, t.options());
  at::Tensor indices = at::empty(shape, t.options().dtype(at::kLong));
  rowExtremes<Max>(t, t.size(-1), indices.data_ptr<int64_t>(), values.data_ptr<float>());
  stack.clear();
  stack.emplace_back(std::move(values));
  stack.emplace_back(std::move(indices));
  return true;
}

bool oneHotHook(std::vector<c10::IValue>& stack) {  // one_hot(Tensor self, int num_classes=-1)
  if (stack.size() != 2 || !stack[0].isTensor() || !stack[1].isInt()) return false;
  const at::Tensor t = stack[0].toTensor();
  int64_t classes = stack[1].toInt();
  if (!(t.defined() && t.layout() == at::kStrided && t.device().is_cpu() && t.scalar_type() == at::kLong &&
        t.is_contiguous() && !t.is_neg() && !t._is_zerotensor() && !hasNames(t) && t.numel() > 0))
    return false;
  const int64_t* x = t.data_ptr<int64_t>();
  const int64_t n = t.numel();
  int64_t lo = x[0], hi = x[0];
  for (int64_t i = 1; i < n; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  if (lo < 0) return false;  // ATen: "Class values must be non-negative."
  if (classes == -1) classes = hi + 1;
  else if (!(classes > hi)) return false;  // ATen: "Class values must be smaller than num_classes."
  std::vector<int64_t> shape(t.sizes().begin(), t.sizes().end());
  shape.push_back(classes);
  at::Tensor out = at::zeros(shape, t.options());
  int64_t* o = out.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) o[i * classes + x[i]] = 1;
  stack.clear();
  stack.emplace_back(std::move(out));
  return true;
}

// dropout / feature_dropout / alpha_dropout / feature_alpha_dropout (and their in-place forms) in an
// environment with its own default CPU generator (a Worker): ATen's _dropout_impl (Dropout.cpp, the
// same in 1.13 and 2.x for CPU) step for step, but drawing from that generator; ATen's operators
// take no generator and would draw from the process-wide one. Only where randomness is drawn
// (0 < p < 1, training, a non-empty contiguous CPU input); ATen does the rest and raises the errors.
template <bool Feature, bool Alpha, bool Inplace>
bool dropoutHook(std::vector<c10::IValue>& stack) {  // (Tensor input, float p, bool train)
  if (stack.size() != 3 || !stack[0].isTensor() || !stack[1].isDouble() || !stack[2].isBool()) return false;
  const at::Generator& gen = cur().ownGenerator;
  if (!gen.defined()) return false;
  at::Tensor input = stack[0].toTensor();
  const double p = stack[1].toDouble();
  if (!input.defined() || !input.device().is_cpu() || !input.is_contiguous() || input.numel() == 0) return false;
  if (!(p > 0 && p < 1) || !stack[2].toBool() || (Feature && input.dim() < 2)) return false;
  at::Tensor noise;
  if (Feature) {
    std::vector<int64_t> sizes{input.size(0), input.size(1)};
    for (int64_t i = 2; i < input.dim(); ++i) sizes.push_back(1);
    noise = at::empty(sizes, input.options());
  } else {
    noise = at::empty_like(input, at::MemoryFormat::Contiguous);
  }
  noise.bernoulli_(1 - p, gen);
  at::Tensor b;
  if (Alpha) {
    constexpr double alpha = 1.7580993408473766;
    const double a = 1. / std::sqrt((alpha * alpha * p + 1) * (1 - p));
    b = noise.add(-1).mul_(alpha * a).add_(alpha * a * p);
    noise.mul_(a);
  } else {
    noise.div_(1 - p);
  }
  at::Tensor out = Inplace ? input.mul_(noise) : input.mul(noise);
  if (Alpha) out.add_(b);
  stack.clear();
  stack.emplace_back(std::move(out));
  return true;
}

}  // namespace

bool cpuHasAvx2(bool fma) {
#ifdef SP_FAST_X86
  static const bool avx2 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  static const bool withFma = avx2 && __builtin_cpu_supports("fma") != 0;
  return fma ? withFma : avx2;
#else
  (void)fma;
  return false;
#endif
}

FastHook fastHookFor(const std::string& name, const std::string& overload) {
  if (name == "aten::argmax" && overload.empty()) return &argHook<true>;
  if (name == "aten::argmin" && overload.empty()) return &argHook<false>;
  if (name == "aten::max" && overload == "dim") return &maxDimHook<true>;
  if (name == "aten::min" && overload == "dim") return &maxDimHook<false>;
  if (name == "aten::one_hot" && overload.empty()) return &oneHotHook;
  if (overload.empty()) {
    if (name == "aten::dropout") return &dropoutHook<false, false, false>;
    if (name == "aten::dropout_") return &dropoutHook<false, false, true>;
    if (name == "aten::feature_dropout") return &dropoutHook<true, false, false>;
    if (name == "aten::feature_dropout_") return &dropoutHook<true, false, true>;
    if (name == "aten::alpha_dropout") return &dropoutHook<false, true, false>;
    if (name == "aten::alpha_dropout_") return &dropoutHook<false, true, true>;
    if (name == "aten::feature_alpha_dropout") return &dropoutHook<true, true, false>;
    if (name == "aten::feature_alpha_dropout_") return &dropoutHook<true, true, true>;
  }
  return nullptr;
}

bool fastArgmax(const at::Tensor& t, bool max, at::Tensor& out) {
  return max ? argFast<true>(t, c10::nullopt, false, out) : argFast<false>(t, c10::nullopt, false, out);
}

}  // namespace sp
