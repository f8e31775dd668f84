/** torch.distributed's key-value stores on libtorch's c10d: TCPStore (the rendezvous of env:// and tcp://) and PrefixStore. */
import { N } from '../native';
import { checkOptions, checkInt, checkBool } from '../args';
import { DistStoreError, messageOf } from './errors';

const registry = new FinalizationRegistry<number>((h) => N.objectFree(h));

/** A c10d::Store: string keys, string values, counters. Every call blocks up to the store's timeout. */
export class Store {
  /** @internal the native object handle */
  _handle: number;
  /** @internal */
  constructor(handle: number) {
    this._handle = handle;
    registry.register(this, handle, this);
  }
  set(key: string, value: string): void { storeCall('set', () => N.storeSet(this._handle, key, value)); }
  /** Waits (up to the timeout) until key is set. */
  get(key: string): string { return storeCall('get', () => N.storeGet(this._handle, key)); }
  /** Adds value to the counter at key (created at 0) and returns the new value. */
  add(key: string, value: number): number { return storeCall('add', () => N.storeAdd(this._handle, key, checkInt(value, 'value', 'Store.add'))); }
  /** Whether every key is set, without waiting. */
  check(keys: string[]): boolean { return storeCall('check', () => N.storeCheck(this._handle, keys)); }
  /** Waits until every key is set (timeout in ms, default the store's). */
  wait(keys: string[], timeout?: number): void {
    storeCall('wait', () => (timeout === undefined ? N.storeWait(this._handle, keys, this._timeout) : N.storeWait(this._handle, keys, timeout)));
  }
  setTimeout(timeout: number): void {
    storeCall('setTimeout', () => N.storeSetTimeout(this._handle, timeout));
    this._timeout = timeout;
  }
  /** @internal */
  _timeout = 300_000;
  /** Frees the native store now (a TCPStore server stops serving). */
  close(): void {
    if (this._handle < 0) return;
    registry.unregister(this);
    N.objectFree(this._handle);
    this._handle = -1;
  }
}

function storeCall<R>(what: string, f: () => R): R {
  try {
    return f();
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw e;
    throw new DistStoreError(`Store.${what} failed: ${messageOf(e)}`, e);
  }
}

export interface TCPStoreOptions {
  /** Whether this process runs the server (rank 0 in a rendezvous). Default false. */
  isMaster?: boolean;
  /** How many processes use the store (the server waits for them when waitForWorkers). */
  worldSize?: number;
  /** Milliseconds that connecting, and every later call, may take (default 300000, as PyTorch's). */
  timeout?: number;
  waitForWorkers?: boolean;
  multiTenant?: boolean;
}
const TCP_KEYS = ['isMaster', 'worldSize', 'timeout', 'waitForWorkers', 'multiTenant'] as const;

/** torch.distributed.TCPStore: a server on one process, clients on the others. Port 0 asks the OS for a free port (see `port`). */
export class TCPStore extends Store {
  readonly host: string;
  constructor(host: string, port: number, opts: TCPStoreOptions = {}) {
    checkOptions('TCPStore', opts, TCP_KEYS);
    if (typeof host !== 'string' || host === '') throw new TypeError(`TCPStore(): 'host' must be a non-empty string, got ${String(host)}`);
    checkInt(port, 'port', 'TCPStore');
    const timeout = opts.timeout ?? 300_000;
    const isMaster = opts.isMaster === undefined ? false : checkBool(opts.isMaster, 'isMaster', 'TCPStore');
    const ws = opts.worldSize === undefined ? -1 : checkInt(opts.worldSize, 'worldSize', 'TCPStore');
    let h: number;
    try {
      h = N.storeTcp(host, port, isMaster, ws, timeout, opts.waitForWorkers ?? true, opts.multiTenant ?? false);
    } catch (e) {
      if (e instanceof TypeError || e instanceof RangeError) throw e;
      const m = messageOf(e);
      const hint = /in use|EADDRINUSE/i.test(m) ? ` (port ${port} is in use on ${host}: another job or a stale process holds it; choose another MASTER_PORT)`
        : isMaster ? '' : ` (no store server answered at ${host}:${port} within ${timeout} ms: is rank 0 running, and are MASTER_ADDR / MASTER_PORT the same on every rank?)`;
      throw new DistStoreError(`TCPStore(${host}:${port}${isMaster ? ', server' : ''}) failed: ${m}${hint}`, e);
    }
    super(h);
    this.host = host;
    this._timeout = timeout;
  }
  /** The port the server listens on (the one the OS chose, for port 0). */
  get port(): number { return N.storePort(this._handle); }
}

/** torch.distributed.PrefixStore: every key of `store` under `prefix/`. */
export class PrefixStore extends Store {
  /** @internal keeps the underlying store alive */
  readonly _inner: Store;
  constructor(prefix: string, store: Store) {
    if (typeof prefix !== 'string') throw new TypeError(`PrefixStore(): 'prefix' must be a string, got ${typeof prefix}`);
    if (!(store instanceof Store)) throw new TypeError('PrefixStore(): \'store\' must be a Store');
    super(N.storePrefix(prefix, store._handle));
    this._inner = store;
    this._timeout = store._timeout;
  }
}
