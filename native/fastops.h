// Exact fast paths for a few ATen operators (native/fastops.cpp).
#pragma once
#include "common.h"
#include <string>
#include <vector>

namespace sp {

// Runs the operator on its boxed arguments when the fast path applies (the stack then holds the
// results) and returns true; returns false, leaving the stack alone, for the dispatcher to run it.
using FastHook = bool (*)(std::vector<c10::IValue>& stack);

// The hook for an operator (name "aten::argmax", overload ""), or null.
FastHook fastHookFor(const std::string& name, const std::string& overload);

// Whether this x86-64 CPU has AVX2 (and FMA, when fma is true); false elsewhere. Shared by the fused
// paths here and in optim.cpp.
bool cpuHasAvx2(bool fma);

// argmax() / argmin() of all elements; false when the fast path does not apply.
bool fastArgmax(const at::Tensor& t, bool max, at::Tensor& out);

}  // namespace sp
