'use strict';
// One fuzz batch, run in a child process (a crash there fails the batch, not the test runner):
//   node test/fuzz/run.js --seed S --runs N [--progress FILE] [--replay JSON]
// Every generated call (calls.js) must return, or throw an Error subclass whose message is not a JS
// engine or libtorch internal one; and after it, as many tensors are alive as before. Prints one
// JSON line: { seed, runs, failure } (failure: the shrunk call and what went wrong, or null).
const fs = require('fs');
const path = require('path');
const fc = require('fast-check');
const { callArb } = require('./calls');

const lib = require(path.join(__dirname, '..', '..', 'dist'));
const { torch, data } = lib;
const { nn, optim } = torch;
const F = nn.functional;

// ---- targets -------------------------------------------------------------------------------------

const isClass = (f) => typeof f === 'function' && /^class\b/.test(Function.prototype.toString.call(f));
const fnsOf = (obj, skip = []) => Object.keys(obj).filter((k) => typeof obj[k] === 'function' && !isClass(obj[k]) && !skip.includes(k));
const classesOf = (obj, skip = []) => Object.keys(obj).filter((k) => isClass(obj[k]) && !skip.includes(k));

// left out: file and network I/O, async APIs, process-wide thread pools (setNumThreads(1e9) would
// start a billion threads: a resource limit, not an input check), and what only builds other tests
const TORCH_SKIP = ['save', 'load', 'loadAsync', 'saveSafetensors', 'loadSafetensors', 'safetensorsMetadata', 'scope',
  'setNumThreads', 'setNumInteropThreads', 'fromShared', 'share', 'unshare'];
const TENSOR_SKIP = ['constructor'];
const TARGETS = {};
/** For each target, the function its arguments go to and how many arguments the harness puts first. */
const META = {};
function add(name, run, fn, shift = 0) {
  TARGETS[name] = run;
  META[name] = { fn, shift };
}
for (const k of fnsOf(torch, TORCH_SKIP)) add(`torch.${k}`, (a) => torch[k](...a), torch[k]);
for (const k of fnsOf(F)) add(`F.${k}`, (a) => F[k](...a), F[k]);
for (const k of fnsOf(torch.autograd)) add(`autograd.${k}`, (a) => torch.autograd[k](...a), torch.autograd[k]);
for (const k of fnsOf(torch.nn.init)) add(`init.${k}`, (a) => torch.nn.init[k](...a), torch.nn.init[k]);
for (const k of fnsOf(torch.cuda)) add(`cuda.${k}`, (a) => torch.cuda[k](...a), torch.cuda[k]);
const proto = torch.Tensor.prototype;
for (const k of Object.getOwnPropertyNames(proto)) {
  if (TENSOR_SKIP.includes(k)) continue;
  const d = Object.getOwnPropertyDescriptor(proto, k);
  if (typeof d.value === 'function') add(`Tensor#${k}`, (a, self) => self[k](...a), d.value);
  else if (d.get) add(`Tensor.${k}`, (a, self) => self[k], null);
}
for (const k of classesOf(nn, ['Module', 'Parameter', 'ModuleList', 'ModuleDict'])) add(`nn.${k}`, (a, self, own) => layer(nn[k], a, own), nn[k]);
for (const k of classesOf(optim, ['Optimizer'])) add(`optim.${k}`, (a, self, own) => optimizer(optim[k], a, own), optim[k], 1);
for (const k of classesOf(optim.lrScheduler, ['LRScheduler'])) add(`lrScheduler.${k}`, (a, self, own) => scheduler(optim.lrScheduler[k], a, own), optim.lrScheduler[k], 1);
for (const k of fnsOf(lib.loss)) add(`sigprop.loss.${k}`, (a) => lib.loss[k](...a), lib.loss[k]);
for (const k of fnsOf(lib.functional.signals || {})) add(`sigprop.functional.signals.${k}`, (a) => lib.functional.signals[k](...a), lib.functional.signals[k]);
for (const k of classesOf(lib.signals, ['Signal', 'Formatter', 'Generator'])) add(`sigprop.signals.${k}`, (a, self, own) => sigModule(lib.signals[k], a, own), lib.signals[k]);
for (const k of ['RandomCrop', 'RandomHorizontalFlip', 'Normalize', 'Cutout']) add(`data.${k}`, (a, self) => new data[k](...a).apply(self), data[k]);

/**
 * The parameters a function (a class: its constructor, inherited or not) declares: how many, and
 * whether the last is a rest parameter. Read from its source, so default values count too.
 */
function paramsOf(fn) {
  for (let f = fn; typeof f === 'function' && f !== Function.prototype; f = Object.getPrototypeOf(f)) {
    const src = Function.prototype.toString.call(f);
    let i;
    if (/^class\b/.test(src)) {
      const m = /\bconstructor\s*\(/.exec(src);
      if (!m) continue; // the parent's constructor
      i = m.index + m[0].length;
    } else {
      i = src.indexOf('(') + 1;
      if (i === 0) return { count: 0, rest: false };
    }
    let depth = 0, count = 0, any = false, rest = false;
    for (; i < src.length; i++) {
      const c = src[i];
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') {
        if (depth === 0) break;
        depth--;
      } else if (c === ',' && depth === 0) { count++; any = false; continue; }
      if (!/\s/.test(c)) {
        if (!any && src.startsWith('...', i)) rest = true;
        any = true;
      }
    }
    return { count: count + (any ? 1 : 0), rest };
  }
  return { count: 0, rest: false };
}
TARGETS['data.TensorDataset+DataLoader'] = (a, self) => {
  const ds = new data.TensorDataset(self, ...a.slice(0, 1));
  const dl = new data.DataLoader(ds, ...a.slice(1));
  let n = 0;
  for (const b of dl) { torch.dispose(b); if (++n > 3) break; }
  return n;
};
TARGETS['sigprop.model.forward'] = (a) => sigpropModel().model.forward(a.length === 1 ? a[0] : a.slice(0, 2));
META['data.TensorDataset+DataLoader'] = { fn: null, shift: 0 };
META['sigprop.model.forward'] = { fn: null, shift: 0 };

let spModel = null;
function sigpropModel() {
  if (spModel === null) {
    const nets = require(path.join(__dirname, '..', '..', 'bench', 'sigprop-nets'))(lib);
    spModel = nets.buildModel('mlp', nets.lossByName('v14'), { monitors: false, hidden: 8 });
  }
  return spModel;
}

function layer(C, a, own) {
  const m = new C(...a);
  own.push(m);
  for (const x of [() => torch.randn(2, 3), () => torch.randn(2, 1, 4, 4), () => torch.randn(4, 10), () => torch.randn(2, 3, 8)]) {
    try {
      m.forward(x());
    } catch (e) {
      checkError(e);
    }
  }
  return m;
}
function optimizer(C, a, own) {
  const p = torch.randn(3, { requiresGrad: true });
  own.push(p);
  const o = new C([p], ...a);
  own.push(o);
  p.mul(p).sum().backward();
  o.step();
  o.zeroGrad();
  o.loadStateDict(o.stateDict());
  o.step();
  return o;
}
function scheduler(C, a, own) {
  const p = torch.randn(3, { requiresGrad: true });
  own.push(p);
  const o = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
  own.push(o);
  const s = new C(o, ...a);
  for (let i = 0; i < 3; i++) { o.step(); s.step(1.0); }
  return s.getLastLr ? s.getLastLr() : null;
}
function sigModule(C, a, own) {
  const m = new C(...a);
  own.push(m);
  try {
    m.forward([torch.randn(4, 10), torch.tensor([0, 1, 2, 3], { dtype: 'int64' })]);
  } catch (e) {
    checkError(e);
  }
  return m;
}

// ---- argument values -----------------------------------------------------------------------------

function makeTensor(s) {
  let t;
  const n = s.shape.reduce((x, y) => x * y, 1);
  switch (s.fill) {
    case 'randn': t = torch.randn(s.shape); break;
    case 'zeros': t = torch.zeros(s.shape); break;
    case 'ones': t = torch.ones(s.shape); break;
    case 'arange': t = torch.arange(n).float().reshape(s.shape); break;
    case 'nan': t = torch.full(s.shape, NaN); break;
    case 'inf': t = torch.full(s.shape, -Infinity); break;
    case 'extreme': t = torch.full(s.shape, 3e38); break;
    default: t = torch.arange(n).remainder(3).reshape(s.shape); break; // 'labels'
  }
  if (s.dtype === 'int64' && (s.fill === 'extreme')) t = torch.full(s.shape, -(2 ** 63), { dtype: 'int64' });
  else if (s.dtype !== t.dtype) t = t.to(s.dtype);
  if (s.layout === 'transposed' && t.dim() >= 2) t = t.transpose(0, 1);
  else if (s.layout === 'strided' && t.dim() >= 1) t = torch.cat([t, t], 0).index('::2');
  else if (s.layout === 'expanded' && t.dim() >= 1 && t.shape[0] === 1) t = t.expand([3, ...t.shape.slice(1)]);
  if (s.requiresGrad && t.isFloatingPoint()) t.requiresGrad_(true);
  if (s.disposed) t.dispose();
  return t;
}

function value(spec) {
  switch (spec.kind) {
    case 'tensor': return makeTensor(spec);
    case 'num': return spec.v;
    case 'bigint': return BigInt(spec.v);
    case 'bool': return spec.v;
    case 'null': return null;
    case 'undefined': return undefined;
    case 'fn': return () => torch.ones(1);
    case 'object': return {};
    case 'map': return new Map([['a', 1]]);
    case 'symbol': return Symbol('s');
    case 'str': return spec.v;
    case 'ints': return spec.v.slice();
    case 'typed': {
      const C = globalThis[spec.type];
      const a = spec.type === 'BigInt64Array' ? C.from({ length: spec.length }, (_, i) => BigInt(i)) : C.from({ length: spec.length }, (_, i) => i);
      if (spec.detached) structuredClone(a.buffer, { transfer: [a.buffer] });
      return a;
    }
    case 'array': return spec.items.map(value);
    case 'opts': return Object.fromEntries(spec.entries.map(([k, v]) => [k, value(v)]));
    default: throw new Error(`fuzz: unknown spec ${spec.kind}`);
  }
}

// ---- the property --------------------------------------------------------------------------------

const ERROR_NAMES = new Set(['TypeError', 'RangeError', 'TorchError', 'DisposedTensorError', 'CudaError', 'OutOfMemoryError', 'CheckpointError', 'DatasetNotFoundError', 'DatasetFormatError']);
// messages that mean an input reached code that did not check it
const INTERNAL = /Cannot read propert|Cannot set propert|is not a function|is not iterable|is not a constructor|\b(undefined|null) is not (a function|an object|iterable|a constructor)|Cannot convert (a )?(BigInt|Symbol|undefined|null|object)|Maximum call stack|Invalid array length|Invalid typed array length|c10::|Exception raised from|frame #\d|internal:|INTERNAL ASSERT|Cannot mix BigInt|Do not know how to serialize|Reduce of empty array|unsupported return type/;

class FuzzFailure extends Error {}

function checkError(e) {
  if (e instanceof FuzzFailure) throw e;
  if (!(e instanceof Error)) throw new FuzzFailure(`threw a non-Error: ${typeof e} ${String(e)}`);
  if (!ERROR_NAMES.has(e.name)) throw new FuzzFailure(`threw ${e.name}: ${e.message}`);
  if (INTERNAL.test(e.message) || e.message.length < 8) throw new FuzzFailure(`${e.name} with an internal message: ${e.message}`);
}

function resetGlobals() {
  torch.setGradEnabled(true);
  torch.setPrintOptions({ profile: 'default' });
  if (torch.setDefaultDtype) torch.setDefaultDtype('float32');
}

const live = () => torch.memory().numTensors;
let baseline = -1;

// where an object argument is data or ignored by design, not options
const OPTIONS_FREE = new Set(['nn.Identity', 'torch.isTensor', 'torch.tidy', 'torch.keep', 'torch.dispose', 'torch.noGrad', 'torch.enableGrad',
  'Tensor#index', 'Tensor#indexPut_', 'torch.isSharedTensor', 'sigprop.model.forward']);

/**
 * Runs one call; throws FuzzFailure when the property does not hold. When it returned and its last
 * argument is an options object, the same call with an unknown key added must be refused naming it.
 */
function runCall(call) {
  const returned = runOnce(call);
  const last = call.args[call.args.length - 1];
  // (an object passed beyond a function's parameters is an extra argument, ignored as JS does; not options)
  const meta = META[call.target];
  const p = meta && meta.fn ? paramsOf(meta.fn) : { count: 0, rest: false };
  const selfTaken = (call.target.startsWith('Tensor') || call.target.startsWith('data.')) && call.args.length > 0 && call.args[0].kind === 'tensor';
  const lands = call.args.length - 1 + meta.shift - (selfTaken ? 1 : 0);
  if (returned && last && last.kind === 'opts' && !OPTIONS_FREE.has(call.target) && (p.rest || lands < p.count)) {
    const bogus = { ...call, args: [...call.args.slice(0, -1), { kind: 'opts', entries: [...last.entries, ['bogusKey', { kind: 'num', v: 1 }]] }] };
    let refused = false;
    const f = TARGETS[call.target];
    TARGETS[call.target] = (...a) => {
      try {
        return f(...a);
      } catch (e) {
        if (e instanceof Error && /bogusKey/.test(e.message)) refused = true;
        throw e;
      }
    };
    try {
      runOnce(bogus);
    } finally {
      TARGETS[call.target] = f;
    }
    if (!refused) throw new FuzzFailure(`accepted an unknown option key: ${JSON.stringify(bogus.args[bogus.args.length - 1])}`);
  }
}

/** Runs one call; returns whether the target returned (rather than threw). */
function runOnce(call) {
  const f = TARGETS[call.target];
  if (!f) throw new FuzzFailure(`unknown target ${call.target}`);
  if (baseline < 0) { sigpropModel(); baseline = live(); }
  const own = [];
  let returned = false;
  try {
    torch.tidy(() => {
      const args = call.args.map(value);
      const self = call.target.startsWith('Tensor') || call.target.startsWith('data.')
        ? (args.length && args[0] instanceof torch.Tensor ? args.shift() : torch.randn(2, 3)) : undefined;
      let r;
      try {
        r = f(args, self, own);
      } catch (e) {
        checkError(e);
        return;
      }
      returned = true;
      if (r && typeof r.then === 'function') {
        r.then(() => {}, () => {});
        throw new FuzzFailure('returned a Promise (a fuzz target must be synchronous)');
      }
      // what the call returns is the caller's to free (kept tensors too: torch.keep)
      if (!(r instanceof nn.Module)) torch.dispose(r);
    });
  } finally {
    for (const o of own.reverse()) {
      try {
        o.dispose();
      } catch (e) {
        checkError(e);
      }
    }
    resetGlobals();
  }
  const n = live();
  if (n !== baseline) {
    const leaked = n - baseline;
    baseline = n;
    throw new FuzzFailure(`${leaked > 0 ? 'leaked' : 'freed'} ${Math.abs(leaked)} tensor(s)`);
  }
  return returned;
}

function main() {
  const argv = process.argv.slice(2);
  const opt = (name, d) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : d);
  const seed = Number(opt('--seed', Date.now() % 2 ** 31));
  const runs = Number(opt('--runs', 200));
  const progress = opt('--progress', null);
  const only = opt('--only', null);
  const replay = opt('--replay', null);
  torch.setNumThreads(1);
  if (replay) {
    const call = JSON.parse(replay);
    try {
      runCall(call);
      console.log(JSON.stringify({ replay: call, ok: true }));
    } catch (e) {
      console.log(JSON.stringify({ replay: call, ok: false, error: String(e.message) }));
    }
    return;
  }
  const names = Object.keys(TARGETS).filter((k) => !only || k.startsWith(only));
  const fd = progress ? fs.openSync(progress, 'w') : null;
  let i = 0;
  const prop = fc.property(callArb(names), (call) => {
    if (fd !== null) fs.writeSync(fd, `${i++}\t${JSON.stringify(call)}\n`);
    try {
      runCall(call);
      return true;
    } catch (e) {
      if (e instanceof FuzzFailure) throw e;
      throw new FuzzFailure(`the fuzzer's own code threw: ${e.stack}`);
    }
  });
  const res = fc.check(prop, { seed, numRuns: runs, endOnFailure: false, maxSkipsPerRun: 0 });
  const failure = res.failed ? { call: res.counterexample[0], error: String(res.errorInstance && res.errorInstance.message || res.error).split('\n')[0], shrinks: res.numShrinks } : null;
  console.log(JSON.stringify({ seed, runs: res.numRuns, targets: names.length, failure }));
  process.exitCode = failure ? 1 : 0;
}

if (require.main === module) main();
module.exports = { TARGETS, META, runCall, paramsOf };
