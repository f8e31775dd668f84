// API semantics of sigprop/torch tensors (numeric parity with PyTorch is in golden.test.ts).
import * as torch from '../lib/torch';

afterEach(() => torch.setGradEnabled(true));

describe('creation', () => {
  test('tensor() infers shape and dtype like the docs say', () => torch.tidy(() => {
    expect(torch.tensor([[1, 2, 3], [4, 5, 6]]).shape).toEqual([2, 3]);
    expect(torch.tensor([1, 2]).dtype).toBe('float32');
    expect(torch.tensor([true, false]).dtype).toBe('bool');
    expect(torch.tensor([1n, 2n]).dtype).toBe('int64');
    expect(torch.tensor(3).shape).toEqual([]);
    expect(torch.tensor([]).shape).toEqual([0]);
    expect(torch.tensor([[], []]).shape).toEqual([2, 0]);
    expect(torch.tensor([1, 2], { dtype: 'int64' }).dtype).toBe('int64');
    expect(torch.tensor(new Float64Array([1, 2])).dtype).toBe('float64');
    expect(torch.tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(torch.tensor(new Uint8Array([1, 2])).dtype).toBe('uint8');
    expect(torch.tensor([1.5, 2], { dtype: 'float16' }).tolist()).toEqual([1.5, 2]);
    const src = torch.tensor([1, 2], { requiresGrad: true });
    const copy = torch.tensor(src);
    expect(copy.requiresGrad).toBe(false);
    expect(copy.isSetTo(src)).toBe(false);
  }));

  test('factories accept varargs sizes or an array, and options', () => torch.tidy(() => {
    expect(torch.zeros(2, 3).shape).toEqual([2, 3]);
    expect(torch.ones([4]).tolist()).toEqual([1, 1, 1, 1]);
    expect(torch.zeros(2, { dtype: 'int32' }).dtype).toBe('int32');
    expect(torch.empty(0, 5).numel()).toBe(0);
    expect(torch.full([2], 7).tolist()).toEqual([7, 7]);
    expect(torch.full([1], true).dtype).toBe('bool');
    expect(torch.arange(5).dtype).toBe('int64');
    expect(torch.arange(0, 1, 0.25).tolist()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(torch.arange(1, 4, { dtype: 'float64' }).dtype).toBe('float64');
    expect(torch.linspace(0, 1, 5).tolist()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(torch.eye(2).tolist()).toEqual([[1, 0], [0, 1]]);
    expect(torch.eye(2, 3).shape).toEqual([2, 3]);
    const x = torch.ones(2, 2, { dtype: 'float64' });
    expect(torch.zerosLike(x).dtype).toBe('float64');
    expect(torch.fullLike(x, 3).tolist()).toEqual([[3, 3], [3, 3]]);
    expect(torch.randint(10, [100]).max().item()).toBeLessThan(10);
    expect(torch.randint(5, 10, [100]).min().item()).toBeGreaterThanOrEqual(5);
    expect(torch.randperm(6).sort().values.tolist()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(torch.rand(3, { requiresGrad: true }).requiresGrad).toBe(true);
  }));
});

describe('raw bytes', () => {
  test('frombuffer reads any dtype at any byte offset; toBuffer gives the raw bytes back', () => torch.tidy(() => {
    const b = new Uint8Array(11);
    const dv = new DataView(b.buffer);
    dv.setFloat32(1, 1.5, true);
    dv.setFloat32(5, -2, true);
    dv.setUint16(9, 0x3c00, true); // float16 1.0
    expect(torch.frombuffer(b, { dtype: 'float32', offset: 1, count: 2 }).tolist()).toEqual([1.5, -2]);
    expect(torch.frombuffer(b, { dtype: 'float16', offset: 9 }).tolist()).toEqual([1]);
    const h = torch.tensor([0.5, -3], { dtype: 'bfloat16' });
    expect(torch.frombuffer(h.toBuffer(), { dtype: 'bfloat16' }).equal(h)).toBe(true);
    b[1] = 0; // a copy: later changes to the buffer do not show
    const t = torch.frombuffer(b, { dtype: 'uint8', count: 2 });
    b[0] = 7;
    expect(t.tolist()).toEqual([0, 0]);
  }));
});

describe('reading', () => {
  test('metadata', () => torch.tidy(() => {
    const x = torch.zeros(2, 3, 4);
    expect(x.dim()).toBe(3);
    expect(x.ndim).toBe(3);
    expect(x.numel()).toBe(24);
    expect(x.size()).toEqual([2, 3, 4]);
    expect(x.size(-1)).toBe(4);
    expect(x.stride()).toEqual([12, 4, 1]);
    expect(x.device).toBe('cpu');
    expect(x.isContiguous()).toBe(true);
    expect(x.transpose(0, 2).isContiguous()).toBe(false);
    expect(x.elementSize()).toBe(4);
  }));

  test('item, tolist and typed arrays for every dtype', () => torch.tidy(() => {
    expect(torch.tensor(2.5).item()).toBe(2.5);
    expect(torch.tensor(true).item()).toBe(true);
    expect(torch.tensor([7], { dtype: 'int64' }).item()).toBe(7);
    expect(torch.tensor([[1, 2], [3, 4]], { dtype: 'int32' }).tolist()).toEqual([[1, 2], [3, 4]]);
    expect(torch.tensor([true, false]).tolist()).toEqual([true, false]);
    const cases: [torch.DType, unknown][] = [
      ['float32', Float32Array], ['float64', Float64Array], ['float16', Float32Array], ['bfloat16', Float32Array],
      ['int64', BigInt64Array], ['int32', Int32Array], ['int16', Int16Array], ['int8', Int8Array], ['uint8', Uint8Array], ['bool', Uint8Array],
    ];
    for (const [dt, ctor] of cases) {
      const a = torch.tensor([0, 1, 1], { dtype: dt }).toTypedArray();
      expect(a).toBeInstanceOf(ctor as new () => unknown);
      expect(Array.from(a as ArrayLike<number | bigint>, Number)).toEqual([0, 1, 1]);
    }
    // non-contiguous views read in logical order
    expect(torch.arange(6).view(2, 3).t().tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
  }));

  test('toString prints like PyTorch', () => torch.tidy(() => {
    expect(String(torch.tensor([1, 2.5]))).toBe('tensor([1.0000, 2.5000])');
    expect(String(torch.arange(3))).toBe('tensor([0, 1, 2])');
    expect(String(torch.tensor([1, 2], { dtype: 'int32' }))).toBe('tensor([1, 2], dtype=torch.int32)');
    expect(String(torch.ones(2, { requiresGrad: true }))).toBe('tensor([1., 1.], requires_grad=True)');
    expect(String(torch.ones(2, { requiresGrad: true }).mul(2))).toBe('tensor([2., 2.], grad_fn=<MulBackward0>)');
    expect(String(torch.zeros(0, 3))).toBe('tensor([], size=(0, 3))');
  }));
});

describe('conversion', () => {
  test('to / cpu / dtype shorthands / clone / detach / contiguous', () => torch.tidy(() => {
    const x = torch.tensor([1.7, -2.2]);
    expect(x.to('float64').dtype).toBe('float64');
    expect(x.to({ dtype: 'int32' }).tolist()).toEqual([1, -2]);
    expect(x.to('cpu').isSameTensor(x)).toBe(true); // no-op returns the same tensor, like PyTorch
    expect(x.to('cpu', { copy: true }).isSameTensor(x)).toBe(false);
    const y = torch.zeros(1, { dtype: 'float64' });
    expect(x.to(y).dtype).toBe('float64');
    expect(x.double().dtype).toBe('float64');
    expect(x.long().dtype).toBe('int64');
    expect(x.int().dtype).toBe('int32');
    expect(x.half().dtype).toBe('float16');
    expect(x.bfloat16().dtype).toBe('bfloat16');
    expect(x.bool().tolist()).toEqual([true, true]);
    expect(x.float().dtype).toBe('float32');
    const c = x.clone();
    c.add_(1);
    expect(x.tolist()[0]).toBeCloseTo(1.7, 6);
    const g = torch.ones(2, { requiresGrad: true });
    expect(g.mul(2).detach().requiresGrad).toBe(false);
    expect(torch.arange(6).view(2, 3).t().contiguous().isContiguous()).toBe(true);
  }));
});

describe('shape and indexing', () => {
  test('views share storage, writes through indexPut_ show in the base', () => torch.tidy(() => {
    const viz = torch.zeros(1, 6, 6);
    const d = torch.ones(1, 2, 2);
    const x = 1, y = 3, m = 2;
    viz.indexPut_([':', torch.slice(x, x + m), torch.slice(y, y + m)], d); // viz[:, x:x+m, y:y+m] = d
    expect(viz.sum().item()).toBe(4);
    expect(viz.index(0, 1).tolist()).toEqual([0, 0, 0, 1, 1, 0]);
    const v = viz.view(36);
    v.indexPut_([0], 9);
    expect(viz.index(0, 0, 0).item()).toBe(9);
  }));

  test('index items: ints, negative, slices with steps, newaxis, ellipsis, masks, index tensors, arrays', () => torch.tidy(() => {
    const a = torch.arange(24).view(2, 3, 4);
    expect(a.index(-1, -1, -1).item()).toBe(23);
    expect(a.index(0, '::2').shape).toEqual([2, 4]);
    expect(a.index('...', 1).shape).toEqual([2, 3]);
    expect(a.index(null).shape).toEqual([1, 2, 3, 4]);
    expect(a.index(0, torch.newaxis, ':').shape).toEqual([1, 3, 4]);
    expect(a.index(a.gt(20)).tolist()).toEqual([21, 22, 23]);
    expect(a.index(0, 0, [0, 3]).tolist()).toEqual([0, 3]);
    expect(a.index(0, torch.tensor([2, 0], { dtype: 'int64' }), 0).tolist()).toEqual([8, 0]);
    const b = torch.zeros(4);
    b.indexPut_([b.eq(0)], 2);
    expect(b.tolist()).toEqual([2, 2, 2, 2]);
  }));

  test('reshaping ops', () => torch.tidy(() => {
    const a = torch.arange(6);
    expect(a.view(2, 3).shape).toEqual([2, 3]);
    expect(a.view([3, -1]).shape).toEqual([3, 2]);
    expect(a.reshape(3, 2).t().shape).toEqual([2, 3]);
    expect(a.view(1, 2, 3).flatten(1).shape).toEqual([1, 6]);
    expect(a.unflatten(0, [2, 3]).shape).toEqual([2, 3]);
    expect(a.view(2, 3).permute(1, 0).shape).toEqual([3, 2]);
    expect(a.unsqueeze(0).squeeze().shape).toEqual([6]);
    expect(a.view(1, 6).expand(3, 6).shape).toEqual([3, 6]);
    expect(a.repeat(2).numel()).toBe(12);
    expect(a.narrow(0, 2, 3).tolist()).toEqual([2, 3, 4]);
    expect(a.view(2, 3).select(1, 2).tolist()).toEqual([2, 5]);
    expect(torch.cat([a, a]).numel()).toBe(12);
    expect(torch.stack([a, a], 1).shape).toEqual([6, 2]);
    expect(a.split(4).map((t) => t.numel())).toEqual([4, 2]);
    expect(a.split([1, 5]).map((t) => t.numel())).toEqual([1, 5]);
    expect(a.chunk(3).length).toBe(3);
    const m = a.float().view(2, 3);
    expect(m.gather(1, torch.tensor([[2], [0]], { dtype: 'int64' })).tolist()).toEqual([[2], [3]]);
    expect(torch.zeros(2, 3).scatter(1, torch.tensor([[0], [2]], { dtype: 'int64' }), 1).tolist()).toEqual([[1, 0, 0], [0, 0, 1]]);
    expect(m.indexSelect(1, torch.tensor([0, 2], { dtype: 'int64' })).tolist()).toEqual([[0, 2], [3, 5]]);
    expect(m.maskedFill(m.gt(3), -1).tolist()).toEqual([[0, 1, 2], [3, -1, -1]]);
    expect(torch.where(m.gt(2), m, 0).tolist()).toEqual([[0, 0, 0], [3, 4, 5]]);
    expect(torch.where(m.gt(3)).map((t) => t.tolist())).toEqual([[1, 1], [1, 2]]);
  }));
});

describe('math', () => {
  test('binary ops with tensors, scalars, alpha and rounding', () => torch.tidy(() => {
    const a = torch.tensor([1, 2, 3]), b = torch.tensor([4, 5, 6]);
    expect(a.add(b, { alpha: 2 }).tolist()).toEqual([9, 12, 15]);
    expect(a.sub(1).tolist()).toEqual([0, 1, 2]);
    expect(a.rsub(1).tolist()).toEqual([0, -1, -2]);
    expect(a.mul(b).tolist()).toEqual([4, 10, 18]);
    expect(b.div(2, { roundingMode: 'floor' }).tolist()).toEqual([2, 2, 3]);
    expect(a.pow(2).tolist()).toEqual([1, 4, 9]);
    expect(a.rpow(2).tolist()).toEqual([2, 4, 8]);
    expect(torch.arange(3).add(0.5).dtype).toBe('float32'); // int + float scalar -> float
    expect(torch.arange(3).mul(2).dtype).toBe('int64');
    expect(a.clamp(1.5, 2.5).tolist()).toEqual([1.5, 2, 2.5]);
    expect(a.clamp({ max: 2 }).tolist()).toEqual([1, 2, 2]);
    expect(a.eq(2).tolist()).toEqual([false, true, false]);
    expect(a.lt(b).all().item()).toBe(true);
    expect(a.max(b).tolist()).toEqual([4, 5, 6]);
  }));

  test('reductions with dims and keepdim', () => torch.tidy(() => {
    const x = torch.tensor([[1, 5, 3], [4, 2, 6]]);
    expect(x.sum().item()).toBe(21);
    expect(x.sum(0).tolist()).toEqual([5, 7, 9]);
    expect(x.sum(1, true).shape).toEqual([2, 1]);
    expect(x.sum({ dim: 1, keepdim: true }).shape).toEqual([2, 1]);
    expect(x.mean([0, 1]).item()).toBe(3.5);
    const [v, i] = x.max(1);
    expect(v.tolist()).toEqual([5, 6]);
    expect(i.tolist()).toEqual([1, 2]);
    expect(x.min(0).indices.tolist()).toEqual([0, 1, 0]);
    expect(x.argmax().item()).toBe(5);
    expect(x.topk(2).values.tolist()).toEqual([[5, 3], [6, 4]]);
    expect(x.sort(1, true).values.tolist()).toEqual([[5, 3, 1], [6, 4, 2]]);
    expect(x.cumsum(1).tolist()).toEqual([[1, 6, 9], [4, 6, 12]]);
    expect(x.var(1, false).tolist().map((n: number) => +n.toFixed(4))).toEqual([2.6667, 2.6667]);
    expect(x.std().item()).toBeCloseTo(1.8708, 4);
    expect(x.prod(1).tolist()).toEqual([15, 48]);
    expect(x.norm().item()).toBeCloseTo(Math.sqrt(91), 5);
    expect(x.logsumexp(1).shape).toEqual([2]);
    expect(x.gt(4).any().item()).toBe(true);
    expect(x.softmax(1).sum(1).tolist().map((n: number) => +n.toFixed(5))).toEqual([1, 1]);
    expect(torch.oneHot(torch.tensor([0, 2], { dtype: 'int64' }), 3).tolist()).toEqual([[1, 0, 0], [0, 0, 1]]);
  }));

  test('in-place ops return this and modify the tensor', () => torch.tidy(() => {
    const x = torch.zeros(3);
    expect(x.add_(1)).toBe(x);
    x.mul_(3).sub_(torch.ones(3), { alpha: 2 });
    expect(x.tolist()).toEqual([1, 1, 1]);
    x.fill_(4).sqrt_();
    expect(x.tolist()).toEqual([2, 2, 2]);
    x.clamp_({ max: 1.5 });
    expect(x.tolist()).toEqual([1.5, 1.5, 1.5]);
    x.zero_();
    expect(x.sum().item()).toBe(0);
    x.copy_(torch.tensor([3, 2, 1]));
    expect(x.tolist()).toEqual([3, 2, 1]);
    torch.manualSeed(1);
    x.uniform_(-1, 1);
    expect(x.abs().max().item()).toBeLessThanOrEqual(1);
    x.normal_(0, 1);
    x.addcmul_(x, x, { value: 0.5 });
  }));
});

describe('autograd', () => {
  test('backward, grad accumulation, retainGrad, isLeaf, gradFn', () => torch.tidy(() => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const h = x.mul(x);
    h.retainGrad();
    expect(x.isLeaf).toBe(true);
    expect(h.isLeaf).toBe(false);
    expect(h.gradFn).toBe('MulBackward0');
    h.sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 4, 6]);
    expect(h.grad!.tolist()).toEqual([1, 1, 1]);
    x.mul(2).sum().backward();
    expect(x.grad!.tolist()).toEqual([4, 6, 8]);
    const y = x.mul(2);
    y.backward(torch.tensor([1, 0, 1]));
    expect(x.grad!.tolist()).toEqual([6, 6, 10]);
    x.grad = torch.zeros(3);
    expect(x.grad!.tolist()).toEqual([0, 0, 0]);
  }));

  test('noGrad / enableGrad / setGradEnabled', () => torch.tidy(() => {
    const x = torch.ones(2, { requiresGrad: true });
    expect(torch.noGrad(() => x.mul(2)).requiresGrad).toBe(false);
    expect(torch.isGradEnabled()).toBe(true);
    torch.noGrad(() => {
      expect(torch.isGradEnabled()).toBe(false);
      expect(torch.enableGrad(() => x.mul(2)).requiresGrad).toBe(true);
    });
    torch.setGradEnabled(false);
    expect(x.mul(2).requiresGrad).toBe(false);
    torch.setGradEnabled(true);
    expect(() => torch.noGrad(() => { throw new Error('x'); })).toThrow('x');
    expect(torch.isGradEnabled()).toBe(true);
  }));

  test('autograd.grad with createGraph gives second derivatives', () => torch.tidy(() => {
    const x = torch.tensor([2], { requiresGrad: true });
    const y = x.pow(3);
    const [dy] = torch.autograd.grad(y, x, { createGraph: true });
    expect(dy!.item()).toBe(12);
    const [d2y] = torch.autograd.grad(dy!, x);
    expect(d2y!.item()).toBe(12);
    const z = torch.ones(1, { requiresGrad: true });
    expect(torch.autograd.grad(x.mul(2), [x, z], { allowUnused: true })[1]).toBeNull();
  }));
});

describe('random', () => {
  test('manualSeed reproduces streams; Generators are independent', () => torch.tidy(() => {
    torch.manualSeed(42);
    const a = torch.randn(5).tolist();
    torch.manualSeed(42);
    expect(torch.randn(5).tolist()).toEqual(a);
    expect(torch.initialSeed()).toBe(42);
    const g = new torch.Generator().manualSeed(42);
    expect(torch.randn(5, { generator: g }).tolist()).toEqual(a);
    const state = g.getState();
    const b = torch.rand(3, { generator: g }).tolist();
    g.setState(state);
    expect(torch.rand(3, { generator: g }).tolist()).toEqual(b);
    expect(g.initialSeed()).toBe(42);
    expect(torch.manualSeed(1)).toBe(torch.defaultGenerator);
  }));
});

describe('threads and build info', () => {
  test('setNumThreads / getNumThreads', () => {
    const n = torch.getNumThreads();
    torch.setNumThreads(1);
    expect(torch.getNumThreads()).toBe(1);
    torch.setNumThreads(n);
  });
  test('buildInfo and version', () => {
    expect(torch.buildInfo().torchVersion).toMatch(/^\d+\.\d+/);
    expect(torch.version).toBe(require('../package.json').version);
  });
});

const hasCuda = torch.cuda.isAvailable();
describe('CUDA', () => {
  test('isAvailable / deviceCount never throw', () => {
    expect(typeof torch.cuda.isAvailable()).toBe('boolean');
    expect(torch.cuda.deviceCount()).toBe(hasCuda ? torch.cuda.deviceCount() : 0);
  });
  (hasCuda ? test.skip : test)('without CUDA, asking for it is a clear CudaError', () => {
    for (const f of [() => torch.ones(1, { device: 'cuda' }), () => torch.ones(1).cuda(), () => torch.cuda.getDeviceName(0)]) {
      let err: Error | undefined;
      try { torch.tidy(f as () => unknown); } catch (e) { err = e as Error; }
      expect(err).toBeDefined();
      expect(err!.message).toMatch(/CUDA/);
    }
  });
  (hasCuda ? test : test.skip)('tensors, autograd and memory on the GPU', () => {
    torch.tidy(() => {
      const x = torch.randn(64, 64, { device: 'cuda', requiresGrad: true });
      expect(x.device).toBe('cuda:0');
      const y = x.matmul(x).relu().sum();
      y.backward();
      expect(x.grad!.device).toBe('cuda:0');
      expect(x.grad!.cpu().shape).toEqual([64, 64]);
      torch.cuda.synchronize();
    });
    torch.cuda.emptyCache();
    expect(torch.cuda.getDeviceName().length).toBeGreaterThan(0);
    const base = torch.cuda.memoryAllocated();
    for (let i = 0; i < 100; i++) torch.tidy(() => torch.randn(256, 256, { device: 'cuda' }).matmul(torch.randn(256, 256, { device: 'cuda' })).sum().item());
    expect(torch.cuda.memoryAllocated()).toBe(base);
  });
});
