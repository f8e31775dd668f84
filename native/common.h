// Shared declarations of the sigprop native addon.
//
// Object model: tensors live in a native table; JavaScript holds only a small integer (the slot),
// wrapped in a plain JS object, which is far cheaper than a native-wrapped object per result.
// JS marks its wrapper dead on dispose, so it never reuses a slot, and unregisters it from the GC
// finalizer, so a late finalizer never frees a slot that was reused.
// Hot ops read their arguments from a Float64Array shared with JS (no N-API value conversions).
//
// Threads: every JavaScript environment (the main thread, each worker_threads Worker) has its own
// state (env.h): tensor table, object table, operator handles, error factory, argument buffer.
// Nothing here is process-wide except what libtorch itself keeps (and what is named so, with a lock).
#pragma once
#include "pch.h"
#include "codes.h"
#include <string>
#include <vector>

namespace sp {

// ---- errors ----------------------------------------------------------------------------------
// kind is an ErrKind code (codes.def), understood by the JS error factory (lib/torch/errors.ts).
struct JsError : std::exception {
  int kind;
  std::string msg;
  std::string torchKind;  // libtorch's class (IndexError, ValueError, ...) for ErrKind_Torch
  JsError(int k, std::string m, std::string tk = "") : kind(k), msg(std::move(m)), torchKind(std::move(tk)) {}
  const char* what() const noexcept override { return msg.c_str(); }
};
[[noreturn]] void typeError(const std::string& msg);
[[noreturn]] void rangeError(const std::string& msg);
[[noreturn]] void torchError(const std::string& msg);

// Throws the pending C++ exception as a JS error (call from a catch block).
void rethrowAsJs(napi_env env);

// Makes env the current environment of this thread (env.cpp); every entry point calls it first.
void enter(napi_env env);

// Every exported function goes through this wrapper: no C++ exception ever reaches Node.
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
napi_value guarded(napi_env env, napi_callback_info info) {
  try {
    enter(env);
    Napi::CallbackInfo ci(env, info);
    Napi::Value r = F(ci);
    return r.IsEmpty() ? nullptr : static_cast<napi_value>(r);
  } catch (...) {
    rethrowAsJs(env);
    return nullptr;
  }
}

// ---- tensor table (of the current environment) --------------------------------------------------
int32_t put(at::Tensor t);                          // stores a tensor, returns its slot
Napi::Value putValue(Napi::Env env, at::Tensor t);  // handle as a JS number, or null if undefined
at::Tensor& get(double handle, const char* what = "tensor");
at::Tensor& get(const Napi::Value& v, const char* what = "tensor");
bool freeHandle(double handle);  // false when not a live slot
double* args();                  // the environment's shared argument buffer (setArgBuffer)
size_t liveCount();
int64_t liveBytes();

// ---- argument helpers ----------------------------------------------------------------------------
int64_t toInt(const Napi::Value& v, const char* what);
double toDouble(const Napi::Value& v, const char* what);
bool toBool(const Napi::Value& v, const char* what);
std::string toStr(const Napi::Value& v, const char* what);
std::vector<int64_t> toIntVec(const Napi::Value& v, const char* what);
at::Scalar toScalar(const Napi::Value& v, const char* what);
at::Scalar scalarFromDouble(double d);  // an integral double becomes an int64 Scalar (as Python's int)
at::ScalarType toDtype(const Napi::Value& v, const char* what);
c10::Device toDevice(const Napi::Value& v, const char* what);
// An array of tensor handles; with allowNull, null / undefined items become undefined tensors.
std::vector<at::Tensor> toTensors(const Napi::Value& v, const char* what, bool allowNull = false);
Napi::Value fromScalar(Napi::Env env, const at::Scalar& s);
Napi::Array fromIntVec(Napi::Env env, at::IntArrayRef v);
std::string jsTypeName(const Napi::Value& v);
std::string deviceString(const c10::Device& d);

// ---- registration -----------------------------------------------------------------------------------
using Fn = napi_value (*)(napi_env, napi_callback_info);
void def(Napi::Env env, Napi::Object exports, const char* name, Fn fn);
void initEnv(Napi::Env env, Napi::Object exports);
void initTable(Napi::Env env, Napi::Object exports);
void initTensor(Napi::Env env, Napi::Object exports);
void initDispatch(Napi::Env env, Napi::Object exports);
void initRuntime(Napi::Env env, Napi::Object exports);
void initAllocator(Napi::Env env, Napi::Object exports);
void initOptim(Napi::Env env, Napi::Object exports);
void initShare(Napi::Env env, Napi::Object exports);
void initIo(Napi::Env env, Napi::Object exports);
void initC10d(Napi::Env env, Napi::Object exports);

}  // namespace sp

#define SP_DEF(name, fn) ::sp::def(env, exports, name, &::sp::guarded<fn>)
