/**
 * torch.optim / torch.optim.lr_scheduler against PyTorch 1.13 (goldens: /usr/bin/python3 test/golden/make_optim.py).
 *
 * Every optimizer case trains the same small model (x -> tanh(x @ w1) @ w2 + b, mean squared error)
 * for 50 steps with foreach = false (the single-tensor path) and foreach = true (the multi-tensor
 * _foreach_ path), and must give PyTorch's losses and final parameters exactly (bitwise). The state
 * dict after 5 steps must be PyTorch's (layout, keys, values), and resuming from it (ours or
 * PyTorch's) must continue the same trajectory. Schedulers must give PyTorch's learning rates (and
 * momenta) exactly.
 */
import * as fs from 'fs';
import * as torch from '../lib/torch';
import type { Tensor } from '../lib/torch';
import * as optim from '../lib/torch/optim';
import { singleTensorAdam, adamFusedAvailable, AdamLists } from '../lib/torch/optim/adam';
import { readGolden, TORCH_SERIES } from './helpers/golden';

type Json = any;
const G: Json = readGolden('optim.json');
const STEPS: number = G.steps;
const RESUME_AT: number = G.resume_at;

torch.setNumThreads(1);

// ---- decoding the golden file -----------------------------------------------------------------------------
function num(v: Json): number {
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === 'nan') return NaN;
  return v;
}
function isTensorSpec(v: Json): boolean {
  return v !== null && typeof v === 'object' && v.__tensor__ === true;
}
function buildTensor(s: Json): Tensor {
  return torch.tensor(Float64Array.from(s.values, num), { dtype: s.dtype }).reshape(s.shape);
}
/** Golden data -> JS values: tensors, 'inf' strings -> numbers. */
function decode(v: Json): Json {
  if (isTensorSpec(v)) return buildTensor(v);
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === 'object') {
    const o: Json = {};
    for (const k of Object.keys(v)) o[k] = decode(v[k]);
    return o;
  }
  return num(v);
}
function camel(k: string): string {
  return k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
function camelKeys(o: Json): Json {
  const r: Json = {};
  for (const k of Object.keys(o ?? {})) r[camel(k)] = o[k];
  return r;
}

/** Differences between a JS value and a golden one (tensors bitwise, numbers with Object.is, key order too). */
function diff(actual: Json, expected: Json, label: string, out: string[] = []): string[] {
  if (isTensorSpec(expected)) {
    if (!(actual instanceof torch.Tensor)) return out.push(`${label}: expected a tensor, got ${String(actual)}`), out;
    if (actual.dtype !== expected.dtype) out.push(`${label}: dtype ${actual.dtype} != ${expected.dtype}`);
    if (JSON.stringify(actual.shape) !== JSON.stringify(expected.shape)) out.push(`${label}: shape ${JSON.stringify(actual.shape)} != ${JSON.stringify(expected.shape)}`);
    const a = Array.from(actual.toTypedArray() as Float32Array, Number);
    const e = expected.values.map(num);
    let bad = 0;
    for (let i = 0; i < e.length; i++) if (!Object.is(a[i], e[i])) bad++;
    if (bad) out.push(`${label}: ${bad}/${e.length} values differ (first: ${a.find((x, i) => !Object.is(x, e[i]))} vs ${e.find((x: number, i: number) => !Object.is(a[i], x))})`);
    return out;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return out.push(`${label}: expected an array of ${expected.length}, got ${JSON.stringify(actual)}`), out;
    expected.forEach((e, i) => diff(actual[i], e, `${label}[${i}]`, out));
    return out;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return out.push(`${label}: expected an object, got ${String(actual)}`), out;
    const ak = Object.keys(actual);
    const ek = Object.keys(expected);
    if (JSON.stringify(ak) !== JSON.stringify(ek)) out.push(`${label}: keys ${JSON.stringify(ak)} != ${JSON.stringify(ek)}`);
    for (const k of ek) diff(actual[k], expected[k], `${label}.${k}`, out);
    return out;
  }
  const e = num(expected);
  if (!Object.is(actual, e)) out.push(`${label}: ${String(actual)} != ${String(e)}`);
  return out;
}

// ---- the model and the training loop (as make_optim.py) ------------------------------------------------
interface Case { name: string; cls: string; kwargs: Json; groups?: Json[]; neg?: boolean; closure?: boolean; alt_bias?: boolean; unused?: boolean; dtype?: string; runs: Json; sd5: Json; params5: Json[] }

function makeData(c: Case): { params: Tensor[]; x: Tensor; y: Tensor } {
  return torch.tidy(() => {
    const dt = c.dtype ?? 'float32';
    const m = G.model;
    const t = (s: Json): Tensor => buildTensor(s).to(dt).clone();
    const params = [t(m.w1), t(m.w2), t(m.b)];
    if (c.unused) params.push(t(m.u));
    return { params: params.map((p) => p.requiresGrad_()), x: t(m.x), y: t(m.y) };
  });
}

function objective(ps: Tensor[], c: Case, i: number, x: Tensor, y: Tensor): Tensor {
  const h = x.matmul(ps[0]).tanh().matmul(ps[1]);
  const loss = c.alt_bias && i % 2 === 1 ? h.sub(y).pow(2).mean() : h.add(ps[2]).sub(y).pow(2).mean();
  return c.neg ? loss.neg() : loss;
}

const CLASSES: Record<string, new (...a: any[]) => optim.Optimizer> = { SGD: optim.SGD, Adam: optim.Adam, AdamW: optim.AdamW, RMSprop: optim.RMSprop, Adagrad: optim.Adagrad };

function makeOpt(c: Case, params: Tensor[], foreach?: boolean): optim.Optimizer {
  const kw = camelKeys(c.kwargs);
  if (foreach !== undefined) kw.foreach = foreach;
  const arg = c.groups ? c.groups.map((g) => ({ ...camelKeys(g), params: g.params.map((j: number) => params[j]) })) : params;
  return new CLASSES[c.cls](arg, kw);
}

function train(c: Case, opt: optim.Optimizer, ps: Tensor[], x: Tensor, y: Tensor, start: number, steps: number): number[] {
  const setToNone = !!c.alt_bias;
  const losses: number[] = [];
  for (let i = start; i < start + steps; i++) {
    torch.tidy(() => {
      if (c.closure) {
        const loss = opt.step(() => {
          opt.zeroGrad(setToNone);
          const l = objective(ps, c, i, x, y);
          l.backward();
          return l;
        }) as Tensor;
        losses.push(loss.item() as number);
      } else {
        opt.zeroGrad(setToNone);
        const l = objective(ps, c, i, x, y);
        l.backward();
        losses.push(l.item() as number);
        opt.step();
      }
    });
  }
  return losses;
}

const cases: Case[] = G.optim;

describe(`optimizers match PyTorch ${TORCH_SERIES} bitwise (50-step trajectories)`, () => {
  for (const c of cases) {
    for (const foreach of [false, true]) {
      test(`${c.name} foreach=${foreach}`, () => {
        const before = torch.memory().numTensors;
        const problems = torch.tidy(() => {
          const { params, x, y } = makeData(c);
          const opt = makeOpt(c, params, foreach);
          const losses = train(c, opt, params, x, y, 0, STEPS);
          const gold = c.runs[String(foreach)];
          const p = diff(losses, gold.losses, 'losses');
          diff(params, gold.final, 'final', p);
          opt.dispose();
          return p;
        });
        expect(problems).toEqual([]);
        expect(torch.memory().numTensors).toBe(before);
      });
    }
  }
});

describe('state dicts: PyTorch layout, resume from ours and from PyTorch', () => {
  for (const c of cases) {
    test(`${c.name}: stateDict after ${RESUME_AT} steps is PyTorch's`, () => {
      const problems = torch.tidy(() => {
        const { params, x, y } = makeData(c);
        const opt = makeOpt(c, params);
        train(c, opt, params, x, y, 0, RESUME_AT);
        const p = diff(opt.stateDict(), c.sd5, 'stateDict');
        diff(params, c.params5, 'params5', p);
        opt.dispose();
        return p;
      });
      expect(problems).toEqual([]);
    });

    test(`${c.name}: loadStateDict(ours) into a fresh optimizer continues the trajectory`, () => {
      const before = torch.memory().numTensors;
      const problems = torch.tidy(() => {
        const { params, x, y } = makeData(c);
        const a = makeOpt(c, params);
        train(c, a, params, x, y, 0, RESUME_AT);
        const sd = a.stateDict();
        const b = makeOpt(c, params);
        b.loadStateDict(sd);
        a.dispose(); // b has its own copies
        const losses = train(c, b, params, x, y, RESUME_AT, STEPS - RESUME_AT);
        const gold = c.runs.false;
        const p = diff(losses, gold.losses.slice(RESUME_AT), 'losses');
        diff(params, gold.final, 'final', p);
        diff(b.stateDict().param_groups, c.sd5.param_groups, 'param_groups', p);
        b.dispose();
        return p;
      });
      expect(problems).toEqual([]);
      expect(torch.memory().numTensors).toBe(before);
    });

    test(`${c.name}: loadStateDict(PyTorch's state_dict) continues the trajectory`, () => {
      const problems = torch.tidy(() => {
        const { x, y } = makeData(c);
        const params: Tensor[] = c.params5.map((s) => buildTensor(s).requiresGrad_());
        // PyTorch's run went on with the same tensors, whose grads zero_grad() zeroed (or set to None)
        if (!c.alt_bias) for (const p of params) p.grad = torch.zerosLike(p);
        if (c.unused) params[3].grad = null;
        const opt = makeOpt(c, params);
        opt.loadStateDict(decode(c.sd5));
        const losses = train(c, opt, params, x, y, RESUME_AT, STEPS - RESUME_AT);
        const gold = c.runs.false;
        const p = diff(losses, gold.losses.slice(RESUME_AT), 'losses');
        diff(params, gold.final, 'final', p);
        opt.dispose();
        return p;
      });
      expect(problems).toEqual([]);
    });
  }
});

// ---- schedulers -----------------------------------------------------------------------------------------------
const S = optim.lrScheduler;
const LAMBDAS: Record<string, (e: number) => number> = {
  inv: (e) => 1.0 / (1 + e),
  step5: (e) => Math.floor(e / 5) * 0.1 + 1,
  lin: (e) => 1 - e / 100,
};

function schedOpt(kind: string): optim.Optimizer {
  const groups = [{ params: [torch.zeros(2, { requiresGrad: true })] }, { params: [torch.zeros(3, { requiresGrad: true })], lr: 0.01 }];
  if (kind === 'sgd') return new optim.SGD(groups, { lr: 0.1, momentum: 0.9 });
  if (kind === 'adam') return new optim.Adam(groups, { lr: 0.1 });
  if (kind === 'rmsprop') return new optim.RMSprop(groups, { lr: 0.1, momentum: 0.5 });
  throw new Error(kind);
}

type AnySched = optim.lrScheduler.LRScheduler | optim.lrScheduler.ReduceLROnPlateau;
function makeSched(opt: optim.Optimizer, spec: Json): AnySched {
  const kw = camelKeys(spec.kwargs);
  const a = spec.args ?? [];
  switch (spec.cls) {
    case 'StepLR': return new S.StepLR(opt, a[0], kw);
    case 'MultiStepLR': return new S.MultiStepLR(opt, a[0], kw);
    case 'ExponentialLR': return new S.ExponentialLR(opt, a[0], kw);
    case 'CosineAnnealingLR': return new S.CosineAnnealingLR(opt, a[0], kw);
    case 'LambdaLR': return new S.LambdaLR(opt, Array.isArray(spec.lambda) ? spec.lambda.map((l: string) => LAMBDAS[l]) : LAMBDAS[spec.lambda], kw);
    case 'LinearLR': return new S.LinearLR(opt, kw);
    case 'OneCycleLR': return new S.OneCycleLR(opt, a[0], kw);
    case 'ReduceLROnPlateau': return new S.ReduceLROnPlateau(opt, kw);
    default: throw new Error(spec.cls);
  }
}

const lrsOf = (opt: optim.Optimizer): number[] => opt.paramGroups.map((g) => g.lr);
const momentaOf = (opt: optim.Optimizer): number[] => opt.paramGroups.map((g) => (g.betas ? g.betas[0] : g.momentum));

function stepAll(opt: optim.Optimizer, scheds: AnySched[], metric: number | undefined): void {
  opt.step();
  for (const s of scheds) {
    if (s instanceof S.ReduceLROnPlateau) s.step(metric as number);
    else s.step();
  }
}

function ourSchedSD(s: AnySched): Json {
  const sd = s.stateDict();
  delete sd.anneal_strategy; // PyTorch 1.13 keeps a bound method (anneal_func) there instead
  return sd;
}

describe(`lr schedulers match PyTorch ${TORCH_SERIES} bitwise`, () => {
  for (const c of G.sched as Json[]) {
    test(c.name, () => {
      const problems = torch.tidy(() => {
        const opt = schedOpt(c.opt);
        if (c.prelude) {
          const s0 = makeSched(opt, c.prelude.spec) as optim.lrScheduler.LRScheduler;
          for (let i = 0; i < c.prelude.steps; i++) {
            opt.step();
            s0.step();
          }
        }
        const scheds = c.specs.map((sp: Json) => makeSched(opt, sp));
        const lrs = [lrsOf(opt)];
        const moms = [momentaOf(opt)];
        const p: string[] = [];
        let saved: { opt: optim.OptimizerStateDict; sched: Json[] } | undefined;
        for (let i = 0; i < c.steps; i++) {
          stepAll(opt, scheds, c.metrics ? num(c.metrics[i]) : undefined);
          lrs.push(lrsOf(opt));
          moms.push(momentaOf(opt));
          if (c.sd && i + 1 === c.sd.step) {
            saved = { opt: opt.stateDict(), sched: scheds.map(ourSchedSD) };
            diff(saved.sched, c.sd.sched, 'sched stateDict', p);
            diff(saved.opt.param_groups, c.sd.optim_groups, 'optimizer param_groups', p);
          }
        }
        diff(lrs, c.lrs, 'lrs', p);
        diff(moms, c.momenta, 'momenta', p);
        const last = scheds[scheds.length - 1];
        diff(last.getLastLr(), c.lrs[c.lrs.length - 1], 'getLastLr', p);
        if (c.overstep_error !== undefined) {
          let threw = false;
          try {
            (scheds[0] as optim.lrScheduler.LRScheduler).step();
          } catch (e) {
            threw = e instanceof RangeError;
          }
          if (threw !== c.overstep_error) p.push(`step past totalSteps: threw ${threw}`);
        }
        // resume at sd.step, from our state dicts and from PyTorch's
        if (c.sd) {
          for (const source of ['ours', 'pytorch']) {
            const opt2 = schedOpt(c.opt);
            const s2 = c.specs.map((sp: Json) => makeSched(opt2, sp));
            if (source === 'ours') {
              opt2.loadStateDict(saved!.opt);
              s2.forEach((s: AnySched, k: number) => s.loadStateDict(saved!.sched[k]));
            } else {
              opt2.loadStateDict({ state: {}, param_groups: decode(c.sd.optim_groups) });
              s2.forEach((s: AnySched, k: number) => s.loadStateDict(decode(c.sd.sched[k])));
            }
            const lrs2 = [];
            for (let i = c.sd.step; i < c.steps; i++) {
              stepAll(opt2, s2, c.metrics ? num(c.metrics[i]) : undefined);
              lrs2.push(lrsOf(opt2));
            }
            diff(lrs2, c.lrs.slice(c.sd.step + 1), `resumed (${source}) lrs`, p);
          }
        }
        return p;
      });
      expect(problems).toEqual([]);
    });
  }
});

// ---- API behaviour ----------------------------------------------------------------------------------------------
/** Each call must throw an instance of its class with a message matching its pattern. */
function expectErrors(bad: [() => unknown, ErrorConstructor, RegExp][]): void {
  for (const [f, cls, msg] of bad) {
    let err: unknown;
    try {
      f();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(cls);
    expect(String((err as Error).message)).toMatch(msg);
  }
}

describe('optimizer API', () => {
  const P = (): Tensor[] => [torch.zeros(2, 2, { requiresGrad: true }), torch.zeros(3, { requiresGrad: true })];

  test('positional arguments as in PyTorch, options camelCase, groups readable and writable', () => {
    torch.tidy(() => {
      const ps = P();
      const a = new optim.SGD(ps, 0.1, 0.9, 0, 0.01, true);
      expect(a.paramGroups[0]).toMatchObject({ lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0.01, nesterov: true, maximize: false, foreach: null });
      const b = new optim.Adam(ps, 0.01, [0.8, 0.9], { weightDecay: 0.1, amsgrad: true });
      expect(b.paramGroups[0]).toMatchObject({ lr: 0.01, betas: [0.8, 0.9], eps: 1e-8, weightDecay: 0.1, amsgrad: true });
      expect(new optim.AdamW(ps).paramGroups[0].weightDecay).toBe(0.01);
      expect(new optim.RMSprop(ps, 0.01, 0.9, 1e-6, 0, 0.5, true).paramGroups[0]).toMatchObject({ alpha: 0.9, eps: 1e-6, momentum: 0.5, centered: true });
      expect(new optim.Adagrad(ps, { lrDecay: 0.1 }).paramGroups[0]).toMatchObject({ lr: 0.01, lrDecay: 0.1, initialAccumulatorValue: 0, eps: 1e-10 });
      b.paramGroups[0].lr = 0.5;
      expect(b.stateDict().param_groups[0].lr).toBe(0.5);
      // PyTorch 2.x adds decoupled_weight_decay
      const adamKeys = ['lr', 'betas', 'eps', 'weight_decay', 'amsgrad', 'maximize', 'foreach', 'capturable', 'differentiable', 'fused', ...(TORCH_SERIES === '1.13' ? [] : ['decoupled_weight_decay']), 'params'];
      expect(Object.keys(b.stateDict().param_groups[0])).toEqual(adamKeys);
      expect(String(a)).toContain('Parameter Group 0');
      [a, b].forEach((o) => o.dispose());
    });
  });

  test('addParamGroup fills defaults; zeroGrad zeroes or sets to null; step(closure) returns the loss', () => {
    torch.tidy(() => {
      const [w, v] = P();
      const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
      opt.addParamGroup({ params: v, lr: 0.01 });
      expect(opt.paramGroups[1]).toMatchObject({ lr: 0.01, momentum: 0.9, params: [v] });
      expect(() => opt.addParamGroup({ params: [w] })).toThrow(RangeError);
      const loss = opt.step(() => {
        opt.zeroGrad();
        const l = w.sum().add(v.mul(2).sum());
        l.backward();
        return l;
      });
      expect(loss).toBeInstanceOf(torch.Tensor);
      expect(Array.from(v.toTypedArray())).toEqual([-0.019999999552965164, -0.019999999552965164, -0.019999999552965164]);
      expect(opt.state.get(w)!.momentum_buffer).toBeInstanceOf(torch.Tensor);
      opt.zeroGrad(false);
      expect(Array.from(w.grad!.toTypedArray())).toEqual([0, 0, 0, 0]);
      opt.zeroGrad({ setToNone: false } as any);
      expect(Array.from(w.grad!.toTypedArray())).toEqual([0, 0, 0, 0]);
      opt.zeroGrad();
      expect(w.grad).toBeNull(); // PyTorch >= 2.0's default
      expect(v.grad).toBeNull();
      opt.dispose();
      expect(opt.state.size).toBe(0);
    });
  });

  test('Adagrad creates its state in the constructor, as PyTorch', () => {
    torch.tidy(() => {
      const ps = P();
      const opt = new optim.Adagrad(ps, { initialAccumulatorValue: 0.5 });
      const sd = opt.stateDict();
      expect(Object.keys(sd.state)).toEqual(['0', '1']);
      expect(sd.state['0'].step.item()).toBe(0);
      expect(Array.from(sd.state['1'].sum.toTypedArray())).toEqual([0.5, 0.5, 0.5]);
      opt.dispose();
    });
  });

  test('bad arguments throw TypeError / RangeError naming the problem', () => {
    torch.tidy(() => {
      const ps = P();
      const bad: [() => unknown, ErrorConstructor, RegExp][] = [
        [() => new optim.SGD(ps, { lr: -0.1 }), RangeError, /Invalid learning rate: -0.1/],
        [() => new optim.SGD(ps, { lr: 0.1, momentum: -1 }), RangeError, /momentum/],
        [() => new optim.SGD(ps, { lr: 0.1, weightDecay: -1 }), RangeError, /weight_decay/],
        [() => new optim.SGD(ps, { lr: 0.1, nesterov: true }), RangeError, /Nesterov/],
        [() => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), RangeError, /Nesterov/],
        [() => new optim.SGD(ps, { lr: 0.1, foo: 1 } as any), TypeError, /unexpected keyword argument 'foo'/],
        [() => new optim.SGD(ps, { lr: 0.1, weight_decay: 0.1 } as any), TypeError, /weightDecay/],
        [() => new optim.SGD(ps, { lr: '0.1' } as any), TypeError, /'lr' must be a number/],
        [() => new optim.SGD(ps, 0.1, 0.9, 0, 0, false, true as any), TypeError, /positional/],
        [() => new optim.SGD(ps, { lr: 0.1, nesterov: 1 } as any), TypeError, /'nesterov' must be a boolean/],
        [() => new optim.SGD(ps, { lr: 0.1, foreach: 'yes' } as any), TypeError, /foreach/],
        [() => new optim.Adam(ps, { lr: -1 }), RangeError, /Invalid learning rate/],
        [() => new optim.Adam(ps, { lr: NaN }), RangeError, /Invalid learning rate/],
        [() => new optim.Adam(ps, { betas: [1.0, 0.999] }), RangeError, /beta parameter at index 0/],
        [() => new optim.Adam(ps, { betas: [0.9, -0.1] }), RangeError, /beta parameter at index 1/],
        [() => new optim.Adam(ps, { betas: [0.9] as any }), TypeError, /betas/],
        [() => new optim.Adam(ps, { eps: -1 }), RangeError, /epsilon/],
        [() => new optim.Adam(ps, { weightDecay: -1 }), RangeError, /weight_decay/],
        [() => new optim.Adam(ps, { capturable: true as any }), RangeError, /capturable/],
        [() => new optim.Adam(ps, { amsgrad: 'no' as any }), TypeError, /amsgrad/],
        [() => new optim.AdamW(ps, { betas: [0.9, 1] }), RangeError, /index 1/],
        [() => new optim.RMSprop(ps, { alpha: -1 }), RangeError, /alpha/],
        [() => new optim.RMSprop(ps, { momentum: -1 }), RangeError, /momentum/],
        [() => new optim.RMSprop(ps, { eps: -1 }), RangeError, /epsilon/],
        [() => new optim.Adagrad(ps, { lrDecay: -1 }), RangeError, /lr_decay/],
        [() => new optim.Adagrad(ps, { initialAccumulatorValue: -1 }), RangeError, /initial_accumulator_value/],
        [() => new optim.Adagrad(ps, { lr: 0.1, maximize: true, lr_decay: 1 } as any), TypeError, /lrDecay/],
        [() => new optim.SGD(ps[0] as any, { lr: 0.1 }), TypeError, /got a Tensor/],
        [() => new optim.SGD([], { lr: 0.1 }), RangeError, /empty parameter list/],
        [() => new optim.SGD([1, 2] as any, { lr: 0.1 }), TypeError, /can only optimize Tensors/],
        [() => new optim.SGD([ps[0].mul(2)], { lr: 0.1 }), RangeError, /non-leaf/],
        [() => new optim.SGD([{ params: [ps[0]] }, { params: [ps[0]] }], { lr: 0.1 }), RangeError, /more than one parameter group/],
        [() => new optim.SGD([{ params: [ps[0]], weight_decay: 1 }], { lr: 0.1 }), TypeError, /weightDecay/],
        [() => new optim.SGD([{ params: [ps[0]], lr: 'x' }], { lr: 0.1 }), TypeError, /'lr' must be a number/],
        [() => new optim.SGD(ps, { lr: 0.1 }).zeroGrad('yes' as any), TypeError, /setToNone/],
        [() => new optim.SGD(ps, { lr: 0.1 }).loadStateDict({ state: {}, param_groups: [] }), RangeError, /different number of parameter groups/],
        [() => new optim.SGD(ps, { lr: 0.1 }).loadStateDict({ state: {}, param_groups: [{ params: [0] }] }), RangeError, /doesn't match the size/],
        [() => new optim.SGD(ps, { lr: 0.1 }).step(5 as any), TypeError, /closure/],
      ];
      if (TORCH_SERIES === '1.13') {
        // what PyTorch 2.x changed: SGD's lr defaults to 1e-3 there, and AdamW takes fused
        bad.push([() => new optim.SGD(ps), RangeError, /required optimization parameter lr/]);
        bad.push([() => new optim.AdamW(ps, { fused: false } as any), TypeError, /unexpected keyword argument 'fused'/]);
      } else {
        bad.push([() => new optim.AdamW(ps, { fused: true } as any), RangeError, /fused/]);
      }
      expectErrors(bad);
    });
  });

  test('bad scheduler arguments throw TypeError / RangeError', () => {
    torch.tidy(() => {
      const opt = () => schedOpt('sgd');
      const bad: [() => unknown, ErrorConstructor, RegExp][] = [
        [() => new S.StepLR({} as any, 3), TypeError, /not an Optimizer/],
        [() => new S.StepLR(opt(), 0), RangeError, /stepSize/],
        [() => new S.StepLR(opt(), 1.5), TypeError, /stepSize/],
        [() => new S.StepLR(opt(), 3, { gama: 0.1 } as any), TypeError, /unexpected keyword argument 'gama'/],
        [() => new S.StepLR(opt(), 3, { lastEpoch: 5 }), RangeError, /initial_lr/],
        [() => new S.MultiStepLR(opt(), 5 as any), TypeError, /milestones/],
        [() => new S.LinearLR(opt(), { startFactor: 2 }), RangeError, /Starting multiplicative factor/],
        [() => new S.LinearLR(opt(), { endFactor: -1 }), RangeError, /Ending multiplicative factor/],
        [() => new S.CosineAnnealingLR(opt(), 0), RangeError, /TMax/],
        [() => new S.LambdaLR(opt(), [(e: number) => e]), RangeError, /Expected 2 lr_lambdas/],
        [() => new S.LambdaLR(opt(), 5 as any), TypeError, /lrLambda/],
        [() => new S.OneCycleLR(opt(), 0.1), RangeError, /totalSteps/],
        [() => new S.OneCycleLR(opt(), 0.1, { totalSteps: -5 }), RangeError, /positive integer totalSteps/],
        [() => new S.OneCycleLR(opt(), 0.1, { totalSteps: 10, annealStrategy: 'exp' as any }), RangeError, /annealStrategy/],
        [() => new S.OneCycleLR(opt(), 0.1, { totalSteps: 10, pctStart: 1.5 }), RangeError, /pctStart/],
        [() => new S.OneCycleLR(opt(), [0.1], { totalSteps: 10 }), RangeError, /expected 2 values for maxLr/],
        [() => new S.OneCycleLR(new optim.Adagrad([torch.zeros(1, { requiresGrad: true })]), 0.1, { totalSteps: 10 }), RangeError, /momentum/],
        [() => new S.ReduceLROnPlateau(opt(), { factor: 1 }), RangeError, /Factor should be < 1.0/],
        [() => new S.ReduceLROnPlateau(opt(), { mode: 'avg' as any }), RangeError, /mode/],
        [() => new S.ReduceLROnPlateau(opt(), { thresholdMode: 'x' as any }), RangeError, /threshold mode/],
        [() => new S.ReduceLROnPlateau(opt(), { minLr: [0.1] }), RangeError, /expected 2 min_lrs/],
        [() => new S.ReduceLROnPlateau(opt()).step('1' as any), TypeError, /metrics/],
        [() => (new S.StepLR(opt(), 3) as any).step(5), TypeError, /epoch/],
      ];
      expectErrors(bad);
    });
  });

  test('ReduceLROnPlateau accepts a one-element tensor metric', () => {
    torch.tidy(() => {
      const opt = schedOpt('sgd');
      const s = new S.ReduceLROnPlateau(opt, { patience: 0 });
      s.step(torch.tensor(1.0));
      s.step(torch.tensor(2.0));
      expect(s.getLastLr()).toEqual([0.010000000000000002, 0.001]);
    });
  });
});

// ---- memory -------------------------------------------------------------------------------------------------------
describe('Adam / AdamW single-tensor step: the fused CPU pass (native/optim.cpp) equals the op sequence', () => {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const avx2Fma = process.arch === 'x64' && /\bavx2\b/.test(cpuinfo) && /\bfma\b/.test(cpuinfo);

  test(`the fused pass is ${avx2Fma ? '' : 'not '}in use on this machine (x86-64 with AVX2 and FMA; jest pins ATen to AVX2)`, () => {
    expect(adamFusedAvailable()).toBe(avx2Fma);
  });

  const bytes = (t: Tensor): number[] => Array.from(new Uint8Array(t.toTypedArray().buffer));
  const listsFor = (p: Tensor): AdamLists => ({
    params: [p], grads: [torch.zerosLike(p)], expAvgs: [torch.zerosLike(p)], expAvgSqs: [torch.zerosLike(p)],
    maxExpAvgSqs: [torch.zerosLike(p)], stateSteps: [torch.tensor(0)],
  });
  const configs = [
    { amsgrad: false, maximize: false, weightDecay: 0, decoupled: false },
    { amsgrad: true, maximize: true, weightDecay: 0.01, decoupled: false },
    { amsgrad: false, maximize: false, weightDecay: 0.02, decoupled: true },
    { amsgrad: true, maximize: false, weightDecay: 0.1, decoupled: true },
  ];
  test('bit for bit: every tail length, every option, gradients from 1e-3 to 1e2 with inf and NaN entries, 5 steps', () => {
    const problems: string[] = [];
    torch.tidy(() => {
      torch.manualSeed(7);
      for (const c of configs) {
        for (const n of [1, 7, 8, 15, 16, 17, 31, 32, 33, 100, 4099]) {
          const p0 = torch.randn([n]);
          const fused = listsFor(p0.clone());
          const ops = listsFor(p0.clone());
          const a = { amsgrad: c.amsgrad, beta1: 0.9, beta2: 0.999, lr: 0.01, weightDecay: c.weightDecay, eps: 1e-8, maximize: c.maximize };
          for (let step = 0; step < 5; step++) {
            const g = Float32Array.from(torch.randn([n]).mul(10 ** (step - 3)).toTypedArray() as Float32Array);
            if (step === 4) {
              g[n - 1] = NaN;
              g[0] = n > 1 ? Infinity : g[0];
            }
            for (const l of [fused, ops]) l.grads[0].copy_(torch.tensor(g));
            singleTensorAdam(fused, a, c.decoupled);
            singleTensorAdam(ops, a, c.decoupled, true);
            const names = ['params', 'expAvgs', 'expAvgSqs', 'maxExpAvgSqs', 'stateSteps'] as const;
            for (const k of names) {
              if (bytes(fused[k][0]).join() !== bytes(ops[k][0]).join()) problems.push(`${JSON.stringify(c)} n=${n} step ${step}: ${k} differ`);
            }
          }
        }
      }
    });
    expect(problems).toEqual([]);
  });

  test('bumps the version counters as the in-place ops do (autograd still sees the parameter change)', () => {
    torch.tidy(() => {
      const w = torch.randn([16], { requiresGrad: true });
      const opt = new optim.Adam([w]);
      w.mul(w).sum().backward();
      const y = w.mul(w).sum(); // saves w for its backward
      opt.step();
      expect(() => y.backward()).toThrow(/modified by an inplace operation/);
      opt.dispose();
    });
  });
});

describe('memory', () => {
  test.each([['Adam'], ['AdamW']])('%s\'s single-tensor step reads the gradients natively: no handle per gradient', (name) => {
    const ps = [torch.randn([3, 4]).requiresGrad_(), torch.randn([4]).requiresGrad_(), torch.zeros([2]).requiresGrad_()];
    const opt = name === 'Adam' ? new optim.Adam(ps, { lr: 0.1 }) : new optim.AdamW(ps, { lr: 0.1 });
    const loss = (): Tensor => torch.tidy(() => ps[0].sum().add(ps[1].square().sum()));
    for (let i = 0; i < 2; i++) {
      opt.zeroGrad();
      const l = loss();
      l.backward();
      l.dispose();
      const before = torch.memory().numTensors;
      const w0 = ps[0].tolist();
      opt.step();
      expect(torch.memory().numTensors).toBe(before + (i === 0 ? 6 : 0)); // the first step creates the state (step, 2 moments) of the two parameters with gradients
      expect(ps[0].tolist()).not.toEqual(w0);
    }
    expect(ps[2].grad).toBeNull();
    expect(opt.state.has(ps[2])).toBe(false); // no gradient, no state (as in PyTorch)
    expect(ps[1].grad!.shape).toEqual([4]);
    opt.dispose();
    torch.dispose(ps);
  });

  const N_STEPS = 10000;
  const makers: [string, (ps: Tensor[]) => optim.Optimizer][] = [
    ['SGD', (ps) => new optim.SGD(ps, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-4 })],
    ['Adam', (ps) => new optim.Adam(ps, { lr: 1e-3, amsgrad: true, weightDecay: 1e-4 })],
    ['AdamW', (ps) => new optim.AdamW(ps, { lr: 1e-3, maximize: false })],
    ['RMSprop', (ps) => new optim.RMSprop(ps, { lr: 1e-3, centered: true, momentum: 0.5, weightDecay: 1e-4 })],
    ['Adagrad', (ps) => new optim.Adagrad(ps, { lr: 1e-2, lrDecay: 1e-3, weightDecay: 1e-4 })],
  ];
  for (const [name, make] of makers) {
    test(`${name}: ${N_STEPS} steps (forward, backward, step; both paths; with a scheduler) leak no tensor`, () => {
      const c = { name, neg: false } as unknown as Case;
      const start = torch.memory().numTensors;
      const { params, x, y } = makeData(c);
      const opt = make(params);
      const sched = new S.CosineAnnealingLR(opt, 100, { etaMin: 1e-5 });
      const one = (i: number): void =>
        torch.tidy(() => {
          opt.paramGroups[0].foreach = i % 2 === 1;
          opt.zeroGrad();
          objective(params, c, i, x, y).backward();
          opt.step();
          sched.step();
        });
      one(0);
      one(1);
      const base = torch.memory().numTensors;
      for (let i = 2; i < N_STEPS; i++) one(i);
      expect(torch.memory().numTensors).toBe(base);
      for (const p of params) expect(Number.isFinite(torch.tidy(() => p.sum().item() as number))).toBe(true);
      opt.dispose();
      torch.dispose([params, x, y]);
      expect(torch.memory().numTensors).toBe(start);
    });
  }
});
