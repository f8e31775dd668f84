/**
 * Checkpoints: torch.save / torch.load in PyTorch's own file format (the ZIP format that
 * torch.save writes since PyTorch 1.6), and safetensors. Saves are atomic: a temporary file in
 * the same folder is written, flushed to disk and renamed over the target, so a crash or an error
 * mid-save leaves the previous checkpoint as it was.
 *
 *   torch.save(model.stateDict(), 'model.pt');           // Python: model.load_state_dict(torch.load('model.pt'))
 *   const sd = torch.load('model.pt', { mapLocation: 'cpu' });
 *   torch.saveSafetensors({ w }, 'w.safetensors', { format: 'pt' });
 *
 * What maps to what (JS -> Python on save, Python -> JS on load):
 *   Tensor <-> torch.Tensor (storages shared between tensors stay shared); nn.Parameter -> Parameter;
 *     Python Parameters load as tensors with requiresGrad set
 *   number: a safe integer (|n| < 2^53) -> int, anything else (-0, fractions, 1e300, NaN) -> float;
 *     bigint -> int; Python int -> number, or bigint beyond 2^53; float -> number
 *   boolean <-> bool; string <-> str; null <-> None; Uint8Array <-> bytes
 *   array -> list; list and tuple -> array;  Set <-> set (frozenset -> Set)
 *   plain object -> OrderedDict when every value is a Tensor (a state dict) or it was loaded from one,
 *     dict otherwise; keys like '0', '12' (/^(0|[1-9]\d*)$/) are written as int keys (an optimizer's
 *     `state`) and int keys read back as such strings. dict / OrderedDict -> plain object, or a Map when
 *     a key is neither str nor int (or str and int keys would collide).
 *   Map -> dict with keys of their own type (string -> str, number -> int/float, bigint -> int, array -> tuple).
 * Loading never runs code from the file: only PyTorch's tensor-rebuild functions, storage types,
 * OrderedDict and a few builtins are accepted; any other Python global is a CheckpointError naming it.
 */
import * as fs from 'fs';
import * as nodePath from 'path';
import * as crypto from 'crypto';
import * as os from 'os';
import { Tensor, T } from './tensor';
import { isKw, checkKeys } from './args';
import { N } from './native';
import { noGrad } from './autograd';
import { DType, Device, toDevice, elementSize, isFloatingPoint, dtypeCode } from './dtype';
import { describe, OutOfMemoryError } from './errors';
import { ZipReader, ZipWriter, FormatError, Sink } from './zipfile';
import {
  unpickle, Pickler, PyFloat, PyList, PyTuple, PySet, PyDict, PyGlobal, StorageRef, TensorRef,
  STORAGE_DTYPES, STORAGE_NAMES, pyTypeName,
} from './pickle';


/** A checkpoint could not be read: it is corrupt, truncated, of an unsupported kind, or asks for something not allowed. */
export class CheckpointError extends Error {
  /** The file. */
  readonly path: string;
  /** What is wrong, without the path. */
  readonly reason: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(`${path}: ${reason}`);
    this.name = 'CheckpointError';
    this.path = path;
    this.reason = reason;
    if (options && 'cause' in options) (this as { cause?: unknown }).cause = options.cause;
  }
}

/**
 * For tests: called before every write to a checkpoint's temporary file with the number of bytes
 * written so far; a hook that throws simulates a failure (a full disk, a crash) mid-save.
 * @internal
 */
export const _testing: { beforeWrite: ((bytesWritten: number) => void) | null; forceZip64: boolean } = {
  beforeWrite: null,
  forceZip64: false,
};

// ---- atomic writes ----------------------------------------------------------------------------------------------
/**
 * Writes a file atomically: `body` writes into a temporary file in the target's folder, which is
 * fsynced and renamed over the target (then the folder is fsynced). On any error the temporary file
 * is removed and the target is untouched.
 */
function atomicWrite(target: string, body: (sink: Sink) => void): void {
  if (typeof target !== 'string' || target === '') throw new TypeError(`the path must be a non-empty string, got ${describe(target)}`);
  let dest = nodePath.resolve(target);
  try {
    dest = fs.realpathSync(dest); // write through a symlink, as open() would
  } catch {
    /* the target does not exist yet */
  }
  const dir = nodePath.dirname(dest);
  const tmp = nodePath.join(dir, `.${nodePath.basename(dest)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  let fd = fs.openSync(tmp, 'wx', 0o666);
  let written = 0;
  const sink: Sink = (data) => {
    if (_testing.beforeWrite) _testing.beforeWrite(written);
    let off = 0;
    while (off < data.length) {
      const n = fs.writeSync(fd, data, off, data.length - off);
      off += n;
    }
    written += data.length;
  };
  try {
    body(sink);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = -1;
    fs.renameSync(tmp, dest);
  } catch (e) {
    if (fd >= 0) {
      try { fs.closeSync(fd); } catch { /* already failing */ }
    }
    try { fs.unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
  // make the rename itself durable
  let dfd = -1;
  try {
    dfd = fs.openSync(dir, 'r');
    fs.fsyncSync(dfd);
  } catch {
    /* some platforms cannot fsync a folder */
  } finally {
    if (dfd >= 0) fs.closeSync(dfd);
  }
}

// ---- save --------------------------------------------------------------------------------------------------------
/** A storage to write: the elements [start, end) of the storage that `rep` views. */
interface StorageGroup {
  key: string;
  dtype: DType;
  device: Device;
  rep: Tensor;
  start: number;
  end: number;
}
interface TensorPlacement {
  group: StorageGroup;
  offset: number;
}

/**
 * Objects made from Python dicts on load: whether it was an OrderedDict, and its key order where
 * JS reorders it (integer-like keys first), so that a loaded object is written back as it was read.
 */
const ORIGIN = new WeakMap<object, { ordered: boolean; keys?: string[] }>();
const INT_KEY = /^(0|[1-9]\d*)$/;
const MAX_DEPTH = 1000;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return isKw(v);
}

function isUint8(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array && (v.constructor === Uint8Array || Buffer.isBuffer(v));
}

function writesAsOrderedDict(o: Record<string, unknown>): boolean {
  const origin = ORIGIN.get(o);
  if (origin) return origin.ordered;
  const keys = Object.keys(o);
  return keys.length > 0 && keys.every((k) => o[k] instanceof Tensor);
}

/** The keys in the order to write: the order they were loaded in, while the key set is unchanged. */
function keyOrder(o: Record<string, unknown>): string[] {
  const keys = Object.keys(o);
  const saved = ORIGIN.get(o)?.keys;
  if (saved && saved.length === keys.length && saved.every((k) => Object.prototype.hasOwnProperty.call(o, k))) return saved;
  return keys;
}

function metadataOf(o: object): unknown {
  const d = Object.getOwnPropertyDescriptor(o, '_metadata');
  return d && !d.enumerable && 'value' in d ? d.value : undefined;
}

/** Walks the object: checks that everything in it can be saved and collects its tensors. */
function collectTensors(obj: unknown): Tensor[] {
  const tensors: Tensor[] = [];
  const seenTensors = new Set<Tensor>();
  const seen = new Set<object>();
  const walk = (v: unknown, path: string, depth: number, isKey = false): void => {
    if (depth > MAX_DEPTH) throw new RangeError(`save(): the object is nested more than ${MAX_DEPTH} levels deep (at ${path})`);
    switch (typeof v) {
      case 'number': case 'string': case 'boolean': case 'bigint': return;
      case 'object': break;
      default:
        throw new TypeError(`save(): cannot save ${describe(v)} at ${path} (supported: Tensor, number, bigint, boolean, string, null, Uint8Array, arrays, plain objects, Maps and Sets of those)`);
    }
    if (v === null) return;
    if (v instanceof Tensor) {
      if (v.isDisposed) throw new TypeError(`save(): the tensor at ${path} is disposed`);
      if (isKey) throw new TypeError(`save(): a Tensor cannot be a Map key (at ${path})`);
      if (!seenTensors.has(v)) {
        seenTensors.add(v);
        tensors.push(v);
      }
      return;
    }
    if (isUint8(v)) return;
    if (seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1, isKey));
    } else if (isKey) {
      throw new TypeError(`save(): a Map key must be a string, number, bigint, boolean, null or an array of those, got ${describe(v)} at ${path}`);
    } else if (v instanceof Map) {
      for (const [k, x] of v) {
        walk(k, `${path}<key ${String(k)}>`, depth + 1, true);
        walk(x, `${path}.get(${typeof k === 'string' ? JSON.stringify(k) : String(k)})`, depth + 1);
      }
    } else if (v instanceof Set) {
      let i = 0;
      for (const x of v) walk(x, `${path}<set item ${i++}>`, depth + 1, true);
    } else if (isPlainObject(v)) {
      for (const k of Object.keys(v)) walk(v[k], `${path}.${k}`, depth + 1);
      const meta = metadataOf(v);
      if (meta !== undefined) walk(meta, `${path}._metadata`, depth + 1);
    } else {
      throw new TypeError(`save(): cannot save ${describe(v)} at ${path} (supported: Tensor, number, bigint, boolean, string, null, Uint8Array, arrays, plain objects, Maps and Sets of those)`);
    }
  };
  walk(obj, 'obj', 0);
  return tensors;
}

/** Groups tensors by the storage they view (same storage and dtype -> one record, written once). */
function groupStorages(tensors: Tensor[]): Map<Tensor, TensorPlacement> {
  const groups: StorageGroup[] = [];
  const placement = new Map<Tensor, TensorPlacement>();
  const spans: [Tensor, StorageGroup, number, number][] = [];
  for (const t of tensors) {
    const dtype = t.dtype;
    const device = t.device;
    const size = t.shape;
    const stride = t.stride();
    const off = t.storageOffset();
    const numel = size.reduce((a, b) => a * b, 1);
    const lo = off;
    let hi = off;
    if (numel > 0) {
      hi = off + 1;
      for (let i = 0; i < size.length; i++) hi += (size[i] - 1) * stride[i];
    }
    let g = groups.find((x) => x.dtype === dtype && x.device === device && t.isSetTo(x.rep));
    if (!g) {
      g = { key: String(groups.length), dtype, device, rep: t, start: Infinity, end: -Infinity };
      groups.push(g);
    }
    if (numel > 0) {
      g.start = Math.min(g.start, lo);
      g.end = Math.max(g.end, hi);
    }
    spans.push([t, g, lo, numel]);
  }
  for (const g of groups) {
    if (g.start === Infinity) g.start = g.end = 0; // only empty tensors
  }
  for (const [t, g, lo, numel] of spans) placement.set(t, { group: g, offset: numel > 0 ? lo - g.start : 0 });
  return placement;
}

function location(device: Device): string {
  return device === 'cuda' ? 'cuda:0' : device;
}

/** Pickles `obj` as torch.save does (protocol 2, tensors as persistent storage ids). */
function pickleObject(obj: unknown, placement: Map<Tensor, TensorPlacement>): Buffer {
  const p = new Pickler();
  const memo = new Map<object, number>();

  const key = (k: unknown): void => {
    // a Map key, or an int-like plain-object key (already converted by the caller)
    if (Array.isArray(k)) {
      const marked = k.length > 3;
      if (marked) p.mark();
      for (const x of k) key(x);
      p.tupleOf(k.length, marked);
    } else value(k);
  };

  const value = (v: unknown, strKeys = false): void => {
    if (v === null || v === undefined) return p.none();
    switch (typeof v) {
      case 'boolean': return p.bool(v);
      case 'bigint': return p.int(v);
      // integers that a double holds exactly (|v| < 2^53) are ints; -0, fractions, huge values, NaN and inf are floats
      case 'number': return Number.isSafeInteger(v) && !Object.is(v, -0) ? p.int(v) : p.float(v);
      case 'string': return p.str(v);
    }
    const o = v as object;
    const m = memo.get(o);
    if (m !== undefined) return p.get(m);
    if (o instanceof Tensor) return tensor(o);
    if (isUint8(o)) {
      p.global('_codecs', 'encode');
      p.str(Buffer.from(o.buffer, o.byteOffset, o.byteLength).toString('latin1'));
      p.str('latin1');
      p.tupleOf(2, false);
      p.reduce();
      memo.set(o, p.put());
      return;
    }
    if (Array.isArray(o)) {
      p.emptyList();
      memo.set(o, p.put());
      batched(o.length, (i) => value(o[i]), () => p.append(), () => p.appends());
      return;
    }
    if (o instanceof Set) {
      p.global('__builtin__', 'set');
      p.emptyList();
      p.put();
      const items = [...o];
      batched(items.length, (i) => key(items[i]), () => p.append(), () => p.appends());
      p.tupleOf(1, false);
      p.reduce();
      memo.set(o, p.put());
      return;
    }
    if (o instanceof Map) {
      p.emptyDict();
      memo.set(o, p.put());
      const entries = [...o];
      batched(entries.length, (i) => { key(entries[i][0]); value(entries[i][1]); }, () => p.setitem(), () => p.setitems());
      return;
    }
    // a plain object
    const rec = o as Record<string, unknown>;
    const keys = keyOrder(rec);
    const ordered = writesAsOrderedDict(rec);
    if (ordered) {
      p.global('collections', 'OrderedDict');
      p.emptyTuple();
      p.reduce();
    } else {
      p.emptyDict();
    }
    memo.set(o, p.put());
    batched(keys.length, (i) => {
      const k = keys[i];
      if (!strKeys && INT_KEY.test(k)) p.int(k.length < 16 ? Number(k) : BigInt(k));
      else p.str(k);
      value(rec[k]);
    }, () => p.setitem(), () => p.setitems());
    const meta = metadataOf(o);
    if (meta !== undefined) {
      // an OrderedDict's attributes: state dicts carry per-module versions in `_metadata` (string keys)
      p.emptyDict();
      p.put();
      p.str('_metadata');
      value(meta, true);
      p.setitem();
      p.build();
    }
  };

  const batched = (n: number, item: (i: number) => void, one: () => void, many: () => void): void => {
    for (let i = 0; i < n; i += 1000) {
      const e = Math.min(n, i + 1000);
      if (e - i === 1) {
        item(i);
        one();
      } else {
        p.mark();
        for (let j = i; j < e; j++) item(j);
        many();
      }
    }
  };

  const tensor = (t: Tensor): void => {
    // an nn.Parameter is written as Python writes one: _rebuild_parameter(tensor, requires_grad, OrderedDict())
    const isParameter = t.constructor !== Tensor && t.constructor.name === 'Parameter';
    if (isParameter) p.global('torch._utils', '_rebuild_parameter');
    rebuildTensor(t, !isParameter && t.requiresGrad);
    if (isParameter) {
      p.bool(t.requiresGrad);
      p.global('collections', 'OrderedDict');
      p.emptyTuple();
      p.reduce();
      p.tupleOf(3, false);
      p.reduce();
    }
    memo.set(t, p.put());
  };

  const rebuildTensor = (t: Tensor, requiresGrad: boolean): void => {
    const pl = placement.get(t)!;
    const g = pl.group;
    p.global('torch._utils', '_rebuild_tensor_v2');
    p.mark();
    // the persistent id: ('storage', torch.FloatStorage, key, location, numel)
    p.mark();
    p.str('storage');
    p.global('torch', STORAGE_NAMES[g.dtype]);
    p.str(g.key);
    p.str(location(g.device));
    p.int(g.end - g.start);
    p.tupleOf(5, true);
    p.binpersid();
    p.int(pl.offset);
    p.intTuple(t.shape);
    p.intTuple(t.stride());
    p.bool(requiresGrad);
    p.global('collections', 'OrderedDict'); // backward hooks
    p.emptyTuple();
    p.reduce();
    p.tupleOf(6, true);
    p.reduce();
  };

  value(obj);
  return p.stop();
}

/** The archive folder name PyTorch uses: the file's name without its extension. */
function archiveName(file: string): string {
  const base = nodePath.basename(file).replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_.-]/g, '_');
  return base || 'archive';
}

/**
 * torch.save(obj, path): writes `obj` in PyTorch's checkpoint format (a ZIP with data.pkl and one
 * record per storage), readable by Python's torch.load (PyTorch >= 1.6) and by {@link load}.
 * The write is atomic. Tensors may live on any device; they are copied to the CPU to be written and
 * keep their device as their saved location.
 */
export function save(obj: unknown, path: string): void {
  const tensors = collectTensors(obj);
  const placement = groupStorages(tensors);
  const pkl = pickleObject(obj, placement);
  const groups: StorageGroup[] = [];
  for (const { group } of placement.values()) if (!groups.includes(group)) groups.push(group);
  const prefix = archiveName(path) + '/';
  atomicWrite(path, (sink) => {
    const zip = new ZipWriter(sink, _testing.forceZip64);
    zip.add(prefix + 'data.pkl', pkl);
    zip.add(prefix + 'byteorder', Buffer.from(os.endianness() === 'LE' ? 'little' : 'big'));
    for (const g of groups) {
      let bytes: Uint8Array;
      if (g.end === g.start) bytes = new Uint8Array(0);
      else {
        const flat = noGrad(() => g.rep.asStrided([g.end - g.start], [1], g.start));
        try {
          bytes = flat.toBuffer();
        } finally {
          flat.dispose();
        }
      }
      zip.add(`${prefix}data/${g.key}`, bytes);
    }
    zip.add(prefix + 'version', Buffer.from('3\n'));
    zip.finish();
  });
}

// ---- load ----------------------------------------------------------------------------------------------------------
/**
 * Where loaded tensors go, by the location they were saved from ('cpu', 'cuda:0', ...): a device for
 * all of them, a table from saved location to device, or a function of the saved location
 * (returning null/undefined keeps it). Left out, tensors go back where they were saved from.
 */
export type MapLocation = Device | Record<string, Device> | ((location: string) => Device | null | undefined);
export interface LoadOptions {
  mapLocation?: MapLocation | null;
}

/**
 * A 1-d tensor of `bytes` read as `dtype` (a copy). Like torch.frombuffer, without its extra
 * aligned copy: the native side memcpy's from any offset.
 */
function tensorFromBytes(bytes: Uint8Array, dtype: DType): Tensor {
  const code = dtypeCode(dtype);
  return T(N.fromBuffer(bytes, [bytes.length / elementSize(dtype)], code, code, null, false));
}

// native/io.cpp reports a bad record as a RangeError 'checkpoint: ...': a FormatError here (a CheckpointError for the caller)
function asFormatError(e: unknown): unknown {
  if (e instanceof Error && e.name === 'RangeError' && e.message.startsWith('checkpoint: ')) return new FormatError(e.message.slice('checkpoint: '.length));
  return e;
}
function nativeRead(read: () => number): number {
  try {
    return read();
  } catch (e) {
    throw asFormatError(e);
  }
}
async function nativeReadAsync(read: Promise<number>): Promise<number> {
  try {
    return await read;
  } catch (e) {
    throw asFormatError(e);
  }
}

function readHead(fd: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  const got = fs.readSync(fd, b, 0, n, 0);
  return b.subarray(0, got);
}

function swapBytes(b: Uint8Array, esize: number): void {
  for (let i = 0; i + esize <= b.length; i += esize) {
    for (let a = i, z = i + esize - 1; a < z; a++, z--) {
      const t = b[a];
      b[a] = b[z];
      b[z] = t;
    }
  }
}

class Loader {
  private readonly bases = new Map<string, Tensor>();
  private readonly baseDtypes = new Map<string, string>();
  private readonly made: Tensor[] = [];
  private readonly tensorMemo = new Map<TensorRef | StorageRef, Tensor>();
  private readonly memo = new Map<object, unknown>();
  private bigEndian = false;

  constructor(private readonly reader: ZipReader, private readonly prefix: string, private readonly mapLocation: LoadOptions['mapLocation']) {}

  /** The whole load, synchronously. */
  run(): unknown {
    const { value, refs } = this.parse();
    try {
      for (const ref of refs) this.storage(ref);
      return this.build(value);
    } finally {
      for (const b of this.bases.values()) b.dispose();
    }
  }

  /** The same with the storages read on libuv's thread pool (several at once), the JS thread free meanwhile. */
  async runAsync(): Promise<unknown> {
    const { value, refs } = this.parse();
    try {
      const seen = new Set<string>();
      const reads: Promise<void>[] = [];
      for (const ref of refs) {
        if (seen.has(ref.key)) continue;
        seen.add(ref.key);
        reads.push(this.storageAsync(ref));
      }
      const done = await Promise.allSettled(reads);
      const failed = done.find((d): d is PromiseRejectedResult => d.status === 'rejected');
      if (failed) throw failed.reason;
      return this.build(value);
    } finally {
      for (const b of this.bases.values()) b.dispose();
    }
  }

  /** Unpickles data.pkl: the value, with the storages it refers to (not read yet). */
  private parse(): { value: unknown; refs: StorageRef[] } {
    const refs: StorageRef[] = [];
    const r = this.reader;
    const bo = r.get(this.prefix + 'byteorder');
    if (bo) {
      const s = r.readEntry(bo).toString('latin1').trim();
      if (s !== 'little' && s !== 'big') throw new FormatError(`unknown byteorder '${s.slice(0, 20)}'`);
      this.bigEndian = s !== (os.endianness() === 'LE' ? 'little' : 'big');
    }
    const pklEntry = r.get(this.prefix + 'data.pkl')!;
    const pkl = r.readEntry(pklEntry);
    const storageTypes = new Map<string, string>();
    const value = unpickle(pkl, {
      persistentLoad: (pid) => {
        if (!(pid instanceof PyTuple) || pid.items.length !== 5 || pid.items[0] !== 'storage') {
          throw new FormatError(`unknown persistent id ${pyTypeName(pid)} (expected ('storage', type, key, location, numel))`);
        }
        const [, type, key, loc, numel] = pid.items;
        if (!(type instanceof PyGlobal) || !(type.name in STORAGE_DTYPES)) throw new FormatError(`the storage type ${pyTypeName(type)} is not a storage type`);
        const dtype = STORAGE_DTYPES[type.name];
        if (dtype === null) throw new FormatError(`storage type torch.${type.name} is not supported (sigprop has no such dtype)`);
        if (typeof key !== 'string' || typeof loc !== 'string') throw new FormatError('bad storage key or location in a persistent id');
        if (typeof numel !== 'number' || !Number.isInteger(numel) || numel < 0) throw new FormatError(`bad storage size ${pyTypeName(numel)} for storage '${key}'`);
        const prev = storageTypes.get(key);
        if (prev !== undefined && prev !== dtype) throw new FormatError(`storage '${key}' is used both as ${prev} and as ${dtype}`);
        storageTypes.set(key, dtype);
        const ref = new StorageRef(key, dtype, loc, numel);
        refs.push(ref);
        return ref;
      },
    });
    return { value, refs };
  }

  /** The loaded object, from the unpickled value and the storages read (this.bases). */
  private build(value: unknown): unknown {
    try {
      return this.convert(value, 0);
    } catch (e) {
      for (const t of this.made) t.dispose();
      throw e;
    }
  }

  private device(loc: string): Device {
    const m = this.mapLocation;
    let dev: unknown;
    if (m === undefined || m === null) dev = loc;
    else if (typeof m === 'string') dev = m;
    else if (typeof m === 'function') dev = m(loc) ?? loc;
    else dev = Object.prototype.hasOwnProperty.call(m, loc) ? m[loc] : loc;
    try {
      return toDevice(dev, 'mapLocation');
    } catch (e) {
      const why = (e as Error).message;
      throw new FormatError(`a storage was saved on '${loc}' and cannot be restored to '${String(dev)}' (${why}); pass { mapLocation: 'cpu' } to load it on the CPU`);
    }
  }

  /** The storage as a 1-d tensor of its dtype on its target device (read once per key). */
  private storage(ref: StorageRef): Tensor {
    const have = this.bases.get(ref.key);
    if (have) {
      if (this.baseDtypes.get(ref.key) !== ref.dtype) throw new FormatError(`storage '${ref.key}' is used with two dtypes`);
      return have;
    }
    const rec = this.record(ref);
    if (rec.stored) return this.keep(ref, rec.device, T(nativeRead(() => N.readStorage(...rec.args))));
    const raw = this.reader.readEntry(rec.entry);
    const bytes = raw.subarray(0, rec.nbytes);
    if (this.bigEndian && rec.esize > 1) swapBytes(bytes, rec.esize);
    return this.keep(ref, rec.device, tensorFromBytes(bytes, ref.dtype as DType));
  }

  private async storageAsync(ref: StorageRef): Promise<void> {
    const rec = this.record(ref);
    if (!rec.stored) {
      this.storage(ref);
      return;
    }
    const h = await nativeReadAsync(N.readStorageAsync(...rec.args));
    this.keep(ref, rec.device, T(h));
  }

  /** Where a storage's record is and how to read it (checked against its size and target device). */
  private record(ref: StorageRef) {
    const name = `${this.prefix}data/${ref.key}`;
    const entry = this.reader.get(name);
    if (!entry) throw new FormatError(`the record '${name}' of storage '${ref.key}' is missing`);
    const dtype = ref.dtype as DType;
    const esize = elementSize(dtype);
    const nbytes = ref.numel * esize;
    if (entry.size < nbytes) throw new FormatError(`storage '${ref.key}' (${ref.numel} x ${dtype}) needs ${nbytes} bytes, but its record '${name}' has ${entry.size}`);
    const device = this.device(ref.location);
    // a stored (uncompressed) record goes from the file straight into the tensor's memory (native/io.cpp)
    const stored = entry.method === 0 && entry.compressedSize === entry.size;
    const args = [this.reader.descriptor, stored ? this.reader.dataStart(entry) : 0, ref.numel, dtypeCode(dtype), entry.size, entry.crc, this.bigEndian && esize > 1] as const;
    return { entry, nbytes, esize, device, stored, args };
  }

  /** Records a read storage (moved to its device). */
  private keep(ref: StorageRef, device: Device, cpu: Tensor): Tensor {
    let base = cpu;
    if (device !== 'cpu') {
      try {
        base = cpu.to(device);
      } finally {
        cpu.dispose();
      }
    }
    this.bases.set(ref.key, base);
    this.baseDtypes.set(ref.key, ref.dtype);
    return base;
  }

  private tensor(ref: TensorRef): Tensor {
    const done = this.tensorMemo.get(ref);
    if (done) return done;
    const { storage, offset, size, stride } = ref;
    if (offset < 0) throw new FormatError(`a tensor has a negative storage offset ${offset}`);
    let numel = 1;
    let last = offset;
    for (let i = 0; i < size.length; i++) {
      if (size[i] < 0) throw new FormatError(`a tensor has a negative size ${JSON.stringify(size)}`);
      if (stride[i] < 0) throw new FormatError(`a tensor has a negative stride ${JSON.stringify(stride)}`);
      numel *= size[i];
      last += Math.max(size[i] - 1, 0) * stride[i];
    }
    if (numel > 0 && last >= storage.numel) {
      throw new FormatError(`a tensor of size ${JSON.stringify(size)}, stride ${JSON.stringify(stride)} and offset ${offset} needs ${last + 1} elements of storage '${storage.key}', which has ${storage.numel}`);
    }
    if (ref.requiresGrad && !isFloatingPoint(storage.dtype as DType)) throw new FormatError(`a ${storage.dtype} tensor is marked requires_grad`);
    const base = this.storage(storage);
    const t = noGrad(() => base.asStrided(size, stride, offset));
    this.made.push(t);
    if (ref.requiresGrad) t.requiresGrad_(true);
    this.tensorMemo.set(ref, t);
    return t;
  }

  private convert(v: unknown, depth: number): unknown {
    if (depth > MAX_DEPTH) throw new FormatError(`the data is nested more than ${MAX_DEPTH} levels deep`);
    if (v === null || typeof v !== 'object') return v;
    if (v instanceof PyFloat) return v.value;
    if (v instanceof Uint8Array) return v;
    if (v instanceof TensorRef) return this.tensor(v);
    if (v instanceof StorageRef) {
      // a bare storage: a 1-d tensor over all of it
      let t = this.tensorMemo.get(v);
      if (!t) {
        const base = this.storage(v);
        t = noGrad(() => base.asStrided([v.numel], [1], 0));
        this.made.push(t);
        this.tensorMemo.set(v, t);
      }
      return t;
    }
    const seen = this.memo.get(v);
    if (seen !== undefined) return seen;
    if (v instanceof PyList || v instanceof PyTuple) {
      const out: unknown[] = [];
      this.memo.set(v, out);
      for (const x of v.items) out.push(this.convert(x, depth + 1));
      return out;
    }
    if (v instanceof PySet) {
      const out = new Set<unknown>();
      this.memo.set(v, out);
      for (const x of v.items) out.add(this.convert(x, depth + 1));
      return out;
    }
    if (v instanceof PyDict) {
      const jsKeys: string[] = [];
      let plain = true;
      const names = new Set<string>();
      for (const k of v.keys) {
        let s: string;
        if (typeof k === 'string') s = k;
        else if (typeof k === 'number' || typeof k === 'bigint') s = String(k);
        else {
          plain = false;
          break;
        }
        if (names.has(s)) {
          plain = false;
          break;
        }
        names.add(s);
        jsKeys.push(s);
      }
      let out: Record<string, unknown> | Map<unknown, unknown>;
      if (plain) {
        const o: Record<string, unknown> = {};
        this.memo.set(v, o);
        v.values.forEach((x, i) => {
          Object.defineProperty(o, jsKeys[i], { value: this.convert(x, depth + 1), enumerable: true, writable: true, configurable: true });
        });
        out = o;
        const order = Object.keys(o);
        ORIGIN.set(o, order.every((k, i) => k === jsKeys[i]) ? { ordered: v.ordered } : { ordered: v.ordered, keys: jsKeys });
      } else {
        const m = new Map<unknown, unknown>();
        this.memo.set(v, m);
        v.keys.forEach((k, i) => m.set(this.convert(k, depth + 1), this.convert(v.values[i], depth + 1)));
        out = m;
      }
      if (v.attrs) {
        const i = v.attrs.keys.indexOf('_metadata');
        if (i >= 0) Object.defineProperty(out, '_metadata', { value: this.convert(v.attrs.values[i], depth + 1), enumerable: false, writable: true, configurable: true });
      }
      return out;
    }
    if (v instanceof PyGlobal) throw new FormatError(`the data contains the Python object ${v} itself, which has no JS equivalent`);
    throw new FormatError(`cannot convert a ${pyTypeName(v)}`);
  }
}

function wrapLoadError(path: string, e: unknown): Error {
  if (e instanceof CheckpointError || e instanceof OutOfMemoryError) return e;
  if (e instanceof FormatError) return new CheckpointError(path, e.message, { cause: e });
  if (e instanceof Error && (e as NodeJS.ErrnoException).code && (e as NodeJS.ErrnoException).syscall) return e; // ENOENT etc.
  return new CheckpointError(path, `cannot load the checkpoint: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

function openForRead(path: string, fn: string): { fd: number; size: number } {
  if (typeof path !== 'string' || path === '') throw new TypeError(`${fn}(): 'path' must be a non-empty string, got ${describe(path)}`);
  const fd = fs.openSync(path, 'r');
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new CheckpointError(path, 'not a regular file');
    return { fd, size: st.size };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/**
 * torch.load(path, { mapLocation }): reads a checkpoint written by PyTorch's torch.save (PyTorch
 * >= 1.6, the ZIP format) or by {@link save}. Tensors that shared a storage when saved share one
 * again (views of one storage). Throws CheckpointError for a corrupt, truncated or unsupported
 * file, including pickles that reference Python globals other than PyTorch's tensor machinery.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- whatever was pickled (Python's torch.load returns Any); unknown would force casts on every caller
export function load(path: string, options?: LoadOptions): any {
  const { fd, loader } = openLoader(path, options, 'load');
  try {
    return loader.run();
  } catch (e) {
    throw wrapLoadError(path, e);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * load() with the storages read off the JS thread (libuv's thread pool, several at once): the event
 * loop keeps running while a large checkpoint loads. Resolves to what load() returns; the tensors
 * belong to the scope that awaits it, as after any await inside torch.scope.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as load(): whatever was pickled
export async function loadAsync(path: string, options?: LoadOptions): Promise<any> {
  const { fd, loader } = openLoader(path, options, 'loadAsync');
  try {
    return await loader.runAsync();
  } catch (e) {
    throw wrapLoadError(path, e);
  } finally {
    fs.closeSync(fd);
  }
}

/** Opens a checkpoint and checks what it is: the file descriptor and a Loader for it. */
function openLoader(path: string, options: LoadOptions | undefined, fn: string): { fd: number; loader: Loader } {
  if (options !== undefined && options !== null) {
    checkKeys(fn, options, ['mapLocation']);
    const m = options.mapLocation;
    if (m !== undefined && m !== null && typeof m !== 'string' && typeof m !== 'function' && !isKw(m)) {
      throw new TypeError(`${fn}(): 'mapLocation' must be a device string, an object mapping saved locations to devices, or a function, got ${describe(m)}`);
    }
  }
  const { fd, size } = openForRead(path, fn);
  try {
    const head = readHead(fd, 16);
    const isZip = head.length >= 4 && head.readUInt32LE(0) === 0x04034b50;
    const isEmptyZip = head.length >= 4 && head.readUInt32LE(0) === 0x06054b50;
    if (!isZip && !isEmptyZip) {
      if (head.length === 0) throw new CheckpointError(path, 'the file is empty');
      if (head[0] === 0x80) {
        throw new CheckpointError(path, "this is a checkpoint in PyTorch's legacy (non-ZIP) format, written by PyTorch < 1.6 or with " +
          '_use_new_zipfile_serialization=False, which sigprop does not read; re-save it with a newer PyTorch: ' +
          "torch.save(torch.load('old.pt'), 'new.pt')");
      }
      if (head.length >= 9 && head[8] === 0x7b && head.readBigUInt64LE(0) < BigInt(size)) {
        throw new CheckpointError(path, 'this looks like a safetensors file; read it with loadSafetensors()');
      }
      throw new CheckpointError(path, 'not a PyTorch checkpoint (no ZIP signature at the start of the file)');
    }
    const reader = new ZipReader(fd, size);
    const pkls = reader.entries.filter((e) => /^[^/]*\/data\.pkl$/.test(e.name));
    if (pkls.length === 0) {
      throw new CheckpointError(path, `no '<archive>/data.pkl' record in the ZIP (records: ${reader.entries.slice(0, 5).map((e) => e.name).join(', ') || 'none'}${reader.entries.length > 5 ? ', ...' : ''}): not a torch.save checkpoint`);
    }
    const first = reader.entries[0].name.split('/')[0] + '/';
    const prefix = pkls.some((e) => e.name === first + 'data.pkl') ? first : pkls[0].name.slice(0, -'data.pkl'.length);
    if (reader.get(prefix + 'constants.pkl')) {
      throw new CheckpointError(path, 'this is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; save its state_dict() with torch.save in Python');
    }
    return { fd, loader: new Loader(reader, prefix, options?.mapLocation as LoadOptions['mapLocation']) };
  } catch (e) {
    fs.closeSync(fd);
    throw wrapLoadError(path, e);
  }
}

// ---- safetensors ------------------------------------------------------------------------------------------------
const ST_FROM: Record<string, DType> = {
  F64: 'float64', F32: 'float32', F16: 'float16', BF16: 'bfloat16', I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};
const ST_TO: Record<DType, string> = {
  float64: 'F64', float32: 'F32', float16: 'F16', bfloat16: 'BF16', int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL',
};
/** The reference implementation's dtype order (it writes tensors by descending order, then by name). */
const ST_ORDER = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'];
const ST_MAX_HEADER = 100_000_000;

/**
 * Writes tensors in the safetensors format (atomically): an 8-byte little-endian header size, a
 * JSON header ({name: {dtype, shape, data_offsets}}, plus `__metadata__` when given), padded with
 * spaces to 8 bytes, then the row-major data. The layout is the reference implementation's (sorted
 * by dtype size, descending, then by name), so the bytes match what Python's safetensors writes.
 */
export function saveSafetensors(tensors: Record<string, Tensor>, path: string, metadata?: Record<string, string> | null): void {
  if (!isKw(tensors)) throw new TypeError(`saveSafetensors(): 'tensors' must be a plain object of Tensors, got ${describe(tensors)}`);
  const names = Object.keys(tensors);
  for (const n of names) {
    const t = tensors[n];
    if (!(t instanceof Tensor)) throw new TypeError(`saveSafetensors(): tensors['${n}'] must be a Tensor, got ${describe(t)}`);
    if (t.isDisposed) throw new TypeError(`saveSafetensors(): tensors['${n}'] is disposed`);
    if (n === '__metadata__') throw new TypeError("saveSafetensors(): '__metadata__' is reserved and cannot name a tensor");
  }
  if (metadata !== undefined && metadata !== null) {
    if (!isKw(metadata)) throw new TypeError(`saveSafetensors(): 'metadata' must be a plain object of strings, got ${describe(metadata)}`);
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new TypeError(`saveSafetensors(): metadata['${k}'] must be a string, got ${describe(v)}`);
  }
  const infos = names.map((n) => {
    const t = tensors[n];
    const shape = t.shape;
    return { name: n, nameBytes: Buffer.from(n, 'utf8'), t, st: ST_TO[t.dtype], shape, nbytes: shape.reduce((a, b) => a * b, 1) * elementSize(t.dtype) };
  });
  infos.sort((a, b) => ST_ORDER.indexOf(b.st) - ST_ORDER.indexOf(a.st) || Buffer.compare(a.nameBytes, b.nameBytes));
  const parts: string[] = [];
  if (metadata !== undefined && metadata !== null) parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  let offset = 0;
  for (const i of infos) {
    parts.push(`${JSON.stringify(i.name)}:{"dtype":"${i.st}","shape":[${i.shape.join(',')}],"data_offsets":[${offset},${offset + i.nbytes}]}`);
    offset += i.nbytes;
  }
  let header = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const pad = (8 - (header.length % 8)) % 8;
  if (pad) header = Buffer.concat([header, Buffer.alloc(pad, 0x20)]);
  atomicWrite(path, (sink) => {
    const n = Buffer.alloc(8);
    n.writeBigUInt64LE(BigInt(header.length));
    sink(n);
    sink(header);
    for (const i of infos) {
      const b = i.t.toBuffer();
      if (b.length !== i.nbytes) throw new Error(`saveSafetensors(): tensor '${i.name}' gave ${b.length} bytes, expected ${i.nbytes}`);
      sink(b);
    }
  });
}

interface StEntry { name: string; dtype: DType; shape: number[]; begin: number; end: number }

function readSafetensorsHeader(path: string, fd: number, size: number): { entries: StEntry[]; metadata: Record<string, string> | null; dataStart: number } {
  const bad = (why: string): never => {
    throw new CheckpointError(path, why);
  };
  if (size < 8) bad(`the file is too short to be a safetensors file (${size} bytes)`);
  const nb = Buffer.alloc(8);
  fs.readSync(fd, nb, 0, 8, 0);
  const n64 = nb.readBigUInt64LE(0);
  if (n64 > BigInt(ST_MAX_HEADER)) bad(`the header size ${n64} is larger than the 100 MB limit (corrupt file?)`);
  const n = Number(n64);
  if (8 + n > size) bad(`the header size ${n} runs past the end of the file (${size} bytes): truncated or corrupt`);
  const hb = Buffer.alloc(n);
  if (n && fs.readSync(fd, hb, 0, n, 8) !== n) bad('short read of the header');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(hb);
  } catch {
    return bad('the header is not valid UTF-8');
  }
  if (!text.startsWith('{')) bad("the header does not start with '{'");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return bad(`the header is not valid JSON: ${(e as Error).message}`);
  }
  if (!isKw(json)) bad('the header is not a JSON object');
  const obj = json as Record<string, unknown>;
  let metadata: Record<string, string> | null = null;
  const entries: StEntry[] = [];
  for (const [name, info] of Object.entries(obj)) {
    if (name === '__metadata__') {
      if (info === null) continue;
      if (!isKw(info)) bad('__metadata__ is not an object of strings');
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) if (typeof v !== 'string') bad(`__metadata__['${k}'] is not a string`);
      metadata = { ...(info as Record<string, string>) };
      continue;
    }
    if (!isKw(info)) bad(`the entry for '${name}' is not an object`);
    const { dtype, shape, data_offsets: offs } = info as Record<string, unknown>;
    if (typeof dtype !== 'string') bad(`tensor '${name}' has no dtype`);
    const dt = ST_FROM[dtype as string];
    if (!dt) bad(`tensor '${name}' has dtype '${String(dtype).slice(0, 20)}', which is ${ST_ORDER.includes(dtype as string) ? 'not supported by sigprop' : 'unknown'} (supported: ${Object.keys(ST_FROM).join(' ')})`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) bad(`tensor '${name}' has a bad shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isSafeInteger(d) && d >= 0)) bad(`tensor '${name}' has bad data_offsets ${JSON.stringify(offs)}`);
    const [begin, end] = offs as number[];
    const nbytes = (shape as number[]).reduce((a, b) => a * b, 1) * elementSize(dt);
    if (end < begin || end - begin !== nbytes) bad(`tensor '${name}' (${dtype} ${JSON.stringify(shape)}, ${nbytes} bytes) has data_offsets [${begin}, ${end}]`);
    entries.push({ name, dtype: dt, shape: shape as number[], begin, end });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) bad(`the data of tensor '${e.name}' starts at ${e.begin}, expected ${at} (overlapping tensors or a hole in the data)`);
    at = e.end;
  }
  if (8 + n + at !== size) {
    bad(8 + n + at > size
      ? `the tensors need ${at} bytes of data, but the file has ${size - 8 - n}: truncated`
      : `the file has ${size - 8 - n - at} bytes after the last tensor (corrupt file)`);
  }
  return { entries, metadata, dataStart: 8 + n };
}

/** The header of a safetensors file without loading the tensors: `__metadata__` and each tensor's dtype and shape. */
export function safetensorsMetadata(path: string): { metadata: Record<string, string> | null; tensors: Record<string, { dtype: DType; shape: number[] }> } {
  const { fd, size } = openForRead(path, 'safetensorsMetadata');
  try {
    const { entries, metadata } = readSafetensorsHeader(path, fd, size);
    const tensors: Record<string, { dtype: DType; shape: number[] }> = {};
    for (const e of entries) Object.defineProperty(tensors, e.name, { value: { dtype: e.dtype, shape: e.shape }, enumerable: true, writable: true, configurable: true });
    return { metadata, tensors };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads a safetensors file: { name: Tensor } in the file's order. Every tensor is validated against
 * the header (dtype, shape, offsets covering the data exactly) before anything is created.
 */
export function loadSafetensors(path: string, options?: { device?: Device }): Record<string, Tensor> {
  if (options !== undefined && options !== null) {
    checkKeys('loadSafetensors', options, ['device']);
  }
  const device = options?.device === undefined || options.device === null ? 'cpu' : toDevice(options.device, 'device');
  const { fd, size } = openForRead(path, 'loadSafetensors');
  const made: Tensor[] = [];
  try {
    const { entries, dataStart } = readSafetensorsHeader(path, fd, size);
    entries.sort((a, b) => a.begin - b.begin);
    const out: Record<string, Tensor> = {};
    for (const e of entries) {
      const len = e.end - e.begin;
      const buf = Buffer.allocUnsafe(len);
      let done = 0;
      while (done < len) {
        const k = fs.readSync(fd, buf, done, len - done, dataStart + e.begin + done);
        if (k <= 0) throw new CheckpointError(path, `unexpected end of file in tensor '${e.name}'`);
        done += k;
      }
      const flat = tensorFromBytes(buf, e.dtype);
      let t: Tensor;
      try {
        const v = flat.view(e.shape);
        if (device === 'cpu') t = v;
        else {
          try {
            t = v.to(device);
          } finally {
            v.dispose();
          }
        }
      } finally {
        flat.dispose();
      }
      made.push(t);
      Object.defineProperty(out, e.name, { value: t, enumerable: true, writable: true, configurable: true });
    }
    return out;
  } catch (e) {
    for (const t of made) t.dispose();
    throw e instanceof CheckpointError || e instanceof OutOfMemoryError || (e instanceof Error && (e as NodeJS.ErrnoException).syscall)
      ? e
      : new CheckpointError(path, `cannot load the safetensors file: ${(e as Error).message}`, { cause: e });
  } finally {
    fs.closeSync(fd);
  }
}
