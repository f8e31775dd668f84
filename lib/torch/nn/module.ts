/**
 * nn.Module and nn.Parameter. A module's parameters, buffers and submodules are its own
 * properties: assigning a Parameter or a Module to a field registers it, in assignment order,
 * as Python's `__setattr__` does; buffers are registered with registerBuffer().
 */
import { Tensor, detachedHandle } from '../tensor';
import { isKw, checkBool } from '../args';
import { describe } from '../errors';
import { DTypeLike, toDType, toDevice, isDTypeName } from '../dtype';
import { keep, disposeOne } from '../memory';
import { noGrad } from '../autograd';
import { N } from '../native';
import { Foreach } from '../codes';

/** A Tensor that is a module parameter (requires grad by default); owned by its module, not by scopes. */
export class Parameter extends Tensor {
  /** new Parameter(data, requiresGrad = true): shares data's storage, like Python's nn.Parameter. */
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new TypeError(`Parameter(): 'data' must be a Tensor, got ${describe(data)}`);
    checkBool(requiresGrad, 'requiresGrad', 'Parameter');
    super(detachedHandle(data), false);
    this.requiresGrad_(requiresGrad);
  }
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

export interface StateDictOptions {
  prefix?: string;
  /** Return the parameters and buffers themselves instead of detached aliases. */
  keepVars?: boolean;
}
export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}
type StateDict = Record<string, Tensor>;

const INTERNAL = Symbol('sigprop.nn.module');
interface Internal {
  training: boolean;
  buffers: Set<string>;
  nonPersistent: Set<string>;
}

/** Base class of all layers and models. Subclasses write `forward` and assign submodules/parameters as fields. */
export class Module {
  declare readonly [INTERNAL]: Internal;

  constructor() {
    Object.defineProperty(this, INTERNAL, { value: { training: true, buffers: new Set(), nonPersistent: new Set() }, enumerable: false });
  }

  // ---- registration ----
  registerParameter(name: string, param: Parameter | null): void {
    checkName(name, 'registerParameter');
    if (param !== null && !(param instanceof Parameter)) throw new TypeError(`registerParameter(): cannot assign ${describe(param)} as parameter '${name}' (torch.nn.Parameter or null expected)`);
    (this as unknown as Record<string, unknown>)[name] = param;
  }
  /** Registers a tensor (or null) that is part of the module's state but not a parameter. */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    checkName(name, 'registerBuffer');
    if (tensor !== null && !(tensor instanceof Tensor)) throw new TypeError(`registerBuffer(): cannot assign ${describe(tensor)} as buffer '${name}' (torch.Tensor or null expected)`);
    if (tensor instanceof Parameter) throw new TypeError(`registerBuffer(): '${name}' is a Parameter; use registerParameter`);
    if (tensor !== null) keep(tensor);
    this[INTERNAL].buffers.add(name);
    if (persistent) this[INTERNAL].nonPersistent.delete(name);
    else this[INTERNAL].nonPersistent.add(name);
    (this as unknown as Record<string, unknown>)[name] = tensor;
  }
  registerModule(name: string, module: Module | null): void {
    checkName(name, 'registerModule');
    if (module !== null && !(module instanceof Module)) throw new TypeError(`registerModule(): ${describe(module)} is not a Module subclass`);
    (this as unknown as Record<string, unknown>)[name] = module;
  }
  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  /** Calls forward. Subclasses define forward(...) with whatever inputs they take. */
  forward(...inputs: unknown[]): unknown {
    void inputs;
    throw new TypeError(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  // ---- traversal (own enumerable properties, in insertion order) ----
  *_ownEntries(): Generator<[string, unknown]> {
    const self = this as unknown as Record<string, unknown>;
    for (const k of Object.keys(self)) yield [k, self[k]];
  }
  /** The child modules in insertion order, as an array (no generators: Sequential.forward runs this on every call). Internal. */
  _childModules(): Module[] {
    const self = this as unknown as Record<string, unknown>;
    const out: Module[] = [];
    for (const k of Object.keys(self)) {
      const v = self[k];
      if (v instanceof Module) out.push(v);
    }
    return out;
  }
  *namedChildren(): Generator<[string, Module]> {
    for (const [k, v] of this._ownEntries()) if (v instanceof Module) yield [k, v];
  }
  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }
  *namedModules(memo: Set<Module> = new Set(), prefix = '', removeDuplicate = true): Generator<[string, Module]> {
    if (removeDuplicate && memo.has(this)) return;
    if (removeDuplicate) memo.add(this);
    yield [prefix, this];
    for (const [name, m] of this.namedChildren()) yield* m.namedModules(memo, prefix ? `${prefix}.${name}` : name, removeDuplicate);
  }
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }
  *_ownParameters(): Generator<[string, Parameter]> {
    for (const [k, v] of this._ownEntries()) if (v instanceof Parameter) yield [k, v];
  }
  *_ownBuffers(): Generator<[string, Tensor]> {
    const buffers = this[INTERNAL].buffers;
    for (const [k, v] of this._ownEntries()) if (buffers.has(k) && v instanceof Tensor) yield [k, v];
  }
  /** PyTorch's _named_members: the members each module yields, with dotted names, each member once. */
  private _namedMembers<T extends Tensor>(members: (m: Module) => Iterable<[string, T]>, prefix: string, recurse: boolean, removeDuplicate: boolean): [string, T][] {
    const out: [string, T][] = [];
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(new Set(), prefix, removeDuplicate) : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [k, v] of members(m)) {
        if (removeDuplicate && seen.has(v)) continue;
        seen.add(v);
        out.push([mp ? `${mp}.${k}` : k, v]);
      }
    }
    return out;
  }
  /** [name, parameter] pairs with dotted names ('features.0.weight'), each parameter once. */
  namedParameters(prefix = '', recurse = true, removeDuplicate = true): [string, Parameter][] {
    return this._namedMembers((m) => m._ownParameters(), prefix, recurse, removeDuplicate);
  }
  /** The parameters (subclasses may override, as sigprop's modules do). */
  parameters(recurse = true): Tensor[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }
  namedBuffers(prefix = '', recurse = true, removeDuplicate = true): [string, Tensor][] {
    return this._namedMembers((m) => m._ownBuffers(), prefix, recurse, removeDuplicate);
  }
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, b]) => b);
  }

  // ---- modes ----
  get training(): boolean {
    return this[INTERNAL].training;
  }
  set training(mode: boolean) {
    this[INTERNAL].training = mode;
  }
  train(mode = true): this {
    checkBool(mode, 'mode', 'train');
    this[INTERNAL].training = mode;
    for (const m of this.children()) m.train(mode);
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }
  /**
   * zeroGrad(setToNone = true): drops every parameter's gradient (PyTorch >= 2.0's default for
   * Module.zero_grad); setToNone = false zeroes them in place (PyTorch 1.13's default).
   */
  zeroGrad(setToNone = true): void {
    checkBool(setToNone, 'setToNone', 'zeroGrad');
    N.zeroGrads(this.parameters().map((p) => p._id), Foreach.never, setToNone);
  }
  /** Calls fn on every submodule (children first) and then on this module. */
  apply(fn: (m: Module) => void): this {
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  /**
   * to(device), to(dtype), to(device, dtype): converts parameters and buffers in place (the same
   * Parameter objects keep living, as in PyTorch); a dtype applies to floating-point tensors only.
   */
  to(...args: unknown[]): this {
    let device: string | undefined;
    let dtype: DTypeLike | undefined;
    const opts = args.length && isKw(args[args.length - 1]) ? (args.pop() as Record<string, unknown>) : {};
    for (const k of Object.keys(opts)) if (k !== 'device' && k !== 'dtype') throw new TypeError(`to() got an unexpected keyword argument '${k}'`);
    if (opts.device !== undefined) device = toDevice(opts.device);
    if (opts.dtype !== undefined) dtype = toDType(opts.dtype);
    for (const a of args) {
      if (typeof a === 'string' && isDTypeName(a)) dtype = toDType(a);
      else if (typeof a === 'string') device = toDevice(a);
      else throw new TypeError(`to(): expected a device or a dtype, got ${describe(a)}`);
    }
    const convert = (t: Tensor): Tensor | null => {
      const wantDt = dtype !== undefined && t.isFloatingPoint() ? dtype : undefined;
      if ((device === undefined || t.device === device || (device === 'cuda' && t.device === 'cuda:0')) && (wantDt === undefined || t.dtype === toDType(wantDt))) return null;
      return t.to({ device: device ?? t.device, dtype: wantDt ?? t.dtype });
    };
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [, p] of m._ownParameters()) {
          const c = convert(p);
          if (c) {
            p.data = c;
            c.dispose();
          }
          const g = p.grad;
          if (g) {
            const cg = convert(g);
            if (cg) {
              g.data = cg;
              cg.dispose();
            }
          }
        }
        const self = m as unknown as Record<string, Tensor>;
        for (const [k, b] of m._ownBuffers()) {
          const c = convert(b);
          if (c) {
            self[k] = keep(c);
            b.dispose();
          }
        }
      }
    });
    return this;
  }
  cpu(): this { return this.to('cpu'); }
  cuda(device: number | string = 'cuda'): this { return this.to(typeof device === 'number' ? `cuda:${device}` : device); }
  float(): this { return this.to('float32'); }
  double(): this { return this.to('float64'); }
  half(): this { return this.to('float16'); }

  // ---- state ----
  /**
   * Parameters and persistent buffers by dotted name, in PyTorch's order. Values are detached
   * aliases (new tensors sharing storage: dispose them, or call inside a scope) unless keepVars.
   */
  stateDict(options: StateDictOptions = {}): StateDict {
    const { prefix = '', keepVars = false } = options;
    const out: StateDict = {};
    const visit = (m: Module, p: string): void => {
      for (const [k, v] of m._ownParameters()) out[p + k] = keepVars ? v : v.detach();
      const np = m[INTERNAL].nonPersistent;
      for (const [k, v] of m._ownBuffers()) if (!np.has(k)) out[p + k] = keepVars ? v : v.detach();
      for (const [k, c] of m.namedChildren()) visit(c, `${p}${k}.`);
    };
    visit(this, prefix);
    return out;
  }
  /** Copies values into the parameters and buffers; with strict, missing or unexpected keys throw. */
  loadStateDict(stateDict: Record<string, unknown>, strict = true): LoadResult {
    if (typeof stateDict !== 'object' || stateDict === null) throw new TypeError(`loadStateDict(): expected a state dict object, got ${describe(stateDict)}`);
    const own = this.stateDict({ keepVars: true });
    const missingKeys = Object.keys(own).filter((k) => !(k in stateDict));
    const unexpectedKeys = Object.keys(stateDict).filter((k) => !(k in own));
    const errors: string[] = [];
    if (strict) {
      if (unexpectedKeys.length) errors.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}.`);
      if (missingKeys.length) errors.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}.`);
    }
    for (const [k, t] of Object.entries(own)) {
      if (!(k in stateDict)) continue;
      const v = stateDict[k];
      if (!(v instanceof Tensor)) {
        errors.push(`While copying the parameter named "${k}", expected a Tensor in the state dict, got ${describe(v)}.`);
        continue;
      }
      const a = v.shape, b = t.shape;
      if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
        errors.push(`size mismatch for ${k}: copying a param with shape [${a.join(', ')}] from checkpoint, the shape in current model is [${b.join(', ')}].`);
      }
    }
    if (errors.length) throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    noGrad(() => {
      for (const [k, t] of Object.entries(own)) if (k in stateDict) t.copy_(stateDict[k] as Tensor);
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- lifetime ----
  /** Frees every parameter and buffer of this module and its submodules (and what each one's disposeOwned frees). */
  dispose(): void {
    for (const m of this.modules()) m.disposeOwned();
  }
  /**
   * For constructors: runs the initialization of what the constructor allocated (resetParameters);
   * if it throws, frees this module's tensors first, so that a failed `new` leaves nothing behind.
   */
  protected _initOrDispose(init: () => void): void {
    try {
      init();
    } catch (e) {
      this.dispose();
      throw e;
    }
  }
  /** Frees this module's own parameters and buffers; subclasses that own more (an optimizer) extend it. */
  protected disposeOwned(): void {
    for (const [, p] of this._ownParameters()) disposeOne(p);
    for (const [, b] of this._ownBuffers()) disposeOne(b);
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---- printing ----
  /** The class name printed by toString (Python's `type(self).__name__`). */
  reprName(): string {
    return this.constructor.name;
  }
  /** The part between the parentheses of this module's repr (override in layers). */
  extraRepr(): string {
    return '';
  }
  /** PyTorch's repr: `Net(\n  (fc): Linear(in_features=4, out_features=2, bias=True)\n)`. */
  toString(): string {
    const childLines: string[] = [];
    for (const [k, m] of this.namedChildren()) childLines.push(`(${k}): ${indent(m.toString(), 2)}`);
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    let main = `${this.reprName()}(`;
    const lines = [...extraLines, ...childLines];
    if (lines.length) {
      if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0];
      else main += '\n  ' + lines.join('\n  ') + '\n';
    }
    return main + ')';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function indent(s: string, n: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  return [lines[0], ...lines.slice(1).map((l) => ' '.repeat(n) + l)].join('\n');
}

function checkName(name: unknown, fn: string): void {
  if (typeof name !== 'string') throw new TypeError(`${fn}(): name must be a string, got ${describe(name)}`);
  if (name === '') throw new RangeError(`${fn}(): name can't be empty string ""`);
  if (name.includes('.')) throw new RangeError(`${fn}(): name can't contain ".", got '${name}'`);
}
