/** Errors thrown by sigprop/torch. Every libtorch error arrives as a {@link TorchError}. */
import { ErrKind } from './codes';

/** An error raised by libtorch; `message` is libtorch's message without the C++ backtrace. */
export class TorchError extends Error {
  /** libtorch's error class: 'RuntimeError', 'IndexError', 'ValueError', 'TypeError', 'NotImplementedError', ... */
  readonly torchKind: string;
  constructor(message: string, torchKind = 'RuntimeError') {
    super(message);
    this.name = 'TorchError';
    this.torchKind = torchKind;
  }
}

/** Out of memory (CPU allocation failure or CUDA out of memory). Training can go on with a smaller batch. */
export class OutOfMemoryError extends TorchError {
  constructor(message: string) {
    super(message, 'OutOfMemoryError');
    this.name = 'OutOfMemoryError';
  }
}

/** CUDA was asked for where there is none (no device, or a CPU-only build). */
export class CudaError extends TorchError {
  constructor(message: string) {
    super(message, 'RuntimeError');
    this.name = 'CudaError';
  }
}

/** A tensor was used after dispose() or after the scope that owned it ended. */
export class DisposedTensorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DisposedTensorError';
  }
}

/** The message for a disposed tensor passed as `param` (the native layer's and the TypeScript checks' one text). */
export function disposedMessage(param: string): string {
  return `'${param}' is a disposed tensor: it was freed by dispose() or by the scope (torch.tidy / torch.scope) it was created in; ` +
    'keep it with torch.keep() or return it from the scope';
}

/** Builds the error the native layer throws (called from C++ with an ErrKind code; for Disposed, the message is the parameter name). */
export function makeNativeError(kind: number, message: string, torchKind: string): Error {
  // libtorch's C++ type names (c10::BFloat16, c10::complex<float>) are the dtypes' names in Python's messages
  if (message.includes('c10::')) message = message.replace(C10_NAMES, (m: string, name: string) => C10_NAME_MAP[name] ?? m);
  switch (kind) {
    case ErrKind.Type: return new TypeError(message);
    case ErrKind.Range: return new RangeError(message);
    case ErrKind.Disposed: return new DisposedTensorError(disposedMessage(message));
    case ErrKind.Cuda: return new CudaError(message);
    case ErrKind.OutOfMemory: return new OutOfMemoryError(message);
    default: return new TorchError(message, torchKind);
  }
}

const C10_NAMES = /c10::(BFloat16|Half|complex<float>|complex<double>|complex<c10::Half>|Float8_e5m2|Float8_e4m3fn|qint8|quint8|qint32)/g;
const C10_NAME_MAP: Record<string, string> = {
  BFloat16: 'BFloat16', Half: 'Half', 'complex<float>': 'ComplexFloat', 'complex<double>': 'ComplexDouble', 'complex<c10::Half>': 'ComplexHalf',
  Float8_e5m2: 'Float8_e5m2', Float8_e4m3fn: 'Float8_e4m3fn', qint8: 'QInt8', quint8: 'QUInt8', qint32: 'QInt32',
};

/** Describes a JS value for error messages: "string 'abc'", "number 1.5", "array", "Tensor". */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  switch (typeof v) {
    case 'string': return `string '${v.length > 40 ? v.slice(0, 40) + '...' : v}'`;
    case 'number': case 'boolean': return `${typeof v} ${v}`;
    case 'bigint': return `bigint ${v}n`;
    case 'function': return 'function';
  }
  if (Array.isArray(v)) return `array of length ${v.length}`;
  const o = v as Record<string, unknown>;
  if (o.__sigpropShared === 1) return 'a shared-tensor token (receive it with torch.fromShared(token) first)';
  if (Object.getPrototypeOf(v) === Object.prototype && typeof o._id === 'number' && '_kept' in o && '_reg' in o) {
    return 'an object copied from a Tensor of another thread (postMessage cannot carry tensors: post torch.share(t), and call torch.fromShared on the other side)';
  }
  if (ArrayBuffer.isView(v)) return (v as object).constructor.name;
  const name = (v as object).constructor?.name;
  return name && name !== 'Object' ? name : 'object';
}

/** Python autograd's check of a given gradient against its output (torch.autograd's _make_grads). */
export function checkGradShape(output: readonly number[], grad: readonly number[], i: number): void {
  if (output.length === grad.length && output.every((d, j) => d === grad[j])) return;
  throw new TorchError(`Mismatch in shape: grad_output[${i}] has a shape of torch.Size([${grad.join(', ')}]) and output[${i}] has a shape of torch.Size([${output.join(', ')}]).`, 'RuntimeError');
}
