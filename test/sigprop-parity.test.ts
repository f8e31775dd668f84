// The acceptance test of the sigprop port: 20 training steps of the original library's networks
// (README quick start, corrected, with 32 channels; an MLP) with losses v9, v14 and v15(topk 6)
// on Fashion-MNIST, compared with the traces of the original Python library
// (test/golden/sigprop_traces.json, made by test/golden/make_sigprop.py with Debian's torch 1.13
// at 1 thread). Same seed, modules built in Python's order: the global loss, every layer's loss,
// monitor accuracy and target matrix, the final weights and an eval pass must be EQUAL.
import * as lib from '../lib';
import { loadFashion, haveFashion } from './helpers/fashion';
import { readGolden } from './helpers/golden';

const { torch } = lib;
const F = torch.nn.functional;
const nets = require('../bench/sigprop-nets')(lib);
const golden = readGolden('sigprop_traces.json');
const BATCH = golden.data.batch_size as number;
const STEPS = golden.data.steps as number;
const TOPK = 6;

type Tensor = InstanceType<typeof torch.Tensor>;

/** The target matrix each loss builds, rebuilt with the same ops (as the golden script's Recorder does). */
function targetMatrix(kind: string, t0: Tensor): Tensor {
  return torch.tidy(() => torch.noGrad(() => {
    const yy = lib.loss.targetSimilarity(t0);
    if (kind === 'v9') return yy.eq(yy.max(1, true)[0]).float();
    if (kind === 'v14') return F.oneHot(yy.argmax(1), yy.shape[1]).float();
    return F.oneHot(yy.topk(TOPK, 1)[1], yy.shape[1]).sum(1).clamp(0, 1).float();
  }));
}
function checksum(T: Tensor): [number, number] {
  return torch.tidy(() => {
    const [n, m] = T.shape;
    const w = torch.arange(1, n * m + 1, { dtype: 'float64' }).view(n, m);
    return [T.double().sum().item() as number, T.double().mul(w).sum().item() as number];
  });
}
function sums(module: InstanceType<typeof torch.nn.Module>): Record<string, unknown> {
  return torch.tidy(() => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(module.stateDict())) {
      if (v.isFloatingPoint()) out[k] = { sum: v.double().sum().item(), abs_sum: v.double().abs().sum().item() };
      else out[k] = { value: v.sum().item() };
    }
    return out;
  });
}
function numify(o: Record<string, Record<string, string | number>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = 'value' in v ? { value: v.value } : { sum: Number(v.sum), abs_sum: Number(v.abs_sum) };
  return out;
}

const describeIf = haveFashion() ? describe : describe.skip;

describeIf('sigprop parity with the original library (20 steps, Fashion-MNIST, 1 thread)', () => {
  let data: { x: Tensor; y: Tensor };
  let evalData: { x: Tensor; y: Tensor };
  beforeAll(() => {
    torch.setNumThreads(1);
    data = loadFashion('train', BATCH * STEPS);
    evalData = loadFashion('t10k', 256);
    expect(torch.tidy(() => data.x.narrow(0, 0, BATCH).double().sum().item())).toBe(Number(golden.data.train_x_sum_first_batch));
    expect(torch.tidy(() => evalData.x.double().sum().item())).toBe(Number(golden.data.test_x_sum));
  });
  afterAll(() => torch.dispose([data, evalData]));

  let baseline = -1;
  beforeEach(() => {
    baseline = torch.memory().numTensors;
  });

  for (const run of golden.runs) {
    test(`${run.id}`, () => {
      const kind = run.id.split('_')[1];
      const base = nets.lossByName(kind, TOPK);
      const calls: Record<string, unknown>[] = [];
      let keepIndices = false;
      const recorder = (sp: unknown, h1: Tensor, t1: Tensor, h0: Tensor, t0: Tensor, context: Tensor): Tensor => {
        const l = base(sp, h1, t1, h0, t0, context);
        const T = targetMatrix(kind, t0);
        const [ones, chk] = checksum(T);
        T.dispose();
        const rec: Record<string, unknown> = { target_ones: ones, target_checksum: chk };
        if (keepIndices && kind === 'v15') rec.topk_indices = torch.tidy(() => lib.loss.targetSimilarity(t0).topk(TOPK, 1)[1].tolist());
        calls.push(rec);
        return l;
      };
      const { model, gopt, monitorMain, modules } = nets.buildModel(run.net, recorder);
      const named: [string, unknown][] = [['signal_context', modules.ctx], ['signal_input', modules.inp], ['layer_1', modules.l1], ['layer_2', modules.l2], ['layer_output', modules.lo]];
      for (const [n, m] of named) expect([n, sums(m as never)]).toEqual([n, numify(run.initial_sums[n])]);
      expect(model.parameters()).toEqual([...modules.lo.parameters()]);
      expect(monitorMain.monitors.length).toBe(3);

      model.train();
      let before = -1;
      for (let s = 0; s < STEPS; s++) {
        if (s === 1) before = torch.memory().numTensors; // after step 0 created the optimizers' state
        calls.length = 0;
        keepIndices = s === 0;
        const got = torch.tidy(() => {
          const x = data.x.narrow(0, s * BATCH, BATCH);
          const y = data.y.narrow(0, s * BATCH, BATCH);
          const out = model.forward([x, y]);
          const g = F.crossEntropy(out, y);
          gopt.zeroGrad();
          g.backward();
          gopt.step();
          return { global: g.item(), outSum: out.detach().double().sum().item() };
        });
        const want = run.steps[s];
        expect([s, 'global', got.global]).toEqual([s, 'global', Number(want.global_loss)]);
        expect(calls.length).toBe(3);
        want.layers.forEach((wl: Record<string, unknown>, i: number) => {
          const mon = monitorMain.monitors[i];
          const gl: Record<string, unknown> = { name: wl.name, loss: mon.lossLast, acc: mon.accLast, ...calls[i] };
          const exp: Record<string, unknown> = { ...wl, loss: Number(wl.loss), acc: Number(wl.acc) };
          expect([s, gl]).toEqual([s, exp]);
        });
        expect([s, 'output_sum', got.outSum]).toEqual([s, 'output_sum', Number(want.output_sum)]);
      }
      expect(torch.memory().numTensors).toBe(before);

      for (const [n, m] of named) expect([n, sums(m as never)]).toEqual([n, numify(run.final_sums[n])]);

      model.eval();
      const ev = torch.tidy(() => torch.noGrad(() => {
        const out = model.forward([evalData.x, null]);
        return { sum: out.double().sum().item(), abs: out.double().abs().sum().item(), row0: out.select(0, 0).double().tolist(), correct: out.argmax(1).eq(evalData.y).sum().item() };
      }));
      expect(ev).toEqual({ sum: Number(run.eval.logits_sum), abs: Number(run.eval.logits_abs_sum), row0: run.eval.logits_row0.map(Number), correct: run.eval.correct });
      const start = torch.memory().numTensors;
      model.dispose();
      gopt.dispose();
      modules.lo.dispose(); // already freed through model (Identity): a second dispose is a no-op
      expect(torch.memory().numTensors).toBeLessThan(start);
      expect(torch.memory().numTensors).toBe(baseline);
    }, 600000);
  }
});
