/** How Tensor methods reach the addon: wrapping result handles, tensor arguments, and the hot-path calls through the shared argument buffer. */
import { N, A } from '../native';
import { Unary as U } from '../codes';
import { describe, DisposedTensorError, disposedMessage } from '../errors';
import { checkScalar } from '../args';
import { Tensor } from '../tensor';
import type { ValuesIndices } from '../tensor';
import type { Generator } from '../random';

// ---- results ------------------------------------------------------------------------------------------------
export function T(h: number): Tensor {
  return new Tensor(h);
}

export function TT(hs: number[]): Tensor[] {
  return hs.map((h) => new Tensor(h));
}

export function VI(hs: number[]): ValuesIndices {
  const values = new Tensor(hs[0]);
  const indices = new Tensor(hs[1]);
  return Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
}

// ---- tensor arguments -----------------------------------------------------------------------------------------
export function tid(x: unknown, param: string, fn: string): number {
  if (x instanceof Tensor) {
    if (x._id < 0) throw new DisposedTensorError(`${fn}(): ${disposedMessage(param)}`);
    return x._id;
  }
  throw new TypeError(`${fn}(): '${param}' must be a Tensor, got ${describe(x)}`);
}

export function optTid(x: unknown, param: string, fn: string): number | undefined {
  return x === undefined || x === null ? undefined : tid(x, param, fn);
}

export function genHandle(g: unknown): number | undefined {
  if (g === undefined || g === null) return undefined;
  const h = (g as Generator)?._handle;
  if (typeof h !== 'number') throw new TypeError(`'generator' must be a torch.Generator, got ${describe(g)}`);
  return h;
}

// ---- hot paths: arguments go through the shared buffer A, results come back as slot numbers ----------------------
/**
 * Calls fn with the handle of a tensor operand; a number operand becomes a 0-d "wrapped number"
 * tensor, as Python passes it to add/sub/mul/div (same autograd nodes, same type promotion).
 */
export function withOperand<R>(other: unknown, fn: string, f: (handle: number) => R): R {
  if (other instanceof Tensor) return f(other._id);
  const w: number = N.wrapScalar(checkScalar(other, 'other', fn));
  try {
    return f(w);
  } finally {
    N.free(w);
  }
}

// Hot paths: arguments go through the shared buffer A, results come back as slot numbers.
export function binary(self: Tensor, code: number, other: unknown, fn: string): Tensor {
  if (other instanceof Tensor) {
    A[0] = code; A[1] = self._id; A[2] = other._id;
    return new Tensor(N.fbin());
  }
  if (typeof other === 'number') {
    A[0] = code; A[1] = self._id; A[2] = other;
    return new Tensor(N.fbinS());
  }
  if (typeof other === 'boolean') return T(N.binS(code, self._id, other));
  throw new TypeError(`${fn}(): 'other' must be a Tensor or a number, got ${describe(other)}`);
}

export function binaryInplace(self: Tensor, code: number, other: unknown, fn: string): Tensor {
  if (other instanceof Tensor) {
    A[0] = code; A[1] = self._id; A[2] = other._id;
    N.fbinI();
  } else if (typeof other === 'number') {
    A[0] = code; A[1] = self._id; A[2] = other;
    N.fbinSI();
  } else if (typeof other === 'boolean') N.binSI(code, self._id, other);
  else throw new TypeError(`${fn}(): 'other' must be a Tensor or a number, got ${describe(other)}`);
  return self;
}

export function tensorOnly(self: Tensor, code: number, other: unknown, fn: string): Tensor {
  A[0] = code; A[1] = self._id; A[2] = tid(other, 'other', fn);
  return new Tensor(N.fbin());
}

export function unary(self: Tensor, code: number): Tensor {
  A[0] = code; A[1] = self._id;
  return new Tensor(N.fun());
}

export function unaryInplace<S extends Tensor>(self: S, code: number): S {
  A[0] = code; A[1] = self._id;
  N.funI();
  return self;
}

/** A new handle to a detached alias of t, owned by nobody yet (for nn.Parameter). Internal. */
export function detachedHandle(t: Tensor): number {
  A[0] = U.detach; A[1] = tid(t, 'data', 'Parameter');
  return N.fun();
}
