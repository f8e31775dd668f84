// The shared numbers of codes.def as C++ constants: code::Binary_add, code::ErrKind_Range, ...
#pragma once
#include <c10/core/ScalarType.h>

namespace sp {
namespace code {
#define SP_CODE(group, name, value) constexpr int group##_##name = value;
#include "codes.def"
#undef SP_CODE
}  // namespace code

// The dtype codes are c10's own ScalarType numbers.
static_assert(code::DType_uint8 == static_cast<int>(at::kByte) && code::DType_int8 == static_cast<int>(at::kChar) &&
                  code::DType_int16 == static_cast<int>(at::kShort) &&
                  code::DType_int32 == static_cast<int>(at::kInt) && code::DType_int64 == static_cast<int>(at::kLong) &&
                  code::DType_float16 == static_cast<int>(at::kHalf) &&
                  code::DType_float32 == static_cast<int>(at::kFloat) &&
                  code::DType_float64 == static_cast<int>(at::kDouble) &&
                  code::DType_bool == static_cast<int>(at::kBool) &&
                  code::DType_bfloat16 == static_cast<int>(at::kBFloat16),
              "codes.def's DType codes must equal c10::ScalarType");
}  // namespace sp
