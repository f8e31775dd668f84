// Argument checks for inputs on which libtorch would take the whole process down (see guards.h).
#include "guards.h"
#include <cstdint>
#include <limits>

namespace sp {

static at::ScalarType typeOf(const c10::IValue& v) {
  if (v.isTensor()) return v.toTensor().scalar_type();
  if (v.isInt()) return at::kLong;
  if (v.isBool()) return at::kBool;
  return at::kDouble;
}

void checkIntDivision(const std::string& op, const c10::IValue& self, const c10::IValue& other) {
  if (!(self.isTensor() || self.isScalar()) || !(other.isTensor() || other.isScalar())) return;
  if (!self.isTensor() && !other.isTensor()) return;
  for (const c10::IValue* v : {&self, &other})
    if (v->isTensor() && (!v->toTensor().defined() || !v->toTensor().device().is_cpu())) return;
  at::ScalarType rt;
  if (self.isTensor() && other.isTensor()) rt = at::result_type(self.toTensor(), other.toTensor());
  else if (self.isTensor()) rt = at::result_type(self.toTensor(), other.toScalar());
  else rt = at::result_type(self.toScalar(), other.toTensor());
  if (rt != at::kLong && rt != at::kInt) return;
  // a scalar operand that is not -1 (or, as the dividend, not the minimum) cannot overflow
  const int64_t lo = rt == at::kLong ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int32_t>::min();
  if (!other.isTensor() && !(typeOf(other) != at::kDouble && other.toScalar().toLong() == -1)) return;
  if (!self.isTensor() && !(typeOf(self) != at::kDouble && self.toScalar().toLong() == lo)) return;
  at::Tensor a = self.isTensor() ? self.toTensor().to(rt) : at::scalar_tensor(self.toScalar(), at::kLong).to(rt);
  at::Tensor b = other.isTensor() ? other.toTensor().to(rt) : at::scalar_tensor(other.toScalar(), at::kLong).to(rt);
  if (a.numel() == 0 || b.numel() == 0) return;
  if (!at::logical_and(at::eq(a, at::Scalar(lo)), at::eq(b, at::Scalar(int64_t{-1}))).any().item<bool>()) return;
  const char* type = rt == at::kLong ? "int64" : "int32";
  rangeError(op + ": integer overflow: " + std::to_string(lo) + " (the " + type +
             " minimum) divided by -1 does not fit in " + type +
             " (PyTorch's process dies of SIGFPE here); convert to a wider or floating-point dtype first");
}

bool isIntDivisionOp(const std::string& name, const std::string& overload) {
  if (name == "aten::div" || name == "aten::div_") return overload.find("mode") != std::string::npos;
  return name == "aten::remainder" || name == "aten::remainder_" || name == "aten::fmod" || name == "aten::fmod_" ||
         name == "aten::floor_divide" || name == "aten::floor_divide_";
}

void checkIntDivisionStack(const std::string& op, const std::vector<c10::IValue>& stack) {
  if (stack.size() < 2) return;
  // div.Tensor_mode / div.Scalar_mode: rounding_mode None is true division (a floating-point result)
  if (stack.size() >= 3 && stack[2].isNone() && op.rfind("div", 0) == 0) return;
  checkIntDivision(op, stack[0], stack[1]);
}

}  // namespace sp
