// The sigprop API (lib/sigprop): structure, semantics of signals / propagators / models / managers /
// losses / monitors, errors, the README's extension points, and memory. Numbers of the smaller
// pieces come from the original library (test/golden/sigprop_units.json, made by
// test/golden/make_sigprop_units.py); the 20-step training traces are in sigprop-parity.test.ts.
import * as sigprop from '../lib';
import { readGolden } from './helpers/golden';

const { torch } = sigprop;
const { nn, optim } = torch;
const F = nn.functional;
type Tensor = InstanceType<typeof torch.Tensor>;
type Module = InstanceType<typeof nn.Module>;
type Enc = { dtype: string; shape: number[]; values: (string | number)[] };

const units = readGolden('sigprop_units.json');

/** The golden scripts' input recipe: float32(sin(k * (i + 1)) * (1 + (i % 7) / 7)). */
function ramp(shape: number[], k = 1.0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(k * (i + 1)) * (1 + (i % 7) / 7);
  return torch.tidy(() => torch.tensor(v).float().view(shape));
}
function expectEnc(t: Tensor | null, e: Enc, what: string): void {
  expect(t).not.toBeNull();
  expect([what, t!.shape, t!.dtype]).toEqual([what, e.shape, e.dtype]);
  const got = Array.from(t!.toTypedArray() as ArrayLike<number | bigint>, Number);
  const want = e.values.map(Number);
  const bad = got.findIndex((v, i) => !Object.is(v, want[i]));
  expect([what, bad, got[bad], want[bad]]).toEqual([what, -1, undefined, undefined]);
}
const ctx6 = () => torch.tensor([1, 3, 1, 0, 2, 3], { dtype: 'int64' });

// An optimizer that records its calls (zeroGrad / step) into a shared log.
class LogOpt {
  constructor(public log: string[], public name: string) {}
  zeroGrad(): void { this.log.push(`${this.name}.zeroGrad`); }
  step(): void { this.log.push(`${this.name}.step`); }
}
// A module that records every call into a shared log, then applies a Linear.
class Rec extends nn.Module {
  declare lin: Module;
  constructor(public log: string[], public tag: string, inF: number, outF: number) {
    super();
    this.lin = new nn.Linear(inF, outF);
  }
  override forward(x: Tensor): Tensor {
    this.log.push(`${this.tag}(${x.requiresGrad ? 'grad' : 'nograd'},${x.shape.join('x')})`);
    return this.lin.forward(x) as Tensor;
  }
}

afterEach(() => {
  // every test frees what it creates; a leak shows up here as a failing count in the memory tests
});

describe('package structure: every public name of the original', () => {
  test('namespaces and names', () => {
    const names: Record<string, string[]> = {
      signals: ['Signal', 'Generator', 'Formatter', 'ProjectionContext', 'ProjectionContextInput', 'FixedDrawContext', 'LabelNumberToOnehot', 'DistinctBatchLabelsOnehot', 'DistinctBatchLabels', 'LabelVectorToNumber', 'functional'],
      propagators: ['Propagator', 'Learn', 'Loss', 'Identity', 'Fixed', 'Forward', 'signals', 'functional'],
      models: ['Model', 'Forward', 'LoopBack', 'ForwardLoopBack'],
      managers: ['Manager', 'Prepared', 'Preset'],
      loss: ['Loss', 'v1InputLabelDirect', 'v9InputTargetMaxAll', 'v14InputTargetMaxRand', 'v15InputTargetTopk', 'softTargetCrossEntropy', 'similarityFormat', 'similarityMatrixX', 'similarityMatrixXy', 'format2dim_', 'format4dim_', 'sim2dim_', 'sim4dim_', 'formatSim2dim_', 'formatSim4dim_'],
      monitors: ['Monitor', 'Group', 'loss'],
      functional: ['propagators', 'signals'],
      utils: ['shapeNumel'],
    };
    const lib = sigprop as unknown as Record<string, Record<string, unknown>>;
    for (const [ns, list] of Object.entries(names)) for (const n of list) expect([ns, n, lib[ns][n] !== undefined]).toEqual([ns, n, true]);
    for (const n of ['Learn', 'Loss', 'Fixed']) expect(typeof (sigprop.propagators.signals as Record<string, unknown>)[n]).toBe('function');
    for (const n of ['Loss', 'LabelMetrics']) expect(typeof (sigprop.monitors.loss as Record<string, unknown>)[n]).toBe('function');
    for (const n of ['identity', 'fixed', 'forward']) expect(typeof (sigprop.functional.propagators as Record<string, unknown>)[n]).toBe('function');
    for (const n of ['labelNumberToOnehot', 'distinctBatchLabelsOnehot', 'distinctBatchLabels', 'labelVectorToNumber']) expect(typeof (sigprop.functional.signals as Record<string, unknown>)[n]).toBe('function');
    expect(sigprop.signals.functional).toBe(sigprop.functional.signals);
    expect(sigprop.propagators.functional).toBe(sigprop.functional.propagators);
    // the same short names mean different things in different namespaces, as in Python
    expect(sigprop.propagators.Loss).not.toBe(sigprop.propagators.signals.Loss);
    expect(sigprop.loss.Loss).not.toBe(sigprop.monitors.loss.Loss);
    for (const C of [sigprop.signals.Signal, sigprop.propagators.Propagator, sigprop.models.Model, sigprop.loss.Loss]) expect(new (C as unknown as new (...a: unknown[]) => unknown)(...(C === sigprop.models.Model ? [new nn.Identity(), new nn.Identity()] : []))).toBeInstanceOf(sigprop.SPModule);
    expect(sigprop.module.SPModule).toBe(sigprop.SPModule);
    expect(new sigprop.signals.LabelNumberToOnehot({ numClasses: 3 }).numClasses).toBe(3);
    expect(new sigprop.signals.FixedDrawContext({ places: 2 }).numbers[1][0]).toEqual([0, 0, 0, 1, 0, 0, 0]);
    expect(sigprop.utils.shapeNumel([3, 4, 5])).toBe(60);
    expect(sigprop.utils.shapeNumel([])).toBe(1);
    expect(() => sigprop.utils.shapeNumel(5 as never)).toThrow("'shape' must be an array");
  });
});

describe('signals', () => {
  test('formatters equal the original', () => {
    const labels = torch.tensor([3, 0, 2, 1, 3], { dtype: 'int64' });
    const x = torch.zeros(5, 2);
    const [h, oh] = new sigprop.signals.LabelNumberToOnehot(4).forward([x, labels]);
    expect(h).toBe(x);
    expectEnc(oh, units.formatters.label_number_to_onehot, 'onehot');
    expectEnc(new sigprop.signals.DistinctBatchLabelsOnehot().forward([x, oh])[1], units.formatters.distinct_batch_labels_onehot, 'dbl onehot');
    expectEnc(new sigprop.signals.DistinctBatchLabels().forward([x, oh])[1], units.formatters.distinct_batch_labels, 'dbl');
    const v = ramp([5, 4]);
    expectEnc(new sigprop.signals.LabelVectorToNumber().forward([x, v])[1], units.formatters.label_vector_to_number, 'vec2num');
    // null targets pass through (inference)
    for (const f of [new sigprop.signals.LabelNumberToOnehot(4), new sigprop.signals.DistinctBatchLabelsOnehot(), new sigprop.signals.DistinctBatchLabels(), new sigprop.signals.LabelVectorToNumber()]) {
      expect(f.forward([x, null])[1]).toBeNull();
    }
    // numClasses null: max + 1 classes (the original's max is one short and throws on the top class)
    const auto = new sigprop.signals.LabelNumberToOnehot(null).forward([x, labels])[1]!;
    expect(auto.shape).toEqual([5, 4]);
    expect(() => new sigprop.signals.LabelNumberToOnehot(4).forward([x, v])).toThrow('labels must be an int64 tensor of class numbers, got a float32 tensor of shape [5, 4]');
    expect(() => new sigprop.signals.LabelNumberToOnehot(0)).toThrow("'numClasses' must be a positive integer");
    expect(() => new (sigprop.signals.LabelNumberToOnehot as unknown as new () => unknown)()).toThrow("missing required argument 'numClasses'");
    expect(() => new sigprop.signals.LabelNumberToOnehot(4).forward(x as never)).toThrow('expected an array [h, t]');
    expect(() => (new sigprop.signals.LabelNumberToOnehot(4).forward as (...a: unknown[]) => unknown)(x, labels)).toThrow('got 2 arguments');
    torch.dispose([labels, x, oh, v, auto]);
  });

  test('FixedDrawContext draws the digits like the original (its placement quirk included)', () => {
    const g = units.fixed_draw_context;
    const h0 = ramp(g.h0_shape);
    const labels = torch.tensor(g.labels, { dtype: 'int64' });
    const [h1, t1, hh, tt] = new sigprop.signals.FixedDrawContext(g.places).forward([h0, labels]);
    expect([h1, hh, tt]).toEqual([h0, h0, labels]);
    expectEnc(t1, g.t1, 'fixed draw');
    expect(() => new sigprop.signals.FixedDrawContext(4).forward([h0, null])).toThrow('needs the labels');
    torch.dispose([h0, labels, t1]);
  });

  test('ProjectionContextInput: context module first, then the input module; null target passes; fixed freezes', () => {
    const log: string[] = [];
    const ctx = new Rec(log, 'ctx', 4, 6), inp = new Rec(log, 'inp', 5, 6);
    const g = new sigprop.signals.ProjectionContextInput(ctx, inp, [4], [2, 3]);
    const x = torch.randn(3, 5), t = torch.randn(3, 4);
    const [h1, t1, h0, t0] = torch.tidy(() => g.forward([x, t]));
    expect(log).toEqual(['ctx(nograd,3x4)', 'inp(nograd,3x5)']);
    expect([h1.shape, t1!.shape, h0, t0]).toEqual([[3, 6], [3, 2, 3], x, t]);
    const [, tn] = g.forward([x, null]);
    expect(tn).toBeNull();
    expect([...g.parameters()].every((p) => p.requiresGrad)).toBe(true);
    const gf = new sigprop.signals.ProjectionContextInput(ctx, inp, [4], [6], true);
    expect([...gf.parameters()].some((p) => p.requiresGrad)).toBe(false);
    // ProjectionContext: h passes, the target is projected; null passes (the original crashes)
    const pc = new sigprop.signals.ProjectionContext(new nn.Linear(4, 6), [4], [6], { fixed: true });
    const [ph, pt] = pc.forward([x, t]);
    expect([ph, pt!.shape, pt!.requiresGrad]).toEqual([x, [3, 6], false]);
    expect(pc.forward([x, null])[1]).toBeNull();
    expect(() => new sigprop.signals.ProjectionContextInput(ctx, inp, 4 as never, [6])).toThrow("'inputShape' must be an array");
    expect(() => new sigprop.signals.Generator().forward([x, t])).toThrow('Generator.forward() is not implemented');
    torch.dispose([x, t, h1, t1, pt]);
    ctx.dispose(); inp.dispose(); pc.dispose();
  });
});

describe('propagators', () => {
  test('Loss: detach points, call order, the optimizer steps inside forward in training only', () => {
    const log: string[] = [];
    const layer = new Rec(log, 'f', 4, 3);
    const lossFn = (sp: Module, h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, context: Tensor): Tensor => {
      log.push(`loss(h1:${h1.requiresGrad},t1:${t1.requiresGrad},h0:${h0.requiresGrad},t0:${t0.requiresGrad},ctx:${context.shape})`);
      expect(sp).toBe(p);
      return h1.sub(t1).square().mean();
    };
    const p = new sigprop.propagators.Loss(layer, new LogOpt(log, 'opt') as never, lossFn);
    const h = torch.randn(2, 4, { requiresGrad: true }), t = torch.randn(2, 4, { requiresGrad: true }), c = torch.tensor([0, 1], { dtype: 'int64' });
    const [h1, t1, c1] = p.forward([h, t, c]);
    expect(log).toEqual(['f(nograd,2x4)', 'f(nograd,2x4)', 'loss(h1:true,t1:true,h0:false,t0:false,ctx:2)', 'opt.zeroGrad', 'opt.step']);
    expect([h1.requiresGrad, t1!.requiresGrad, c1!.requiresGrad]).toEqual([false, false, false]);
    expect(layer.lin.parameters()[0].grad).not.toBeNull(); // backward ran on the layer
    log.length = 0;
    p.eval();
    p.forward([h, t, c]);
    expect(log).toEqual(['f(nograd,2x4)', 'f(nograd,2x4)', 'loss(h1:true,t1:true,h0:false,t0:false,ctx:2)']);
    log.length = 0;
    const [hi, ti, ci] = p.forward([h, null, null]); // inference: no target, no context, no loss
    expect(log).toEqual(['f(nograd,2x4)']);
    expect([ti, ci]).toEqual([null, null]);
    expect(p.parameters()).toEqual([]);
    expect(() => p.forward([h, t, null])).toThrow('the packet has a target t but context is null');
    expect(() => (p.forward as (...a: unknown[]) => unknown)(h, t, c)).toThrow('takes one array [h, t, context]');
    torch.dispose([h, t, c, h1, t1, c1, hi]);
    layer.dispose();
  });

  test('Loss constructor: positional or options, required arguments, clear errors', () => {
    const lin = new nn.Linear(2, 2);
    const L = sigprop.loss.v9InputTargetMaxAll;
    expect(new sigprop.propagators.Loss(lin, null, L).loss).toBe(L);
    expect(new sigprop.propagators.Loss(lin, { optimizer: null, loss: L }).optimizer).toBeNull();
    const lossObj = { forward: L };
    expect(new sigprop.propagators.Loss(lin, null, lossObj).loss).toBe(lossObj); // a plain object with forward is a loss, not options
    expect(() => new sigprop.propagators.Loss(lin, { loss: L })).toThrow("missing required argument 'optimizer'");
    expect(() => new sigprop.propagators.Loss(lin, { optimizer: null })).toThrow("missing required argument 'loss'");
    expect(() => new sigprop.propagators.Loss(lin, null, 5 as never)).toThrow("'loss' must be a function");
    expect(() => new sigprop.propagators.Loss(lin, 5 as never, L)).toThrow("'optimizer' must be an optimizer");
    expect(() => new sigprop.propagators.Loss(lin, { optimizer: null, loss: L, lr: 1 } as never)).toThrow("unexpected keyword argument 'lr'");
    expect(() => new sigprop.propagators.Loss(5 as never, null, L)).toThrow("'module' must be a torch.nn.Module");
    // README option 2's mistake: Identity takes only a module
    expect(() => new (sigprop.propagators.Identity as unknown as new (...a: unknown[]) => unknown)(lin, { optimizer: null, loss: L })).toThrow("Identity() takes only a module; got options 'optimizer', 'loss'");
    expect(() => new (sigprop.propagators.Fixed as unknown as new (...a: unknown[]) => unknown)(lin, {})).toThrow('Fixed() takes only a module');
    expect(() => new (sigprop.propagators.signals.Fixed as unknown as new (...a: unknown[]) => unknown)(lin, { loss: L })).toThrow('signals.Fixed() takes only a module');
    expect(() => new sigprop.propagators.Learn(lin).train_(...(Array(5).fill(null) as [never, never, never, never, never]))).toThrow('Learn.train_() is not implemented');
    expect([sigprop.propagators.Loss.options, sigprop.propagators.signals.Loss.options, sigprop.propagators.Identity.options, sigprop.propagators.Learn.options]).toEqual([['optimizer', 'loss'], ['optimizer', 'loss'], [], []]);
    lin.dispose();
  });

  test('Identity, Fixed, Forward and the functional routings', () => {
    const lin = new nn.Linear(3, 2);
    const h = torch.randn(4, 3, { requiresGrad: true }), t = torch.randn(4, 3), c = torch.tensor([0, 1, 0, 1], { dtype: 'int64' });
    const [hi, ti, ci] = new sigprop.propagators.Identity(lin).forward([h, t, c]);
    expect([hi.requiresGrad, ti, ci]).toEqual([true, t, c]); // grad flows; t and context unchanged
    const [hf, tf] = new sigprop.propagators.Fixed(lin).forward([h, t, c]);
    expect([hf.requiresGrad, tf!.requiresGrad, tf!.shape]).toEqual([false, false, [4, 2]]);
    const [hw, tw] = new sigprop.propagators.Forward(lin).forward([h, t, c]);
    expect([hw.requiresGrad, tw!.requiresGrad]).toEqual([true, true]); // nothing detached
    const flat = (x: Tensor) => x.flatten(1);
    const x4 = torch.randn(2, 3, 2, 2);
    const [fh, ft, fc] = sigprop.functional.propagators.forward([x4, x4, null], flat);
    expect([fh.shape, ft!.shape, fc]).toEqual([[2, 12], [2, 12], null]);
    expect(sigprop.functional.propagators.fixed([x4, null, null], flat)[1]).toBeNull();
    expect(sigprop.functional.propagators.identity([x4, null, c], flat)[2]).toBe(c);
    expect(() => sigprop.functional.propagators.forward([x4, null, null], 5 as never)).toThrow("'f' must be a Module or a function");
    expect(() => sigprop.functional.propagators.identity([x4, null, null], () => 3 as never)).toThrow('the wrapped function returned number 3, expected a Tensor');
    // parameters(): Identity shows the module's, Fixed/Forward/Learn none, signals.Fixed the module's
    expect(new sigprop.propagators.Identity(lin).parameters()).toEqual(lin.parameters());
    expect(new sigprop.propagators.Fixed(lin).parameters()).toEqual([]);
    expect(new sigprop.propagators.Forward(lin).parameters()).toEqual([]);
    expect(new sigprop.propagators.signals.Fixed(lin).parameters()).toEqual(lin.parameters());
    torch.dispose([h, t, c, hi, hf, tf, hw, tw, x4, fh, ft]);
    lin.dispose();
  });

  test('signal propagators: pair out, formatted target to the loss, signals.Fixed routes without loss', () => {
    torch.manualSeed(0);
    const log: string[] = [];
    const gen = new sigprop.signals.ProjectionContextInput(new nn.Linear(4, 4, false), new nn.Linear(5, 4, false), [4], [4]);
    const signal = new nn.Sequential(new sigprop.signals.LabelNumberToOnehot(4), gen);
    let seen: unknown[] = [];
    const lossFn = (sp: Module, h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, context: Tensor): Tensor => {
      seen = [t0.shape, t0.dtype, context.dtype]; // (the propagator frees its intermediates when it returns)
      return sigprop.loss.v14InputTargetMaxRand(sp, h1, t1, h0, t0, context);
    };
    const sp = new sigprop.propagators.signals.Loss(signal, new LogOpt(log, 'o') as never, lossFn);
    const x = torch.randn(6, 5), y = ctx6();
    const out = sp.forward([x, y, y]);
    expect(out.length).toBe(2);
    expect(seen).toEqual([[6, 4], 'float32', 'int64']); // the loss gets the one-hot as t0, the labels as context
    expect(log).toEqual(['o.zeroGrad', 'o.step']);
    expect(sp.parameters()).toEqual([]);
    const [h, t] = sp.forward([x, null, null]);
    expect([h.shape, t]).toEqual([[6, 4], null]);
    const fixed = new sigprop.propagators.signals.Fixed(signal);
    const [fh, ft] = fixed.forward([x, y, y]);
    expect([fh.requiresGrad, ft!.requiresGrad, ft!.shape]).toEqual([false, false, [6, 4]]);
    expect(() => new sigprop.propagators.signals.Loss(new sigprop.signals.LabelNumberToOnehot(4), null, lossFn).forward([x, y, y])).toThrow('the wrapped signal must return [h1, t1, h0, t0]');
    torch.dispose([x, y, out, h, fh, ft]);
    signal.dispose();
  });
});

describe('losses equal the original (values and gradients)', () => {
  const cases: Record<string, { h1: number[]; t1: number[]; h0: number[]; t0: number[] | 'onehot' }> = {
    '2d': { h1: [6, 5], t1: [6, 5], h0: [6, 3], t0: 'onehot' },
    '4d': { h1: [6, 3, 2, 2], t1: [6, 3, 2, 2], h0: [6, 2, 2, 2], t0: [6, 2, 2, 2] },
    '2d_classrows': { h1: [6, 5], t1: [4, 5], h0: [6, 3], t0: 'onehot' },
  };
  const fns: Record<string, sigprop.LossFunction> = {
    v1: sigprop.loss.v1InputLabelDirect, v9: sigprop.loss.v9InputTargetMaxAll, v14: sigprop.loss.v14InputTargetMaxRand, v15: sigprop.loss.v15InputTargetTopk(2),
  };
  for (const [name, c] of Object.entries(cases)) {
    for (const ln of Object.keys(units.losses[name])) {
      test(`${ln} ${name}`, () => {
        torch.tidy(() => {
          const h1 = ramp(c.h1, 0.7).requiresGrad_(), t1 = ramp(c.t1, 1.3).requiresGrad_(), h0 = ramp(c.h0, 0.4);
          const ctx = ctx6();
          const t0 = c.t0 === 'onehot' ? F.oneHot(ctx, 4).float() : ramp(c.t0, 0.9);
          const l = fns[ln](null as never, h1, t1, h0, t0, ctx);
          l.backward();
          const g = units.losses[name][ln];
          expect(l.item()).toBe(Number(g.loss));
          expectEnc(h1.grad, g.h1_grad, `${ln} ${name} h1.grad`);
          expectEnc(t1.grad, g.t1_grad, `${ln} ${name} t1.grad`);
        });
      });
    }
  }
  test('v15 is a function with its topk; bad arguments', () => {
    const L = sigprop.loss.v15InputTargetTopk({ topk: 3 });
    expect([typeof L, L.topk]).toEqual(['function', 3]);
    expect(() => sigprop.loss.v15InputTargetTopk(0)).toThrow("'topk' must be a positive integer");
    torch.tidy(() => {
      const a = torch.randn(4, 3);
      expect(() => sigprop.loss.v15InputTargetTopk(5)(null as never, a, a, a, a, a)).toThrow('topk 5 is larger than the batch of targets (4)');
      expect(() => sigprop.loss.v9InputTargetMaxAll(null as never, a, 3 as never, a, a, a)).toThrow("v9InputTargetMaxAll(): 't1' must be a Tensor, got number 3");
    });
  });
  test('v14 breaks ties by the first index (no randomness)', () => {
    torch.tidy(() => {
      // identical one-hot targets for samples 0, 2, 4: every row's target is the first of its class
      const ctx = torch.tensor([0, 1, 0, 1, 0, 1], { dtype: 'int64' });
      const t0 = F.oneHot(ctx, 2).float();
      const yy = sigprop.loss.targetSimilarity(t0);
      expect(yy.argmax(1).tolist()).toEqual([0, 1, 0, 1, 0, 1]);
      const h = torch.randn(6, 3), t = torch.randn(6, 3);
      const before = torch.getRngState();
      const l1 = sigprop.loss.v14InputTargetMaxRand(null as never, h, t, h, t0, ctx).item();
      expect(torch.getRngState().equal(before)).toBe(true); // no random numbers drawn
      expect(l1).toBe(F.crossEntropy(sigprop.loss.inputTargetLogits(h, t), torch.tensor([0, 1, 0, 1, 0, 1], { dtype: 'int64' })).item());
    });
  });
  test('softTargetCrossEntropy and the similarity helpers', () => {
    torch.tidy(() => {
      const x = ramp([4, 5], 0.3), tgt = ramp([4, 5], 2.1).gt(0).float();
      expectEnc(sigprop.loss.softTargetCrossEntropy(x, tgt), units.soft_target_cross_entropy.mean, 'stce mean');
      expectEnc(sigprop.loss.softTargetCrossEntropy(x, tgt, 'none'), units.soft_target_cross_entropy.none, 'stce none');
      expectEnc(sigprop.loss.softTargetCrossEntropy(x, tgt, { reduction: 'none' }), units.soft_target_cross_entropy.none, 'stce none kw');
      const a = ramp([4, 3, 4, 4], 0.5), b = ramp([4, 3, 4, 4], 0.8), a2 = ramp([4, 6], 0.5), b2 = ramp([4, 6], 0.8);
      const L = sigprop.loss, S = units.similarity;
      expectEnc(L.similarityFormat(a2), S.format_2d, 'format_2d');
      expectEnc(L.similarityFormat(a), S.format_4d_std, 'format_4d_std');
      expectEnc(L.similarityFormat(a, 1, true), S.format_4d_nostd, 'format_4d_nostd');
      expectEnc(L.similarityFormat(a, { noStd: true }), S.format_4d_nostd, 'format_4d_nostd kw');
      expectEnc(L.format2dim_(a, { format: false }), S.format_2dim_raw, 'format_2dim_raw kw');
      expectEnc(L.similarityFormat(ramp([4, 3, 2, 2], 0.5)), S.format_small, 'format_small');
      expectEnc(L.similarityMatrixX(a2), S.matrix_x, 'matrix_x');
      expectEnc(L.similarityMatrixXy(a2, b2), S.matrix_xy, 'matrix_xy');
      expectEnc(L.format2dim_(a), S.format_2dim, 'format_2dim');
      expectEnc(L.format2dim_(a, false), S.format_2dim_raw, 'format_2dim_raw');
      expectEnc(L.format4dim_(a), S.format_4dim, 'format_4dim');
      expectEnc(L.sim2dim_(a2, b2), S.sim_2dim, 'sim_2dim');
      expectEnc(L.sim4dim_(L.format4dim_(a), L.format4dim_(b)), S.sim_4dim, 'sim_4dim');
      expectEnc(L.formatSim2dim_(a), S.format_sim_2dim, 'format_sim_2dim');
      expectEnc(L.formatSim4dim_(a), S.format_sim_4dim, 'format_sim_4dim');
    });
  });
});

describe('monitors', () => {
  test('LabelMetrics records and prints like the original (incl. round-half-even)', () => {
    torch.tidy(() => {
      const ctx = ctx6();
      const mon = new sigprop.monitors.loss.LabelMetrics('Sequential', sigprop.loss.v9InputTargetMaxAll);
      const h1 = ramp([6, 5], 0.7), t1 = ramp([6, 5], 1.3), t0 = F.oneHot(ctx, 4).float();
      const l = mon.forward(null as never, h1, t1, h1, t0, ctx);
      expect(l.item()).toBe(sigprop.loss.v9InputTargetMaxAll(null as never, h1, t1, h1, t0, ctx).item()); // the loss is returned unchanged
      const texts = units.label_metrics.texts;
      expect(mon.metrics()).toBe(texts[0]);
      const mon2 = new sigprop.monitors.loss.LabelMetrics('Linear', sigprop.loss.v1InputLabelDirect);
      mon2.forward(null as never, ramp([6, 5], 0.2), ramp([4, 5], 1.1), h1, t0, ctx);
      expect(mon2.metrics()).toBe(texts[1]);
      const hb = torch.zeros(128, 3), tb = torch.zeros(128, 3);
      hb.indexPut_([torch.slice(), 0], 1);
      tb.indexPut_([torch.slice(0, 4), 0], 1);
      const ctxb = torch.cat([torch.zeros(4, { dtype: 'int64' }), torch.ones(124, { dtype: 'int64' })]);
      mon.reset();
      mon.forward(null as never, hb, tb, hb, F.oneHot(ctxb, 2).float(), torch.arange(128).remainder(32));
      expect(mon.metrics()).toBe(texts[2]);
      expect([mon.accLast, mon.lossLast]).toEqual([units.label_metrics.acc_last, Number(units.label_metrics.loss_last)]);
      const grp = new sigprop.monitors.Group();
      grp.add(mon);
      grp.add(new sigprop.monitors.loss.LabelMetrics('Linear', sigprop.loss.v14InputTargetMaxRand));
      expect(grp.metrics()).toBe(texts[3]);
      grp.reset();
      expect(mon.count).toBe(0);
      expect(() => grp.add({} as never)).toThrow('expected a monitor');
      expect(() => new sigprop.monitors.loss.LabelMetrics(3 as never, sigprop.loss.v9InputTargetMaxAll)).toThrow("'name' must be a string");
    });
  });
});

describe('models', () => {
  test('Forward: one [x, context] array; parameters() = the sigprop modules\' own (Identity-wrapped layers)', () => {
    torch.manualSeed(1);
    const sig = new sigprop.propagators.signals.Fixed(new nn.Sequential(new sigprop.signals.LabelNumberToOnehot(4), new sigprop.signals.ProjectionContext(new nn.Linear(4, 5), [4], [5])));
    const l1 = new sigprop.propagators.Loss(new nn.Linear(5, 5), null, sigprop.loss.v9InputTargetMaxAll);
    const fwd = new sigprop.propagators.Forward(new nn.Linear(5, 5));
    const inner = new nn.Linear(5, 3);
    const out = new sigprop.propagators.Identity(new nn.Sequential(inner));
    const model = new sigprop.models.Forward(new nn.Sequential(l1, fwd, out), sig);
    expect([...model.namedChildren()].map(([k]) => k)).toEqual(['signal', 'model']); // signal registered first
    expect(model.parameters()).toEqual(inner.parameters());
    expect(model.namedParameters().length).toBe(2 + 2 + 2 + 2); // not overridden: sees everything
    const x = torch.randn(6, 5), y = ctx6();
    const o = torch.tidy(() => model.forward([x, y]));
    expect([o.shape, o.requiresGrad]).toEqual([[6, 3], true]);
    const oi = torch.tidy(() => model.forward([x, null]));
    expect(oi.shape).toEqual([6, 3]);
    expect(() => (model.forward as (...a: unknown[]) => unknown)(x, y)).toThrow('takes one array [x, context] (Python\'s tuple), got 2 arguments; call forward([x, labels]) to train, forward([x, null]) to infer');
    expect(() => model.forward([x] as never)).toThrow('expected an array [x, context]');
    expect(() => model.forward([x, 3] as never)).toThrow('context (input[1]) must be a Tensor of labels or null');
    expect(() => new (sigprop.models.Forward as unknown as new (...a: unknown[]) => unknown)(new nn.Identity(), sig, { error: null })).toThrow('takes (model, signal) only');
    torch.dispose([x, y, o, oi]);
    model.dispose();
  });

  test('LoopBack and ForwardLoopBack equal the original', () => {
    class OnehotOrVector extends sigprop.signals.Formatter {
      override forward(input: [Tensor, Tensor | null]): sigprop.SignalPair {
        const [h0, t0] = input;
        return [h0, t0 !== null && t0.dtype === 'int64' ? F.oneHot(t0, 4).float() : t0];
      }
    }
    for (const cls of ['LoopBack', 'ForwardLoopBack'] as const) {
      torch.manualSeed(3);
      const sigCtx = new nn.Linear(4, 6, false), sigInp = new nn.Linear(5, 6, false), l1 = new nn.Linear(6, 6), lo = new nn.Linear(6, 4);
      const opt = (m: Module) => new optim.Adam(m.parameters(), { lr: 0.01 });
      const signal = new nn.Sequential(new OnehotOrVector(), new sigprop.signals.ProjectionContextInput(sigCtx, sigInp, [4], [6]));
      const spSignal = new sigprop.propagators.signals.Loss(signal, { optimizer: opt(signal), loss: sigprop.loss.v9InputTargetMaxAll });
      const p1 = new sigprop.propagators.Loss(l1, { optimizer: opt(l1), loss: sigprop.loss.v9InputTargetMaxAll });
      const po = new sigprop.propagators.Identity(lo);
      const error = (h: Tensor, context: Tensor): Tensor => F.oneHot(context, 4).float().sub(F.softmax(h, 1));
      const model = new sigprop.models[cls](new nn.Sequential(p1, po), spSignal, error);
      model.train();
      const x = ramp([6, 5], 0.6), ctx = ctx6();
      const y1 = torch.tidy(() => model.forward([x, ctx]));
      model.eval();
      const y2 = torch.tidy(() => model.forward([x, null]));
      const g = units.loop_back[cls];
      expectEnc(y1, g.train_out, `${cls} train`);
      expectEnc(y2, g.eval_out, `${cls} eval`);
      expect(torch.tidy(() => l1.weight.double().sum().item())).toBe(Number(g.l1_weight_sum));
      expect(torch.tidy(() => sigCtx.weight.double().sum().item())).toBe(Number(g.sig_ctx_weight_sum));
      expect(model instanceof sigprop.models.LoopBack).toBe(cls === 'LoopBack'); // ForwardLoopBack is not a LoopBack, as in Python
      expect(() => new sigprop.models[cls](new nn.Identity(), spSignal, 5 as never)).toThrow("'error' must be a function");
      torch.dispose([x, ctx, y1, y2]);
      model.dispose();
    }
  });
});

describe('managers', () => {
  const L = sigprop.loss.v9InputTargetMaxAll;
  const signalOf = () => new nn.Sequential(new sigprop.signals.LabelNumberToOnehot(4), new sigprop.signals.ProjectionContextInput(new nn.Linear(4, 6, false), new nn.Linear(5, 6, false), [4], [6]));

  test('Preset: an optimizer per unwrapped layer, option filtering, monitors, defaults, ordering errors', () => {
    const built: Module[] = [];
    const builder = (m: Module) => {
      built.push(m);
      const p = m.parameters();
      return p.length ? new optim.Adam(p, { lr: 1e-3 }) : null;
    };
    const group = new sigprop.monitors.Group();
    const mgr = new sigprop.managers.Preset(sigprop.models.Forward, sigprop.propagators.Loss, sigprop.propagators.signals.Loss, builder, sigprop.monitors.loss.LabelMetrics, group);
    mgr.configPropagator({ loss: L });
    const sig = signalOf();
    const s = mgr.setSignal(sig, { loss: L }) as InstanceType<typeof sigprop.propagators.signals.Loss>;
    expect(s).toBeInstanceOf(sigprop.propagators.signals.Loss);
    expect(s.loss).toBeInstanceOf(sigprop.monitors.loss.LabelMetrics);
    expect((s.loss as InstanceType<typeof sigprop.monitors.loss.LabelMetrics>).name).toBe('Sequential');
    const l1 = new nn.Linear(6, 6), relu = new nn.ReLU(), lo = new nn.Linear(6, 4);
    const p1 = mgr.addPropagator(l1) as InstanceType<typeof sigprop.propagators.Loss>;
    const pr = mgr.addPropagator(relu, { loss: sigprop.loss.v14InputTargetMaxRand }); // options without a class
    const po = mgr.addPropagator(lo, sigprop.propagators.Identity); // Identity drops optimizer and loss
    expect(built).toEqual([sig, l1, relu, lo]); // the builder sees the unwrapped modules, Identity's included
    expect(p1.optimizer).toBeInstanceOf(optim.Adam);
    expect((pr as InstanceType<typeof sigprop.propagators.Loss>).optimizer).toBeNull();
    expect(((pr as InstanceType<typeof sigprop.propagators.Loss>).loss as InstanceType<typeof sigprop.monitors.loss.LabelMetrics>).loss).toBe(sigprop.loss.v14InputTargetMaxRand); // call options win over defaults
    expect(po).toBeInstanceOf(sigprop.propagators.Identity);
    expect(group.monitors.length).toBe(3); // signal, l1, relu; Identity gets none
    expect(mgr.propagators).toEqual([p1, pr, po]);
    expect(() => mgr.configPropagator({ loss: L })).toThrow('configPropagator() before first call to addPropagator(); at least one propagator already added.');
    expect(() => mgr.setSignal(sig, { loss: L })).toThrow('Signal already set.');
    expect(() => mgr.configSignal({})).toThrow('configSignal() before setSignal(); signal already set.');
    const model = mgr.setModel(new nn.Sequential(p1, pr, po));
    expect(model).toBeInstanceOf(sigprop.models.Forward);
    expect(model.parameters()).toEqual(lo.parameters());
    expect(() => mgr.setModel(new nn.Sequential())).toThrow('Model already set.');
    expect(() => mgr.configModel({})).toThrow('configModel() before setModel(); model already set.');
    expect(() => mgr.setMonitor(sigprop.monitors.loss.LabelMetrics, group)).toThrow('Monitor already set.');
    // it trains
    const x = torch.randn(6, 5), y = ctx6();
    torch.tidy(() => model.forward([x, y]));
    expect(group.metrics().split('\n').length).toBe(3);
    torch.dispose([x, y]);
    model.dispose();
  });

  test('Prepared: ordering errors, no optimizer building; Manager is a no-op base', () => {
    const mgr = new sigprop.managers.Prepared(sigprop.models.Forward, sigprop.propagators.Fixed, sigprop.propagators.signals.Fixed);
    expect(() => mgr.setModel(new nn.Sequential())).toThrow('setSignal() before setModel().');
    const s = mgr.setSignal(signalOf());
    expect(s).toBeInstanceOf(sigprop.propagators.signals.Fixed);
    const p = mgr.addPropagator(new nn.Linear(6, 6), { optimizer: null, loss: L }); // Fixed takes neither: dropped
    expect(p).toBeInstanceOf(sigprop.propagators.Fixed);
    expect(() => mgr.setSignal(signalOf(), { loss: L })).toThrow('Signal already set.');
    expect(() => new sigprop.managers.Prepared(sigprop.models.Forward, sigprop.propagators.Loss, sigprop.propagators.signals.Loss, sigprop.monitors.loss.LabelMetrics)).toThrow("a monitor class needs 'monitorMain'");
    expect(() => new sigprop.managers.Prepared(5 as never, sigprop.propagators.Loss, sigprop.propagators.signals.Loss)).toThrow("'modelCls' must be a class");
    expect(() => mgr.addPropagator(new nn.Linear(2, 2), 5 as never)).toThrow("'propagatorCls' must be a class");
    expect(() => mgr.addPropagator(new nn.Linear(2, 2), null, 5 as never)).toThrow('options must be a plain object');
    const base = new sigprop.managers.Manager();
    expect([base.setSignal(new nn.Linear(1, 1)), base.addPropagator(new nn.Linear(1, 1)), base.setModel(new nn.Linear(1, 1))]).toEqual([null, null, null]);
  });

  test('Preset with signals.Fixed: no optimizer handed to a signal class that takes none (the original throws)', () => {
    let calls = 0;
    const mgr = new sigprop.managers.Preset(sigprop.models.Forward, sigprop.propagators.Loss, sigprop.propagators.signals.Fixed, () => { calls++; return null; });
    const s = mgr.setSignal(signalOf());
    expect(s).toBeInstanceOf(sigprop.propagators.signals.Fixed);
    expect(calls).toBe(1);
    expect(() => new sigprop.managers.Preset(sigprop.models.Forward, sigprop.propagators.Loss, sigprop.propagators.signals.Loss, 5 as never)).toThrow("'optimizerBuilder' must be a function");
  });

  test('stored defaults: configSignal / configModel / constructor kwargs; the call wins', () => {
    const errA = (h: Tensor) => h, errB = (h: Tensor) => h.neg();
    const mgr = new sigprop.managers.Preset(sigprop.models.LoopBack, sigprop.propagators.Loss, sigprop.propagators.signals.Loss, () => null,
      { modelKwargs: { error: errA }, propagatorKwargs: { loss: L } });
    mgr.configSignal({ loss: sigprop.loss.v14InputTargetMaxRand });
    const s = mgr.setSignal(signalOf()) as InstanceType<typeof sigprop.propagators.signals.Loss>;
    expect(s.loss).toBe(sigprop.loss.v14InputTargetMaxRand);
    const p = mgr.addPropagator(new nn.Linear(6, 6)) as InstanceType<typeof sigprop.propagators.Loss>;
    expect(p.loss).toBe(L);
    expect((mgr.setModel(new nn.Sequential(p)) as InstanceType<typeof sigprop.models.LoopBack>).error).toBe(errA);
    const mgr2 = new sigprop.managers.Preset(sigprop.models.LoopBack, sigprop.propagators.Loss, sigprop.propagators.signals.Loss, () => null, { modelKwargs: { error: errA } });
    mgr2.setSignal(signalOf(), { loss: L });
    mgr2.configModel({ error: errB });
    expect((mgr2.setModel(new nn.Sequential()) as InstanceType<typeof sigprop.models.LoopBack>).error).toBe(errB);
  });

  test('the manage hooks', () => {
    const mgr = new sigprop.managers.Preset(sigprop.models.Forward, sigprop.propagators.Loss, sigprop.propagators.signals.Loss, () => null);
    const s = sigprop.signals.Signal.manage(mgr, signalOf(), { loss: L });
    expect(s).toBe(mgr.signal);
    const p = sigprop.propagators.Identity.manage(mgr, new nn.Linear(6, 4));
    expect(p).toBeInstanceOf(sigprop.propagators.Identity);
    const q = sigprop.propagators.Loss.manage(mgr, new nn.Linear(6, 6), { loss: L });
    expect(q).toBeInstanceOf(sigprop.propagators.Loss);
    const m = sigprop.models.LoopBack.manage(mgr, new nn.Sequential(q, p), { error: (h: Tensor) => h });
    expect(m).toBeInstanceOf(sigprop.models.LoopBack);
    expect(mgr.model).toBe(m);
  });
});

describe("the README's extension points (section 5, Development), ported", () => {
  // 5.1 a new loss as a function and as a loss.Loss subclass
  const newLoss = (spLearn: Module, h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, yOnehot: Tensor): Tensor =>
    sigprop.loss.v14InputTargetMaxRand(spLearn, h1, t1, h0, t0, yOnehot);
  class NewLoss extends sigprop.loss.Loss {
    override forward(spLearn: Module, h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, yOnehot: Tensor): Tensor {
      return sigprop.loss.v14InputTargetMaxRand(spLearn, h1, t1, h0, t0, yOnehot);
    }
  }
  // 5.2 a signal generator and a formatter
  class MySignalGenerator extends sigprop.signals.Generator {
    declare inputShape: number[];
    declare outputShape: number[];
    declare module: Module;
    constructor(module: Module, inputShape: number[], outputShape: number[]) {
      super();
      this.inputShape = inputShape;
      this.outputShape = outputShape;
      this.module = module;
    }
    override forward(input: [Tensor, Tensor | null]): sigprop.Generated {
      const [h0, t0] = input;
      const t1 = t0 === null ? null : (this.module.forward(t0.flatten(1)) as Tensor).view([t0.shape[0], ...this.outputShape]);
      const h1 = h0;
      return [h1, t1, h0, t0];
    }
  }
  class MySignalFormatter extends sigprop.signals.Formatter {
    override forward(input: [Tensor, Tensor | null]): sigprop.SignalPair {
      const [h0, t0] = input;
      return [h0, t0 === null ? null : F.oneHot(t0, 4).float()];
    }
  }
  // 5.3 learning propagators (the README's version uses self.optimizer without setting it; here the constructor does)
  class MyLearnPropagator extends sigprop.propagators.Learn {
    static override options = ['optimizer'];
    declare optimizer: sigprop.OptimizerLike | null;
    constructor(module: Module, options: { optimizer?: sigprop.OptimizerLike | null } = {}) {
      super(module);
      this.optimizer = options.optimizer ?? null;
    }
    loss_(h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, yOnehot: Tensor): Tensor {
      return newLoss(this, h1, t1, h0, t0, yOnehot);
    }
    override train_(h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, yOnehot: Tensor): sigprop.propagators.LearnResult {
      const loss = this.loss_(h1, t1, h0, t0, yOnehot);
      if (this.optimizer !== null) {
        this.optimizer.zeroGrad();
        loss.backward();
        this.optimizer.step();
      }
      return [loss.item() as number, null, null];
    }
    override eval_(h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, yOnehot: Tensor): sigprop.propagators.LearnResult {
      return [this.loss_(h1, t1, h0, t0, yOnehot).item() as number, null, null];
    }
  }
  class MyLearnPropagatorForSignals extends sigprop.propagators.signals.Learn {
    static override options = ['optimizer'];
    declare optimizer: sigprop.OptimizerLike | null;
    constructor(module: Module, options: { optimizer?: sigprop.OptimizerLike | null } = {}) {
      super(module);
      this.optimizer = options.optimizer ?? null;
    }
    loss_(h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, yOnehot: Tensor): Tensor {
      return new NewLoss().forward(this, h1, t1, h0, t0, yOnehot);
    }
    override train_(h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, yOnehot: Tensor): sigprop.propagators.LearnResult {
      const loss = this.loss_(h1, t1, h0, t0, yOnehot);
      if (this.optimizer !== null) {
        this.optimizer.zeroGrad();
        loss.backward();
        this.optimizer.step();
      }
      return [loss.item() as number, null, null];
    }
    override eval_(h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, yOnehot: Tensor): sigprop.propagators.LearnResult {
      return [this.loss_(h1, t1, h0, t0, yOnehot).item() as number, null, null];
    }
  }
  // 5.3 a propagator that does not learn
  class MyPropagator extends sigprop.propagators.Propagator {
    declare module: Module;
    constructor(module: Module) {
      super();
      this.module = module;
    }
    override forward(input: sigprop.Packet): sigprop.Packet {
      const [h0, t0, yOnehot] = input;
      const h1 = this.module.forward(h0) as Tensor;
      const t1 = t0;
      return [h1, t1, yOnehot];
    }
  }
  // 5.4 a model
  class MyModel extends sigprop.models.Model {
    override forward(input: [Tensor, Tensor | null]): Tensor {
      const [x, yOnehot] = input;
      const [h0, t0] = this.signal.forward([x, yOnehot, yOnehot]) as sigprop.SignalPair;
      const [h1] = this.model.forward([h0, t0, yOnehot]) as sigprop.Packet;
      return h1;
    }
  }

  /** Builds the same seeded network twice: with the custom classes, and with the library's (v14 everywhere). */
  function build(custom: boolean) {
    torch.manualSeed(7);
    const ctx = new nn.Linear(4, 5, false), l1 = new nn.Linear(5, 5), lo = new nn.Linear(5, 4);
    const opt = (m: Module) => new optim.Adam(m.parameters(), { lr: 0.01 });
    const gen = custom ? new MySignalGenerator(ctx, [4], [5]) : new sigprop.signals.ProjectionContext(ctx, [4], [5]);
    const fmt = custom ? new MySignalFormatter() : new sigprop.signals.LabelNumberToOnehot(4);
    const signalModule = new nn.Sequential(fmt, gen);
    const signal = custom
      ? new MyLearnPropagatorForSignals(signalModule, { optimizer: opt(signalModule) })
      : new sigprop.propagators.signals.Loss(signalModule, opt(signalModule), new NewLoss());
    const p1 = custom ? new MyLearnPropagator(l1, { optimizer: opt(l1) }) : new sigprop.propagators.Loss(l1, opt(l1), newLoss);
    const po = custom ? new MyPropagator(lo) : new sigprop.propagators.Identity(lo);
    const net = new nn.Sequential(p1, po);
    const model = custom ? new MyModel(net, signal) : new sigprop.models.Forward(net, signal);
    expect(model.parameters()).toEqual(lo.parameters()); // MyPropagator, like Identity, shows its module's parameters
    return { model, gopt: opt(model as unknown as Module), l1 };
  }

  test('every extension example trains, and equals the built-in classes it mirrors', () => {
    const x = torch.randn(6, 5), y = ctx6();
    const runs = [true, false].map((custom) => {
      const { model, gopt, l1 } = build(custom);
      const losses: number[] = [];
      for (let s = 0; s < 5; s++) {
        losses.push(torch.tidy(() => {
          const out = model.forward([x, y]);
          const g = F.crossEntropy(out, y);
          gopt.zeroGrad();
          g.backward();
          gopt.step();
          return g.item() as number;
        }));
      }
      const w = torch.tidy(() => l1.weight.double().sum().item());
      model.dispose();
      gopt.dispose();
      return { losses, w };
    });
    expect(runs[0]).toEqual(runs[1]);
    expect(runs[0].losses[4]).toBeLessThan(runs[0].losses[0]);
    // and with a manager: the custom Learn propagator's declared options are what the manager hands it
    const mgr = new sigprop.managers.Preset(MyModel, MyLearnPropagator, MyLearnPropagatorForSignals, (m: Module) => new optim.Adam(m.parameters()));
    mgr.configPropagator({ loss: newLoss }); // MyLearnPropagator takes no loss option: filtered out
    mgr.setSignal(new nn.Sequential(new MySignalFormatter(), new MySignalGenerator(new nn.Linear(4, 5), [4], [5])));
    const p = mgr.addPropagator(new nn.Linear(5, 5)) as MyLearnPropagator;
    expect(p.optimizer).toBeInstanceOf(optim.Adam);
    const m = mgr.setModel(new nn.Sequential(p));
    expect(m).toBeInstanceOf(MyModel);
    torch.tidy(() => m.forward([torch.randn(6, 5), y]));
    m.dispose();
    torch.dispose([x, y]);
  });
});

describe('memory: propagators and models free every intermediate they create', () => {
  // the README quick-start network (corrected), narrow and on small images so that 1,000 steps are quick
  function quickstart() {
    torch.manualSeed(0);
    const ch = 2, dim = 12, numClasses = 10;
    const outputShape = [ch, dim, dim];
    const numel = sigprop.utils.shapeNumel(outputShape);
    const buildOptimizer = (m: Module) => {
      const p = m.parameters();
      return p.length ? new optim.Adam(p, { lr: 4e-4 }) : null;
    };
    const mgr = new sigprop.managers.Preset(sigprop.models.Forward, sigprop.propagators.Loss, sigprop.propagators.signals.Loss, buildOptimizer,
      sigprop.monitors.loss.LabelMetrics, new sigprop.monitors.Group());
    mgr.configPropagator({ loss: sigprop.loss.v9InputTargetMaxAll });
    const signal = new nn.Sequential(
      new sigprop.signals.LabelNumberToOnehot(numClasses),
      new sigprop.signals.ProjectionContextInput(
        new nn.Sequential(new nn.Linear(numClasses, numel, false), new nn.LayerNorm(numel), new nn.ReLU()),
        new nn.Sequential(new nn.Conv2d(1, ch, 3, 1, 1, { bias: false }), new nn.BatchNorm2d(ch), new nn.ReLU()),
        [numClasses], outputShape));
    mgr.setSignal(signal, { loss: sigprop.loss.v9InputTargetMaxAll });
    const l1 = mgr.addPropagator(new nn.Sequential(new nn.Conv2d(ch, ch * 2, 3, 2, 1, { bias: false }), new nn.BatchNorm2d(ch * 2), new nn.ReLU()));
    const l2 = mgr.addPropagator(new nn.Sequential(new nn.Conv2d(ch * 2, ch * 4, 3, 2, 1, { bias: false }), new nn.BatchNorm2d(ch * 4), new nn.ReLU()));
    const lo = mgr.addPropagator(new nn.Sequential(new nn.Flatten(), new nn.Linear(ch * 4 * (dim / 4) ** 2, numClasses)), sigprop.propagators.Identity);
    const model = mgr.setModel(new nn.Sequential(l1, l2, lo)) as InstanceType<typeof sigprop.models.Forward>;
    return { model, optimizer: buildOptimizer(model)! };
  }

  test('1,000 synchronous training steps (each in torch.tidy), then eval: zero growth in live tensors', () => {
    const { model, optimizer } = quickstart();
    const x = torch.randn(8, 1, 12, 12), y = torch.randint(0, 10, [8]);
    const step = () => torch.tidy(() => {
      const out = model.forward([x, y]);
      const loss = F.crossEntropy(out, y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    });
    step(); // the optimizers create their state on the first step
    const n0 = torch.memory().numTensors;
    for (let i = 0; i < 1000; i++) step();
    model.eval();
    const pred = torch.tidy(() => torch.noGrad(() => model.forward([x, null]).argmax(1)));
    expect(pred.shape).toEqual([8]);
    pred.dispose();
    model.train();
    expect(torch.memory().numTensors).toBe(n0);
    model.dispose();
    optimizer.dispose();
    torch.dispose([x, y]);
  });

  test('without any scope: only what the caller receives stays alive (1,000 steps)', () => {
    const { model, optimizer } = quickstart();
    const x = torch.randn(8, 1, 12, 12), y = torch.randint(0, 10, [8]);
    const step = () => {
      const out = model.forward([x, y]); // the propagators and the model free everything else they create
      const loss = F.crossEntropy(out, y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      loss.dispose();
      out.dispose();
    };
    step();
    const n0 = torch.memory().numTensors;
    for (let i = 0; i < 1000; i++) step();
    expect(torch.memory().numTensors).toBe(n0);
    const before = torch.memory().numTensors;
    model.dispose(); // parameters, buffers, and the local optimizers' state
    optimizer.dispose();
    expect(torch.memory().numTensors).toBeLessThan(before);
    torch.dispose([x, y]);
  });
});

describe('checkpoint interop: state-dict keys and repr as in Python', () => {
  test('the parity model wiring gives the original\'s state-dict keys and prints like it', () => {
    torch.manualSeed(0);
    const ch = units.model.channels as number;
    const numel = ch * 28 * 28;
    const ctx = new nn.Sequential(new nn.Linear(10, numel, false), new nn.LayerNorm(numel), new nn.ReLU());
    const inp = new nn.Sequential(new nn.Conv2d(1, ch, 3, 1, 1, { bias: false }), new nn.BatchNorm2d(ch), new nn.ReLU());
    const l1 = new nn.Sequential(new nn.Conv2d(ch, ch * 2, 3, 2, 1, { bias: false }), new nn.BatchNorm2d(ch * 2), new nn.ReLU());
    const lo = new nn.Sequential(new nn.Flatten(), new nn.Linear(ch * 2 * 14 * 14, 10, true));
    const L = sigprop.loss.v9InputTargetMaxAll;
    const group = new sigprop.monitors.Group();
    const mgr = new sigprop.managers.Preset(sigprop.models.Forward, sigprop.propagators.Loss, sigprop.propagators.signals.Loss, () => null, sigprop.monitors.loss.LabelMetrics, group);
    mgr.configPropagator({ loss: L });
    mgr.setSignal(new nn.Sequential(new sigprop.signals.LabelNumberToOnehot(10), new sigprop.signals.ProjectionContextInput(ctx, inp, [10], [ch, 28, 28])), { loss: L });
    const model = mgr.setModel(new nn.Sequential(mgr.addPropagator(l1), mgr.addPropagator(lo, sigprop.propagators.Identity)));
    const sd = model.stateDict();
    expect(Object.keys(sd)).toEqual(units.model.state_dict_keys);
    torch.dispose(sd);
    expect(model.toString()).toBe(units.model.repr);
    expect(group.monitors.map((m) => (m as InstanceType<typeof sigprop.monitors.loss.LabelMetrics>).name)).toEqual(['Sequential', 'Sequential']);
    const gen = (model as unknown as { signal: { module: { get(i: number): InstanceType<typeof sigprop.signals.ProjectionContextInput> } } }).signal.module.get(1);
    expect([gen.moduleContext, gen.moduleInput]).toEqual([ctx, inp]); // camelCase accessors for the Python-named fields
    // a user subclass keeps its own name; a library class used directly gets the SP prefix, as in Python
    class MyProp extends sigprop.propagators.Identity {}
    expect(new MyProp(new nn.ReLU()).toString()).toBe('MyProp(\n  (module): ReLU()\n)');
    const m2 = new sigprop.managers.Prepared(sigprop.models.Forward, sigprop.propagators.Loss, sigprop.propagators.signals.Loss, sigprop.monitors.loss.LabelMetrics, new sigprop.monitors.Group());
    m2.setSignal(new sigprop.signals.ProjectionContext(new nn.Linear(4, 4), [4], [4]), { optimizer: null, loss: L });
    expect((m2.monitorMain as InstanceType<typeof sigprop.monitors.Group>).monitors.map((m) => (m as InstanceType<typeof sigprop.monitors.loss.LabelMetrics>).name)).toEqual(['SPProjectionContext']);
    model.dispose();
  });
});
