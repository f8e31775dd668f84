// Argument checks for inputs on which libtorch would take the whole process down (native/guards.cpp).
#pragma once
#include "common.h"
#include <string>
#include <vector>

namespace sp {

// Integer division that overflows (the int64 / int32 minimum divided by -1) raises SIGFPE on x86-64
// in div (trunc / floor), remainder, fmod and floor_divide: a RangeError instead, naming the op.
void checkIntDivision(const std::string& op, const c10::IValue& self, const c10::IValue& other);

// Whether the operator divides integers (aten::remainder, fmod, floor_divide, div with a rounding
// mode, and their in-place forms): its calls go through checkIntDivisionStack.
bool isIntDivisionOp(const std::string& name, const std::string& overload);
void checkIntDivisionStack(const std::string& op, const std::vector<c10::IValue>& stack);

}  // namespace sp
