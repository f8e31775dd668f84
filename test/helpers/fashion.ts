// The first batches of Fashion-MNIST as the sigprop goldens use them (test/golden/make_sigprop.py):
// file order, x = u8 / 255, (x - float32(0.286)) / float32(0.353), shape [N, 1, 28, 28]; labels int64.
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import * as torch from '../../lib/torch';

export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
export const haveFashion = (): boolean => fs.existsSync(path.join(FASHION_DIR, 'train-images-idx3-ubyte.gz'));

function readIdx(file: string, count: number): torch.Tensor {
  const buf = zlib.gunzipSync(fs.readFileSync(path.join(FASHION_DIR, file)));
  const ndim = buf.readUInt32BE(0) & 0xff;
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  dims[0] = Math.min(dims[0], count);
  const n = dims.reduce((a, b) => a * b, 1);
  return torch.tensor(new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * ndim, n)).view(dims);
}

/** { x, y } kept (not owned by any scope): dispose them when done. */
export function loadFashion(prefix: 'train' | 't10k', count: number): { x: torch.Tensor; y: torch.Tensor } {
  return torch.tidy(() => {
    const imgs = readIdx(`${prefix}-images-idx3-ubyte.gz`, count);
    const labels = readIdx(`${prefix}-labels-idx1-ubyte.gz`, count);
    const x = imgs.float().div(255).unsqueeze(1).sub(torch.tensor([0.286]).view(1, 1, 1)).div(torch.tensor([0.353]).view(1, 1, 1)).contiguous();
    return torch.keep({ x, y: labels.long() });
  });
}
