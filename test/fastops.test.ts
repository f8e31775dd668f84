// The native fast paths (native/fastops.cpp) for argmax / argmin, max / min along a dimension and
// oneHot must give ATen's answers exactly. Each case is computed twice: on a contiguous float32 CPU
// tensor (the fast path) and on the same values laid out non-contiguously (ATen's kernel).
import * as torch from '../lib/torch';

const F = torch.nn.functional;

/** The same values, non-contiguous: ATen's own kernel runs on this one. */
function viaAten(x: torch.Tensor): torch.Tensor {
  const last = x.shape[x.dim() - 1];
  const y = torch.cat([x, x], -1).narrow(-1, 0, last); // rows 2 x last apart
  expect(y.isContiguous()).toBe(false);
  return y;
}

/** Rows with what decides an argmax: NaNs (first one wins), infinities, ties, signed zeros. */
function nasty(rows: number, cols: number, seed: number): torch.Tensor {
  torch.manualSeed(seed);
  const base = torch.randint(-3, 4, [rows, cols]).float();
  const data = base.tolist() as number[][];
  data.forEach((row, r) => {
    const kind = r % 8;
    if (kind === 1) row[(r * 7) % cols] = NaN;
    if (kind === 2) { row[(r * 5) % cols] = NaN; row[(r * 3) % cols] = NaN; }
    if (kind === 3) row[(r * 11) % cols] = Infinity;
    if (kind === 4) row.fill(-Infinity);
    if (kind === 5) { row.fill(-1); row[(r * 13) % cols] = -0; row[(r * 17) % cols] = 0; }
    if (kind === 6) row.fill(0);
    if (kind === 7) row[cols - 1] = NaN;
  });
  return torch.tensor(data);
}

describe('exact fast paths', () => {
  const sizes: Array<[number, number]> = [[64, 1], [64, 7], [64, 8], [64, 15], [64, 16], [64, 17], [64, 128], [16, 1000]];

  test.each(sizes)('argmax / argmin along the last dim equal ATen (%i x %i)', (rows, cols) => torch.tidy(() => {
    const x = nasty(rows, cols, rows * 1000 + cols);
    const ref = viaAten(x);
    for (const m of ['argmax', 'argmin'] as const) {
      for (const dim of [1, -1]) {
        expect(x[m](dim).tolist()).toEqual(ref[m](dim).tolist());
        const k = x[m](dim, true);
        expect(k.shape).toEqual([rows, 1]);
        expect(k.tolist()).toEqual(ref[m](dim, true).tolist());
        expect(k.dtype).toBe('int64');
      }
      // along dim 0 (not the last one): ATen's kernel on both
      expect(x[m](0).tolist()).toEqual(ref[m](0).tolist());
    }
  }));

  test.each(sizes)('max / min along the last dim equal ATen, values bit for bit (%i x %i)', (rows, cols) => torch.tidy(() => {
    const x = nasty(rows, cols, rows * 7 + cols);
    const ref = viaAten(x);
    for (const m of ['max', 'min'] as const) {
      for (const keepdim of [false, true]) {
        const [v, i] = x[m](1, keepdim);
        const [rv, ri] = ref[m](1, keepdim);
        expect(i.tolist()).toEqual(ri.tolist());
        expect(v.shape).toEqual(rv.shape);
        expect(Buffer.from(v.toBuffer()).equals(Buffer.from(rv.contiguous().toBuffer()))).toBe(true);
      }
    }
  }));

  test('argmax of all elements, 1-d and 3-d inputs, and the first signed zero', () => torch.tidy(() => {
    const x = nasty(8, 33, 5);
    for (const m of ['argmax', 'argmin'] as const) {
      expect(x[m]().item()).toBe(x.double()[m]().item());
      expect(x[m]().shape).toEqual([]);
      const flat = x.flatten();
      expect(flat[m](0).item()).toBe(x.double()[m]().item());
    }
    expect(torch.tensor([-0, 0, -0]).max(0)[1].item()).toBe(0);
    expect(Object.is(torch.tensor([-0, 0, -0]).max(0)[0].item(), -0)).toBe(true);
    expect(Object.is(torch.tensor([1, 0, -0]).min(0)[0].item(), 0)).toBe(true);
    const y = torch.randn([3, 4, 20]);
    expect(y.argmax(2).tolist()).toEqual(y.double().argmax(2).tolist());
    expect(y.argmax(-1, true).shape).toEqual([3, 4, 1]);
    expect(torch.tensor([3, NaN, 5, NaN]).argmax().item()).toBe(1);
    expect(torch.tensor([3, 2, NaN, 5]).argmin().item()).toBe(2);
  }));

  test('max along the last dim of a tensor that requires grad keeps its autograd (ATen path)', () => {
    const x = torch.tensor([[1, 5, 2], [7, 0, 7]], { requiresGrad: true });
    const [v, i] = x.max(1);
    expect(i.tolist()).toEqual([1, 0]);
    expect(v.requiresGrad).toBe(true);
    v.sum().backward();
    expect(x.grad!.tolist()).toEqual([[0, 1, 0], [1, 0, 0]]);
    torch.noGrad(() => expect(x.max(1)[0].requiresGrad).toBe(false));
    torch.dispose([x, v, i]);
  });

  test('oneHot equals ATen, and ATen\'s errors stay', () => torch.tidy(() => {
    const y = torch.tensor([3, 0, 9, 9, 1], { dtype: 'int64' });
    const ref = torch.stack([y, y], 1).select(1, 0); // the same labels, non-contiguous
    expect(ref.isContiguous()).toBe(false);
    for (const nc of [-1, 10, 12]) {
      const a = F.oneHot(y, nc);
      expect(a.dtype).toBe('int64');
      expect(a.tolist()).toEqual(F.oneHot(ref, nc).tolist());
    }
    expect(F.oneHot(y).shape).toEqual([5, 10]);
    expect(torch.oneHot(y.view(5, 1), 10).shape).toEqual([5, 1, 10]);
    expect(() => F.oneHot(torch.tensor([1, -1], { dtype: 'int64' }), 3)).toThrow(/non-negative/);
    expect(() => F.oneHot(y, 9)).toThrow(/smaller than num_classes/);
    expect(() => F.oneHot(torch.tensor([1.5]), 3)).toThrow(/index tensor/);
    expect(() => F.oneHot(torch.tensor([], { dtype: 'int64' }))).toThrow(/infer/);
  }));

  test('bad dimensions still get ATen\'s errors', () => torch.tidy(() => {
    const x = torch.randn([4, 20]);
    expect(() => x.argmax(2)).toThrow(/Dimension out of range/);
    expect(() => x.max(-3)).toThrow(/Dimension out of range/);
    expect(() => torch.empty([3, 0]).argmax(1)).toThrow();
  }));
});
