/**
 * The subset of Python's pickle that PyTorch checkpoints use: an unpickler (a stack machine over
 * the opcodes of protocols 0-5 that plain data needs) that never executes anything — the only
 * globals it accepts are an allowlist of PyTorch's rebuild functions, storage types and a few
 * builtins — and a protocol-2 pickler. Internal to sigprop/torch; serialization.ts turns the
 * resulting Python values into JS values and tensors.
 */
import { FormatError } from './zipfile';

// ---- Python values inside the VM ---------------------------------------------------------------------------
// int -> number (safe) or bigint; float -> PyFloat; str -> string; bool -> boolean; None -> null;
// bytes -> Uint8Array; list -> PyList; tuple -> PyTuple; dict / OrderedDict -> PyDict; set -> PySet.

export class PyFloat {
  constructor(readonly value: number) {}
}
export class PyList {
  constructor(readonly items: unknown[] = []) {}
}
export class PyTuple {
  constructor(readonly items: unknown[]) {}
}
export class PySet {
  constructor(readonly items: unknown[] = [], readonly frozen = false) {}
}
export class PyDict {
  readonly keys: unknown[] = [];
  readonly values: unknown[] = [];
  private readonly index = new Map<string, number>();
  /** Attributes set by BUILD (an OrderedDict state dict's `_metadata`). */
  attrs: PyDict | null = null;
  constructor(readonly ordered = false) {}
  set(k: unknown, v: unknown): void {
    const h = hashKey(k);
    const i = this.index.get(h);
    if (i === undefined) {
      this.index.set(h, this.keys.length);
      this.keys.push(k);
      this.values.push(v);
    } else {
      this.values[i] = v;
    }
  }
  get size(): number {
    return this.keys.length;
  }
}
/** A global from the allowlist, as the unpickler saw it (module and name). */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  toString(): string {
    return `${this.module}.${this.name}`;
  }
}
/** What a storage's persistent id says: `('storage', torch.FloatStorage, key, location, numel)`. */
export class StorageRef {
  constructor(readonly key: string, readonly dtype: string, readonly location: string, readonly numel: number) {}
}
/** A tensor to rebuild: a view of a storage (torch._utils._rebuild_tensor_v2 / _rebuild_parameter). */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly size: number[],
    readonly stride: number[],
    readonly requiresGrad: boolean,
    readonly isParameter: boolean,
  ) {}
}

const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;
function objectId(o: object): number {
  let id = objectIds.get(o);
  if (id === undefined) {
    id = nextObjectId++;
    objectIds.set(o, id);
  }
  return id;
}

/** Python's hash equality for dict keys: 1 == 1.0 == True, tuples by value, tensors by identity. */
export function hashKey(k: unknown): string {
  if (typeof k === 'string') return 's' + k;
  if (typeof k === 'number' || typeof k === 'bigint') return 'n' + numKey(k);
  if (k instanceof PyFloat) return 'n' + numKey(k.value);
  if (typeof k === 'boolean') return k ? 'n1' : 'n0';
  if (k === null) return 'N';
  if (k instanceof PyTuple) return 't(' + k.items.map(hashKey).join(',') + ')';
  if (k instanceof Uint8Array) return 'b' + Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('hex');
  if (k instanceof PySet && k.frozen) return 'f{' + k.items.map(hashKey).sort().join(',') + '}';
  if (k instanceof TensorRef || k instanceof PyGlobal || k instanceof StorageRef) return 'o' + objectId(k);
  throw new FormatError(`unhashable dict key of type ${pyTypeName(k)}`);
}
function numKey(v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  if (Number.isInteger(v)) return BigInt(v).toString();
  return String(v);
}

export function pyTypeName(v: unknown): string {
  if (v === null) return 'None';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'number' || typeof v === 'bigint') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof PyFloat) return 'float';
  if (v instanceof PyList) return 'list';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PyDict) return v.ordered ? 'OrderedDict' : 'dict';
  if (v instanceof PySet) return v.frozen ? 'frozenset' : 'set';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof PyGlobal) return v.toString();
  if (v instanceof StorageRef) return 'storage';
  if (v instanceof TensorRef) return 'Tensor';
  return typeof v;
}

// ---- the allowlist ------------------------------------------------------------------------------------------
/** torch.<Name>Storage -> sigprop dtype (null: a known PyTorch storage type sigprop has no dtype for). */
export const STORAGE_DTYPES: Record<string, string | null> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8',
  BoolStorage: 'bool', UntypedStorage: 'uint8',
  ComplexFloatStorage: null, ComplexDoubleStorage: null, ComplexHalfStorage: null,
  QInt8Storage: null, QUInt8Storage: null, QInt32Storage: null, QUInt4x2Storage: null, QUInt2x4Storage: null,
};
export const STORAGE_NAMES: Record<string, string> = {};
for (const [k, v] of Object.entries(STORAGE_DTYPES)) if (v && k !== 'UntypedStorage') STORAGE_NAMES[v] = k;

/** torch.float32 etc. as pickled (GLOBAL 'torch float32') -> the dtype string. */
const TORCH_DTYPE_GLOBALS: Record<string, string> = {
  float32: 'float32', float: 'float32', float64: 'float64', double: 'float64', float16: 'float16', half: 'float16',
  bfloat16: 'bfloat16', int64: 'int64', long: 'int64', int32: 'int32', int: 'int32', int16: 'int16', short: 'int16',
  int8: 'int8', uint8: 'uint8', bool: 'bool',
};

const CALLABLES = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor', 'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state',
  'torch._tensor._rebuild_from_type_v2',
  'builtins.set', 'builtins.frozenset', '__builtin__.set', '__builtin__.frozenset',
  '_codecs.encode', 'torch.Size', 'torch.device',
  // classes that appear as the `new_type` argument of _rebuild_from_type_v2
  'torch._tensor.Tensor', 'torch.Tensor', 'torch.nn.parameter.Parameter',
]);

function resolveGlobal(module: string, name: string): unknown {
  // PyTorch maps any '...Storage' name to its storage type (old checkpoints say torch.cuda.FloatStorage)
  if ((module === 'torch' || module === 'torch.cuda') && name in STORAGE_DTYPES) return new PyGlobal('torch', name);
  if (module === 'torch' && name in TORCH_DTYPE_GLOBALS) return TORCH_DTYPE_GLOBALS[name];
  if (module === 'torch.tensor') module = 'torch._tensor'; // PyTorch's own renaming (pytorch#51633)
  if (CALLABLES.has(`${module}.${name}`)) return new PyGlobal(module, name);
  throw new FormatError(
    `the pickle references the Python global '${module}.${name}', which is not allowed: sigprop loads only tensors, ` +
    'containers (dict, OrderedDict, list, tuple, set), numbers, strings, bytes and None, and never runs code from a checkpoint',
  );
}

// ---- rebuild functions ----------------------------------------------------------------------------------------
function asInt(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new FormatError(`${what} must be an int, got ${pyTypeName(v)}`);
}
function asIntTuple(v: unknown, what: string): number[] {
  if (!(v instanceof PyTuple) && !(v instanceof PyList)) throw new FormatError(`${what} must be a tuple of ints, got ${pyTypeName(v)}`);
  return v.items.map((x, i) => asInt(x, `${what}[${i}]`));
}
function asBool(v: unknown, what: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  throw new FormatError(`${what} must be a bool, got ${pyTypeName(v)}`);
}

function rebuildTensor(args: unknown[], v2: boolean): TensorRef {
  const fn = v2 ? '_rebuild_tensor_v2' : '_rebuild_tensor';
  if (args.length < 4 || (v2 && (args.length < 5 || args.length > 7)) || (!v2 && args.length > 4)) {
    throw new FormatError(`torch._utils.${fn} got ${args.length} arguments`);
  }
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRef)) throw new FormatError(`torch._utils.${fn}: the storage argument is a ${pyTypeName(storage)}, not a storage`);
  const sz = asIntTuple(size, `${fn} size`);
  const st = asIntTuple(stride, `${fn} stride`);
  if (sz.length !== st.length) throw new FormatError(`${fn}: size ${JSON.stringify(sz)} and stride ${JSON.stringify(st)} differ in length`);
  const requiresGrad = v2 ? asBool(args[4], `${fn} requires_grad`) : false;
  return new TensorRef(storage, asInt(offset, `${fn} storage_offset`), sz, st, requiresGrad, false);
}

function rebuildParameter(args: unknown[], withState: boolean): TensorRef {
  if (args.length !== (withState ? 4 : 3)) throw new FormatError(`torch._utils._rebuild_parameter${withState ? '_with_state' : ''} got ${args.length} arguments`);
  const data = args[0];
  if (!(data instanceof TensorRef)) throw new FormatError(`torch._utils._rebuild_parameter: data is a ${pyTypeName(data)}, not a tensor`);
  const rg = asBool(args[1], '_rebuild_parameter requires_grad');
  return new TensorRef(data.storage, data.offset, data.size, data.stride, rg, true);
}

function pyArgs(v: unknown, what: string): unknown[] {
  if (v instanceof PyTuple) return v.items;
  throw new FormatError(`${what}: the arguments are a ${pyTypeName(v)}, not a tuple`);
}

function call(fn: unknown, argTuple: unknown): unknown {
  if (!(fn instanceof PyGlobal)) throw new FormatError(`REDUCE: cannot call a ${pyTypeName(fn)}`);
  const args = pyArgs(argTuple, String(fn));
  switch (`${fn.module}.${fn.name}`) {
    case 'collections.OrderedDict': {
      const d = new PyDict(true);
      if (args.length > 1) throw new FormatError(`OrderedDict() got ${args.length} arguments`);
      if (args.length === 1) {
        const src = args[0];
        if (src instanceof PyDict) src.keys.forEach((k, i) => d.set(k, src.values[i]));
        else if (src instanceof PyList || src instanceof PyTuple) {
          for (const kv of src.items) {
            if (!((kv instanceof PyTuple || kv instanceof PyList) && kv.items.length === 2)) throw new FormatError('OrderedDict(items): an item is not a (key, value) pair');
            d.set(kv.items[0], kv.items[1]);
          }
        } else throw new FormatError(`OrderedDict() of a ${pyTypeName(src)}`);
      }
      return d;
    }
    case 'torch._utils._rebuild_tensor_v2': return rebuildTensor(args, true);
    case 'torch._utils._rebuild_tensor': return rebuildTensor(args, false);
    case 'torch._utils._rebuild_parameter': return rebuildParameter(args, false);
    case 'torch._utils._rebuild_parameter_with_state': return rebuildParameter(args, true);
    case 'torch._tensor._rebuild_from_type_v2': {
      // (func, new_type, args, state): a tensor saved with Python attributes or as a subclass
      if (args.length !== 4) throw new FormatError(`_rebuild_from_type_v2 got ${args.length} arguments`);
      const t = args[1];
      if (!(t instanceof PyGlobal) || !['Tensor', 'Parameter'].includes(t.name)) throw new FormatError(`_rebuild_from_type_v2: unsupported tensor type ${pyTypeName(t)}`);
      const r = call(args[0], args[2]);
      if (!(r instanceof TensorRef)) throw new FormatError('_rebuild_from_type_v2 did not rebuild a tensor');
      return r;
    }
    case 'builtins.set': case '__builtin__.set': case 'builtins.frozenset': case '__builtin__.frozenset': {
      const frozen = fn.name === 'frozenset';
      if (args.length === 0) return new PySet([], frozen);
      const src = args[0];
      if (!(src instanceof PyList || src instanceof PyTuple)) throw new FormatError(`${fn.name}() of a ${pyTypeName(src)}`);
      const s = new PySet([], frozen);
      addToSet(s, src.items);
      return s;
    }
    case '_codecs.encode': {
      // protocol-2 bytes: _codecs.encode(latin1 text, 'latin1')
      const [text, enc] = args;
      if (typeof text !== 'string' || (enc !== 'latin1' && enc !== 'latin-1')) throw new FormatError('_codecs.encode: only (str, "latin1") is supported');
      return new Uint8Array(Buffer.from(text, 'latin1'));
    }
    case 'torch.Size': {
      if (args.length !== 1) throw new FormatError(`torch.Size() got ${args.length} arguments`);
      return new PyTuple(asIntTuple(args[0], 'torch.Size'));
    }
    case 'torch.device': {
      const [type, index] = args;
      if (typeof type !== 'string') throw new FormatError('torch.device: the type is not a str');
      return index === undefined || index === null ? type : `${type}:${asInt(index, 'torch.device index')}`;
    }
  }
  throw new FormatError(`${fn} cannot be called`);
}

function addToSet(s: PySet, items: unknown[]): void {
  const seen = new Set(s.items.map(hashKey));
  for (const x of items) {
    const h = hashKey(x);
    if (!seen.has(h)) {
      seen.add(h);
      s.items.push(x);
    }
  }
}

// ---- the unpickler --------------------------------------------------------------------------------------------

export interface UnpickleOptions {
  /** Resolves a persistent id (BINPERSID); PyTorch's is the tuple ('storage', type, key, location, numel). */
  persistentLoad: (pid: unknown) => unknown;
}

/** Runs the pickle in `data` and returns its value (Py* objects). Throws FormatError on anything wrong. */
export function unpickle(data: Uint8Array, opts: UnpickleOptions): unknown {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const n = buf.length;
  let pos = 0;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const need = (k: number, what: string): void => {
    if (k < 0 || pos + k > n) throw new FormatError(`the pickle is truncated (${what} at byte ${pos} needs ${k} bytes, ${n - pos} left)`);
  };
  const readLine = (what: string): string => {
    const e = buf.indexOf(0x0a, pos);
    if (e < 0) throw new FormatError(`the pickle is truncated (${what} at byte ${pos} has no end of line)`);
    const s = buf.toString('latin1', pos, e);
    pos = e + 1;
    return s;
  };
  const pop = (what: string): unknown => {
    if (stack.length === 0) throw new FormatError(`pickle stack underflow in ${what} at byte ${pos}`);
    return stack.pop();
  };
  const top = (what: string): unknown => {
    if (stack.length === 0) throw new FormatError(`pickle stack underflow in ${what} at byte ${pos}`);
    return stack[stack.length - 1];
  };
  const popMark = (what: string): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) throw new FormatError(`${what} at byte ${pos} without a MARK`);
    stack = prev;
    return items;
  };
  const intValue = (v: bigint): number | bigint => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
  const decodeLong = (k: number): number | bigint => {
    need(k, 'LONG');
    if (k === 0) return 0;
    // little-endian two's complement; via hex, which BigInt parses in linear time
    const hex = Buffer.from(buf.subarray(pos, pos + k)).reverse().toString('hex');
    let v = BigInt('0x' + hex);
    if (buf[pos + k - 1] & 0x80) v -= 1n << BigInt(8 * k);
    pos += k;
    return intValue(v);
  };
  const utf8 = (k: number, what: string): string => {
    need(k, what);
    const s = buf.toString('utf8', pos, pos + k);
    pos += k;
    return s;
  };
  const bytes = (k: number, what: string): Uint8Array => {
    need(k, what);
    const b = new Uint8Array(buf.subarray(pos, pos + k)); // a copy
    pos += k;
    return b;
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) throw new FormatError(`the pickle refers to memo entry ${i}, which was never stored (corrupt pickle)`);
    return memo.get(i);
  };
  const setItems = (d: unknown, items: unknown[], what: string): void => {
    if (!(d instanceof PyDict)) throw new FormatError(`${what} on a ${pyTypeName(d)}, not a dict`);
    if (items.length % 2) throw new FormatError(`${what} with an odd number of items`);
    for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
  };
  const append = (l: unknown, items: unknown[], what: string): void => {
    if (!(l instanceof PyList)) throw new FormatError(`${what} on a ${pyTypeName(l)}, not a list`);
    for (const x of items) l.items.push(x);
  };
  const textString = (s: string): string => {
    // protocol-0 STRING: a Python repr; PyTorch checkpoints do not use it, but accept simple quoted text.
    const m = /^(['"])(.*)\1$/s.exec(s);
    if (!m) throw new FormatError('bad STRING opcode argument');
    return m[2].replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, e: string) => (e[0] === 'x' ? String.fromCharCode(parseInt(e.slice(1), 16)) : ({ n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' } as Record<string, string>)[e] ?? e));
  };

  for (;;) {
    if (pos >= n) throw new FormatError('the pickle is truncated (no STOP opcode)');
    const op = buf[pos++];
    switch (op) {
      case 0x80: // PROTO
        need(1, 'PROTO');
        if (buf[pos] > 5) throw new FormatError(`unsupported pickle protocol ${buf[pos]}`);
        pos += 1;
        break;
      case 0x95: // FRAME: a length hint only
        need(8, 'FRAME');
        pos += 8;
        break;
      case 0x2e: // STOP
        if (metastack.length) throw new FormatError('the pickle stops inside a MARK');
        if (stack.length !== 1) throw new FormatError(`the pickle stops with ${stack.length} values on its stack (corrupt pickle)`);
        return stack[0];
      case 0x28: // MARK
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: pop('POP'); break; // POP
      case 0x31: popMark('POP_MARK'); break; // POP_MARK
      case 0x32: stack.push(top('DUP')); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: need(1, 'BININT1'); stack.push(buf[pos]); pos += 1; break;
      case 0x4d: need(2, 'BININT2'); stack.push(buf.readUInt16LE(pos)); pos += 2; break;
      case 0x4a: need(4, 'BININT'); stack.push(buf.readInt32LE(pos)); pos += 4; break;
      case 0x8a: { // LONG1
        need(1, 'LONG1');
        const k = buf[pos++];
        stack.push(decodeLong(k));
        break;
      }
      case 0x8b: { // LONG4
        need(4, 'LONG4');
        const k = buf.readInt32LE(pos);
        pos += 4;
        if (k < 0) throw new FormatError('LONG4 with a negative length');
        stack.push(decodeLong(k));
        break;
      }
      case 0x49: { // INT (text)
        const s = readLine('INT');
        if (s === '00') stack.push(false);
        else if (s === '01') stack.push(true);
        else if (/^[+-]?\d{1,10000}$/.test(s)) stack.push(intValue(BigInt(s)));
        else throw new FormatError(`bad INT argument '${s.slice(0, 20)}'`);
        break;
      }
      case 0x4c: { // LONG (text)
        const s = readLine('LONG').replace(/L$/, '');
        if (!/^[+-]?\d{1,10000}$/.test(s)) throw new FormatError(`bad LONG argument '${s.slice(0, 20)}'`);
        stack.push(intValue(BigInt(s)));
        break;
      }
      case 0x47: need(8, 'BINFLOAT'); stack.push(new PyFloat(buf.readDoubleBE(pos))); pos += 8; break;
      case 0x46: { // FLOAT (text)
        const s = readLine('FLOAT').trim();
        const v = /^[+-]?(inf|nan)$/i.test(s) ? Number(s.replace(/inf/i, 'Infinity').replace(/nan/i, 'NaN')) : Number(s);
        if (s === '' || (Number.isNaN(v) && !/nan/i.test(s))) throw new FormatError(`bad FLOAT argument '${s.slice(0, 20)}'`);
        stack.push(new PyFloat(v));
        break;
      }
      case 0x58: { need(4, 'BINUNICODE'); const k = buf.readUInt32LE(pos); pos += 4; stack.push(utf8(k, 'BINUNICODE')); break; }
      case 0x8c: { need(1, 'SHORT_BINUNICODE'); const k = buf[pos++]; stack.push(utf8(k, 'SHORT_BINUNICODE')); break; }
      case 0x8d: { // BINUNICODE8
        need(8, 'BINUNICODE8');
        const k = Number(buf.readBigUInt64LE(pos));
        pos += 8;
        stack.push(utf8(k, 'BINUNICODE8'));
        break;
      }
      case 0x56: stack.push(readLine('UNICODE').replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, a, b) => String.fromCodePoint(parseInt(a ?? b, 16)))); break;
      // Python 2 str: PyTorch decodes these as ASCII/latin-1 text
      case 0x55: { need(1, 'SHORT_BINSTRING'); const k = buf[pos++]; need(k, 'SHORT_BINSTRING'); stack.push(buf.toString('latin1', pos, pos + k)); pos += k; break; }
      case 0x54: { need(4, 'BINSTRING'); const k = buf.readInt32LE(pos); pos += 4; need(k, 'BINSTRING'); stack.push(buf.toString('latin1', pos, pos + k)); pos += k; break; }
      case 0x53: stack.push(textString(readLine('STRING'))); break;
      case 0x43: { need(1, 'SHORT_BINBYTES'); const k = buf[pos++]; stack.push(bytes(k, 'SHORT_BINBYTES')); break; }
      case 0x42: { need(4, 'BINBYTES'); const k = buf.readUInt32LE(pos); pos += 4; stack.push(bytes(k, 'BINBYTES')); break; }
      case 0x8e: { need(8, 'BINBYTES8'); const k = Number(buf.readBigUInt64LE(pos)); pos += 8; stack.push(bytes(k, 'BINBYTES8')); break; }
      case 0x96: { need(8, 'BYTEARRAY8'); const k = Number(buf.readBigUInt64LE(pos)); pos += 8; stack.push(bytes(k, 'BYTEARRAY8')); break; }
      case 0x29: stack.push(new PyTuple([])); break; // EMPTY_TUPLE
      case 0x74: { const items = popMark('TUPLE'); stack.push(new PyTuple(items)); break; } // TUPLE
      case 0x85: { const a = pop('TUPLE1'); stack.push(new PyTuple([a])); break; }
      case 0x86: { const b = pop('TUPLE2'); const a = pop('TUPLE2'); stack.push(new PyTuple([a, b])); break; }
      case 0x87: { const c = pop('TUPLE3'); const b = pop('TUPLE3'); const a = pop('TUPLE3'); stack.push(new PyTuple([a, b, c])); break; }
      case 0x5d: stack.push(new PyList()); break; // EMPTY_LIST
      case 0x6c: { const items = popMark('LIST'); stack.push(new PyList(items)); break; } // LIST
      case 0x61: { const x = pop('APPEND'); append(top('APPEND'), [x], 'APPEND'); break; }
      case 0x65: { const items = popMark('APPENDS'); append(top('APPENDS'), items, 'APPENDS'); break; }
      case 0x7d: stack.push(new PyDict()); break; // EMPTY_DICT
      case 0x64: { const items = popMark('DICT'); const d = new PyDict(); setItems(d, items, 'DICT'); stack.push(d); break; }
      case 0x73: { const v = pop('SETITEM'); const k = pop('SETITEM'); setItems(top('SETITEM'), [k, v], 'SETITEM'); break; }
      case 0x75: { const items = popMark('SETITEMS'); setItems(top('SETITEMS'), items, 'SETITEMS'); break; }
      case 0x8f: stack.push(new PySet()); break; // EMPTY_SET
      case 0x90: { // ADDITEMS
        const items = popMark('ADDITEMS');
        const s = top('ADDITEMS');
        if (!(s instanceof PySet)) throw new FormatError(`ADDITEMS on a ${pyTypeName(s)}`);
        addToSet(s, items);
        break;
      }
      case 0x91: { const items = popMark('FROZENSET'); const s = new PySet([], true); addToSet(s, items); stack.push(s); break; }
      case 0x63: { // GLOBAL
        const module = readLine('GLOBAL');
        const name = readLine('GLOBAL');
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop('STACK_GLOBAL');
        const module = pop('STACK_GLOBAL');
        if (typeof module !== 'string' || typeof name !== 'string') throw new FormatError('STACK_GLOBAL needs two strings');
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x52: { const args = pop('REDUCE'); const fn = pop('REDUCE'); stack.push(call(fn, args)); break; }
      case 0x81: { const args = pop('NEWOBJ'); const cls = pop('NEWOBJ'); stack.push(call(cls, args)); break; } // NEWOBJ
      case 0x62: { // BUILD
        const state = pop('BUILD');
        const obj = top('BUILD');
        if (obj instanceof PyDict) {
          // an OrderedDict's __dict__ (a state dict's _metadata); (state, slotstate) tuples too
          const st = state instanceof PyTuple && state.items.length === 2 ? state.items[0] : state;
          if (st instanceof PyDict) {
            if (!obj.attrs) obj.attrs = new PyDict();
            st.keys.forEach((k, i) => obj.attrs!.set(k, st.values[i]));
          } else if (st !== null) throw new FormatError(`BUILD of a ${pyTypeName(obj)} with a ${pyTypeName(st)} state`);
        } else if (obj instanceof TensorRef) {
          // tensor state (Python attributes set on a tensor) is ignored
        } else {
          throw new FormatError(`BUILD on a ${pyTypeName(obj)} is not supported`);
        }
        break;
      }
      case 0x51: { const pid = pop('BINPERSID'); stack.push(opts.persistentLoad(pid)); break; } // BINPERSID
      case 0x50: stack.push(opts.persistentLoad(readLine('PERSID'))); break; // PERSID
      case 0x67: { const s = readLine('GET'); if (!/^\d+$/.test(s)) throw new FormatError('bad GET'); stack.push(memoGet(Number(s))); break; }
      case 0x68: need(1, 'BINGET'); stack.push(memoGet(buf[pos])); pos += 1; break;
      case 0x6a: need(4, 'LONG_BINGET'); stack.push(memoGet(buf.readUInt32LE(pos))); pos += 4; break;
      case 0x70: { const s = readLine('PUT'); if (!/^\d+$/.test(s)) throw new FormatError('bad PUT'); memo.set(Number(s), top('PUT')); break; }
      case 0x71: need(1, 'BINPUT'); memo.set(buf[pos], top('BINPUT')); pos += 1; break;
      case 0x72: need(4, 'LONG_BINPUT'); memo.set(buf.readUInt32LE(pos), top('LONG_BINPUT')); pos += 4; break;
      case 0x94: memo.set(memo.size, top('MEMOIZE')); break; // MEMOIZE
      default: {
        const names: Record<number, string> = { 0x69: 'INST', 0x6f: 'OBJ', 0x92: 'NEWOBJ_EX', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER' };
        const name = names[op];
        throw new FormatError(name
          ? `the pickle uses opcode ${name}, which builds arbitrary Python objects and is not supported`
          : `unknown pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${pos - 1} (corrupt pickle)`);
      }
    }
  }
}

// ---- the pickler (protocol 2, as torch.save writes) --------------------------------------------------------------
/** Bytes being built: a growable buffer. */
export class ByteWriter {
  private buf = Buffer.allocUnsafe(1 << 12);
  length = 0;
  private ensure(k: number): void {
    if (this.length + k <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + k) cap *= 2;
    const b = Buffer.allocUnsafe(cap);
    this.buf.copy(b, 0, 0, this.length);
    this.buf = b;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  u16(v: number): void { this.ensure(2); this.buf.writeUInt16LE(v, this.length); this.length += 2; }
  u32(v: number): void { this.ensure(4); this.buf.writeUInt32LE(v, this.length); this.length += 4; }
  i32(v: number): void { this.ensure(4); this.buf.writeInt32LE(v, this.length); this.length += 4; }
  f64be(v: number): void { this.ensure(8); this.buf.writeDoubleBE(v, this.length); this.length += 8; }
  result(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}

/** Low-level protocol-2 opcode emitter with a memo. The object walk lives in serialization.ts. */
export class Pickler {
  readonly w = new ByteWriter();
  private memoCount = 0;
  private readonly globals = new Map<string, number>();

  constructor() {
    this.w.byte(0x80);
    this.w.byte(2);
  }
  /** Stores the top of the stack in the memo and returns its index. */
  put(): number {
    const i = this.memoCount++;
    if (i < 256) {
      this.w.byte(0x71);
      this.w.byte(i);
    } else {
      this.w.byte(0x72);
      this.w.u32(i);
    }
    return i;
  }
  get(i: number): void {
    if (i < 256) {
      this.w.byte(0x68);
      this.w.byte(i);
    } else {
      this.w.byte(0x6a);
      this.w.u32(i);
    }
  }
  global(module: string, name: string): void {
    const k = `${module}\n${name}\n`;
    const m = this.globals.get(k);
    if (m !== undefined) return this.get(m);
    this.w.byte(0x63);
    this.w.bytes(Buffer.from(k, 'utf8'));
    this.globals.set(k, this.put());
  }
  none(): void { this.w.byte(0x4e); }
  bool(b: boolean): void { this.w.byte(b ? 0x88 : 0x89); }
  int(v: number | bigint): void {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) v = BigInt(v);
    if (typeof v === 'number') {
      if (v >= 0 && v < 256) { this.w.byte(0x4b); this.w.byte(v); return; }
      if (v >= 0 && v < 65536) { this.w.byte(0x4d); this.w.u16(v); return; }
      if (v >= -0x80000000 && v <= 0x7fffffff) { this.w.byte(0x4a); this.w.i32(v); return; }
      v = BigInt(v);
    }
    if (v >= -0x80000000n && v <= 0x7fffffffn) return this.int(Number(v));
    const bytes = encodeLong(v);
    if (bytes.length < 256) {
      this.w.byte(0x8a);
      this.w.byte(bytes.length);
    } else {
      this.w.byte(0x8b);
      this.w.i32(bytes.length);
    }
    this.w.bytes(bytes);
  }
  float(v: number): void { this.w.byte(0x47); this.w.f64be(v); }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.w.byte(0x58);
    this.w.u32(b.length);
    this.w.bytes(b);
  }
  mark(): void { this.w.byte(0x28); }
  emptyTuple(): void { this.w.byte(0x29); }
  /** Closes a tuple of `n` items pushed after a MARK (n > 3) or without one (n <= 3: TUPLE1..3). */
  tupleOf(n: number, marked: boolean): void {
    if (marked) this.w.byte(0x74);
    else if (n === 0) this.w.byte(0x29);
    else this.w.byte([0, 0x85, 0x86, 0x87][n]);
  }
  intTuple(xs: number[]): void {
    const marked = xs.length > 3;
    if (marked) this.mark();
    for (const x of xs) this.int(x);
    this.tupleOf(xs.length, marked);
  }
  emptyList(): void { this.w.byte(0x5d); }
  appends(): void { this.w.byte(0x65); }
  append(): void { this.w.byte(0x61); }
  emptyDict(): void { this.w.byte(0x7d); }
  setitems(): void { this.w.byte(0x75); }
  setitem(): void { this.w.byte(0x73); }
  reduce(): void { this.w.byte(0x52); }
  build(): void { this.w.byte(0x62); }
  binpersid(): void { this.w.byte(0x51); }
  stop(): Buffer {
    this.w.byte(0x2e);
    return this.w.result();
  }
}

/** Python's pickle.encode_long: little-endian two's complement, as short as possible. */
export function encodeLong(v: bigint): Uint8Array {
  if (v === 0n) return new Uint8Array(0);
  const out: number[] = [];
  let x = v;
  for (;;) {
    const byte = Number(x & 0xffn);
    out.push(byte);
    x >>= 8n; // arithmetic shift
    if ((x === 0n && !(byte & 0x80)) || (x === -1n && byte & 0x80)) break;
  }
  return Uint8Array.from(out);
}
