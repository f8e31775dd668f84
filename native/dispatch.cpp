// Generic bridge to libtorch's boxed dispatcher: call any ATen operator by name and overload,
// with JS arguments converted according to the operator's schema. Autograd, device and dtype
// dispatch happen inside the dispatcher exactly as for Python's torch functions.
#include "guards.h"
#include "env.h"
#include <algorithm>

namespace sp {

namespace {
c10::IValue toIValue(const Napi::Value& v, const c10::TypePtr& type, const c10::Argument& arg, const char* name);

template <typename T, typename F>
c10::List<T> toList(const Napi::Value& v, const c10::Argument& arg, F conv) {
  c10::List<T> out;
  if (!v.IsArray()) {
    // A single value where the schema takes a fixed-size list (kernel_size=3 for int[2]) repeats it.
    T one = conv(v);
    size_t n = arg.N() ? static_cast<size_t>(*arg.N()) : 1;
    for (size_t i = 0; i < n; ++i) out.push_back(one);
    return out;
  }
  Napi::Array a = v.As<Napi::Array>();
  uint32_t n = a.Length();
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) out.push_back(conv(a.Get(i)));
  return out;
}

c10::IValue toIValue(const Napi::Value& v, const c10::TypePtr& type, const c10::Argument& arg, const char* name) {
  using c10::TypeKind;
  switch (type->kind()) {
    case TypeKind::OptionalType:
      if (v.IsNull() || v.IsUndefined()) return c10::IValue();
      return toIValue(v, type->expectRef<c10::OptionalType>().getElementType(), arg, name);
    case TypeKind::TensorType: return get(v, name);
    case TypeKind::IntType:
    case TypeKind::SymIntType: return toInt(v, name);
    case TypeKind::FloatType: return toDouble(v, name);
    case TypeKind::BoolType: return toBool(v, name);
    case TypeKind::NumberType: return toScalar(v, name);
    case TypeKind::StringType: return toStr(v, name);
    case TypeKind::DeviceObjType: return toDevice(v, name);
    case TypeKind::GeneratorType: return getGenerator(v, name);
    case TypeKind::ListType: {
      const c10::TypePtr& elem = type->expectRef<c10::ListType>().getElementType();
      switch (elem->kind()) {
        case TypeKind::IntType:
        case TypeKind::SymIntType: return toList<int64_t>(v, arg, [&](const Napi::Value& x) { return toInt(x, name); });
        case TypeKind::FloatType:
          return toList<double>(v, arg, [&](const Napi::Value& x) { return toDouble(x, name); });
        case TypeKind::BoolType: return toList<bool>(v, arg, [&](const Napi::Value& x) { return toBool(x, name); });
        case TypeKind::NumberType: {  // Scalar[]
          if (!v.IsArray()) typeError(std::string("'") + name + "' must be an array of numbers, got " + jsTypeName(v));
          Napi::Array a = v.As<Napi::Array>();
          c10::impl::GenericList list(c10::NumberType::get());
          list.reserve(a.Length());
          for (uint32_t i = 0; i < a.Length(); ++i) list.push_back(c10::IValue(toScalar(a.Get(i), name)));
          return list;
        }
        case TypeKind::TensorType:
          if (!v.IsArray()) typeError(std::string("'") + name + "' must be an array of Tensors, got " + jsTypeName(v));
          return toList<at::Tensor>(v, arg, [&](const Napi::Value& x) { return get(x, name); });
        case TypeKind::OptionalType:
          if (elem->expectRef<c10::OptionalType>().getElementType()->kind() == TypeKind::TensorType) {
            if (!v.IsArray())
              typeError(std::string("'") + name + "' must be an array of Tensors, got " + jsTypeName(v));
            return toList<c10::optional<at::Tensor>>(v, arg, [&](const Napi::Value& x) -> c10::optional<at::Tensor> {
              if (x.IsNull() || x.IsUndefined()) return c10::nullopt;
              return get(x, name);
            });
          }
          break;
        default: break;
      }
      typeError(std::string("argument '") + name + "' has an unsupported list type " + type->str());
    }
    default: typeError(std::string("argument '") + name + "' has an unsupported type " + type->str());
  }
}

Napi::Value fromIValue(Napi::Env env, const c10::IValue& v) {
  if (v.isTensor()) return putValue(env, v.toTensor());
  if (v.isNone()) return env.Null();
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isDevice()) return Napi::String::New(env, deviceString(v.toDevice()));
  if (v.isTensorList()) {
    auto l = v.toTensorList();
    Napi::Array a = Napi::Array::New(env, l.size());
    for (size_t i = 0; i < l.size(); ++i) a.Set(static_cast<uint32_t>(i), putValue(env, l.get(i)));
    return a;
  }
  if (v.isTuple()) {
    const auto& elems = v.toTupleRef().elements();
    Napi::Array a = Napi::Array::New(env, elems.size());
    for (size_t i = 0; i < elems.size(); ++i) a.Set(static_cast<uint32_t>(i), fromIValue(env, elems[i]));
    return a;
  }
  if (v.isList()) {
    auto l = v.toList();
    Napi::Array a = Napi::Array::New(env, l.size());
    for (size_t i = 0; i < l.size(); ++i) a.Set(static_cast<uint32_t>(i), fromIValue(env, l.get(i)));
    return a;
  }
  throw JsError(code::ErrKind_Torch, "unsupported return type " + v.tagKind());
}
}  // namespace

static std::string camel(const std::string& n);

static std::string opName(const std::string& name, const std::string& overload) {
  return name + (overload.empty() ? "" : "." + overload);
}

static std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& x : v) out += (out.empty() ? "" : ", ") + x;
  return out;
}

static c10::OperatorHandle findOp(const std::string& name, const std::string& overload) {
  auto op = c10::Dispatcher::singleton().findSchema({name, overload});
  if (!op)
    throw JsError(code::ErrKind_Torch,
                  "operator " + opName(name, overload) + " does not exist in this libtorch (" TORCH_VERSION ")");
  return *op;
}

// opHandle(name, overload, argNames | null) -> handle. With argNames (the schema argument names the
// call site passes, in its order: lib/torch/op-schemas.ts), arguments are bound by name to the loaded
// libtorch's schema, whatever order or extra defaulted arguments it has; a name it lacks, or a new
// argument without a default, is an error naming both signatures.
static Napi::Value jsOpHandle(const Napi::CallbackInfo& info) {
  std::string name = toStr(info[0], "name");
  std::string overload = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  c10::OperatorHandle op = findOp(name, overload);
  std::vector<std::string> names;
  std::vector<size_t> genArgs;
  const auto& args = op.schema().arguments();
  std::vector<std::string> schemaNames;
  for (size_t i = 0; i < args.size(); ++i) {
    names.push_back(camel(args[i].name()));
    schemaNames.push_back(args[i].name());
    const c10::TypePtr& t = args[i].type();
    if (t->kind() == c10::TypeKind::OptionalType &&
        t->expectRef<c10::OptionalType>().getElementType()->kind() == c10::TypeKind::GeneratorType)
      genArgs.push_back(i);
  }
  std::vector<int> fromJs;
  size_t arity = args.size();
  if (info.Length() > 2 && info[2].IsArray()) {
    std::vector<std::string> ref;
    Napi::Array a = info[2].As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) ref.push_back(toStr(a.Get(i), "argNames"));
    const std::string sig =
        " (bound for (" + joined(ref) + "); this libtorch's schema is (" + joined(schemaNames) + "))";
    fromJs.assign(args.size(), -1);
    for (size_t j = 0; j < ref.size(); ++j) {
      auto it = std::find(schemaNames.begin(), schemaNames.end(), ref[j]);
      if (it == schemaNames.end())
        torchError("operator " + opName(name, overload) + " of libtorch " TORCH_VERSION " has no argument '" + ref[j] +
                   "'" + sig);
      fromJs[it - schemaNames.begin()] = static_cast<int>(j);
    }
    for (size_t i = 0; i < args.size(); ++i)
      if (fromJs[i] < 0 && !args[i].default_value() && args[i].type()->kind() != c10::TypeKind::OptionalType)
        torchError("operator " + opName(name, overload) +
                   " of libtorch " TORCH_VERSION " has a new required argument '" + schemaNames[i] + "'" + sig);
    bool identity = ref.size() <= args.size();
    for (size_t j = 0; identity && j < ref.size(); ++j) identity = fromJs[j] == static_cast<int>(j);
    if (identity) fromJs.clear();  // the same order: positional, no mapping needed
    arity = ref.size();
  }
  std::deque<OpEntry>& ops = cur().ops;
  ops.push_back({op, std::move(names), fastHookFor(name, overload), std::move(genArgs), std::move(fromJs), arity,
                 isIntDivisionOp(name, overload)});
  return Napi::Number::New(info.Env(), static_cast<double>(ops.size() - 1));
}

// opSchema(name, overload) -> [[argName, type, hasDefault, kwargOnly], ...] of the loaded libtorch.
static Napi::Value jsOpSchema(const Napi::CallbackInfo& info) {
  std::string name = toStr(info[0], "name");
  std::string overload = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  c10::OperatorHandle op = findOp(name, overload);
  const auto& args = op.schema().arguments();
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env, args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    Napi::Array a = Napi::Array::New(env, 4);
    a.Set(0u, Napi::String::New(env, args[i].name()));
    a.Set(1u, Napi::String::New(env, args[i].type()->str()));
    a.Set(2u, Napi::Boolean::New(env, args[i].default_value().has_value()));
    a.Set(3u, Napi::Boolean::New(env, args[i].kwarg_only()));
    out.Set(static_cast<uint32_t>(i), a);
  }
  return out;
}

static const OpEntry& opAt(const Napi::Value& v) {
  const std::deque<OpEntry>& ops = cur().ops;
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (!(d >= 0 && d < ops.size() && d == std::floor(d))) typeError("internal: bad operator handle");
  return ops[static_cast<size_t>(d)];
}

// Messages use the JS API's camelCase names (full_like -> fullLike, rounding_mode -> roundingMode).
static std::string camel(const std::string& n) {
  std::string out;
  bool up = false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    if (c == '_' && i > 0 && i + 1 < n.size()) {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

static std::string opLabel(const c10::FunctionSchema& s) {
  std::string n = s.name();
  if (n.rfind("aten::", 0) == 0) n = n.substr(6);
  return camel(n) + "()";
}

// A random op given no generator, in an environment with its own default CPU generator (a Worker):
// that generator, unless the op works on another device (CUDA generators are process-wide).
static void useOwnGenerator(std::vector<c10::IValue>& stack, const std::vector<size_t>& genArgs) {
  const at::Generator& own = cur().ownGenerator;
  if (!own.defined()) return;
  for (const c10::IValue& v : stack) {
    if (v.isTensor() && v.toTensor().defined() && !v.toTensor().device().is_cpu()) return;
    if (v.isDevice() && !v.toDevice().is_cpu()) return;
  }
  for (size_t i : genArgs)
    if (stack[i].isNone()) stack[i] = c10::IValue(own);
}

// call(op, args[, discard]) -> the operator's result: a handle, a number, or an array of them.
static Napi::Value jsCall(const Napi::CallbackInfo& info) {
  const OpEntry& entry = opAt(info[0]);
  const c10::OperatorHandle& op = entry.handle;
  const c10::FunctionSchema& schema = op.schema();
  const auto& sargs = schema.arguments();
  if (!info[1].IsArray()) typeError("internal: call() expects an argument array");
  Napi::Array args = info[1].As<Napi::Array>();
  uint32_t n = args.Length();
  if (n > entry.jsArity) {
    typeError(opLabel(schema) + " takes at most " + std::to_string(entry.jsArity) + " arguments (" + std::to_string(n) +
              " given)");
  }
  const bool mapped = !entry.fromJs.empty();
  std::vector<c10::IValue> stack;
  stack.reserve(sargs.size());
  for (size_t i = 0; i < sargs.size(); ++i) {
    const c10::Argument& a = sargs[i];
    const int j = mapped ? entry.fromJs[i] : static_cast<int>(i);
    Napi::Value v =
        j >= 0 && static_cast<uint32_t>(j) < n ? args.Get(static_cast<uint32_t>(j)) : info.Env().Undefined();
    if (v.IsUndefined()) {
      if (a.default_value()) {
        stack.push_back(*a.default_value());
        continue;
      }
      if (a.type()->kind() == c10::TypeKind::OptionalType) {
        stack.emplace_back();
        continue;
      }
      typeError(opLabel(schema) + " missing required argument '" + entry.argNames[i] + "'");
    }
    try {
      stack.push_back(toIValue(v, a.type(), a, entry.argNames[i].c_str()));
    } catch (const JsError& e) {
      if (e.kind == code::ErrKind_Type || e.kind == code::ErrKind_Range)
        throw JsError(e.kind, opLabel(schema) + ": " + e.msg);
      throw;
    }
  }
  if (!entry.genArgs.empty()) useOwnGenerator(stack, entry.genArgs);
  if (entry.intDivision) checkIntDivisionStack(opLabel(schema), stack);
  if (!(entry.fast && entry.fast(stack))) op.callBoxed(&stack);
  if (info[2].IsBoolean() && info[2].As<Napi::Boolean>().Value()) return info.Env().Undefined();
  if (stack.size() == 1) return fromIValue(info.Env(), stack[0]);
  Napi::Array out = Napi::Array::New(info.Env(), stack.size());
  for (size_t i = 0; i < stack.size(); ++i) out.Set(static_cast<uint32_t>(i), fromIValue(info.Env(), stack[i]));
  return out;
}

void initDispatch(Napi::Env env, Napi::Object exports) {
  SP_DEF("opHandle", jsOpHandle);
  SP_DEF("opSchema", jsOpSchema);
  SP_DEF("call", jsCall);
}

}  // namespace sp
