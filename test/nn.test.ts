// torch.nn parity with PyTorch 1.13: initial weights under a seed, repr, forward, gradients and
// buffers, for every layer (goldens: test/golden/make_nn.py), plus the Module API.
import * as torch from '../lib/torch';
import * as nn from '../lib/torch/nn';
import { readGolden, TORCH_SERIES } from './helpers/golden';

/** The `bias=` part of norm layers' reprs: PyTorch 2.x prints it, 1.13 has no such option. */
const bias = (v: boolean | string): string => (TORCH_SERIES === '1.13' ? '' : typeof v === 'string' ? `bias=${v}` : `, bias=${v ? 'True' : 'False'}`);

type Enc = { dtype: torch.DType; shape: number[]; values: (string | number | boolean)[] };
const golden = readGolden('nn.json');

function decode(e: Enc): number[] {
  return e.values.map((v) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : typeof v === 'boolean' ? Number(v) : Number(v)));
}
function expectTensor(t: torch.Tensor | null, e: Enc, what: string): void {
  expect(t).not.toBeNull();
  expect([what, t!.shape]).toEqual([what, e.shape]);
  expect([what, t!.dtype]).toEqual([what, e.dtype]);
  const got = Array.from(t!.toTypedArray() as ArrayLike<number | bigint>, Number);
  const want = decode(e);
  const bad = got.findIndex((v, i) => !(Object.is(v, want[i]) || (Number.isNaN(v) && Number.isNaN(want[i]))));
  expect([what, bad, got[bad], want[bad]]).toEqual([what, -1, undefined, undefined]);
}

const CASES: Record<string, () => nn.Module> = {
  linear: () => new nn.Linear(4, 3),
  linear_nobias: () => new nn.Linear(5, 2, false),
  conv1d: () => new nn.Conv1d(2, 3, 3, 2, 1),
  conv2d: () => new nn.Conv2d(3, 4, 3),
  conv2d_groups: () => new nn.Conv2d(3, 6, [3, 2], { stride: [2, 1], padding: 1, groups: 3, bias: false }),
  conv2d_same_reflect: () => new nn.Conv2d(2, 2, 3, { padding: 'same', paddingMode: 'reflect' }),
  conv2d_circular: () => new nn.Conv2d(2, 4, 3, { padding: 1, paddingMode: 'circular' }),
  conv2d_dilation: () => new nn.Conv2d(1, 2, 3, { dilation: 2, padding: 2 }),
  conv_transpose2d: () => new nn.ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }),
  batchnorm1d: () => new nn.BatchNorm1d(4),
  batchnorm1d_3d: () => new nn.BatchNorm1d(3),
  batchnorm2d: () => new nn.BatchNorm2d(3),
  batchnorm2d_eval: () => new nn.BatchNorm2d(3).eval(),
  batchnorm2d_momentum_none: () => new nn.BatchNorm2d(3, { momentum: null }),
  batchnorm2d_noaffine_nostats: () => new nn.BatchNorm2d(3, { affine: false, trackRunningStats: false }),
  instancenorm1d: () => new nn.InstanceNorm1d(3),
  instancenorm2d_affine: () => new nn.InstanceNorm2d(3, { affine: true }),
  instancenorm2d_stats: () => new nn.InstanceNorm2d(3, { trackRunningStats: true }),
  instancenorm2d_unbatched: () => new nn.InstanceNorm2d(3),
  layernorm: () => new nn.LayerNorm([4, 5]),
  groupnorm: () => new nn.GroupNorm(2, 4),
  dropout: () => new nn.Dropout(0.3),
  dropout_eval: () => new nn.Dropout(0.3).eval(),
  dropout2d: () => new nn.Dropout2d(0.5),
  relu: () => new nn.ReLU(),
  leakyrelu: () => new nn.LeakyReLU(0.2),
  elu: () => new nn.ELU(),
  gelu_tanh: () => new nn.GELU('tanh'),
  gelu: () => new nn.GELU(),
  silu: () => new nn.SiLU(),
  tanh: () => new nn.Tanh(),
  sigmoid: () => new nn.Sigmoid(),
  softmax: () => new nn.Softmax(1),
  logsoftmax: () => new nn.LogSoftmax(-1),
  maxpool2d: () => new nn.MaxPool2d(2),
  maxpool2d_ceil: () => new nn.MaxPool2d(3, 2, 1, 1, false, true),
  avgpool2d: () => new nn.AvgPool2d(2),
  avgpool2d_nopad: () => new nn.AvgPool2d(3, 2, 1, false, false),
  adaptiveavgpool2d: () => new nn.AdaptiveAvgPool2d([2, 3]),
  flatten: () => new nn.Flatten(),
  unflatten: () => new nn.Unflatten(1, [2, 3]),
  identity: () => new nn.Identity(),
  sequential_cnn: () => new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(4 * 4 * 4, 10)),
};

beforeAll(() => torch.setNumThreads(1));

test('the golden file lists exactly these cases', () => {
  expect(Object.keys(golden.cases).sort()).toEqual(Object.keys(CASES).sort());
});

describe.each(Object.keys(CASES))('%s', (name) => {
  test('same initial weights, repr, forward, gradients and buffers as PyTorch', () => {
    const g = golden.cases[name];
    torch.manualSeed(0);
    const m = CASES[name]();
    try {
      expect(m.toString()).toBe(g.repr);
      expect(m.namedParameters().map(([k]) => k)).toEqual(g.named_parameters);
      torch.tidy(() => {
        const sd = m.stateDict();
        expect(Object.keys(sd)).toEqual(g.state_dict.map((e: [string, Enc]) => e[0]));
        for (const [k, e] of g.state_dict as [string, Enc][]) expectTensor(sd[k], e, `state_dict ${k}`);
      });
      const gen = new torch.Generator().manualSeed(1);
      for (let p = 0; p < g.passes; p++) {
        const want = g.passes_out[p];
        torch.tidy(() => {
          const x = torch.randn(g.in_shape, { generator: gen }).requiresGrad_();
          torch.manualSeed(100 + p);
          const y = m.forward(x) as torch.Tensor;
          const w = torch.randn(y.shape, { generator: gen });
          m.zeroGrad();
          y.mul(w).sum().backward();
          expectTensor(y, want.out, `pass ${p} output`);
          expectTensor(x.grad, want.grad_input, `pass ${p} input grad`);
          const params = Object.fromEntries(m.namedParameters());
          for (const [k, e] of want.grads as [string, Enc][]) expectTensor(params[k].grad, e, `pass ${p} grad ${k}`);
        });
      }
      const bufs = Object.fromEntries(m.namedBuffers());
      expect(Object.keys(bufs)).toEqual(g.buffers_after.map((e: [string, Enc]) => e[0]));
      for (const [k, e] of g.buffers_after as [string, Enc][]) expectTensor(bufs[k], e, `buffer ${k}`);
    } finally {
      m.dispose();
    }
  });
});

test('Embedding: init with padding row zeroed, forward and sparse-free gradient', () => {
  const g = golden.embedding;
  torch.manualSeed(0);
  const m = new nn.Embedding(10, 4, { paddingIdx: 2 });
  torch.tidy(() => {
    expect(m.toString()).toBe(g.repr);
    expectTensor(m.stateDict().weight, g.state_dict[0][1], 'weight');
    const y = m.forward(torch.tensor([[0, 2, 5], [9, 2, 1]], { dtype: 'int64' }));
    expectTensor(y, g.out, 'out');
    const w = torch.randn(y.shape, { generator: new torch.Generator().manualSeed(1) });
    y.mul(w).sum().backward();
    expectTensor(m.weight.grad, g.grad_weight, 'grad');
  });
  m.dispose();
});

describe('nn.init', () => {
  const fns: Record<string, (t: torch.Tensor) => unknown> = {
    uniform: (t) => nn.init.uniform_(t, -0.5, 2.0),
    normal: (t) => nn.init.normal_(t, 0.5, 2.0),
    constant: (t) => nn.init.constant_(t, 0.25),
    xavier_uniform: (t) => nn.init.xavierUniform_(t, nn.init.calculateGain('relu')),
    xavier_normal: (t) => nn.init.xavierNormal_(t),
    kaiming_uniform: (t) => nn.init.kaimingUniform_(t, Math.sqrt(5)),
    kaiming_uniform_fanout_relu: (t) => nn.init.kaimingUniform_(t, { mode: 'fan_out', nonlinearity: 'relu' }),
    kaiming_normal: (t) => nn.init.kaimingNormal_(t),
    kaiming_normal_fanout: (t) => nn.init.kaimingNormal_(t, 0.1, 'fan_out'),
    orthogonal: (t) => nn.init.orthogonal_(t),
    orthogonal_gain: (t) => nn.init.orthogonal_(t, 2.0),
    trunc_normal: (t) => nn.init.truncNormal_(t, 0.1, 0.5, -0.5, 1.0),
  };
  const keys = Object.keys(golden.init).filter((k) => k !== 'gains');
  test.each(keys)('%s', (key) => {
    const c = golden.init[key];
    const fname = key.replace(/_(w2|w4)$/, '');
    torch.tidy(() => {
      torch.manualSeed(3);
      const t = torch.empty(c.shape);
      fns[fname](t);
      expectTensor(t, c.value, key);
    });
  });
  test('calculateGain', () => {
    for (const [k, v] of Object.entries(golden.init.gains)) {
      const got = k === 'leaky_relu_0.2' ? nn.init.calculateGain('leaky_relu', 0.2) : nn.init.calculateGain(k as nn.init.Nonlinearity);
      expect([k, got]).toEqual([k, v]);
    }
  });
});

describe('Module API', () => {
  class Net extends nn.Module {
    conv = new nn.Conv2d(1, 2, 3);
    bn = new nn.BatchNorm2d(2);
    head = new nn.Sequential(new nn.Flatten(), new nn.Linear(8, 3));
    scale = new nn.Parameter(torch.ones(1));
    constructor() {
      super();
      this.registerBuffer('steps', torch.zeros(1));
    }
    override forward(x: torch.Tensor): torch.Tensor {
      return (this.head.forward(this.bn.forward(this.conv.forward(x)).relu()) as torch.Tensor).mul(this.scale);
    }
  }

  test('fields register in assignment order; names in PyTorch order (own members first, then children)', () => {
    const n = new Net();
    // the orders PyTorch 1.13 gives for the same module (checked with /usr/bin/python3)
    expect(n.namedParameters().map(([k]) => k)).toEqual(['scale', 'conv.weight', 'conv.bias', 'bn.weight', 'bn.bias', 'head.1.weight', 'head.1.bias']);
    expect(torch.tidy(() => Object.keys(n.stateDict()))).toEqual(['scale', 'steps', 'conv.weight', 'conv.bias', 'bn.weight', 'bn.bias',
      'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked', 'head.1.weight', 'head.1.bias']);
    expect([...n.namedChildren()].map(([k]) => k)).toEqual(['conv', 'bn', 'head']);
    expect([...n.namedModules()].map(([k]) => k)).toEqual(['', 'conv', 'bn', 'head', 'head.0', 'head.1']);
    expect(n.namedBuffers().map(([k]) => k)).toEqual(['steps', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
    expect(n.parameters().length).toBe(7);
    expect(n.parameters(false).length).toBe(1);
    expect(n.toString()).toBe([
      'Net(',
      '  (conv): Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1))',
      `  (bn): BatchNorm2d(2, eps=1e-05, momentum=0.1, affine=True, ${bias('True, ')}track_running_stats=True)`,
      '  (head): Sequential(',
      '    (0): Flatten(start_dim=1, end_dim=-1)',
      '    (1): Linear(in_features=8, out_features=3, bias=True)',
      '  )',
      ')',
    ].join('\n'));
    n.dispose();
  });

  test('train/eval, zeroGrad, requiresGrad_, apply, loadStateDict and strictness', () => {
    const n = new Net();
    expect(n.training).toBe(true);
    n.eval();
    expect([...n.modules()].every((m) => !m.training)).toBe(true);
    n.train();
    torch.tidy(() => (n.forward(torch.randn(2, 1, 4, 4)) as torch.Tensor).sum().backward());
    expect(n.conv.weight.grad).not.toBeNull();
    const g = n.conv.weight.grad!;
    n.zeroGrad(false);
    expect(n.conv.weight.grad!.abs().sum().item()).toBe(0);
    expect(g.abs().sum().item()).toBe(0); // zeroed in place
    n.zeroGrad();
    expect(n.conv.weight.grad).toBeNull(); // PyTorch >= 2.0's default: set to None
    expect(n.scale.grad).toBeNull();
    expect(() => n.zeroGrad('yes' as any)).toThrow(/setToNone/);
    n.requiresGrad_(false);
    expect(n.parameters().every((p) => !p.requiresGrad)).toBe(true);
    const names: string[] = [];
    n.apply((m) => names.push(m.constructor.name));
    expect(names).toEqual(['Conv2d', 'BatchNorm2d', 'Flatten', 'Linear', 'Sequential', 'Net']);

    const other = new Net();
    torch.tidy(() => {
      const sd = n.stateDict();
      const r = other.loadStateDict(sd);
      expect(r).toEqual({ missingKeys: [], unexpectedKeys: [] });
      expect(other.conv.weight.equal(n.conv.weight)).toBe(true);
      const bad = { ...sd, extra: torch.ones(1) };
      expect(() => other.loadStateDict(bad)).toThrow(/Unexpected key\(s\) in state_dict: "extra"/);
      expect(other.loadStateDict(bad, false).unexpectedKeys).toEqual(['extra']);
      const wrong = { ...sd, 'conv.weight': torch.zeros(3) };
      expect(() => other.loadStateDict(wrong)).toThrow(/size mismatch for conv.weight: copying a param with shape \[3\] from checkpoint, the shape in current model is \[2, 1, 3, 3\]/);
      const missing: Record<string, torch.Tensor> = { ...sd };
      delete missing.scale;
      expect(() => other.loadStateDict(missing)).toThrow(/Missing key\(s\) in state_dict: "scale"/);
    });
    n.dispose();
    other.dispose();
  });

  test('to(dtype) converts floating parameters in place and keeps the objects', () => {
    const n = new Net();
    const w = n.conv.weight;
    n.to('float64');
    expect(n.conv.weight).toBe(w);
    expect(w.dtype).toBe('float64');
    expect((n as unknown as { bn: nn.BatchNorm2d }).bn.numBatchesTracked!.dtype).toBe('int64');
    expect(n.bn.runningMean!.dtype).toBe('float64');
    torch.tidy(() => expect((n.forward(torch.randn(1, 1, 4, 4, { dtype: 'float64' })) as torch.Tensor).dtype).toBe('float64'));
    n.dispose();
  });

  test('parameters survive scopes; dispose frees them; subclasses may override parameters()', () => {
    const n0 = torch.memory().numTensors;
    const m = torch.tidy(() => new nn.Linear(3, 2));
    expect(m.weight.isDisposed).toBe(false);
    expect(torch.memory().numTensors).toBe(n0 + 2);
    m.dispose();
    expect(torch.memory().numTensors).toBe(n0);
    class OnlyHead extends nn.Module {
      body = new nn.Linear(2, 2);
      head = new nn.Linear(2, 1);
      override parameters(): torch.Tensor[] {
        return this.head.parameters();
      }
    }
    const o = new OnlyHead();
    expect(o.parameters().length).toBe(2);
    expect(o.namedParameters().length).toBe(4);
    o.dispose();
  });

  test('Sequential passes arrays (Python tuples) and null through', () => {
    class Pair extends nn.Module {
      override forward([h, t]: [torch.Tensor, torch.Tensor | null]): [torch.Tensor, torch.Tensor | null] {
        return [h.mul(2), t];
      }
    }
    const s = new nn.Sequential(new Pair(), new Pair());
    torch.tidy(() => {
      const [h, t] = s.forward([torch.ones(2), null]) as [torch.Tensor, null];
      expect(h.tolist()).toEqual([4, 4]);
      expect(t).toBeNull();
    });
    expect(s.length).toBe(2);
    expect(s.get(-1)).toBeInstanceOf(Pair);
    const l = new nn.ModuleList([new nn.ReLU()]);
    l.append(new nn.Tanh());
    expect([...l].map((m) => m.constructor.name)).toEqual(['ReLU', 'Tanh']);
    const d = new nn.ModuleDict({ a: new nn.ReLU() });
    expect(d.keys()).toEqual(['a']);
  });

  test('module forward + cross-entropy + Adam step leaks nothing over 10,000 steps', () => {
    const m = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.Flatten(), new nn.Linear(4 * 4 * 4, 3));
    const opt = new torch.optim.Adam(m.parameters(), { lr: 1e-3 });
    const sched = new torch.optim.lrScheduler.StepLR(opt, 100, { gamma: 0.9 });
    const x = torch.randn(4, 1, 4, 4);
    const y = torch.tensor([0, 1, 2, 1], { dtype: 'int64' });
    const step = () => {
      opt.zeroGrad();
      torch.tidy(() => nn.functional.crossEntropy(m.forward(x) as torch.Tensor, y).backward());
      opt.step();
      sched.step();
    };
    for (let i = 0; i < 50; i++) step();
    const n0 = torch.memory().numTensors;
    for (let i = 0; i < 10000; i++) step();
    expect(torch.memory().numTensors).toBe(n0);
    opt.dispose();
    m.dispose();
    torch.dispose([x, y]);
  });

  test('module forward + optimizer-like update leaks nothing over 10,000 steps', () => {
    const m = new nn.Sequential(new nn.Linear(8, 16), new nn.BatchNorm1d(16), new nn.ReLU(), new nn.Dropout(0.1), new nn.Linear(16, 2));
    const step = () => torch.tidy(() => {
      const loss = (m.forward(torch.randn(4, 8)) as torch.Tensor).square().mean();
      loss.backward();
      torch.noGrad(() => {
        for (const p of m.parameters()) p.sub_(p.grad!.mul(0.01));
      });
      m.zeroGrad();
    });
    for (let i = 0; i < 50; i++) step();
    const n0 = torch.memory().numTensors;
    for (let i = 0; i < 10000; i++) step();
    expect(torch.memory().numTensors).toBe(n0);
    m.dispose();
  });
});

describe('Conv arguments, Python-style', () => {
  test('an options object may follow any positional argument (Python keywords)', () => {
    const a = new nn.Conv2d(1, 8, 3, 1, 1, { bias: false });
    expect(String(a)).toBe('Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)');
    expect(a.bias).toBeNull();
    expect(String(new nn.Conv2d(1, 8, 3, { stride: 2, padding: 1 }))).toBe('Conv2d(1, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))');
    expect(String(new nn.Conv2d(1, 8, 3, 2, 1, 1, 1, false))).toBe('Conv2d(1, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)');
    expect(String(new nn.Conv1d(2, 4, 3, 2, { padding: 1, groups: 2 }))).toBe('Conv1d(2, 4, kernel_size=(3,), stride=(2,), padding=(1,), groups=2)');
    expect(() => new nn.Conv2d(1, 8, 3, 1, { stride: 2 })).toThrow("multiple values for argument 'stride'");
    expect(() => new nn.Conv2d(1, 8, 3, { bias: false }, 2 as never)).toThrow('positional arguments must come before the options object');
    expect(() => new nn.Conv2d(1, 8, 3, 1, 1, { bias: false, kernel: 3 } as never)).toThrow("unexpected keyword argument 'kernel'");
    for (const m of [a]) m.dispose();
  });

  test('Linear, LayerNorm, GroupNorm take their trailing arguments as an options object too', () => {
    expect(String(new nn.Linear(3, 2, { bias: false }))).toBe('Linear(in_features=3, out_features=2, bias=False)');
    expect(new nn.Linear(3, 2, true, { dtype: 'float64' }).weight.dtype).toBe('float64');
    expect(new nn.Linear(3, 2, { dtype: 'float64' }).bias!.dtype).toBe('float64');
    expect(String(new nn.LayerNorm(4, { elementwiseAffine: false }))).toBe(`LayerNorm((4,), eps=1e-05, elementwise_affine=False${bias(false)})`);
    expect(String(new nn.LayerNorm(4, 1e-3))).toBe(`LayerNorm((4,), eps=0.001, elementwise_affine=True${bias(true)})`);
    expect(String(new nn.GroupNorm(2, 4, { affine: false }))).toBe(`GroupNorm(2, 4, eps=1e-05, affine=False${bias(false)})`);
    expect(() => new nn.Linear(3, 2, { bias: false, x: 1 } as never)).toThrow("Linear got an unexpected keyword argument 'x'");
    expect(() => new nn.Linear(3, 2, 'no' as never)).toThrow("Linear: 'bias' must be a boolean, got string 'no'");
    if (TORCH_SERIES === '1.13') {
      expect(() => new nn.LayerNorm(4, { bias: false } as never)).toThrow(/LayerNorm got an unexpected keyword argument 'bias'/);
    } else {
      // PyTorch >= 2.1: LayerNorm's bias is positional, GroupNorm's and the batch / instance norms' keyword-only
      expect(String(new nn.LayerNorm(4, 1e-5, true, false))).toBe('LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=False)');
      expect(new nn.GroupNorm(2, 4, { bias: false }).bias).toBeNull();
      expect(String(new nn.BatchNorm1d(3, { bias: false }))).toBe('BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=False, track_running_stats=True)');
    }
    expect(() => new nn.BatchNorm2d(3, { eps: 1e-3, epsilon: 1 } as never)).toThrow(/BatchNorm2d got an unexpected keyword argument 'epsilon'/);
  });
});
