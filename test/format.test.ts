/**
 * Golden tests for lib/torch/format.ts against PyTorch's repr(tensor) (the version of the loaded libtorch).
 * Goldens: test/golden/format_cases.py (test/golden/make_all.sh, per libtorch version).
 */
import { readGolden } from './helpers/golden';
import {
  formatTensor,
  getPrintOptions,
  pyFormatExp,
  pyFormatFixed,
  pyStr,
  pyTuple,
  setPrintOptions,
  type DType,
  type TensorPrintData,
} from '../lib/torch/format';

type JsonValue = number | string | boolean;

interface GoldenCase {
  name: string;
  options: { precision: number; threshold: number | 'inf'; edgeitems: number; linewidth: number; sciMode: boolean | null };
  shape: number[];
  dtype: DType;
  device: string;
  values: JsonValue[];
  requiresGrad: boolean;
  gradFn: string | null;
  expected: string;
}

interface NumFmtRow {
  x: number;
  repr: string;
  [key: string]: string | number;
}

const golden: { torch: string; cases: GoldenCase[]; numfmt: NumFmtRow[] } = readGolden('format.json');

function decodeFloat(v: JsonValue): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v as number;
}

/** Values as the native layer would hand them over (typed arrays). */
function decodeValues(c: GoldenCase, int64AsBigInt: boolean): TensorPrintData['values'] {
  const vs = c.values;
  switch (c.dtype) {
    case 'float32':
    case 'float16':
    case 'bfloat16':
      return Float32Array.from(vs, decodeFloat);
    case 'float64':
      return Float64Array.from(vs, decodeFloat);
    case 'int64':
      if (int64AsBigInt || vs.some((v) => typeof v === 'string')) {
        return BigInt64Array.from(vs, (v) => BigInt(v as number | string));
      }
      return Float64Array.from(vs as number[]);
    case 'int32':
      return Int32Array.from(vs as number[]);
    case 'int16':
      return Int16Array.from(vs as number[]);
    case 'int8':
      return Int8Array.from(vs as number[]);
    case 'uint8':
      return Uint8Array.from(vs as number[]);
    case 'bool':
      return vs as boolean[];
  }
}

function applyOptions(c: GoldenCase): void {
  const o = c.options;
  setPrintOptions({
    precision: o.precision,
    threshold: o.threshold === 'inf' ? Infinity : o.threshold,
    edgeitems: o.edgeitems,
    linewidth: o.linewidth,
    sciMode: o.sciMode,
  });
}

function toData(c: GoldenCase, int64AsBigInt = false): TensorPrintData {
  return {
    shape: c.shape,
    dtype: c.dtype,
    device: c.device,
    values: decodeValues(c, int64AsBigInt),
    requiresGrad: c.requiresGrad,
    gradFn: c.gradFn,
  };
}

afterEach(() => setPrintOptions({ profile: 'default' }));

describe(`formatTensor matches PyTorch ${golden.torch} repr()`, () => {
  test('golden file has enough cases', () => {
    expect(golden.cases.length).toBeGreaterThanOrEqual(60);
  });

  test.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    applyOptions(c);
    expect(formatTensor(toData(c))).toBe(c.expected);
    if (c.dtype === 'int64') {
      expect(formatTensor(toData(c, true))).toBe(c.expected);
    }
  });

  test('float32 values given as plain arrays / float64 arrays print the same', () => {
    for (const c of golden.cases.filter((k) => k.dtype === 'float32').slice(0, 20)) {
      applyOptions(c);
      const data = { ...toData(c), values: Array.from(toData(c).values as Float32Array) };
      expect(formatTensor(data)).toBe(c.expected);
    }
  });

  test('bool values may be 0/1 numbers', () => {
    const c = golden.cases.find((k) => k.name === '2d bool')!;
    const data = { ...toData(c), values: Uint8Array.from(c.values as boolean[], Number) };
    expect(formatTensor(data)).toBe(c.expected);
  });
});

describe('print options', () => {
  test('defaults', () => {
    expect(getPrintOptions()).toEqual({ precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null });
  });

  test('profiles', () => {
    setPrintOptions({ profile: 'full' });
    expect(getPrintOptions().threshold).toBe(Infinity);
    setPrintOptions({ profile: 'short', linewidth: 100 });
    expect(getPrintOptions()).toEqual({ precision: 2, threshold: 1000, edgeitems: 2, linewidth: 100, sciMode: null });
    setPrintOptions({ profile: 'default' });
    expect(getPrintOptions()).toEqual({ precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null });
  });

  test('sciMode is reset to null by any call that omits it (as in PyTorch)', () => {
    setPrintOptions({ sciMode: true });
    expect(getPrintOptions().sciMode).toBe(true);
    setPrintOptions({ precision: 3 });
    expect(getPrintOptions()).toMatchObject({ precision: 3, sciMode: null });
  });

  test('getPrintOptions returns a copy', () => {
    const o = getPrintOptions();
    o.precision = 9;
    expect(getPrintOptions().precision).toBe(4);
  });

  test('precision affects formatTensor', () => {
    const t: TensorPrintData = {
      shape: [2], dtype: 'float32', device: 'cpu', values: [1.25, 2.5], requiresGrad: false, gradFn: null,
    };
    expect(formatTensor(t)).toBe('tensor([1.2500, 2.5000])');
    setPrintOptions({ precision: 1 });
    expect(formatTensor(t)).toBe('tensor([1.2, 2.5])');
  });
});

describe('Python-compatible number formatting', () => {
  test.each([
    // [x, p, '{:.pf}', '{:.pe}']
    [0, 4, '0.0000', '0.0000e+00'],
    [-0, 4, '-0.0000', '-0.0000e+00'],
    [-0, 0, '-0', '-0e+00'],
    [1, 4, '1.0000', '1.0000e+00'],
    [1.5, 0, '2', '2e+00'],
    [2.5, 0, '2', '2e+00'],
    [-2.5, 0, '-2', '-2e+00'],
    [0.5, 0, '0', '5e-01'],
    [0.125, 2, '0.12', '1.25e-01'],
    [0.375, 2, '0.38', '3.75e-01'],
    [0.03125, 4, '0.0312', '3.1250e-02'],
    [1.03125, 4, '1.0312', '1.0312e+00'],
    [-1.03125, 4, '-1.0312', '-1.0312e+00'],
    [1.0005, 3, '1.000', '1.000e+00'],
    [2.675, 2, '2.67', '2.67e+00'],
    [9.99999, 4, '10.0000', '1.0000e+01'],
    [-0.00001, 4, '-0.0000', '-1.0000e-05'],
    [1e21, 1, '1000000000000000000000.0', '1.0e+21'],
    [1e22, 0, '10000000000000000000000', '1e+22'],
    [1e100, 4, null, '1.0000e+100'],
    [5e-324, 4, '0.0000', '4.9407e-324'],
    [Number.MAX_VALUE, 2, null, '1.80e+308'],
  ] as Array<[number, number, string | null, string]>)('x=%p p=%p', (x, p, f, e) => {
    if (f !== null) expect(pyFormatFixed(x, p)).toBe(f);
    expect(pyFormatExp(x, p)).toBe(e);
  });

  test('1e100 fixed is the exact binary value', () => {
    expect(pyFormatFixed(1e100, 0)).toBe(BigInt(1e100).toString());
    expect(pyFormatFixed(1e100, 2)).toBe(BigInt(1e100).toString() + '.00');
  });

  test('nan / inf', () => {
    for (const p of [0, 4]) {
      expect(pyFormatFixed(NaN, p)).toBe('nan');
      expect(pyFormatFixed(Infinity, p)).toBe('inf');
      expect(pyFormatFixed(-Infinity, p)).toBe('-inf');
      expect(pyFormatExp(NaN, p)).toBe('nan');
      expect(pyFormatExp(Infinity, p)).toBe('inf');
      expect(pyFormatExp(-Infinity, p)).toBe('-inf');
    }
  });

  test(`matches Python on ${golden.numfmt.length} tricky / random doubles`, () => {
    let checked = 0;
    for (const row of golden.numfmt) {
      for (const p of [0, 1, 2, 4, 6]) {
        const where = `x=${row.repr} p=${p}`;
        expect(`${where} ${pyFormatFixed(row.x, p)}`).toBe(`${where} ${row[`f${p}`]}`);
        expect(`${where} ${pyFormatExp(row.x, p)}`).toBe(`${where} ${row[`e${p}`]}`);
        checked += 2;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  test('pyStr / pyTuple', () => {
    expect(pyStr(true)).toBe('True');
    expect(pyStr(false)).toBe('False');
    expect(pyStr(-7)).toBe('-7');
    expect(pyStr(-0)).toBe('0');
    expect(pyStr(-(2n ** 63n))).toBe('-9223372036854775808');
    expect(pyStr(2 ** 70)).toBe('1180591620717411303424');
    expect(pyTuple([0, 3])).toBe('(0, 3)');
    expect(pyTuple([2])).toBe('(2,)');
    expect(pyTuple([])).toBe('()');
  });
});
