/** dtypes and devices. dtypes are strings ('float32', ...); devices are strings ('cpu', 'cuda', 'cuda:1'). */
import { describe, CudaError } from './errors';
import { N } from './native';
import { DType as DTYPE_CODES } from './codes';

export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';
/** Accepted wherever a dtype is: the canonical names and PyTorch's aliases ('float', 'long', 'half', ...). */
export type DTypeLike = DType | 'float' | 'double' | 'half' | 'long' | 'int' | 'short' | 'char' | 'byte';
export type Device = string;

// c10::ScalarType codes (native/codes.def)
const CODES: Record<DType, number> = DTYPE_CODES;
const ALIASES: Record<string, DType> = {
  float: 'float32', double: 'float64', half: 'float16', long: 'int64', int: 'int32', short: 'int16', char: 'int8', byte: 'uint8',
};
const BY_CODE: DType[] = [];
for (const k of Object.keys(CODES) as DType[]) BY_CODE[CODES[k]] = k;

export const DTYPES: readonly DType[] = Object.keys(CODES) as DType[];

/** Canonical dtype name for a dtype or alias; throws TypeError naming `param` otherwise. */
export function toDType(d: unknown, param = 'dtype'): DType {
  if (typeof d === 'string') {
    const s = d.startsWith('torch.') ? d.slice(6) : d;
    if (s in CODES) return s as DType;
    if (s in ALIASES) return ALIASES[s];
  }
  throw new TypeError(`'${param}' must be a dtype (${DTYPES.join(', ')}), got ${describe(d)}`);
}

/** Whether a string names a dtype (canonical, alias, or 'torch.'-prefixed). */
export function isDTypeName(s: string): boolean {
  const t = s.startsWith('torch.') ? s.slice(6) : s;
  return t in CODES || t in ALIASES;
}

export function dtypeCode(d: unknown, param = 'dtype'): number {
  return CODES[toDType(d, param)];
}

/** dtype code or undefined for null/undefined (an optional dtype argument). */
export function optDtypeCode(d: unknown, param = 'dtype'): number | undefined {
  return d === undefined || d === null ? undefined : CODES[toDType(d, param)];
}

export function dtypeFromCode(c: number): DType {
  const d = BY_CODE[c];
  if (!d) throw new TypeError(`unsupported dtype code ${c}`);
  return d;
}

export function isFloatingPoint(d: DType): boolean {
  return d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
}

export function elementSize(d: DType): number {
  switch (d) {
    case 'float64': case 'int64': return 8;
    case 'float32': case 'int32': return 4;
    case 'float16': case 'bfloat16': case 'int16': return 2;
    default: return 1;
  }
}

const DEVICE_RE = /^(cpu|cuda)(:(\d+))?$/;

let cudaCount: number | undefined;

/**
 * Validates a device string ('cpu', 'cuda', 'cuda:N'); throws TypeError naming `param` otherwise,
 * and CudaError when a CUDA device is asked for that this machine or build does not have.
 */
export function toDevice(d: unknown, param = 'device'): Device {
  const m = typeof d === 'string' ? DEVICE_RE.exec(d) : null;
  if (!m) throw new TypeError(`'${param}' must be a device ('cpu', 'cuda' or 'cuda:N'), got ${describe(d)}`);
  if (m[1] === 'cuda') {
    if (cudaCount === undefined) cudaCount = N.cudaDeviceCount();
    if (cudaCount === 0) {
      throw new CudaError(`CUDA is not available (${N.cudaStatus()[1] ?? 'no CUDA device was found'}), but '${param}' asked for '${d}'`);
    }
    const idx = m[3] === undefined ? 0 : Number(m[3]);
    if (idx >= cudaCount) throw new CudaError(`'${param}' asked for '${d}' but there are only ${cudaCount} CUDA device(s)`);
  }
  return d as string;
}

export function optDevice(d: unknown, param = 'device'): Device | undefined {
  return d === undefined || d === null ? undefined : toDevice(d, param);
}
