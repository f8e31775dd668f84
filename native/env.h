// Per-environment state: one Env for each JavaScript environment that loads the addon (the main
// thread and every worker_threads Worker), kept as N-API instance data and freed, with every tensor
// and object it holds, when that environment ends (a Worker that returns, is terminated or dies).
#pragma once
#include "common.h"
#include "fastops.h"
#include <deque>
#include <memory>
#include <thread>

namespace sp {

// A non-tensor native object JS holds by handle (a Generator now; streams, events, process groups
// and collective works are the same kind of thing). One table per environment holds them all.
struct NativeObject {
  virtual ~NativeObject() = default;
  virtual int kind() const = 0;                  // an ObjectKind code (codes.def)
  virtual const char* typeName() const = 0;      // for messages: "torch.Generator"
  virtual bool pinned() const { return false; }  // objectFree leaves a pinned object alone
};

struct GeneratorObject final : NativeObject {
  at::Generator gen;
  bool isDefault;
  GeneratorObject(at::Generator g, bool dflt) : gen(std::move(g)), isDefault(dflt) {}
  int kind() const override { return code::ObjectKind_generator; }
  const char* typeName() const override { return "torch.Generator"; }
  bool pinned() const override { return isDefault; }  // the default generators' handles stay
};

// An operator looked up by opHandle, with its argument names in camelCase (for messages).
struct OpEntry {
  c10::OperatorHandle handle;
  std::vector<std::string> argNames;
  FastHook fast;                // an exact fast path (fastops.cpp), or null
  std::vector<size_t> genArgs;  // positions of its Generator? arguments
  // Where each schema argument comes from in the JS argument array (-1: not passed, its default),
  // when the call site names its arguments (bound by name); empty: positional, as the schema orders them.
  std::vector<int> fromJs;
  size_t jsArity = 0;        // how many arguments the call site passes at most
  bool intDivision = false;  // checked for the overflow that kills the process (guards.h)
};

struct Env {
  struct Slot {
    at::Tensor t;
    int64_t reported = 0;  // bytes reported to V8 for this slot
    // The GC backstop's weak reference to the slot's JS tensor object (memory.ts watch), or null;
    // swept: the object was collected and sweep() freed the tensor, the slot waits for its
    // FinalizationRegistry callback (free) to be reused.
    napi_ref weak = nullptr;
    bool swept = false;
  };
  napi_env env = nullptr;
  std::thread::id thread;
  // tensors
  std::vector<Slot> slots;
  std::vector<uint32_t> freeSlots;
  size_t live = 0;
  int64_t pendingExternal = 0;
  int64_t watchedBytes = 0;  // bytes of the watched (weakly referenced) slots' tensors
  // Counters memory.ts reads and resets (a Float64Array): [0] storage bytes of the tensors put,
  // [1] bytes of the tensors watched (handed to the GC backstop)
  double* stats = nullptr;
  napi_ref statsRef = nullptr;
  // other native objects
  std::vector<std::unique_ptr<NativeObject>> objects;  // index = handle; null = free
  std::vector<uint32_t> freeObjects;
  // dispatcher operators (a deque: references stay valid as operators are added)
  std::deque<OpEntry> ops;
  // This environment's own default CPU generator (a Worker's, after useOwnGenerator), or undefined:
  // then the process-wide one (the main thread). Random ops called with no generator use it.
  at::Generator ownGenerator;
  // JS values the addon keeps
  napi_ref errorFactory = nullptr;
  napi_ref argsRef = nullptr;
  double* args = nullptr;

  ~Env();
  void flushExternal();

  // object table
  uint32_t addObject(std::unique_ptr<NativeObject> o);
  NativeObject* object(const Napi::Value& v);  // null when v is not a live handle
  template <class T>
  T& objectAs(const Napi::Value& v, const char* what, const char* label) {
    NativeObject* o = object(v);
    T* t = dynamic_cast<T*>(o);
    if (!t)
      typeError(std::string("'") + what + "' must be a " + label + ", got " + (o ? o->typeName() : jsTypeName(v)));
    return *t;
  }
  void freeObject(const Napi::Value& v);
};

// The environment of the JavaScript thread running now (set by enter()).
Env& cur();

// A generator argument (a handle of a GeneratorObject).
at::Generator& getGenerator(const Napi::Value& v, const char* what);
// The default CPU generator of the current environment: its own one, else the process-wide one.
at::Generator defaultCpuGenerator();

// share.cpp: environments that are alive, and references to SharedArrayBuffers that storages freed
// on another thread left for their environment to delete.
void noteEnvStart(napi_env env);
void noteEnvEnd(napi_env env);
void drainUnrefs(napi_env env);

}  // namespace sp
