/** torch.distributed's errors: a failed collective (a peer gone, a timeout), a failed rendezvous, a wrong setup. */
import { TorchError } from '../errors';

/** Any torch.distributed failure (PyTorch's DistError). */
export class DistError extends TorchError {
  constructor(message: string, cause?: unknown, torchKind = 'DistError') {
    super(message, torchKind);
    this.name = 'DistError';
    if (cause !== undefined) Object.defineProperty(this, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  }
}

/** A collective or point-to-point operation failed: a peer closed its connection, or the group's timeout passed. */
export class DistBackendError extends DistError {
  constructor(message: string, cause?: unknown) {
    super(message, cause, 'DistBackendError');
    this.name = 'DistBackendError';
  }
}

/** The rendezvous failed: the store could not listen or connect, a key did not appear in time, the ranks disagree. */
export class DistStoreError extends DistError {
  constructor(message: string, cause?: unknown) {
    super(message, cause, 'DistStoreError');
    this.name = 'DistStoreError';
  }
}

/** The native error's message (libtorch's text, without a backtrace). */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs f; a native error becomes a DistBackendError whose message starts with `what`; JS argument errors pass. */
export function backendCall<R>(what: string, f: () => R): R {
  try {
    return f();
  } catch (e) {
    throw asBackendError(what, e);
  }
}

export function asBackendError(what: string, e: unknown): Error {
  if (e instanceof TypeError || e instanceof RangeError || e instanceof DistError) return e as Error;
  return new DistBackendError(`${what} failed: ${explain(messageOf(e))}`, e);
}

/** libtorch's and Gloo's messages, with what they usually mean added. */
export function explain(msg: string): string {
  if (/Connection closed by peer|Connection reset by peer|Broken pipe|ECONNRESET|EPIPE/i.test(msg)) return `${msg} (a peer process has exited or closed its connection)`;
  if (/Timed out|timeout|Timeout/.test(msg)) return `${msg} (the group's timeout passed: a peer is not taking part, or is too slow)`;
  return msg;
}
