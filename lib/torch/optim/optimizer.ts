/**
 * torch.optim.Optimizer: parameter groups, per-parameter state, zeroGrad, step, state dicts.
 *
 * The optimizers and schedulers follow the torch.optim of the loaded libtorch's PyTorch: 1.13's, or
 * 2.14's with a 2.x libtorch (`PT2`). Where the two differ (options and their defaults, state-dict
 * layouts, op sequences) the code branches on PT2 and says which version each branch follows.
 *
 * Options are PyTorch's names in camelCase (`weightDecay`), both as constructor keywords and as keys
 * of `paramGroups[i]` (plain objects: `opt.paramGroups[0].lr = 0.01` changes the learning rate).
 * State dicts are data in PyTorch's exact layout and snake_case key names (`weight_decay`, `exp_avg`),
 * so that a checkpoint can be read by Python's `optimizer.load_state_dict` and the other way round.
 *
 * Memory: state tensors are created with torch.keep() (no scope frees them) and are freed by
 * `dispose()` (or when `loadStateDict` replaces them). `step()` frees everything it creates.
 */
import { Tensor, op } from '../tensor';
import { isKw, bindArgs, bindStyle, byName, BindStyle, checkKeys, checkNumber, checkBool } from '../args';
import { tidy, keep, dispose as disposeAll } from '../memory';
import { tensor } from '../functions';
import { noGrad, enableGrad } from '../autograd';
import { describe } from '../errors';
import { N } from '../native';
import type { Handle } from '../native-api';
import { Foreach } from '../codes';
import { torchAtLeast } from '../version';

/** torch.optim as in PyTorch 2.14 (the 2.x this port follows) when the loaded libtorch is 2.x; else as in 1.13. */
export const PT2: boolean = torchAtLeast(2);


/** A parameter group as given to a constructor or addParamGroup: tensors plus per-group options (camelCase). */
export interface ParamGroup {
  params: Tensor[] | Tensor;
  [option: string]: unknown;
}

/** A parameter group as stored in `optimizer.paramGroups`: every option is present. */
export interface ResolvedParamGroup {
  params: Tensor[];
  lr: number;
  // any, as Python's dict: options are read and written without casts (`paramGroups[0].momentum * 2`)
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  [option: string]: any;
}

/** The state of one parameter: PyTorch's key names (`step`, `exp_avg`, `momentum_buffer`, ...). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Python's dict of tensors and numbers, read without casts
export type ParamState = Record<string, any>;

/**
 * PyTorch's state-dict layout: `state` maps a parameter's index (as a string key standing for a
 * Python int) to its state; `param_groups` holds every group's options (snake_case) and the
 * indices of its parameters.
 */
export interface OptimizerStateDict {
  state: Record<string, ParamState>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Python's dicts of mixed options, read without casts
  param_groups: Record<string, any>[];
}

/** The value of an option without a default (SGD's lr). */
export const required: unique symbol = Symbol('required');

// ---- helpers shared by the optimizers ------------------------------------------------------------
function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** 'weightDecay' -> 'weight_decay' (state-dict keys are Python's). */
export function toSnake(k: string): string {
  return k.replace(/([a-z0-9])([A-Z])/g, (_, a: string, b: string) => `${a}_${b.toLowerCase()}`);
}
/** 'weight_decay' -> 'weightDecay'. */
export function toCamel(k: string): string {
  return k.replace(/([a-zA-Z0-9])_([a-z0-9])/g, (_, a: string, b: string) => a + b.toUpperCase());
}

/** Python's binding, less trailing undefined arguments, with a hint for snake_case keys. */
const OPTIONS: BindStyle = bindStyle({
  trimUndefined: true,
  hint: (k, names) => (names.includes(toCamel(k)) ? ` (options are camelCase: '${toCamel(k)}')` : ''),
});

/**
 * Python-style binding of an optimizer's options (after its params): positional values for
 * `positional` names, then a trailing options object that may hold any of `positional` and
 * `keywordOnly`. Returns the options that were given.
 */
export function bindOptions(fn: string, args: unknown[], positional: readonly string[], keywordOnly: readonly string[]): Record<string, unknown> {
  const names = keywordOnly.length ? [...positional, ...keywordOnly] : positional;
  return byName(names, bindArgs(fn, args, names, 1, positional.length, OPTIONS));
}

export function checkForeach(fn: string, v: unknown): boolean | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'boolean') throw new TypeError(`${fn}(): 'foreach' must be a boolean or null, got ${describe(v)}`);
  return v;
}
export function checkBetas(fn: string, v: unknown): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || typeof v[1] !== 'number') {
    throw new TypeError(`${fn}(): 'betas' must be an array of two numbers, got ${describe(v)}`);
  }
  return [v[0], v[1]];
}
/**
 * Options this port accepts for state-dict compatibility but cannot enable (CUDA graphs, autograd
 * through step, fused kernels): false or null (Python's None, 2.x's default for `fused`); undefined
 * gives `dflt`.
 */
export function checkUnsupported(fn: string, name: string, v: unknown, dflt: false | null = false): false | null {
  if (v === undefined) return dflt;
  if (v === false || v === null) return v;
  checkBool(v, name, fn);
  throw new RangeError(`${fn}(): '${name}: true' is not supported by sigprop (only false)`);
}

/** Handles of a tensor list, for the _foreach_ operators. */
export function ids(ts: Tensor[]): number[] {
  return ts.map((t) => t._id);
}

/** The _foreach_ operators the multi-tensor paths use (one kernel per list on CUDA, a loop of the same ATen ops on CPU). */
export const FE = {
  neg: op<Handle[]>('_foreach_neg'),
  zero_: op('_foreach_zero_'),
  addScalar_: op('_foreach_add_', 'Scalar'),
  addTensor_: op('_foreach_add_', 'Tensor', 2), // 2.x
  lerpScalar_: op('_foreach_lerp_', 'Scalar', 2), // 2.x
  addScalar: op<Handle[]>('_foreach_add', 'Scalar'),
  addList_: op('_foreach_add_', 'List'),
  addList: op<Handle[]>('_foreach_add', 'List'),
  mulScalar_: op('_foreach_mul_', 'Scalar'),
  mulScalarList_: op('_foreach_mul_', 'ScalarList'),
  mulScalarList: op<Handle[]>('_foreach_mul', 'ScalarList'),
  mulList: op<Handle[]>('_foreach_mul', 'List'),
  divList: op<Handle[]>('_foreach_div', 'List'),
  addcmulScalar_: op('_foreach_addcmul_', 'Scalar'),
  addcmulScalar: op<Handle[]>('_foreach_addcmul', 'Scalar'),
  addcdivScalar_: op('_foreach_addcdiv_', 'Scalar'),
  sqrt: op<Handle[]>('_foreach_sqrt'),
  sqrt_: op('_foreach_sqrt_'),
  maximumList_: op('_foreach_maximum_', 'List'),
  divScalarList_: op('_foreach_div_', 'ScalarList'),
  addcdivScalarList_: op('_foreach_addcdiv_', 'ScalarList'),
};

/** torch._foreach_div_(tensors, scalars): the ScalarList overload (one multi-tensor kernel on CUDA). */
export function foreachDivScalarList_(ts: Tensor[], scalars: number[]): void {
  if (ts.length === 0) return;
  FE.divScalarList_([ids(ts), scalars], true);
}

/** torch._foreach_addcdiv_(self, t1, t2, scalars): the ScalarList overload. */
export function foreachAddcdivScalarList_(self: Tensor[], t1: Tensor[], t2: Tensor[], scalars: number[]): void {
  if (self.length === 0) return;
  FE.addcdivScalarList_([ids(self), ids(t1), ids(t2), scalars], true);
}

/** torch._foreach_mul_(tensors, scalars) (ScalarList). */
export function foreachMulScalarList_(ts: Tensor[], scalars: number[]): void {
  if (ts.length === 0) return;
  FE.mulScalarList_([ids(ts), scalars], true);
}

/**
 * PyTorch 2.x's step increment of the multi-tensor paths: for CPU steps (ours are, outside
 * capturable), `torch._foreach_add_(state_steps, torch.tensor(1.0, device="cpu"), alpha=1.0)`,
 * else `torch._foreach_add_(state_steps, 1)`.
 */
export function foreachIncrementSteps2(steps: Tensor[]): void {
  if (steps.length === 0) return;
  if (steps[0].isCuda) {
    FE.addScalar_([ids(steps), 1], true);
    return;
  }
  const one = tensor(1.0);
  FE.addTensor_([ids(steps), one._id, 1.0], true);
  one.dispose();
}

/** Wraps the handles an operator returned. */
export function wrap(hs: number[]): Tensor[] {
  return hs.map((h) => new Tensor(h));
}

function copyValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyValue);
  return v === undefined ? null : v;
}

function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

// ---- the base class ----------------------------------------------------------------------------

/**
 * Base class of the optimizers: `new Optimizer(params, defaults)` with params an array of tensors
 * or of parameter groups `{ params, ...options }`.
 */
export abstract class Optimizer {
  /** The default options (camelCase), used for options a group does not set. */
  readonly defaults: Record<string, unknown>;
  /** Per-parameter state (PyTorch's keys: step, exp_avg, ...); tensors in it belong to the optimizer. */
  state: Map<Tensor, ParamState>;
  /** The parameter groups; options are readable and writable (`paramGroups[0].lr = 1e-4`). */
  paramGroups: ResolvedParamGroup[];
  /** Number of step() calls (what lr schedulers check). Internal. */
  _stepCount = 0;

  constructor(params: Tensor[] | ParamGroup[] | Iterable<Tensor | ParamGroup>, defaults: Record<string, unknown>) {
    this.defaults = defaults;
    this.state = new Map();
    this.paramGroups = [];
    const name = this.constructor.name;
    if (params instanceof Tensor) {
      throw new TypeError(`${name}(): params argument given to the optimizer should be an array of Tensors or parameter groups, but got a Tensor`);
    }
    if (params === null || params === undefined || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`${name}(): params argument given to the optimizer should be an array of Tensors or parameter groups, but got ${describe(params)}`);
    }
    let groups = Array.from(params as Iterable<Tensor | ParamGroup>);
    if (groups.length === 0) throw new RangeError(`${name}(): optimizer got an empty parameter list`);
    if (!isKw(groups[0])) groups = [{ params: groups as Tensor[] }];
    for (const g of groups as ParamGroup[]) this.addParamGroup(g);
  }

  /** Checks a group option's type (the constructor checks values, as PyTorch does for its arguments). */
  protected _checkOption(key: string, value: unknown): void {
    const dflt = this.defaults[key];
    const fn = `${this.constructor.name}.addParamGroup`;
    if (key === 'betas') checkBetas(fn, value);
    else if (key === 'capturable' || key === 'differentiable' || key === 'fused') checkUnsupported(fn, key, value);
    else if (key === 'foreach') checkForeach(fn, value);
    else if (typeof dflt === 'number' || dflt === required) checkNumber(value, key, fn);
    else if (typeof dflt === 'boolean') checkBool(value, key, fn);
  }

  /** Adds a parameter group (`{ params, ...options }`); options it does not set take the defaults. */
  addParamGroup(paramGroup: ParamGroup): void {
    const name = this.constructor.name;
    if (!isKw(paramGroup)) throw new TypeError(`${name}.addParamGroup(): param group must be a plain object { params, ...options }, got ${describe(paramGroup)}`);
    let params: unknown = paramGroup.params;
    if (params instanceof Tensor) params = [params];
    else if (params instanceof Set) throw new TypeError('optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use an array instead.');
    else if (params !== null && params !== undefined && typeof (params as Iterable<unknown>)[Symbol.iterator] === 'function') params = Array.from(params as Iterable<unknown>);
    else throw new TypeError(`${name}.addParamGroup(): 'params' must be a Tensor or an array of Tensors, got ${describe(params)}`);
    const list = params as unknown[];
    for (const p of list) {
      if (!isTensor(p)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${describe(p)}`);
      if (p.isDisposed) throw new TypeError(`${name}(): one of the params is a disposed tensor`);
      if (!(p.isLeaf || p.retainsGrad)) throw new RangeError("can't optimize a non-leaf Tensor");
    }
    const group: ResolvedParamGroup = { params: list as Tensor[] } as ResolvedParamGroup;
    for (const k of Object.keys(paramGroup)) {
      if (k === 'params') continue;
      const v = paramGroup[k];
      if (!(k in this.defaults) && toCamel(k) in this.defaults && k !== toCamel(k)) {
        throw new TypeError(`${name}.addParamGroup(): unknown option '${k}' (options are camelCase: '${toCamel(k)}')`);
      }
      if (k in this.defaults && v !== undefined) this._checkOption(k, v);
      group[k] = Array.isArray(v) ? [...v] : v;
    }
    for (const [k, dflt] of Object.entries(this.defaults)) {
      if (group[k] !== undefined) continue;
      if (dflt === required) throw new RangeError(`parameter group didn't specify a value of required optimization parameter ${k}`);
      group[k] = Array.isArray(dflt) ? [...dflt] : dflt;
    }
    const ps = group.params;
    if (new Set(ps).size !== ps.length) {
      process.emitWarning('optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information');
    }
    const existing = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) existing.add(p);
    for (const p of ps) if (existing.has(p)) throw new RangeError('some parameters appear in more than one parameter group');
    this.paramGroups.push(group);
  }

  /**
   * Drops the gradients of all optimized tensors (sets them to null), PyTorch >= 2.0's default; with
   * setToNone = false, zeroes them in place instead (PyTorch 1.13's default). Training gives the
   * same numbers either way: the next backward() writes a fresh gradient instead of adding it to zeros.
   */
  zeroGrad(setToNone = true): void {
    if (isKw(setToNone)) {
      const o = checkKeys('zeroGrad', setToNone as unknown as Record<string, unknown>, ['setToNone']);
      setToNone = (o.setToNone ?? true) as boolean;
    }
    checkBool(setToNone, 'setToNone', 'zeroGrad');
    // one native call (native/optim.cpp): reset each gradient, or detach_ (or requiresGrad_(false))
    // and zero_ it; foreach: one _foreach_zero_ per device and dtype
    const foreach = this.defaults.foreach;
    N.zeroGrads(ids(this.paramGroups.flatMap((g) => g.params)), foreach === true ? Foreach.always : foreach === null || foreach === undefined ? Foreach.cuda : Foreach.never, setToNone);
  }

  /**
   * One optimization step. `closure` (optional) re-evaluates the model and returns the loss; it is
   * called with gradients enabled and its result is returned.
   */
  step<L = undefined>(closure?: () => L): L | undefined {
    if (closure !== undefined && closure !== null && typeof closure !== 'function') throw new TypeError(`step(): 'closure' must be a function, got ${describe(closure)}`);
    let loss: L | undefined;
    if (closure) loss = enableGrad(closure);
    noGrad(() =>
      tidy(() => {
        for (const group of this.paramGroups) this._stepGroup(group);
      }),
    );
    this._stepCount++;
    return loss;
  }

  /** The update of one group (without grad, inside a tidy). */
  protected abstract _stepGroup(group: ResolvedParamGroup): void;

  /** The multi-tensor path? `foreach` if set, else true when every parameter is on CUDA. */
  protected _useForeach(group: ResolvedParamGroup, params: Tensor[]): boolean {
    const f = group.foreach;
    if (f === true || f === false) return f;
    return params.length > 0 && params.every((p) => p.isCuda);
  }

  /** This parameter's state object (created empty when missing, like Python's defaultdict). */
  protected _stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = {}));
    return s;
  }

  /**
   * The state in PyTorch's layout: `{ state: { '0': {...} }, param_groups: [{ lr, ..., params: [0, 1] }] }`.
   * The tensors in it are the optimizer's own (not copies): read or save them, do not dispose them.
   */
  stateDict(): OptimizerStateDict {
    const mapping = new Map<Tensor, number>();
    let start = 0;
    const groups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> = {};
      for (const k of Object.keys(g)) if (k !== 'params') packed[toSnake(k)] = copyValue(g[k]);
      g.params.forEach((p, i) => {
        if (!mapping.has(p)) mapping.set(p, start + i);
      });
      packed.params = g.params.map((p) => mapping.get(p)!);
      start += g.params.length;
      return packed;
    });
    const state: Record<string, ParamState> = {};
    for (const [p, s] of this.state) {
      const idx = mapping.get(p);
      if (idx === undefined) continue;
      state[String(idx)] = { ...s };
    }
    return { state, param_groups: groups };
  }

  /**
   * Loads a state dict from stateDict() or from PyTorch (same layout and keys; parameter indices as
   * numbers or integer strings). Tensors are copied (cast to each parameter's floating dtype and
   * device, except `step`); the previous state is freed.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const name = this.constructor.name;
    if (stateDict === null || typeof stateDict !== 'object') throw new TypeError(`${name}.loadStateDict(): expected a state dict object, got ${describe(stateDict)}`);
    const savedGroups = stateDict.param_groups;
    const savedState = stateDict.state;
    if (!Array.isArray(savedGroups)) throw new TypeError(`${name}.loadStateDict(): 'param_groups' must be an array, got ${describe(savedGroups)}`);
    if (savedState === null || typeof savedState !== 'object') throw new TypeError(`${name}.loadStateDict(): 'state' must be an object, got ${describe(savedState)}`);
    const groups = this.paramGroups;
    if (groups.length !== savedGroups.length) throw new RangeError('loaded state dict has a different number of parameter groups');
    for (let i = 0; i < groups.length; i++) {
      const sp = savedGroups[i]?.params;
      if (!Array.isArray(sp)) throw new TypeError(`${name}.loadStateDict(): param_groups[${i}].params must be an array of indices`);
      if (sp.length !== groups[i].params.length) throw new RangeError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    }
    const idMap = new Map<string, Tensor>();
    for (let i = 0; i < groups.length; i++) savedGroups[i].params.forEach((id: unknown, j: number) => idMap.set(String(id), groups[i].params[j]));

    const entries: [string, unknown][] = savedState instanceof Map ? Array.from(savedState.entries(), ([k, v]) => [String(k), v]) : Object.entries(savedState);
    const newState = new Map<Tensor, ParamState>();
    tidy(() => {
      noGrad(() => {
        for (const [k, v] of entries) {
          const p = idMap.get(k);
          if (p === undefined) continue; // state not assigned to a parameter: kept by Python, unused
          const cast = (value: unknown, key?: string): unknown => {
            if (value instanceof Tensor) {
              let t = value.detach().clone();
              if (key !== 'step') {
                if (p.isFloatingPoint()) t = t.to(p.dtype);
                t = t.to(p.device);
              }
              return keep(t);
            }
            if (Array.isArray(value)) return value.map((x) => cast(x));
            if (value instanceof Map) return new Map(Array.from(value.entries(), ([a, b]) => [a, cast(b, String(a))]));
            if (isKw(value)) {
              const o: Record<string, unknown> = {};
              for (const [a, b] of Object.entries(value)) o[a] = cast(b, a);
              return o;
            }
            return value;
          };
          const s = cast(v) as ParamState;
          if (!isKw(s)) throw new TypeError(`${name}.loadStateDict(): state['${k}'] must be an object, got ${describe(v)}`);
          newState.set(p, s);
        }
      });
    });
    const newGroups: ResolvedParamGroup[] = savedGroups.map((sg: Record<string, unknown>, i: number) => {
      const g: Record<string, unknown> = {};
      for (const key of Object.keys(sg)) {
        if (key === 'params') continue;
        g[toCamel(key)] = copyValue(sg[key]);
      }
      for (const [key, dflt] of Object.entries(this.defaults)) if (!(key in g) && dflt !== required) g[key] = copyValue(dflt);
      g.params = groups[i].params;
      return g as ResolvedParamGroup;
    });
    // every state the optimizer will read must be there (else its step fails deep inside, or worse)
    for (let i = 0; i < groups.length; i++) {
      const need = this._requiredStateTensors(newGroups[i]);
      if (need.length === 0) continue;
      savedGroups[i].params.forEach((id: unknown, j: number) => {
        const p = groups[i].params[j];
        const st = newState.get(p);
        if (st === undefined || Object.keys(st).length === 0) return;
        for (const key of need) {
          const v = st[key];
          if (!(v instanceof Tensor) || v.isDisposed || !sameShape(v.shape, p.shape)) {
            const got = v instanceof Tensor && !v.isDisposed ? `shape [${v.shape.join(', ')}]` : describe(v);
            disposeState(newState);
            throw new TypeError(`${name}.loadStateDict(): state['${String(id)}'].${key} must be a tensor of the parameter's shape [${p.shape.join(', ')}], got ${got}`);
          }
        }
      });
    }
    const old = this.state;
    this.state = newState;
    this.paramGroups = newGroups;
    this._afterLoad();
    disposeState(old);
  }

  /** The tensors (of each parameter's shape) a parameter's non-empty state must hold for step() in this group. */
  protected _requiredStateTensors(group: ResolvedParamGroup): readonly string[] {
    void group;
    return [];
  }

  /** Fixes up a loaded state (PyTorch's __setstate__). */
  protected _afterLoad(): void {}

  /** Frees the optimizer's state tensors (the optimizer stays usable: state starts over). */
  dispose(): void {
    const old = this.state;
    this.state = new Map();
    disposeState(old);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** PyTorch's repr. */
  toString(): string {
    let s = `${this.constructor.name} (`;
    this.paramGroups.forEach((g, i) => {
      s += `\nParameter Group ${i}\n`;
      for (const k of Object.keys(g).sort()) if (k !== 'params') s += `    ${k}: ${fmt(g[k])}\n`;
    });
    return s + ')';
  }
}

function fmt(v: unknown): string {
  if (Array.isArray(v)) return `(${v.map(fmt).join(', ')})`;
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  return String(v);
}

function disposeState(state: Map<Tensor, ParamState>): void {
  const ts: Tensor[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Tensor) ts.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v instanceof Map) v.forEach(walk);
    else if (isKw(v)) Object.values(v).forEach(walk);
  };
  for (const s of state.values()) walk(s);
  disposeAll(ts);
}
