/**
 * sigprop/data: the dataset readers on small synthetic files of every format (values checked
 * exactly), their errors on missing and malformed files, the transforms against hand computations,
 * the DataLoader's batching, shuffling and memory, and the real Fashion-MNIST when installed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import * as torch from '../lib/torch';
import type { Tensor } from '../lib/torch';
import * as data from '../lib/data';
import { collectGarbage } from './helpers/gc';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'sigprop-data-'));
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));

let dirCount = 0;
/** A fresh folder under TMP, with the given files (relative path -> bytes). */
function folder(files: Record<string, Uint8Array> = {}): string {
  const d = path.join(TMP, `d${dirCount++}`);
  fs.mkdirSync(d, { recursive: true });
  for (const [rel, bytes] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, rel)), { recursive: true });
    fs.writeFileSync(path.join(d, rel), bytes);
  }
  return d;
}

/** Deterministic pseudo-random bytes. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

function values(t: Tensor): number[] {
  return Array.from(t.toTypedArray() as ArrayLike<number | bigint>, Number);
}
const f32 = (v: number): number => Math.fround(v / 255);

// ---- IDX ----------------------------------------------------------------------------------------------------
function idx(dims: number[], payload: Uint8Array, magicType = 0x08): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = magicType;
  head[3] = dims.length;
  dims.forEach((d, k) => head.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([head, payload]);
}
const N_IDX = 5, H_IDX = 4, W_IDX = 3;
const IDX_PIXELS = bytes(N_IDX * H_IDX * W_IDX, 1);
const IDX_LABELS = Uint8Array.from([3, 1, 4, 1, 5]);
const idxFiles = (prefix: string, gz: boolean): Record<string, Uint8Array> => {
  const z = (b: Uint8Array) => (gz ? zlib.gzipSync(b) : b);
  const s = gz ? '.gz' : '';
  return {
    [`${prefix}train-images-idx3-ubyte${s}`]: z(idx([N_IDX, H_IDX, W_IDX], IDX_PIXELS)),
    [`${prefix}train-labels-idx1-ubyte${s}`]: z(idx([N_IDX], IDX_LABELS)),
  };
};

function expectIdxDataset(ds: data.ImageDataset): void {
  expect(ds.length).toBe(N_IDX);
  expect(ds.imageShape).toEqual([1, H_IDX, W_IDX]);
  const [x, y] = ds.get(2);
  expect(x.shape).toEqual([1, H_IDX, W_IDX]);
  expect(x.dtype).toBe('float32');
  expect(values(x)).toEqual(Array.from(IDX_PIXELS.subarray(2 * 12, 3 * 12), f32));
  expect(y).toBe(4);
  x.dispose();
  const [xb, yb] = ds.getBatch([4, 0]);
  expect(xb.shape).toEqual([2, 1, H_IDX, W_IDX]);
  expect(yb.dtype).toBe('int64');
  expect(values(yb)).toEqual([5, 3]);
  expect(values(xb)).toEqual([...Array.from(IDX_PIXELS.subarray(48, 60), f32), ...Array.from(IDX_PIXELS.subarray(0, 12), f32)]);
  torch.dispose([xb, yb]);
}



describe('MNIST / FashionMNIST (IDX files)', () => {
  test('plain files in root', () => {
    const ds = new data.MNIST(folder(idxFiles('', false)));
    expectIdxDataset(ds);
    ds.dispose();
  });
  test('gzipped files, torchvision layouts root/raw and root/MNIST/raw', () => {
    for (const prefix of ['raw/', 'MNIST/raw/']) {
      const ds = new data.MNIST(folder(idxFiles(prefix, true)));
      expectIdxDataset(ds);
      ds.dispose();
    }
  });
  test('FashionMNIST, test split, root as a list of folders', () => {
    const files = Object.fromEntries(Object.entries(idxFiles('', true)).map(([k, v]) => [k.replace('train', 't10k'), v]));
    const ds = new data.FashionMNIST([folder(), folder(files)], { train: false });
    expectIdxDataset(ds);
    expect(ds.train).toBe(false);
    ds.dispose();
  });
  test('missing files: every path looked at, and where to get them', () => {
    const root = folder();
    let err: data.DatasetNotFoundError | undefined;
    try {
      new data.MNIST(root);
    } catch (e) {
      err = e as data.DatasetNotFoundError;
    }
    expect(err).toBeInstanceOf(data.DatasetNotFoundError);
    for (const dir of [root, path.join(root, 'raw'), path.join(root, 'MNIST', 'raw')]) {
      for (const f of ['train-images-idx3-ubyte', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte', 'train-labels-idx1-ubyte.gz']) {
        expect(err!.message).toContain(path.join(dir, f));
        expect(err!.paths).toContain(path.join(dir, f));
      }
    }
    expect(err!.message).toMatch(/https:\/\/ossci-datasets\.s3\.amazonaws\.com\/mnist/);
    expect(() => new data.FashionMNIST(folder(), { train: false })).toThrow(/apt-get install dataset-fashion-mnist[\s\S]*/);
    expect(() => new data.FashionMNIST(root)).toThrow(/t10k|train-images-idx3-ubyte/);
  });
  test('only the labels missing: the error names the labels file only', () => {
    const files = idxFiles('', false);
    delete files['train-labels-idx1-ubyte'];
    const root = folder(files);
    expect(() => new data.MNIST(root)).toThrow(/not found: train-labels-idx1-ubyte\. /);
  });
  test('malformed files: a clear error naming the file', () => {
    const good = idxFiles('', false);
    const cases: [string, Record<string, Uint8Array>, RegExp][] = [
      ['bad magic', { ...good, 'train-images-idx3-ubyte': Buffer.concat([Buffer.from([1, 2, 8, 3]), Buffer.alloc(60)]) }, /train-images-idx3-ubyte: bad IDX magic number 0x01020803/],
      ['not ubyte', { ...good, 'train-images-idx3-ubyte': idx([N_IDX, H_IDX, W_IDX], IDX_PIXELS, 0x0d) }, /element type 0xd is not unsigned byte/],
      ['wrong rank', { ...good, 'train-labels-idx1-ubyte': idx([N_IDX, 1], IDX_LABELS) }, /train-labels-idx1-ubyte: IDX file has 2 dimensions, expected 1/],
      ['truncated', { ...good, 'train-images-idx3-ubyte': idx([N_IDX, H_IDX, W_IDX], IDX_PIXELS.subarray(0, 50)) }, /need 76 bytes but the file has 66 \(truncated\)/],
      ['trailing bytes', { ...good, 'train-images-idx3-ubyte': idx([N_IDX, H_IDX, W_IDX], Buffer.concat([IDX_PIXELS, Buffer.alloc(3)])) }, /need 76 bytes but the file has 79/],
      ['short header', { ...good, 'train-images-idx3-ubyte': Buffer.from([0, 0, 8, 3, 0, 0]) }, /truncated IDX header/],
      ['count mismatch', { ...good, 'train-labels-idx1-ubyte': idx([4], IDX_LABELS.subarray(0, 4)) }, /has 5 images but .*train-labels-idx1-ubyte has 4 labels/],
      ['label range', { ...good, 'train-labels-idx1-ubyte': idx([5], Uint8Array.from([1, 2, 10, 0, 0])) }, /label 10 of sample 2 is outside \[0, 10\)/],
      ['corrupt gzip', { 'train-images-idx3-ubyte.gz': zlib.gzipSync(idx([N_IDX, H_IDX, W_IDX], IDX_PIXELS)).subarray(0, 30), 'train-labels-idx1-ubyte': good['train-labels-idx1-ubyte'] }, /train-images-idx3-ubyte\.gz: corrupt gzip data/],
    ];
    for (const [what, files, re] of cases) {
      const before = torch.memory().numTensors;
      let err: unknown;
      try {
        new data.MNIST(folder(files));
      } catch (e) {
        err = e;
      }
      expect([what, err instanceof data.DatasetFormatError]).toEqual([what, true]);
      expect([what, (err as Error).message]).toEqual([what, expect.stringMatching(re)]);
      expect([what, torch.memory().numTensors]).toEqual([what, before]);
    }
  });
  test('get() and getBatch() argument errors', () => {
    const ds = new data.MNIST(folder(idxFiles('', false)));
    expect(() => ds.get(5)).toThrow(RangeError);
    expect(() => ds.get(1.5)).toThrow(/'index' must be an integer, got number 1.5/);
    expect(values(ds.get(-1)[0])).toEqual(Array.from(IDX_PIXELS.subarray(48, 60), f32));
    expect(() => ds.getBatch([0, 5])).toThrow(/indices\[1\] = 5 is out of range \[0, 5\)/);
    expect(() => ds.getBatch(torch.tensor([0, 9], { dtype: 'int64' }))).toThrow(/indices must be in \[0, 5\), got values in \[0, 9\]/);
    expect(() => ds.getBatch(torch.tensor([0, 1]))).toThrow(/int64 or int32 tensor, got dtype float32/);
    expect(() => new data.MNIST(folder(idxFiles('', false)), { train: 'yes' as unknown as boolean })).toThrow(/'train' must be a boolean/);
    expect(() => new data.MNIST(folder(idxFiles('', false)), { tarin: true } as never)).toThrow(/unknown option 'tarin'/);
    expect(() => new data.MNIST(undefined as unknown as string)).toThrow(/'root' .* is required/);
    ds.dispose();
  });
});

// ---- CIFAR ----------------------------------------------------------------------------------------------------
function records(n: number, labelBytes: number[][], seed: number): Uint8Array {
  const rec = labelBytes[0].length + 3072;
  const out = new Uint8Array(n * rec);
  const px = bytes(n * 3072, seed);
  for (let r = 0; r < n; r++) {
    out.set(labelBytes[r], r * rec);
    out.set(px.subarray(r * 3072, (r + 1) * 3072), r * rec + labelBytes[0].length);
  }
  return out;
}

describe('CIFAR10 / CIFAR100 (binary version)', () => {
  const batches = [1, 2, 3, 4, 5].map((k) => records(2, [[k], [9 - k]], 10 + k));
  const cifar10Files: Record<string, Uint8Array> = Object.fromEntries(batches.map((b, k) => [`cifar-10-batches-bin/data_batch_${k + 1}.bin`, b]));
  cifar10Files['cifar-10-batches-bin/test_batch.bin'] = records(3, [[7], [8], [9]], 99);

  test('CIFAR10: the five training batches in order, CHW pixels', () => {
    const ds = new data.CIFAR10(folder(cifar10Files));
    expect(ds.length).toBe(10);
    expect(Array.from(ds.labels)).toEqual([1, 8, 2, 7, 3, 6, 4, 5, 5, 4]);
    const [x, y] = ds.get(3); // batch 2, record 1
    expect(y).toBe(7);
    expect(x.shape).toEqual([3, 32, 32]);
    const rec = batches[1].subarray(3073 + 1, 2 * 3073);
    expect(values(x)).toEqual(Array.from(rec, f32));
    expect(values(x.index(2, 5, 7))).toEqual([f32(rec[2 * 1024 + 5 * 32 + 7])]);
    const test = new data.CIFAR10(folder(cifar10Files), { train: false });
    expect(Array.from(test.labels)).toEqual([7, 8, 9]);
    torch.dispose(x);
    ds.dispose();
    test.dispose();
  });
  test('CIFAR10: files directly in root are found too; missing files are all listed', () => {
    const flat = Object.fromEntries(Object.entries(cifar10Files).map(([k, v]) => [path.basename(k), v]));
    const ds = new data.CIFAR10(folder(flat));
    expect(ds.length).toBe(10);
    ds.dispose();
    const partial = { ...cifar10Files };
    delete partial['cifar-10-batches-bin/data_batch_2.bin'];
    delete partial['cifar-10-batches-bin/data_batch_5.bin'];
    const root = folder(partial);
    expect(() => new data.CIFAR10(root)).toThrow(/not found: data_batch_2\.bin, data_batch_5\.bin\. Looked for:/);
    expect(() => new data.CIFAR10(root)).toThrow(/cifar-10-binary\.tar\.gz/);
    expect(() => new data.CIFAR10(root)).toThrow(path.join(root, 'cifar-10-batches-bin', 'data_batch_5.bin'));
  });
  test('CIFAR10: malformed', () => {
    const bad = { ...cifar10Files, 'cifar-10-batches-bin/data_batch_3.bin': batches[2].subarray(0, 5000) };
    expect(() => new data.CIFAR10(folder(bad))).toThrow(/data_batch_3\.bin: size 5000 bytes is not a positive multiple of the 3073-byte record/);
    const badLabel = { ...cifar10Files, 'cifar-10-batches-bin/test_batch.bin': records(1, [[10]], 1) };
    expect(() => new data.CIFAR10(folder(badLabel), { train: false })).toThrow(/test_batch\.bin: label 10 of record 0 is outside \[0, 10\)/);
  });
  test('CIFAR100: fine labels, coarse labels kept aside', () => {
    const train = records(3, [[4, 99], [19, 0], [0, 42]], 5);
    const ds = new data.CIFAR100(folder({ 'cifar-100-binary/train.bin': train }));
    expect(Array.from(ds.labels)).toEqual([99, 0, 42]);
    expect(Array.from(ds.coarseLabels)).toEqual([4, 19, 0]);
    const [xb, yb] = ds.getBatch([2]);
    expect(values(yb)).toEqual([42]);
    expect(values(xb)).toEqual(Array.from(train.subarray(2 * 3074 + 2), f32));
    torch.dispose([xb, yb]);
    ds.dispose();
    expect(() => new data.CIFAR100(folder({ 'cifar-100-binary/test.bin': records(1, [[20, 1]], 1) }), { train: false })).toThrow(/coarse label 20 of record 0/);
    expect(() => new data.CIFAR100(folder({ 'cifar-100-binary/test.bin': records(1, [[2, 100]], 1) }), { train: false })).toThrow(/fine label 100 of record 0/);
    expect(() => new data.CIFAR100(folder())).toThrow(/cifar-100-binary\.tar\.gz/);
  });
});

// ---- SVHN (.mat) ----------------------------------------------------------------------------------------------
const MI_INT8 = 1, MI_UINT8 = 2, MI_INT32 = 5, MI_UINT32 = 6, MI_DOUBLE = 9, MI_MATRIX = 14, MI_COMPRESSED = 15;
interface MatVar { name: string; cls: number; type: number; dims: number[]; data: Uint8Array | Float64Array }

/** A MATLAB v5 MAT-file writer (little- or big-endian, optionally compressing each variable). */
function matFile(vars: MatVar[], opts: { compress: boolean; le: boolean }): Buffer {
  const { le } = opts;
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    if (le) b.writeUInt32LE(v);
    else b.writeUInt32BE(v);
    return b;
  };
  const element = (type: number, payload: Uint8Array): Buffer => {
    if (payload.length <= 4) {
      const d = Buffer.alloc(4);
      d.set(payload);
      return Buffer.concat([u32((payload.length << 16) | type), d]);
    }
    const pad = (8 - (payload.length % 8)) % 8;
    return Buffer.concat([u32(type), u32(payload.length), payload, Buffer.alloc(pad)]);
  };
  const typed = (type: number, a: Uint8Array | Float64Array | Int32Array): Uint8Array => {
    if (type === MI_UINT8 || type === MI_INT8) return a as Uint8Array;
    const size = type === MI_DOUBLE ? 8 : 4;
    const b = Buffer.alloc(a.length * size);
    a.forEach((v: number, i: number) => {
      if (type === MI_DOUBLE) (le ? b.writeDoubleLE(v, i * 8) : b.writeDoubleBE(v, i * 8));
      else (le ? b.writeInt32LE(v, i * 4) : b.writeInt32BE(v, i * 4));
    });
    return b;
  };
  const header = Buffer.alloc(128, 0x20);
  header.write('MATLAB 5.0 MAT-file, written by the sigprop tests', 0, 'latin1');
  header.fill(0, 116, 124);
  if (le) {
    header.writeUInt16LE(0x0100, 124);
    header.write('IM', 126, 'latin1');
  } else {
    header.writeUInt16BE(0x0100, 124);
    header.write('MI', 126, 'latin1');
  }
  const parts: Buffer[] = [header];
  for (const v of vars) {
    const body = Buffer.concat([
      element(MI_UINT32, typed(MI_INT32, Int32Array.from([v.cls, 0]))),
      element(MI_INT32, typed(MI_INT32, Int32Array.from(v.dims))),
      element(MI_INT8, Buffer.from(v.name, 'latin1')),
      element(v.type, typed(v.type, v.data)),
    ]);
    const matrix = element(MI_MATRIX, body);
    if (opts.compress) {
      const z = zlib.deflateSync(matrix);
      parts.push(Buffer.concat([u32(MI_COMPRESSED), u32(z.length), z]));
    } else {
      parts.push(matrix);
    }
  }
  return Buffer.concat(parts);
}

const SVHN_N = 3;
const SVHN_X = bytes(32 * 32 * 3 * SVHN_N, 7); // column-major [32, 32, 3, N]
const SVHN_Y = Float64Array.from([10, 1, 9]);
const svhnVars = (): MatVar[] => [
  { name: 'X', cls: 9, type: MI_UINT8, dims: [32, 32, 3, SVHN_N], data: SVHN_X },
  { name: 'y', cls: 6, type: MI_DOUBLE, dims: [SVHN_N, 1], data: SVHN_Y },
];

describe('SVHN (MATLAB v5 .mat)', () => {
  const variants: [string, { compress: boolean; le: boolean }][] = [
    ['uncompressed', { compress: false, le: true }],
    ['miCOMPRESSED', { compress: true, le: true }],
    ['big-endian', { compress: false, le: false }],
  ];
  for (const [what, opts] of variants) {
    test(`${what}: X transposed to [N, C, H, W], label 10 is digit 0`, () => {
      const ds = new data.SVHN(folder({ 'train_32x32.mat': matFile(svhnVars(), opts) }));
      expect(ds.length).toBe(SVHN_N);
      expect(Array.from(ds.labels)).toEqual([0, 1, 9]);
      const [x, y] = ds.get(1);
      expect(y).toBe(1);
      expect(x.shape).toEqual([3, 32, 32]);
      const got = values(x);
      const want: number[] = [];
      for (let c = 0; c < 3; c++) for (let h = 0; h < 32; h++) for (let w = 0; w < 32; w++) want.push(f32(SVHN_X[h + 32 * (w + 32 * (c + 3 * 1))]));
      expect(got).toEqual(want);
      x.dispose();
      ds.dispose();
    });
  }
  test('readMat: variables, small elements and the other splits', () => {
    const file = path.join(folder({ 'extra_32x32.mat': matFile([...svhnVars(), { name: 'ab', cls: 6, type: MI_DOUBLE, dims: [1, 2], data: Float64Array.from([1.5, -2]) }], { compress: true, le: true }) }), 'extra_32x32.mat');
    const vars = data.readMat(file);
    expect([...vars.keys()]).toEqual(['X', 'y', 'ab']);
    expect(vars.get('ab')).toEqual({ name: 'ab', className: 'double', dims: [1, 2], data: Float64Array.from([1.5, -2]) });
    expect(vars.get('X')!.className).toBe('uint8');
    const ds = new data.SVHN(path.dirname(file), { split: 'extra' });
    expect(ds.split).toBe('extra');
    ds.dispose();
    expect(() => new data.SVHN(path.dirname(file), { split: 'validation' as 'test' })).toThrow(/'split' must be 'train', 'test' or 'extra', got string 'validation'/);
    expect(() => new data.SVHN(path.dirname(file), { split: 'test' })).toThrow(/http:\/\/ufldl\.stanford\.edu\/housenumbers\/test_32x32\.mat/);
  });
  test('malformed .mat files', () => {
    const good = matFile(svhnVars(), { compress: false, le: true });
    const compressed = matFile(svhnVars(), { compress: true, le: true });
    const badEndian = Buffer.from(good);
    badEndian.write('XX', 126, 'latin1');
    const corrupt = Buffer.from(compressed);
    corrupt.fill(0xff, 136, 138); // the zlib header of the first compressed element
    const v73 = Buffer.from(good);
    v73.write('MATLAB 7.3 MAT-file', 0, 'latin1');
    const cases: [string, Uint8Array, RegExp][] = [
      ['too short', good.subarray(0, 100), /too short for a MATLAB 5 MAT-file \(100 bytes/],
      ['endian', badEndian, /endian indicator 'XX'/],
      ['v7.3', v73, /MATLAB v7\.3 \(HDF5\)/],
      ['truncated', good.subarray(0, 5000), /truncated data element: the data element at byte 128 \(type 14\) claims \d+ bytes but 4864 remain/],
      ['corrupt zlib', corrupt, /corrupt miCOMPRESSED element at byte 128/],
      ['no y', matFile([svhnVars()[0]], { compress: false, le: true }), /expected variables 'X' and 'y', found 'X'/],
      ['count mismatch', matFile([svhnVars()[0], { ...svhnVars()[1], dims: [2, 1], data: Float64Array.from([1, 2]) }], { compress: true, le: true }), /'X' has 3 images but 'y' has 2 labels/],
      ['bad label', matFile([svhnVars()[0], { ...svhnVars()[1], data: Float64Array.from([1, 11, 2]) }], { compress: false, le: true }), /label 11 of sample 1 is not a digit label 1\.\.10/],
      ['X not uint8', matFile([{ ...svhnVars()[0], cls: 6, type: MI_DOUBLE, data: Float64Array.from(SVHN_X) }, svhnVars()[1]], { compress: true, le: true }), /'X' must be a uint8 array \[H, W, C, N\], got double/],
      ['size mismatch', matFile([{ ...svhnVars()[0], dims: [32, 32, 3, 4] }, svhnVars()[1]], { compress: false, le: true }), /variable 'X' has dimensions \[32, 32, 3, 4\] \(12288 elements\) but 9216 stored values/],
    ];
    for (const [what, bytesOf, re] of cases) {
      let err: unknown;
      try {
        new data.SVHN(folder({ 'train_32x32.mat': bytesOf }));
      } catch (e) {
        err = e;
      }
      expect([what, err instanceof data.DatasetFormatError]).toEqual([what, true]);
      expect([what, (err as Error).message]).toEqual([what, expect.stringMatching(/train_32x32\.mat: /)]);
      expect([what, (err as Error).message]).toEqual([what, expect.stringMatching(re)]);
    }
  });
});

// ---- STL10 -----------------------------------------------------------------------------------------------------
describe('STL10 (binary)', () => {
  const X = bytes(2 * 27648, 3);
  test('images transposed from column-major, labels 1..10 -> 0..9', () => {
    const ds = new data.STL10(folder({ 'stl10_binary/test_X.bin': X, 'stl10_binary/test_y.bin': Uint8Array.from([10, 1]) }), { split: 'test' });
    expect(ds.length).toBe(2);
    expect(Array.from(ds.labels)).toEqual([9, 0]);
    const [x] = ds.get(1);
    expect(x.shape).toEqual([3, 96, 96]);
    const want: number[] = [];
    for (let c = 0; c < 3; c++) for (let h = 0; h < 96; h++) for (let w = 0; w < 96; w++) want.push(f32(X[27648 + c * 9216 + w * 96 + h]));
    expect(values(x)).toEqual(want);
    x.dispose();
    ds.dispose();
  });
  test('errors', () => {
    expect(() => new data.STL10(folder({ 'stl10_binary/train_X.bin': X, 'stl10_binary/train_y.bin': Uint8Array.from([1]) }))).toThrow(/train_y\.bin: has 1 labels but .*train_X\.bin has 2 images/);
    expect(() => new data.STL10(folder({ 'stl10_binary/train_X.bin': X.subarray(1), 'stl10_binary/train_y.bin': Uint8Array.from([1, 2]) }))).toThrow(/train_X\.bin: size 55295 bytes is not a positive multiple/);
    expect(() => new data.STL10(folder({ 'stl10_binary/train_X.bin': X, 'stl10_binary/train_y.bin': Uint8Array.from([0, 2]) }))).toThrow(/label 0 of sample 0 is outside 1\.\.10/);
    expect(() => new data.STL10(folder())).toThrow(/stl10_binary\.tar\.gz/);
  });
});

// ---- transforms --------------------------------------------------------------------------------------------------
describe('transforms', () => {
  const gen = (seed: number) => new torch.Generator().manualSeed(seed);

  test('Normalize: (x - mean) / std in float32, per channel, batch and single image', () => {
    const x = torch.rand(2, 3, 4, 5, { generator: gen(1) });
    const mean = [0.424, 0.415, 0.384], std = [0.283, 0.278, 0.284];
    const y = new data.Normalize(mean, std).apply(x);
    const xs = values(x);
    const want = xs.map((v, i) => {
      const c = Math.floor(i / 20) % 3;
      return Math.fround(Math.fround(v - Math.fround(mean[c])) / Math.fround(std[c]));
    });
    expect(values(y)).toEqual(want);
    const one = new data.Normalize(mean, std).apply(x.select(0, 1));
    expect(one.shape).toEqual([3, 4, 5]);
    expect(values(one)).toEqual(want.slice(60));
    expect(values(new data.Normalize([0.5], [2]).apply(x))).toEqual(xs.map((v) => Math.fround(Math.fround(v - 0.5) / 2)));
    expect(() => new data.Normalize([0.5, 0.5], [1, 1]).apply(x)).toThrow(/2 mean\/std values for an image with 3 channels/);
    expect(() => new data.Normalize([0.5], [0])).toThrow(/'std\[0\]' is 0/);
    expect(() => new data.Normalize([0.5], [1, 2])).toThrow(RangeError);
    expect(() => new data.Normalize([0.5], 'x' as unknown as number[])).toThrow(/'std' must be a non-empty array of numbers, got string 'x'/);
    expect(() => new data.Normalize([0.5], [1]).apply(torch.zeros(4, 4))).toThrow(/expected an image \[C, H, W\] or a batch \[B, C, H, W\], got shape \[4, 4\]/);
    torch.dispose([x, y, one]);
  });

  test('RandomCrop: zero padding, per-sample offsets drawn from the generator, reproducible', () => {
    const B = 6, C = 2, H = 5, W = 4, pad = 2;
    const x = torch.rand(B, C, H, W, { generator: gen(2) }).add(1); // no zeros inside the image
    const a = new data.RandomCrop([H, W], { padding: pad, generator: gen(7) }).apply(x);
    const b = new data.RandomCrop([H, W], { padding: pad, generator: gen(7) }).apply(x);
    expect(values(a)).toEqual(values(b));
    // the offsets are randint(0, 2 * pad + 1, [B]) for rows, then for columns
    const g = gen(7);
    const i0 = values(torch.randint(0, 2 * pad + 1, [B], { generator: g }));
    const j0 = values(torch.randint(0, 2 * pad + 1, [B], { generator: g }));
    const xs = values(x), got = values(a);
    let k = 0;
    for (let s = 0; s < B; s++) for (let c = 0; c < C; c++) for (let r = 0; r < H; r++) for (let q = 0; q < W; q++) {
      const hr = r + i0[s] - pad, hq = q + j0[s] - pad;
      const want = hr >= 0 && hr < H && hq >= 0 && hq < W ? xs[((s * C + c) * H + hr) * W + hq] : 0;
      expect(got[k++]).toBe(want);
    }
    expect(new Set(i0.map((v, s) => `${v},${j0[s]}`)).size).toBeGreaterThan(1); // offsets differ between samples
    // a smaller crop, padding [leftRight, topBottom], single image
    const one = new data.RandomCrop(3, { padding: [1, 0], generator: gen(3) }).apply(x.select(0, 0));
    expect(one.shape).toEqual([2, 3, 3]);
    expect(() => new data.RandomCrop(8).apply(x)).toThrow(/crop size \[8, 8\] is larger than the padded image \[5, 4\]/);
    expect(() => new data.RandomCrop(0)).toThrow(/'size' must be positive, got 0/);
    expect(() => new data.RandomCrop(3, { padding: -1 })).toThrow(/'padding' must be non-negative, got -1/);
    expect(() => new data.RandomCrop(3, { padding: [1, 2, 3] })).toThrow(TypeError);
    torch.dispose([x, a, b, one]);
  });

  test('RandomHorizontalFlip: per sample, rand < p', () => {
    const B = 16;
    const x = torch.rand(B, 3, 2, 5, { generator: gen(4) });
    const flipped = x.flip(3);
    const y = new data.RandomHorizontalFlip(0.5, { generator: gen(9) }).apply(x);
    const flags = values(torch.rand(B, { generator: gen(9) }).lt(0.5));
    for (let s = 0; s < B; s++) {
      expect(values(y.select(0, s))).toEqual(values((flags[s] ? flipped : x).select(0, s)));
    }
    expect(flags.some((f) => f === 1) && flags.some((f) => f === 0)).toBe(true);
    expect(values(new data.RandomHorizontalFlip(1).apply(x))).toEqual(values(flipped));
    expect(values(new data.RandomHorizontalFlip(0).apply(x))).toEqual(values(x));
    expect(() => new data.RandomHorizontalFlip(1.5)).toThrow(/'p' must be in \[0, 1\], got 1.5/);
    torch.dispose([x, flipped, y]);
  });

  test('Cutout: squares of side length around a random centre, clipped at the borders', () => {
    const B = 8, C = 3, H = 10, W = 9, n = 2, length = 4;
    const x = torch.ones(B, C, H, W);
    const y = new data.Cutout(n, length, { generator: gen(5) }).apply(x);
    const g = gen(5);
    const cy = values(torch.randint(0, H, [B, n, 1, 1], { generator: g }));
    const cx = values(torch.randint(0, W, [B, n, 1, 1], { generator: g }));
    const got = values(y);
    let clipped = false;
    for (let s = 0; s < B; s++) {
      for (let c = 0; c < C; c++) for (let r = 0; r < H; r++) for (let q = 0; q < W; q++) {
        let cut = false;
        for (let p = 0; p < n; p++) {
          const y0 = cy[s * n + p], x0 = cx[s * n + p];
          if (r >= y0 - 2 && r < y0 + 2 && q >= x0 - 2 && q < x0 + 2) cut = true;
        }
        expect(got[((s * C + c) * H + r) * W + q]).toBe(cut ? 0 : 1);
      }
      for (let p = 0; p < n; p++) if (cy[s * n + p] < 2 || cy[s * n + p] + 2 > H || cx[s * n + p] < 2 || cx[s * n + p] + 2 > W) clipped = true;
    }
    expect(clipped).toBe(true);
    // one patch in the middle of a big image: exactly length * length zeros per channel
    // the zero area of one patch: (clipped height) x (clipped width), length 16
    const big = torch.ones(1, 32, 32);
    for (let seed = 0; seed < 5; seed++) {
      const one = new data.Cutout(1, 16, { generator: gen(seed) }).apply(big);
      const g1 = gen(seed);
      const py = values(torch.randint(0, 32, [1, 1, 1, 1], { generator: g1 }))[0];
      const px = values(torch.randint(0, 32, [1, 1, 1, 1], { generator: g1 }))[0];
      const side = (v: number) => Math.min(32, v + 8) - Math.max(0, v - 8);
      expect(values(one).filter((v) => v === 0).length).toBe(side(py) * side(px));
      one.dispose();
    }
    expect(values(new data.Cutout(0, 16).apply(big))).toEqual(values(big));
    torch.dispose([x, y, big]);
  });

  test('Compose: in order, functions allowed, nothing leaks', () => {
    const x = torch.rand(4, 1, 6, 6, { generator: gen(6) });
    const before = torch.memory().numTensors;
    const t = new data.Compose([new data.RandomCrop(6, { padding: 1, generator: gen(1) }), (v: Tensor) => v.mul(2), new data.Normalize([1], [2])]);
    const y = t.apply(x);
    const crop = new data.RandomCrop(6, { padding: 1, generator: gen(1) }).apply(x);
    expect(values(y)).toEqual(values(crop).map((v) => Math.fround(Math.fround(Math.fround(v * 2) - 1) / 2)));
    crop.dispose();
    y.dispose();
    expect(torch.memory().numTensors).toBe(before);
    expect(t.toString()).toMatch(/^Compose\(\n {4}RandomCrop\(size=\(6, 6\), padding=\(1, 1, 1, 1\)\)\n/);
    expect(() => new data.Compose([1 as unknown as data.Transform])).toThrow(/transforms\[0\] must be a Transform or a function/);
    x.dispose();
  });

  test('the default generator: torch.manualSeed reproduces', () => {
    const x = torch.rand(4, 1, 6, 6);
    const t = new data.Compose([new data.RandomCrop(6, { padding: 2 }), new data.RandomHorizontalFlip(), new data.Cutout(1, 2)]);
    torch.manualSeed(3);
    const a = t.apply(x);
    torch.manualSeed(3);
    const b = t.apply(x);
    expect(values(a)).toEqual(values(b));
    torch.dispose([x, a, b]);
  });
});

// ---- DataLoader -----------------------------------------------------------------------------------------------------
describe('DataLoader', () => {
  const N = 10;
  const ids = () => new data.TensorDataset(torch.arange(N).to('float32').view(N, 1), torch.arange(N));
  const idsOf = (batches: Tensor[][]) => batches.map(([, y]) => values(y));
  const collect = (loader: data.DataLoader<unknown, Tensor[]>): Tensor[][] => Array.from(loader as Iterable<Tensor[]>);

  test('batch count and sizes, with and without dropLast', () => {
    const ds = ids();
    const a = new data.DataLoader(ds, { batchSize: 3 }) as data.DataLoader<unknown, Tensor[]>;
    expect(a.length).toBe(4);
    const ba = collect(a);
    expect(ba.map(([x]) => x.shape[0])).toEqual([3, 3, 3, 1]);
    expect(idsOf(ba)).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    const b = new data.DataLoader(ds, { batchSize: 3, dropLast: true }) as data.DataLoader<unknown, Tensor[]>;
    expect(b.length).toBe(3);
    expect(collect(b).length).toBe(3);
    expect(new data.DataLoader(ds, { batchSize: 5, dropLast: true }).length).toBe(2);
    expect(new data.DataLoader(ds).length).toBe(10);
    expect(new data.DataLoader(ds, { batchSize: 11, dropLast: true }).length).toBe(0);
    expect(collect(new data.DataLoader(ds, { batchSize: 11, dropLast: true }) as data.DataLoader<unknown, Tensor[]>)).toEqual([]);
  });

  test('shuffle: seeded, a new order every epoch, every index once per epoch', () => {
    const ds = ids();
    const mk = () => new data.DataLoader(ds, { batchSize: 4, shuffle: true, generator: new torch.Generator().manualSeed(42) }) as data.DataLoader<unknown, Tensor[]>;
    const a = mk(), b = mk();
    const epochsA = [0, 1, 2].map(() => idsOf(collect(a)).flat());
    const epochsB = [0, 1, 2].map(() => idsOf(collect(b)).flat());
    expect(epochsA).toEqual(epochsB);
    for (const e of epochsA) expect([...e].sort((p, q) => p - q)).toEqual([...Array(N).keys()]);
    expect(epochsA[0]).not.toEqual(epochsA[1]);
    expect(epochsA[1]).not.toEqual(epochsA[2]);
    // the permutation is torch.randperm with the generator
    expect(epochsA[0]).toEqual(values(torch.randperm(N, { generator: new torch.Generator().manualSeed(42) })));
    // dropLast with shuffle: the first floor(N / batchSize) batches of the permutation
    const c = new data.DataLoader(ds, { batchSize: 4, shuffle: true, dropLast: true, generator: new torch.Generator().manualSeed(42) }) as data.DataLoader<unknown, Tensor[]>;
    expect(idsOf(collect(c)).flat()).toEqual(epochsA[0].slice(0, 8));
  });

  test('for await gives the same batches as for...of, with and without prefetch', async () => {
    const ds = ids();
    const mk = (prefetch: boolean) => new data.DataLoader(ds, { batchSize: 3, shuffle: true, generator: new torch.Generator().manualSeed(1), prefetch }) as data.DataLoader<unknown, Tensor[]>;
    const sync = idsOf(collect(mk(true)));
    for (const prefetch of [true, false]) {
      const got: number[][] = [];
      for await (const [, y] of mk(prefetch)) {
        got.push(values(y));
        await new Promise((r) => setImmediate(r)); // lets the prefetch run
      }
      expect(got).toEqual(sync);
    }
  });

  test('datasets without getBatch: get(i) and the default collate', () => {
    const plain: data.Dataset<[Tensor, number]> = { length: 5, get: (i: number) => [torch.full([2], i), i] };
    const loader = new data.DataLoader(plain, { batchSize: 2 });
    const batches = Array.from(loader);
    expect(batches.map(([x]) => x.shape)).toEqual([[2, 2], [2, 2], [1, 2]]);
    expect(values(batches[1][0])).toEqual([2, 2, 3, 3]);
    expect(batches[1][1].dtype).toBe('int64');
    expect(values(batches[2][1])).toEqual([4]);
    const floats = new data.DataLoader({ length: 2, get: (i: number) => i + 0.5 }, { batchSize: 2 }) as data.DataLoader<number, Tensor>;
    const [f] = Array.from(floats);
    expect(f.dtype).toBe('float32');
    expect(values(f)).toEqual([0.5, 1.5]);
    expect(() => Array.from(new data.DataLoader({ length: 1, get: () => 'a' }))).toThrow(/cannot collate string 'a' samples/);
    const custom = new data.DataLoader({ length: 3, get: (i: number) => i }, { batchSize: 3, collateFn: (s: number[]) => s.join(',') });
    expect(Array.from(custom)).toEqual(['0,1,2']);
  });

  test('option errors name the parameter and the value', () => {
    const ds = ids();
    expect(() => new data.DataLoader(ds, { batchSize: 0 })).toThrow(new RangeError("DataLoader: 'batchSize' must be positive, got 0"));
    expect(() => new data.DataLoader(ds, { batchSize: 2.5 })).toThrow(new TypeError("DataLoader: 'batchSize' must be an integer, got number 2.5"));
    expect(() => new data.DataLoader(ds, { shuffle: 1 as unknown as boolean })).toThrow(new TypeError("DataLoader: 'shuffle' must be a boolean, got number 1"));
    expect(() => new data.DataLoader(ds, { generator: 3 as never })).toThrow(/'generator' must be a torch.Generator, got number 3/);
    expect(() => new data.DataLoader(ds, { batchsize: 3 } as never)).toThrow(/unknown option 'batchsize'/);
    expect(() => new data.DataLoader({} as never)).toThrow(/'dataset' must be a dataset/);
  });

  test('memory: 3 epochs (sync, async with prefetch, early breaks) leave nothing behind', async () => {
    const images = torch.randint(0, 256, [37, 3, 8, 8], { dtype: 'uint8', generator: new torch.Generator().manualSeed(0) });
    const g = new torch.Generator().manualSeed(0);
    const ds = new data.ImageDataset(images, Array.from({ length: 37 }, (_, i) => i % 10), {
      numClasses: 10,
      transform: new data.Compose([new data.RandomCrop(8, { padding: 2, generator: g }), new data.RandomHorizontalFlip(0.5, { generator: g }), new data.Normalize([0.5, 0.5, 0.5], [0.2, 0.2, 0.2]), new data.Cutout(1, 4, { generator: g })]),
    });
    const loader = new data.DataLoader(ds, { batchSize: 8, shuffle: true, generator: g });
    // The awaits below let the GC backstop free tensors that earlier tests dropped without
    // disposing; collect those first so the global count only moves with this test's tensors.
    await collectGarbage();
    const base = torch.memory().numTensors;
    let count = 0;
    for (let epoch = 0; epoch < 3; epoch++) {
      for (const [x, y] of loader) {
        expect(x.shape.slice(1)).toEqual([3, 8, 8]);
        count += y.shape[0];
        x.dispose();
        y.dispose();
      }
    }
    expect(count).toBe(3 * 37);
    expect(torch.memory().numTensors).toBe(base);
    const live: number[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      for await (const [x, y] of loader) {
        await new Promise((r) => setImmediate(r));
        live.push(torch.memory().numTensors - base);
        torch.dispose([x, y]);
      }
    }
    // live during the body: the epoch's permutation, the batch, and (prepared while the body awaited)
    // the next batch, except after the last one
    expect(live).toEqual([0, 1, 2].flatMap(() => [5, 5, 5, 5, 3]));
    expect(torch.memory().numTensors).toBe(base);
    const unfetched = new data.DataLoader(ds, { batchSize: 8, prefetch: false });
    for await (const [x, y] of unfetched) {
      await new Promise((r) => setImmediate(r));
      expect(torch.memory().numTensors - base).toBe(2);
      torch.dispose([x, y]);
    }
    // early exits free the permutation and a prefetched batch
    for (const [x, y] of loader) {
      torch.dispose([x, y]);
      break;
    }
    for await (const [x, y] of loader) {
      torch.dispose([x, y]);
      await new Promise((r) => setImmediate(r));
      break;
    }
    expect(torch.memory().numTensors).toBe(base);
    // batches made inside a scope belong to it
    torch.tidy(() => {
      for (const [x] of loader) expect(x.isDisposed).toBe(false);
    });
    await torch.scope(async () => {
      for await (const [x] of loader) {
        await new Promise((r) => setImmediate(r));
        expect(x.isDisposed).toBe(false);
      }
    });
    expect(torch.memory().numTensors).toBe(base);
    ds.dispose();
    expect(images.isDisposed).toBe(true);
  });
});

// ---- buildDataset ------------------------------------------------------------------------------------------------
describe('buildDataset', () => {
  test('the examples\' transforms and info, on a synthetic MNIST folder', () => {
    const dataDir = folder(idxFiles('MNIST/', true));
    const g = new torch.Generator().manualSeed(0);
    const train = data.buildDataset('MNIST', { dataDir, generator: g, cutout: { nPatches: 1, length: 2 } });
    expect(train.info).toEqual({ numClasses: 10, inputCh: 1, inputDim: 28 });
    expect(train.transform.transforms.map((t) => t.constructor.name)).toEqual(['RandomCrop', 'Normalize', 'Cutout']);
    expect(train.dataset.length).toBe(N_IDX);
    // the test transform: normalization only (cutout is training augmentation); this folder has no test split
    expect(data.buildTransform('MNIST', { cutout: { nPatches: 1, length: 2 } }).transforms.map((t) => t.constructor.name)).toEqual(['Normalize']);
    expect(() => data.buildDataset('MNIST', { dataDir, train: false })).toThrow(/t10k-images-idx3-ubyte/);
    const plain = data.buildDataset('MNIST', { dataDir, train: true, augment: false });
    const [x] = plain.dataset.get(0);
    expect(values(x)).toEqual(Array.from(IDX_PIXELS.subarray(0, 12), (v) => Math.fround(Math.fround(f32(v) - Math.fround(0.1307)) / Math.fround(0.3081))));
    x.dispose();
    train.dataset.dispose();
    plain.dataset.dispose();
  });
  test('each dataset\'s augmentation and constants', () => {
    const names = (n: data.DatasetName) => data.buildTransform(n, { augment: true }).transforms.map((t) => t.toString());
    expect(names('FashionMNIST')).toEqual(['RandomCrop(size=(28, 28), padding=(2, 2, 2, 2))', 'RandomHorizontalFlip(p=0.5)', 'Normalize(mean=[0.286], std=[0.353])']);
    expect(names('CIFAR100')).toEqual(['RandomCrop(size=(32, 32), padding=(4, 4, 4, 4))', 'RandomHorizontalFlip(p=0.5)', 'Normalize(mean=[0.438, 0.418, 0.377], std=[0.3, 0.287, 0.294])']);
    expect(names('SVHN')).toEqual(['Normalize(mean=[0.431, 0.43, 0.446], std=[0.197, 0.198, 0.199])']);
    expect(names('STL10')).toEqual(['Normalize(mean=[0.447, 0.44, 0.407], std=[0.26, 0.257, 0.271])']);
    expect(data.DATASET_INFO.STL10).toEqual({ numClasses: 10, inputCh: 3, inputDim: 96 });
    expect(data.NORMALIZE.CIFAR10).toEqual({ mean: [0.424, 0.415, 0.384], std: [0.283, 0.278, 0.284] });
    expect(() => data.buildDataset('ImageNet' as data.DatasetName)).toThrow(new RangeError("buildDataset: unknown dataset string 'ImageNet' (expected one of MNIST, FashionMNIST, CIFAR10, CIFAR100, SVHN, STL10)"));
  });
  test('SVHN training set is train + extra, batches across both parts', () => {
    const dataDir = folder({
      'SVHN/train_32x32.mat': matFile(svhnVars(), { compress: true, le: true }),
      'SVHN/extra_32x32.mat': matFile([{ ...svhnVars()[0], data: bytes(3 * 3072, 8) }, { ...svhnVars()[1], data: Float64Array.from([2, 3, 4]) }], { compress: false, le: true }),
    });
    const { dataset } = data.buildDataset('SVHN', { dataDir, augment: false });
    expect(dataset.length).toBe(6);
    const [x, y] = dataset.getBatch([4, 0, 5, 1]);
    expect(values(y)).toEqual([3, 0, 4, 1]);
    const [x4] = dataset.get(4), [x0] = dataset.get(0);
    expect(values(x.select(0, 0))).toEqual(values(x4));
    expect(values(x.select(0, 1))).toEqual(values(x0));
    torch.dispose([x, y, x4, x0]);
    const only = data.buildDataset('SVHN', { dataDir, svhnExtra: false });
    expect(only.dataset.length).toBe(3);
    dataset.dispose();
    only.dataset.dispose();
  });
});

// ---- the real Fashion-MNIST ---------------------------------------------------------------------------------------
const FASHION = '/usr/share/datasets/fashion-mnist';
const haveFashion = fs.existsSync(path.join(FASHION, 'train-images-idx3-ubyte.gz'));
(haveFashion ? describe : describe.skip)(`Fashion-MNIST from ${FASHION}`, () => {
  test('train and test splits', () => {
    const train = new data.FashionMNIST();
    expect(train.length).toBe(60000);
    expect(Array.from(train.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(train.images.shape).toEqual([60000, 1, 28, 28]);
    const [x, y] = train.get(0);
    expect(y).toBe(9);
    expect(x.shape).toEqual([1, 28, 28]);
    const max = x.max().item() as number;
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(1);
    x.dispose();
    train.dispose();
    const test = new data.FashionMNIST(undefined, { train: false });
    expect(test.length).toBe(10000);
    test.dispose();
  });
});
