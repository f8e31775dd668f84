/**
 * Image classification datasets read from local files (torchvision.datasets' MNIST, FashionMNIST,
 * CIFAR10, CIFAR100, SVHN, STL10). Nothing is downloaded: a missing file is an error that lists
 * every path looked at and where to get the data.
 *
 * A dataset keeps all its images in memory as one uint8 tensor [N, C, H, W] and its labels as one
 * int64 tensor [N]. `get(i)` gives one sample as torchvision does ([float32 image C x H x W in
 * [0, 1] after the transform, label number]); `getBatch(indices)` gives a whole batch with a few
 * tensor ops (indexSelect, float conversion, the transform on the batch), which is what the
 * DataLoader uses.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import * as torch from '../torch';
import type { Tensor, Generator } from '../torch';
import { describe } from '../torch/errors';
import { checkOptions } from './options';
import { checkBool } from '../torch/args';
import { TransformLike, Transform, Compose, RandomCrop, RandomHorizontalFlip, Normalize, Cutout, applyTransform, checkTransform } from './transforms';

// ---- interfaces --------------------------------------------------------------------------------------------------
/** Indices of a batch: an integer tensor (int64 or int32, 1-d), an Int32Array or an array of integers. */
export type Indices = Tensor | Int32Array | readonly number[];

/** A map-style dataset (torch.utils.data.Dataset): `length` samples, `get(i)` for i in [0, length). */
export interface Dataset<S = unknown> {
  readonly length: number;
  get(index: number): S;
}

/** A dataset that also assembles whole batches itself, with tensor ops (what the DataLoader prefers). */
export interface BatchDataset<S = unknown, B = unknown> extends Dataset<S> {
  /** The samples at `indices`, collated: every returned tensor is new and owned by the caller. */
  getBatch(indices: Indices): B;
}

export function isBatchDataset(d: unknown): d is BatchDataset {
  return typeof d === 'object' && d !== null && typeof (d as BatchDataset).getBatch === 'function';
}

// ---- errors ---------------------------------------------------------------------------------------------------------
/** Dataset files that are not there; `paths` are all the places looked at. */
export class DatasetNotFoundError extends Error {
  readonly paths: string[];
  constructor(message: string, paths: string[]) {
    super(message);
    this.name = 'DatasetNotFoundError';
    this.paths = paths;
  }
}

/** A dataset file that is there but malformed (bad magic number, wrong size, corrupt compression...). */
export class DatasetFormatError extends Error {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'DatasetFormatError';
    this.file = file;
  }
}

// ---- argument checks ----------------------------------------------------------------------------------------------
function optBool(v: unknown, param: string, fn: string, dflt: boolean): boolean {
  return v === undefined ? dflt : checkBool(v, param, fn, false);
}

function optTransform(v: unknown, fn: string): TransformLike | null {
  if (v === undefined || v === null) return null;
  return checkTransform(v, `${fn}: 'transform'`);
}

function roots(v: unknown, fn: string, dflt?: string): string[] {
  if (v === undefined || v === null) {
    if (dflt !== undefined) return [dflt];
    throw new TypeError(`${fn}: 'root' (the dataset folder) is required`);
  }
  if (typeof v === 'string' && v !== '') return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((r) => typeof r === 'string' && r !== '')) return [...v];
  throw new TypeError(`${fn}: 'root' must be a folder path or a non-empty array of folder paths, got ${describe(v)}`);
}

function checkIndex(i: unknown, n: number, fn: string): number {
  if (typeof i !== 'number' || !Number.isInteger(i)) throw new TypeError(`${fn}: 'index' must be an integer, got ${describe(i)}`);
  if (i < -n || i >= n) throw new RangeError(`${fn}: index ${i} is out of range for a dataset of ${n} samples`);
  return i < 0 ? i + n : i;
}

/**
 * `indices` as a 1-d int64 tensor, range-checked against [0, n). `owned` tells whether it is a new
 * tensor (which the caller frees) or the caller's own.
 */
function indexTensor(indices: Indices, n: number, fn: string): { index: Tensor; owned: boolean } {
  if (indices instanceof torch.Tensor) {
    const dt = indices.dtype;
    if (dt !== 'int64' && dt !== 'int32') throw new TypeError(`${fn}: 'indices' must be an int64 or int32 tensor, got dtype ${dt}`);
    if (indices.dim() !== 1) throw new RangeError(`${fn}: 'indices' must be 1-d, got shape [${indices.shape.join(', ')}]`);
    if (indices.numel() > 0) {
      const [lo, hi] = torch.tidy(() => [indices.min().item() as number, indices.max().item() as number]);
      if (lo < 0 || hi >= n) throw new RangeError(`${fn}: indices must be in [0, ${n}), got values in [${lo}, ${hi}]`);
    }
    return dt === 'int64' ? { index: indices, owned: false } : { index: indices.to('int64'), owned: true };
  }
  let arr: Int32Array;
  if (indices instanceof Int32Array) arr = indices;
  else if (Array.isArray(indices)) arr = Int32Array.from(indices as number[], (v, k) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${fn}: indices[${k}] must be an integer, got ${describe(v)}`);
    return v;
  });
  else throw new TypeError(`${fn}: 'indices' must be an integer tensor, an Int32Array or an array of integers, got ${describe(indices)}`);
  for (let k = 0; k < arr.length; k++) {
    if (arr[k] < 0 || arr[k] >= n) throw new RangeError(`${fn}: indices[${k}] = ${arr[k]} is out of range [0, ${n})`);
  }
  return { index: torch.tensor(arr, { dtype: 'int64' }), owned: true };
}

/** The indices as JS numbers (for bookkeeping, not for pixels). */
function indexArray(indices: Indices, n: number, fn: string): Int32Array {
  if (indices instanceof torch.Tensor) {
    const { index, owned } = indexTensor(indices, n, fn);
    const a = Int32Array.from(index.toTypedArray() as BigInt64Array, Number);
    if (owned) index.dispose();
    return a;
  }
  const { index } = indexTensor(indices, n, fn);
  index.dispose();
  return indices instanceof Int32Array ? indices : Int32Array.from(indices as number[]);
}

// ---- in-memory image datasets -------------------------------------------------------------------------------------
export interface ImageDatasetOptions {
  /** Applied to the float32 images (one [C, H, W] in get(), a batch [B, C, H, W] in getBatch()). */
  transform?: TransformLike | null;
  /** Labels must lie in [0, numClasses) when given. */
  numClasses?: number;
}

/**
 * Images held in memory as one uint8 tensor [N, C, H, W] with integer labels. The dataset owns
 * its tensors (`images`, `targets`): they survive torch.tidy scopes and are freed by dispose().
 */
export class ImageDataset implements BatchDataset<[Tensor, number], [Tensor, Tensor]> {
  /** uint8 [N, C, H, W] */
  readonly images: Tensor;
  /** int64 [N] */
  readonly targets: Tensor;
  /** The labels as JS numbers. */
  readonly labels: Int32Array;
  readonly numClasses: number | undefined;
  /** The transform applied to the float images; may be replaced. */
  transform: TransformLike | null;

  /**
   * images: a uint8 tensor [N, C, H, W], which the dataset takes over (it frees it on dispose());
   * labels: N integers.
   */
  constructor(images: Tensor, labels: Int32Array | readonly number[], options?: ImageDatasetOptions) {
    const fn = new.target?.name ?? 'ImageDataset';
    const o = checkOptions(options, fn, ['transform', 'numClasses']);
    if (!(images instanceof torch.Tensor)) throw new TypeError(`${fn}: 'images' must be a uint8 Tensor [N, C, H, W], got ${describe(images)}`);
    if (images.dtype !== 'uint8' || images.dim() !== 4) throw new TypeError(`${fn}: 'images' must be a uint8 Tensor [N, C, H, W], got ${images.dtype} [${images.shape.join(', ')}]`);
    let lab: Int32Array;
    if (labels instanceof Int32Array) lab = labels;
    else if (Array.isArray(labels)) lab = Int32Array.from(labels as number[], (v, k) => {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${fn}: labels[${k}] must be an integer, got ${describe(v)}`);
      return v;
    });
    else throw new TypeError(`${fn}: 'labels' must be an Int32Array or an array of integers, got ${describe(labels)}`);
    const n = images.shape[0];
    if (lab.length !== n) throw new RangeError(`${fn}: ${n} images but ${lab.length} labels`);
    if (o.numClasses !== undefined) {
      const k = o.numClasses;
      if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) throw new TypeError(`${fn}: 'numClasses' must be a positive integer, got ${describe(k)}`);
      const bad = lab.findIndex((v) => v < 0 || v >= k);
      if (bad >= 0) throw new RangeError(`${fn}: label ${lab[bad]} of sample ${bad} is outside [0, ${k})`);
    }
    this.numClasses = o.numClasses as number | undefined;
    this.transform = optTransform(o.transform, fn);
    this.labels = lab;
    this.images = torch.keep(images.isContiguous() ? images : torch.tidy(() => images.contiguous()));
    if (this.images !== images) images.dispose();
    this.targets = torch.keep(torch.tensor(lab, { dtype: 'int64' }));
  }

  get length(): number {
    return this.labels.length;
  }

  /** [C, H, W] of every image. */
  get imageShape(): [number, number, number] {
    const [, c, h, w] = this.images.shape;
    return [c, h, w];
  }

  /** Sample i (negative counts from the end): [float32 image [C, H, W] after the transform, label]. */
  get(index: number): [Tensor, number] {
    const i = checkIndex(index, this.length, `${this.constructor.name}.get()`);
    const x = torch.tidy(() => {
      const img = this.images.select(0, i).to('float32').div_(255);
      return this.transform ? applyTransform(this.transform, img) : img;
    });
    return [x, this.labels[i]];
  }

  /** The samples at `indices`: [float32 images [B, C, H, W] after the transform, int64 labels [B]]. */
  getBatch(indices: Indices): [Tensor, Tensor] {
    const { index, owned } = indexTensor(indices, this.length, `${this.constructor.name}.getBatch()`);
    try {
      return torch.tidy(() => {
        const x = this.images.indexSelect(0, index).to('float32').div_(255);
        const y = this.targets.indexSelect(0, index);
        return [this.transform ? applyTransform(this.transform, x) : x, y] as [Tensor, Tensor];
      });
    } finally {
      if (owned) index.dispose();
    }
  }

  /** Frees the images and labels. The dataset cannot be used afterwards. */
  dispose(): void {
    this.images.dispose();
    this.targets.dispose();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    const [c, h, w] = this.imageShape;
    return `Dataset ${this.constructor.name}\n    Number of datapoints: ${this.length}\n    Images: ${c} x ${h} x ${w}` +
      (this.transform ? `\n    Transform: ${typeof this.transform === 'function' ? this.transform.name || 'function' : this.transform.toString()}` : '');
  }
}

/** Tensors indexed along their first dimension (torch.utils.data.TensorDataset). Does not own them. */
export class TensorDataset implements BatchDataset<Tensor[], Tensor[]> {
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new TypeError('TensorDataset: needs at least one tensor');
    tensors.forEach((t, k) => {
      if (!(t instanceof torch.Tensor)) throw new TypeError(`TensorDataset: argument ${k} must be a Tensor, got ${describe(t)}`);
      if (t.dim() === 0) throw new RangeError(`TensorDataset: argument ${k} is 0-d; tensors need a first (sample) dimension`);
    });
    const n = tensors[0].shape[0];
    tensors.forEach((t, k) => {
      if (t.shape[0] !== n) throw new RangeError(`TensorDataset: size mismatch between tensors: tensor 0 has ${n} samples, tensor ${k} has ${t.shape[0]}`);
    });
    this.tensors = tensors;
  }
  get length(): number {
    return this.tensors[0].shape[0];
  }
  get(index: number): Tensor[] {
    const i = checkIndex(index, this.length, 'TensorDataset.get()');
    return this.tensors.map((t) => t.select(0, i));
  }
  getBatch(indices: Indices): Tensor[] {
    const { index, owned } = indexTensor(indices, this.length, 'TensorDataset.getBatch()');
    try {
      return this.tensors.map((t) => t.indexSelect(0, index));
    } finally {
      if (owned) index.dispose();
    }
  }
}

/** Datasets one after the other (torch.utils.data.ConcatDataset). */
export class ConcatDataset<S = unknown, B = unknown> implements BatchDataset<S, B> {
  readonly datasets: Dataset<S>[];
  /** cumulativeSizes[k] = total length of datasets 0..k */
  readonly cumulativeSizes: number[];

  constructor(datasets: Dataset<S>[]) {
    if (!Array.isArray(datasets) || datasets.length === 0) throw new TypeError(`ConcatDataset: 'datasets' must be a non-empty array of datasets, got ${describe(datasets)}`);
    let total = 0;
    this.cumulativeSizes = datasets.map((d, k) => {
      if (typeof d !== 'object' || d === null || typeof d.get !== 'function' || !Number.isInteger(d.length)) {
        throw new TypeError(`ConcatDataset: datasets[${k}] must be a dataset (length and get(i)), got ${describe(d)}`);
      }
      return (total += d.length);
    });
    this.datasets = datasets;
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1];
  }

  private locate(i: number): [number, number] {
    let k = 0;
    while (i >= this.cumulativeSizes[k]) k++;
    return [k, k === 0 ? i : i - this.cumulativeSizes[k - 1]];
  }

  get(index: number): S {
    const [k, j] = this.locate(checkIndex(index, this.length, 'ConcatDataset.get()'));
    return this.datasets[k].get(j);
  }

  /**
   * Needs every part to be a BatchDataset whose batches are arrays of tensors (as the image
   * datasets' [x, y]): each part assembles its share, then the rows are put back in request order.
   */
  getBatch(indices: Indices): B {
    const fn = 'ConcatDataset.getBatch()';
    const idx = indexArray(indices, this.length, fn);
    const parts: { k: number; local: number[]; pos: number[] }[] = [];
    const byDataset = new Map<number, { k: number; local: number[]; pos: number[] }>();
    idx.forEach((i, pos) => {
      const [k, j] = this.locate(i);
      let p = byDataset.get(k);
      if (!p) {
        p = { k, local: [], pos: [] };
        byDataset.set(k, p);
        parts.push(p);
      }
      p.local.push(j);
      p.pos.push(pos);
    });
    for (const p of parts) {
      if (!isBatchDataset(this.datasets[p.k])) throw new TypeError(`${fn}: datasets[${p.k}] has no getBatch(); iterate it with get() instead`);
    }
    return torch.tidy(() => {
      const batches = parts.map((p) => (this.datasets[p.k] as unknown as BatchDataset<S, Tensor[]>).getBatch(p.local));
      if (batches.length === 1) return batches[0] as unknown as B;
      for (const b of batches) {
        if (!Array.isArray(b) || !b.every((t) => t instanceof torch.Tensor) || b.length !== batches[0].length) {
          throw new TypeError(`${fn}: the parts' batches must be arrays of tensors of the same length`);
        }
      }
      // rows of cat(parts) are in the order parts[0].pos, parts[1].pos, ...; invert that order
      const order = new Int32Array(idx.length);
      let r = 0;
      for (const p of parts) for (const pos of p.pos) order[pos] = r++;
      const inverse = torch.tensor(order, { dtype: 'int64' });
      return batches[0].map((_, c) => torch.cat(batches.map((b) => b[c])).indexSelect(0, inverse)) as unknown as B;
    });
  }

  /** Calls dispose() of every part that has one (the image datasets free their tensors). */
  dispose(): void {
    for (const d of this.datasets) (d as { dispose?: () => void }).dispose?.();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
}

// ---- files ------------------------------------------------------------------------------------------------------------
interface FileSpec {
  /** The file name without a .gz suffix. */
  name: string;
  /** Whether name.gz is accepted too. */
  gz: boolean;
}

/** Finds every file in the first folder that has it; throws one error listing all that are missing. */
function locateFiles(what: string, dirs: string[], files: FileSpec[], howToGet: string): string[] {
  const found: string[] = [];
  const missing: string[] = [];
  const looked: string[] = [];
  for (const f of files) {
    const names = f.gz ? [f.name, f.name + '.gz'] : [f.name];
    const candidates = dirs.flatMap((d) => names.map((n) => path.join(d, n)));
    const hit = candidates.find((p) => {
      try {
        return fs.statSync(p).isFile();
      } catch {
        return false;
      }
    });
    if (hit) found.push(hit);
    else {
      missing.push(f.name);
      looked.push(...candidates);
    }
  }
  if (missing.length) {
    throw new DatasetNotFoundError(
      `${what}: dataset file${missing.length > 1 ? 's' : ''} not found: ${missing.join(', ')}. Looked for:\n` +
        looked.map((p) => `  ${p}`).join('\n') + `\n${howToGet}`,
      looked,
    );
  }
  return found;
}

/** The file's bytes, gunzipped when it ends in .gz. */
function readBytes(file: string): Buffer {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new DatasetFormatError(file, `cannot be read: ${(e as Error).message}`);
  }
  if (!file.endsWith('.gz')) return buf;
  try {
    return zlib.gunzipSync(buf);
  } catch (e) {
    throw new DatasetFormatError(file, `corrupt gzip data: ${(e as Error).message}`);
  }
}

/** Every folder in `dirs` under every root, in order. */
function under(rootList: string[], subdirs: string[]): string[] {
  return rootList.flatMap((r) => subdirs.map((s) => (s ? path.join(r, s) : r)));
}

// ---- IDX (MNIST, Fashion-MNIST) ------------------------------------------------------------------------------------
/** An IDX file of unsigned bytes: its dimensions and the data after the header. */
export function readIdx(file: string, expectedDims?: number): { dims: number[]; data: Buffer } {
  const buf = readBytes(file);
  if (buf.length < 4) throw new DatasetFormatError(file, `too short for an IDX file (${buf.length} bytes)`);
  if (buf[0] !== 0 || buf[1] !== 0) throw new DatasetFormatError(file, `bad IDX magic number 0x${buf.readUInt32BE(0).toString(16).padStart(8, '0')} (expected 0x000008NN)`);
  if (buf[2] !== 0x08) throw new DatasetFormatError(file, `IDX element type 0x${buf[2].toString(16)} is not unsigned byte (0x08)`);
  const nd = buf[3];
  if (expectedDims !== undefined && nd !== expectedDims) throw new DatasetFormatError(file, `IDX file has ${nd} dimensions, expected ${expectedDims}`);
  const header = 4 + 4 * nd;
  if (buf.length < header) throw new DatasetFormatError(file, `truncated IDX header (${buf.length} bytes, the header of ${nd} dimensions needs ${header})`);
  const dims: number[] = [];
  for (let k = 0; k < nd; k++) dims.push(buf.readUInt32BE(4 + 4 * k));
  const size = dims.reduce((a, b) => a * b, 1);
  if (buf.length !== header + size) {
    throw new DatasetFormatError(file, `IDX dimensions [${dims.join(', ')}] need ${header + size} bytes but the file has ${buf.length}${buf.length < header + size ? ' (truncated)' : ''}`);
  }
  return { dims, data: buf.subarray(header) };
}

const MNIST_FILES = (train: boolean): FileSpec[] => {
  const p = train ? 'train' : 't10k';
  return [{ name: `${p}-images-idx3-ubyte`, gz: true }, { name: `${p}-labels-idx1-ubyte`, gz: true }];
};

function loadIdxPair(imagesFile: string, labelsFile: string): { images: Tensor; labels: Int32Array } {
  const im = readIdx(imagesFile, 3);
  const lb = readIdx(labelsFile, 1);
  if (im.dims[0] !== lb.dims[0]) throw new DatasetFormatError(imagesFile, `has ${im.dims[0]} images but ${labelsFile} has ${lb.dims[0]} labels`);
  const [n, h, w] = im.dims;
  const images = torch.tidy(() => torch.frombuffer(im.data, { dtype: 'uint8' }).view(n, 1, h, w));
  return { images, labels: Int32Array.from(lb.data) };
}

function checkLabelRange(labels: Int32Array, k: number, file: string): void {
  const bad = labels.findIndex((v) => v < 0 || v >= k);
  if (bad >= 0) throw new DatasetFormatError(file, `label ${labels[bad]} of sample ${bad} is outside [0, ${k})`);
}

export interface MNISTOptions {
  /** The training set (default) or the test set. */
  train?: boolean;
  transform?: TransformLike | null;
}

const MNIST_HOW = 'Get the four files (gzipped is fine) from https://ossci-datasets.s3.amazonaws.com/mnist/ ' +
  '(the mirror torchvision uses; originally http://yann.lecun.com/exdb/mnist/).';
export const FASHION_MNIST_DEBIAN_ROOT = '/usr/share/datasets/fashion-mnist';
const FASHION_HOW = `Get them with: apt-get install dataset-fashion-mnist (Debian/Ubuntu; installs them into ${FASHION_MNIST_DEBIAN_ROOT}), ` +
  'or download them from http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/ (train-images-idx3-ubyte.gz, ...).';

/**
 * MNIST from its IDX files (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-...`, plain
 * or .gz), looked for in root, root/raw and root/MNIST/raw (torchvision's layout). root may be a list
 * of folders, tried in order.
 */
export class MNIST extends ImageDataset {
  readonly root: string[];
  readonly train: boolean;

  constructor(root: string | readonly string[], options?: MNISTOptions) {
    const fn = new.target.name;
    const o = checkOptions(options, fn, ['train', 'transform']);
    const rootList = roots(root, fn, new.target === FashionMNIST ? FASHION_MNIST_DEBIAN_ROOT : undefined);
    const train = optBool(o.train, 'train', fn, true);
    const [imagesFile, labelsFile] = locateFiles(`${fn} (${train ? 'train' : 'test'})`, under(rootList, ['', 'raw', path.join(fn, 'raw')]),
      MNIST_FILES(train), new.target === FashionMNIST ? FASHION_HOW : MNIST_HOW);
    const { images, labels } = loadIdxPair(imagesFile, labelsFile);
    try {
      checkLabelRange(labels, 10, labelsFile);
    } catch (e) {
      images.dispose();
      throw e;
    }
    super(images, labels, { transform: optTransform(o.transform, fn), numClasses: 10 });
    this.root = rootList;
    this.train = train;
  }
}

/**
 * Fashion-MNIST (same files as MNIST). The default root is Debian's
 * /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist).
 */
export class FashionMNIST extends MNIST {
  static readonly classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  constructor(root?: string | readonly string[] | null, options?: MNISTOptions) {
    super((root ?? FASHION_MNIST_DEBIAN_ROOT) as string | string[], options);
  }
}

// ---- CIFAR (binary version) --------------------------------------------------------------------------------------------
export interface CIFAROptions {
  train?: boolean;
  transform?: TransformLike | null;
}

interface LabelField {
  /** Byte offset of the label in the record. */
  at: number;
  classes: number;
  what: string;
}

/**
 * Reads files of fixed-size records: label bytes at the given offsets and 3 x 32 x 32 pixels from
 * `pixelsAt` on. Returns the images and one label array per field.
 */
function loadRecords(files: string[], recordSize: number, fields: LabelField[], pixelsAt: number): { images: Tensor; labels: Int32Array[] } {
  const bufs = files.map((f) => {
    const b = readBytes(f);
    if (b.length === 0 || b.length % recordSize !== 0) {
      throw new DatasetFormatError(f, `size ${b.length} bytes is not a positive multiple of the ${recordSize}-byte record (${fields.map((x) => x.what).join(', ')} byte${fields.length > 1 ? 's' : ''} + 3072 pixel bytes)`);
    }
    const n = b.length / recordSize;
    for (const { at, classes, what } of fields) {
      for (let r = 0; r < n; r++) {
        const v = b[r * recordSize + at];
        if (v >= classes) throw new DatasetFormatError(f, `${what} ${v} of record ${r} is outside [0, ${classes})`);
      }
    }
    return { b, n };
  });
  const total = bufs.reduce((a, x) => a + x.n, 0);
  const labels = fields.map(({ at }) => {
    const out = new Int32Array(total);
    let k = 0;
    for (const { b, n } of bufs) for (let r = 0; r < n; r++) out[k++] = b[r * recordSize + at];
    return out;
  });
  const images = torch.tidy(() => {
    const parts = bufs.map((x) => torch.frombuffer(x.b, { dtype: 'uint8' }).view(x.n, recordSize).narrow(1, pixelsAt, 3072));
    return (parts.length === 1 ? parts[0].contiguous() : torch.cat(parts)).view(total, 3, 32, 32);
  });
  return { images, labels };
}

/**
 * CIFAR-10, binary version (cifar-10-binary.tar.gz): root/cifar-10-batches-bin/data_batch_1.bin ..
 * data_batch_5.bin (train) and test_batch.bin (test); records of 1 label byte + 3072 pixel bytes (CHW).
 */
export class CIFAR10 extends ImageDataset {
  static readonly classes = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
  readonly root: string[];
  readonly train: boolean;
  constructor(root: string | readonly string[], options?: CIFAROptions) {
    const fn = 'CIFAR10';
    const o = checkOptions(options, fn, ['train', 'transform']);
    const rootList = roots(root, fn);
    const train = optBool(o.train, 'train', fn, true);
    const names = train ? [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`) : ['test_batch.bin'];
    const files = locateFiles(`${fn} (${train ? 'train' : 'test'})`, under(rootList, ['cifar-10-batches-bin', '']), names.map((name) => ({ name, gz: false })),
      'Get them from https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz (the binary version) and unpack it in the root folder: tar xzf cifar-10-binary.tar.gz');
    const { images, labels: [labels] } = loadRecords(files, 3073, [{ at: 0, classes: 10, what: 'label' }], 1);
    super(images, labels, { transform: optTransform(o.transform, fn), numClasses: 10 });
    this.root = rootList;
    this.train = train;
  }
}

/**
 * CIFAR-100, binary version (cifar-100-binary.tar.gz): root/cifar-100-binary/train.bin, test.bin;
 * records of coarse label byte, fine label byte, 3072 pixel bytes. Labels are the fine (100) classes.
 */
export class CIFAR100 extends ImageDataset {
  readonly root: string[];
  readonly train: boolean;
  /** The 20 superclass labels. */
  readonly coarseLabels: Int32Array;
  constructor(root: string | readonly string[], options?: CIFAROptions) {
    const fn = 'CIFAR100';
    const o = checkOptions(options, fn, ['train', 'transform']);
    const rootList = roots(root, fn);
    const train = optBool(o.train, 'train', fn, true);
    const files = locateFiles(`${fn} (${train ? 'train' : 'test'})`, under(rootList, ['cifar-100-binary', '']), [{ name: train ? 'train.bin' : 'test.bin', gz: false }],
      'Get it from https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz (the binary version) and unpack it in the root folder: tar xzf cifar-100-binary.tar.gz');
    const { images, labels: [coarse, labels] } = loadRecords(files, 3074, [{ at: 0, classes: 20, what: 'coarse label' }, { at: 1, classes: 100, what: 'fine label' }], 2);
    super(images, labels, { transform: optTransform(o.transform, fn), numClasses: 100 });
    this.coarseLabels = coarse;
    this.root = rootList;
    this.train = train;
  }
}

// ---- MATLAB v5 .mat files (SVHN) ----------------------------------------------------------------------------------------
/** A numeric (or char) array variable of a MAT-file; data are in MATLAB's column-major order. */
export interface MatArray {
  name: string;
  /** MATLAB class: 'double', 'single', 'int8', 'uint8', ..., 'char', 'logical' arrays read as their storage type. */
  className: string;
  dims: number[];
  data: Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;
  /** Imaginary part, for complex arrays. */
  imag?: MatArray['data'];
}

const MI = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9, INT64: 12, UINT64: 13, MATRIX: 14, COMPRESSED: 15, UTF8: 16, UTF16: 17, UTF32: 18 };
const MX_CLASSES: Record<number, string> = {
  1: 'cell', 2: 'struct', 3: 'object', 4: 'char', 5: 'sparse', 6: 'double', 7: 'single', 8: 'int8', 9: 'uint8',
  10: 'int16', 11: 'uint16', 12: 'int32', 13: 'uint32', 14: 'int64', 15: 'uint64', 16: 'function', 17: 'opaque',
};
const NUMERIC_TYPES: Record<number, { size: number; make: (n: number) => MatArray['data']; get: (v: DataView, o: number, le: boolean) => number | bigint; set: (a: MatArray['data'], i: number, x: number | bigint) => void }> = {};
{
  const def = (t: number, size: number, make: (n: number) => MatArray['data'], get: (v: DataView, o: number, le: boolean) => number | bigint) => {
    NUMERIC_TYPES[t] = { size, make, get, set: (a, i, x) => { (a as unknown as (number | bigint)[])[i] = x; } };
  };
  def(MI.INT8, 1, (n) => new Int8Array(n), (v, o) => v.getInt8(o));
  def(MI.UINT8, 1, (n) => new Uint8Array(n), (v, o) => v.getUint8(o));
  def(MI.UTF8, 1, (n) => new Uint8Array(n), (v, o) => v.getUint8(o));
  def(MI.INT16, 2, (n) => new Int16Array(n), (v, o, le) => v.getInt16(o, le));
  def(MI.UINT16, 2, (n) => new Uint16Array(n), (v, o, le) => v.getUint16(o, le));
  def(MI.UTF16, 2, (n) => new Uint16Array(n), (v, o, le) => v.getUint16(o, le));
  def(MI.INT32, 4, (n) => new Int32Array(n), (v, o, le) => v.getInt32(o, le));
  def(MI.UINT32, 4, (n) => new Uint32Array(n), (v, o, le) => v.getUint32(o, le));
  def(MI.UTF32, 4, (n) => new Uint32Array(n), (v, o, le) => v.getUint32(o, le));
  def(MI.SINGLE, 4, (n) => new Float32Array(n), (v, o, le) => v.getFloat32(o, le));
  def(MI.DOUBLE, 8, (n) => new Float64Array(n), (v, o, le) => v.getFloat64(o, le));
  def(MI.INT64, 8, (n) => new BigInt64Array(n), (v, o, le) => v.getBigInt64(o, le));
  def(MI.UINT64, 8, (n) => new BigUint64Array(n), (v, o, le) => v.getBigUint64(o, le));
}

interface Element {
  type: number;
  bytes: Uint8Array;
  /** Offset of the next element. */
  next: number;
}

/** The data element at `pos` of `buf` (tag + data, small-element format included). */
function readElement(buf: Uint8Array, pos: number, le: boolean, file: string, where: string, topLevel: boolean): Element {
  if (pos + 8 > buf.length) throw new DatasetFormatError(file, `truncated ${where}: a data element tag at byte ${pos} needs 8 bytes, ${buf.length - pos} remain`);
  const view = new DataView(buf.buffer, buf.byteOffset + pos, 8);
  const first = view.getUint32(0, le);
  if (first >>> 16 !== 0) {
    // small data element: size in the upper 16 bits, type in the lower, up to 4 data bytes in the tag
    const size = first >>> 16;
    if (size > 4) throw new DatasetFormatError(file, `bad small data element at byte ${pos} in ${where} (${size} bytes, at most 4 fit)`);
    return { type: first & 0xffff, bytes: buf.subarray(pos + 4, pos + 4 + size), next: pos + 8 };
  }
  const size = view.getUint32(4, le);
  const start = pos + 8;
  if (start + size > buf.length) throw new DatasetFormatError(file, `truncated ${where}: the data element at byte ${pos} (type ${first}) claims ${size} bytes but ${buf.length - start} remain`);
  // compressed elements at the top level are not padded; everything else is padded to 8 bytes
  const next = topLevel && first === MI.COMPRESSED ? start + size : Math.min(buf.length, start + Math.ceil(size / 8) * 8);
  return { type: first, bytes: buf.subarray(start, start + size), next };
}

/** Numeric data of one element as a typed array (a view for bytes, a copy otherwise). */
function numericData(e: Element, le: boolean, file: string, what: string): MatArray['data'] {
  const t = NUMERIC_TYPES[e.type];
  if (!t) throw new DatasetFormatError(file, `${what}: unsupported data type ${e.type}`);
  if (e.bytes.length % t.size !== 0) throw new DatasetFormatError(file, `${what}: ${e.bytes.length} bytes is not a whole number of ${t.size}-byte elements`);
  const n = e.bytes.length / t.size;
  if (e.type === MI.UINT8 || e.type === MI.UTF8) return e.bytes;
  if (e.type === MI.INT8) return new Int8Array(e.bytes.buffer, e.bytes.byteOffset, n);
  const out = t.make(n);
  const v = new DataView(e.bytes.buffer, e.bytes.byteOffset, e.bytes.byteLength);
  for (let i = 0; i < n; i++) t.set(out, i, t.get(v, i * t.size, le));
  return out;
}

function parseMatrix(body: Uint8Array, le: boolean, file: string): MatArray | null {
  if (body.length === 0) return null; // an empty matrix placeholder
  const flags = readElement(body, 0, le, file, 'array flags', false);
  if (flags.type !== MI.UINT32 || flags.bytes.length < 8) throw new DatasetFormatError(file, 'miMATRIX without its array flags subelement');
  const fv = new DataView(flags.bytes.buffer, flags.bytes.byteOffset, 8);
  const flagWord = fv.getUint32(0, le);
  const cls = flagWord & 0xff;
  const complex = (flagWord & 0x800) !== 0;
  const dimsEl = readElement(body, flags.next, le, file, 'dimensions', false);
  if (dimsEl.type !== MI.INT32) throw new DatasetFormatError(file, `miMATRIX dimensions subelement has type ${dimsEl.type}, expected miINT32`);
  const dims = Array.from(numericData(dimsEl, le, file, 'dimensions') as Int32Array);
  const nameEl = readElement(body, dimsEl.next, le, file, 'array name', false);
  const name = Buffer.from(nameEl.bytes).toString('latin1');
  const className = MX_CLASSES[cls] ?? `class ${cls}`;
  if (cls < 4 || cls === 5 || cls > 15) return { name, className, dims, data: new Uint8Array(0) }; // cell/struct/object/sparse/...: not read
  const numel = dims.reduce((a, b) => a * b, 1);
  const real = readElement(body, nameEl.next, le, file, `real part of '${name}'`, false);
  const data = numericData(real, le, file, `variable '${name}'`);
  if (data.length !== numel) throw new DatasetFormatError(file, `variable '${name}' has dimensions [${dims.join(', ')}] (${numel} elements) but ${data.length} stored values`);
  const out: MatArray = { name, className, dims, data };
  if (complex) {
    const im = readElement(body, real.next, le, file, `imaginary part of '${name}'`, false);
    out.imag = numericData(im, le, file, `imaginary part of '${name}'`);
  }
  return out;
}

function parseElements(buf: Uint8Array, start: number, le: boolean, file: string, out: Map<string, MatArray>, depth: number): void {
  let pos = start;
  while (pos < buf.length) {
    if (buf.length - pos < 8 && buf.subarray(pos).every((b) => b === 0)) break; // trailing padding
    const e = readElement(buf, pos, le, file, 'data element', true);
    if (e.type === MI.COMPRESSED) {
      if (depth > 0) throw new DatasetFormatError(file, 'nested miCOMPRESSED element');
      let inflated: Buffer;
      try {
        inflated = zlib.inflateSync(e.bytes);
      } catch (err) {
        throw new DatasetFormatError(file, `corrupt miCOMPRESSED element at byte ${pos}: ${(err as Error).message}`);
      }
      parseElements(inflated, 0, le, file, out, depth + 1);
    } else if (e.type === MI.MATRIX) {
      const m = parseMatrix(e.bytes, le, file);
      if (m) out.set(m.name, m);
    } else {
      throw new DatasetFormatError(file, `unexpected top-level data element type ${e.type} at byte ${pos} (expected miMATRIX or miCOMPRESSED)`);
    }
    pos = e.next;
  }
}

/**
 * Reads the variables of a MATLAB v5 MAT-file (the format scipy.io.loadmat reads; not v7.3/HDF5):
 * numeric and char arrays, plain or in miCOMPRESSED (zlib) elements, either byte order. Cells,
 * structs, objects and sparse arrays are listed with empty data.
 */
export function readMat(file: string): Map<string, MatArray> {
  const buf = readBytes(file);
  if (buf.length < 128) throw new DatasetFormatError(file, `too short for a MATLAB 5 MAT-file (${buf.length} bytes, the header alone is 128)`);
  const text = buf.subarray(0, 116).toString('latin1');
  if (text.startsWith('MATLAB 7.3')) throw new DatasetFormatError(file, 'is a MATLAB v7.3 (HDF5) MAT-file; only the v5 format is supported (save with -v7 or -v6)');
  const endian = buf.subarray(126, 128).toString('latin1');
  if (endian !== 'IM' && endian !== 'MI') throw new DatasetFormatError(file, `not a MATLAB 5 MAT-file (endian indicator '${endian}' at byte 126, expected 'IM' or 'MI')`);
  const le = endian === 'IM';
  const version = le ? buf.readUInt16LE(124) : buf.readUInt16BE(124);
  if (version !== 0x0100) throw new DatasetFormatError(file, `unsupported MAT-file version 0x${version.toString(16)} (expected 0x0100)`);
  const out = new Map<string, MatArray>();
  parseElements(buf, 128, le, file, out, 0);
  return out;
}

// ---- SVHN ---------------------------------------------------------------------------------------------------------------
export type SVHNSplit = 'train' | 'test' | 'extra';
export interface SVHNOptions {
  split?: SVHNSplit;
  transform?: TransformLike | null;
}

/**
 * SVHN, cropped digits (torchvision's files): root/train_32x32.mat, test_32x32.mat, extra_32x32.mat,
 * with X uint8 [32, 32, 3, N] and y [N, 1] (label 10 is the digit 0, as in torchvision).
 */
export class SVHN extends ImageDataset {
  readonly root: string[];
  readonly split: SVHNSplit;
  constructor(root: string | readonly string[], options?: SVHNOptions) {
    const fn = 'SVHN';
    const o = checkOptions(options, fn, ['split', 'transform']);
    const rootList = roots(root, fn);
    const split = o.split ?? 'train';
    if (split !== 'train' && split !== 'test' && split !== 'extra') throw new RangeError(`${fn}: 'split' must be 'train', 'test' or 'extra', got ${describe(split)}`);
    const [file] = locateFiles(`${fn} (${split})`, under(rootList, ['']), [{ name: `${split}_32x32.mat`, gz: false }],
      `Get it from http://ufldl.stanford.edu/housenumbers/${split}_32x32.mat into the root folder.`);
    const vars = readMat(file);
    const X = vars.get('X');
    const y = vars.get('y');
    if (!X || !y) throw new DatasetFormatError(file, `expected variables 'X' and 'y', found ${[...vars.keys()].map((k) => `'${k}'`).join(', ') || 'none'}`);
    if (!(X.data instanceof Uint8Array) || X.dims.length !== 4) throw new DatasetFormatError(file, `'X' must be a uint8 array [H, W, C, N], got ${X.className} [${X.dims.join(', ')}]`);
    const [h, w, c, n] = X.dims;
    if (y.data.length !== n) throw new DatasetFormatError(file, `'X' has ${n} images but 'y' has ${y.data.length} labels`);
    const labels = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const v = Number(y.data[k]);
      if (!Number.isInteger(v) || v < 0 || v > 10) throw new DatasetFormatError(file, `label ${v} of sample ${k} is not a digit label 1..10`);
      labels[k] = v === 10 ? 0 : v;
    }
    // column-major [H, W, C, N] is row-major [N, C, W, H]
    const xdata = X.data;
    const images = torch.tidy(() => torch.frombuffer(xdata, { dtype: 'uint8' }).view(n, c, w, h).transpose(2, 3).contiguous());
    super(images, labels, { transform: optTransform(o.transform, fn), numClasses: 10 });
    this.root = rootList;
    this.split = split;
  }
}

// ---- STL-10 ---------------------------------------------------------------------------------------------------------------
export interface STL10Options {
  split?: 'train' | 'test';
  transform?: TransformLike | null;
}

/**
 * STL-10, binary version (stl10_binary.tar.gz): root/stl10_binary/train_X.bin, train_y.bin,
 * test_X.bin, test_y.bin; 3 x 96 x 96 uint8 images stored column-major (transposed to C, H, W as
 * torchvision does), labels 1..10 (given as 0..9).
 */
export class STL10 extends ImageDataset {
  static readonly classes = ['airplane', 'bird', 'car', 'cat', 'deer', 'dog', 'horse', 'monkey', 'ship', 'truck'];
  readonly root: string[];
  readonly split: 'train' | 'test';
  constructor(root: string | readonly string[], options?: STL10Options) {
    const fn = 'STL10';
    const o = checkOptions(options, fn, ['split', 'transform']);
    const rootList = roots(root, fn);
    const split = o.split ?? 'train';
    if (split !== 'train' && split !== 'test') throw new RangeError(`${fn}: 'split' must be 'train' or 'test', got ${describe(split)}`);
    const [xFile, yFile] = locateFiles(`${fn} (${split})`, under(rootList, ['stl10_binary', '']), [{ name: `${split}_X.bin`, gz: false }, { name: `${split}_y.bin`, gz: false }],
      'Get them from http://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz and unpack it in the root folder: tar xzf stl10_binary.tar.gz');
    const per = 3 * 96 * 96;
    const xb = readBytes(xFile);
    if (xb.length === 0 || xb.length % per !== 0) throw new DatasetFormatError(xFile, `size ${xb.length} bytes is not a positive multiple of one 3 x 96 x 96 image (${per} bytes)`);
    const n = xb.length / per;
    const yb = readBytes(yFile);
    if (yb.length !== n) throw new DatasetFormatError(yFile, `has ${yb.length} labels but ${xFile} has ${n} images`);
    const labels = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      if (yb[k] < 1 || yb[k] > 10) throw new DatasetFormatError(yFile, `label ${yb[k]} of sample ${k} is outside 1..10`);
      labels[k] = yb[k] - 1;
    }
    const images = torch.tidy(() => torch.frombuffer(xb, { dtype: 'uint8' }).view(n, 3, 96, 96).transpose(2, 3).contiguous());
    super(images, labels, { transform: optTransform(o.transform, fn), numClasses: 10 });
    this.root = rootList;
    this.split = split;
  }
}

// ---- the examples' datasets ----------------------------------------------------------------------------------------------
export type DatasetName = 'MNIST' | 'FashionMNIST' | 'CIFAR10' | 'CIFAR100' | 'SVHN' | 'STL10';
export const DATASET_NAMES: readonly DatasetName[] = ['MNIST', 'FashionMNIST', 'CIFAR10', 'CIFAR100', 'SVHN', 'STL10'];

/** Per-dataset Normalize constants of the sigprop examples. */
export const NORMALIZE: Readonly<Record<DatasetName, { mean: readonly number[]; std: readonly number[] }>> = Object.freeze({
  MNIST: { mean: [0.1307], std: [0.3081] },
  FashionMNIST: { mean: [0.286], std: [0.353] },
  CIFAR10: { mean: [0.424, 0.415, 0.384], std: [0.283, 0.278, 0.284] },
  CIFAR100: { mean: [0.438, 0.418, 0.377], std: [0.300, 0.287, 0.294] },
  SVHN: { mean: [0.431, 0.430, 0.446], std: [0.197, 0.198, 0.199] },
  STL10: { mean: [0.447, 0.440, 0.407], std: [0.260, 0.257, 0.271] },
});

export interface DatasetInfo {
  numClasses: number;
  inputCh: number;
  inputDim: number;
}

/** numClasses, inputCh, inputDim of each dataset (the examples' dataset_info). */
export const DATASET_INFO: Readonly<Record<DatasetName, DatasetInfo>> = Object.freeze({
  MNIST: { numClasses: 10, inputCh: 1, inputDim: 28 },
  FashionMNIST: { numClasses: 10, inputCh: 1, inputDim: 28 },
  CIFAR10: { numClasses: 10, inputCh: 3, inputDim: 32 },
  CIFAR100: { numClasses: 100, inputCh: 3, inputDim: 32 },
  SVHN: { numClasses: 10, inputCh: 3, inputDim: 32 },
  STL10: { numClasses: 10, inputCh: 3, inputDim: 96 },
});

export interface CutoutOptions {
  nPatches: number;
  length: number;
}

export interface BuildTransformOptions {
  /** Training augmentation (random crop / flip as in the examples, and cutout if asked). Default false. */
  augment?: boolean;
  /** Cutout after Normalize (part of the training augmentation: used only when augment is true). */
  cutout?: CutoutOptions | null;
  /** The random source of the augmentations (default: the default generator). */
  generator?: Generator;
}

function checkName(name: unknown, fn: string): DatasetName {
  if (typeof name !== 'string' || !(DATASET_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`${fn}: unknown dataset ${describe(name)} (expected one of ${DATASET_NAMES.join(', ')})`);
  }
  return name as DatasetName;
}

/**
 * The examples' transform of a dataset. With augment: MNIST RandomCrop(28, padding 2); FashionMNIST
 * RandomCrop(28, padding 2) + RandomHorizontalFlip; CIFAR10/100 RandomCrop(32, padding 4) +
 * RandomHorizontalFlip; SVHN, STL10 none. Then Normalize with NORMALIZE[name], then Cutout if asked.
 */
export function buildTransform(name: DatasetName, options?: BuildTransformOptions): Compose {
  const fn = 'buildTransform';
  checkName(name, fn);
  const o = checkOptions(options, fn, ['augment', 'cutout', 'generator']);
  const augment = optBool(o.augment, 'augment', fn, false);
  const generator = o.generator as Generator | undefined;
  if (generator !== undefined && !(generator instanceof torch.Generator)) throw new TypeError(`${fn}: 'generator' must be a torch.Generator, got ${describe(generator)}`);
  const g = generator ? { generator } : undefined;
  const list: Transform[] = [];
  if (augment) {
    if (name === 'MNIST') list.push(new RandomCrop(28, { padding: 2, ...g }));
    if (name === 'FashionMNIST') list.push(new RandomCrop(28, { padding: 2, ...g }), new RandomHorizontalFlip(0.5, g));
    if (name === 'CIFAR10' || name === 'CIFAR100') list.push(new RandomCrop(32, { padding: 4, ...g }), new RandomHorizontalFlip(0.5, g));
  }
  list.push(new Normalize(NORMALIZE[name].mean, NORMALIZE[name].std));
  const cutout = o.cutout;
  if (cutout !== undefined && cutout !== null) {
    if (typeof cutout !== 'object') throw new TypeError(`${fn}: 'cutout' must be { nPatches, length } or null, got ${describe(cutout)}`);
    const c = cutout as CutoutOptions;
    const made = new Cutout(c.nPatches, c.length, g);
    if (augment) list.push(made);
  }
  return new Compose(list);
}

export interface BuildDatasetOptions extends BuildTransformOptions {
  /**
   * The data folder (the examples' --data-dir, default './data'): each dataset is looked for in
   * dataDir/<name> (FashionMNIST also in /usr/share/datasets/fashion-mnist).
   */
  dataDir?: string;
  /** The training split (default) or the test split. augment defaults to this. */
  train?: boolean;
  /** SVHN training set: train + extra as in the examples (default), or train only. */
  svhnExtra?: boolean;
}

/**
 * A dataset as the sigprop examples build it (build_dataset in examples.py): the split, with the
 * training augmentation when augment (default: when train), normalized, and its info.
 */
/** An image dataset or a concatenation of them: what buildDataset returns. */
export type ExampleDataset = BatchDataset<[Tensor, number], [Tensor, Tensor]> & { dispose(): void };

export function buildDataset(name: DatasetName, options?: BuildDatasetOptions): { dataset: ExampleDataset; info: DatasetInfo; transform: Compose } {
  const fn = 'buildDataset';
  checkName(name, fn);
  const o = checkOptions(options, fn, ['dataDir', 'train', 'augment', 'cutout', 'generator', 'svhnExtra']);
  if (o.dataDir !== undefined && (typeof o.dataDir !== 'string' || o.dataDir === '')) throw new TypeError(`${fn}: 'dataDir' must be a folder path, got ${describe(o.dataDir)}`);
  const dataDir = (o.dataDir as string | undefined) ?? './data';
  const train = optBool(o.train, 'train', fn, true);
  const augment = optBool(o.augment, 'augment', fn, train);
  const svhnExtra = optBool(o.svhnExtra, 'svhnExtra', fn, true);
  const transform = buildTransform(name, { augment, cutout: o.cutout as CutoutOptions | null | undefined, generator: o.generator as Generator | undefined });
  const root = path.join(dataDir, name);
  let dataset: ExampleDataset;
  switch (name) {
    case 'MNIST': dataset = new MNIST(root, { train, transform }); break;
    case 'FashionMNIST': dataset = new FashionMNIST([root, FASHION_MNIST_DEBIAN_ROOT], { train, transform }); break;
    case 'CIFAR10': dataset = new CIFAR10(root, { train, transform }); break;
    case 'CIFAR100': dataset = new CIFAR100(root, { train, transform }); break;
    case 'SVHN':
      if (train && svhnExtra) {
        const parts: SVHN[] = [new SVHN(root, { split: 'train', transform })];
        try {
          parts.push(new SVHN(root, { split: 'extra', transform }));
        } catch (e) {
          parts[0].dispose();
          throw e;
        }
        dataset = new ConcatDataset<[Tensor, number], [Tensor, Tensor]>(parts);
      } else {
        dataset = new SVHN(root, { split: train ? 'train' : 'test', transform });
      }
      break;
    case 'STL10': dataset = new STL10(root, { split: train ? 'train' : 'test', transform }); break;
  }
  return { dataset, info: { ...DATASET_INFO[name] }, transform };
}
