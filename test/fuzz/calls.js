'use strict';
// The property-based fuzzer's generated calls over the public API (fast-check arbitraries): a call
// is a plain, printable description (target + argument specs) that run.js turns into real values
// and executes. Used by test/fuzz.test.ts (seeded, bounded, in child processes) and scripts/fuzz.js.
const fc = require('fast-check');

const DTYPES = ['float32', 'float64', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool', 'float16', 'bfloat16'];
const SHAPES = [[], [0], [1], [3], [2, 3], [3, 0], [1, 1, 1], [2, 3, 4], [2, 1, 4, 4], [4, 10], [3, 3]];
const FILLS = ['randn', 'zeros', 'ones', 'arange', 'nan', 'inf', 'extreme', 'labels'];
const LAYOUTS = ['contiguous', 'contiguous', 'transposed', 'strided', 'expanded'];
const STRINGS = ['mean', 'sum', 'none', 'float32', 'int64', 'cpu', 'cuda', 'cuda:1', 'meta', ':', '...', '1:3', '::-1', 'trunc', 'floor',
  'bogus', '', 'relu', 'tanh', 'linear', 'cos', 'max', 'min', 'reflect', 'zeros', 'fro', 'nuc', 'ortho'];
const KEYS = ['dim', 'keepdim', 'dtype', 'device', 'requiresGrad', 'reduction', 'alpha', 'p', 'training', 'inplace', 'lr', 'momentum',
  'weightDecay', 'bias', 'stride', 'padding', 'kernelSize', 'eps', 'beta', 'betas', 'generator', 'out', 'accumulate', 'roundingMode',
  'ignoreIndex', 'labelSmoothing', 'weight', 'size', 'mode', 'value', 'totalSteps', 'maxLr', 'gamma', 'stepSize', 'tMax', 'factor',
  'startFactor', 'numClasses', 'affine', 'trackRunningStats', 'paddingIdx', 'maxNorm', 'sparse', 'nesterov', 'amsgrad', 'foreach',
  'maximize', 'centered', 'lrDecay', 'initialAccumulatorValue', 'bogusKey', 'batchSize', 'shuffle', 'numWorkers', 'dropLast'];

const int = fc.oneof(fc.integer({ min: -3, max: 10 }), fc.constantFrom(0, 1, 2, -1, 2 ** 31, -(2 ** 31), 2 ** 53, 2 ** 62, -(2 ** 63), 1e9));
const num = fc.oneof(int, fc.double({ noDefaultInfinity: false }), fc.constantFrom(NaN, Infinity, -Infinity, -0, 0.5, 1e-8, 1e308));
const tensorSpec = fc.record({
  kind: fc.constant('tensor'),
  dtype: fc.constantFrom(...DTYPES),
  shape: fc.constantFrom(...SHAPES),
  fill: fc.constantFrom(...FILLS),
  layout: fc.constantFrom(...LAYOUTS),
  requiresGrad: fc.boolean(),
  disposed: fc.oneof({ weight: 19, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});
const leaf = fc.oneof(
  { weight: 6, arbitrary: tensorSpec },
  { weight: 4, arbitrary: int.map((v) => ({ kind: 'num', v })) },
  { weight: 2, arbitrary: num.map((v) => ({ kind: 'num', v })) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map((v) => ({ kind: 'bigint', v: String(v) })) },
  { weight: 1, arbitrary: fc.boolean().map((v) => ({ kind: 'bool', v })) },
  { weight: 1, arbitrary: fc.constantFrom({ kind: 'null' }, { kind: 'undefined' }, { kind: 'fn' }, { kind: 'object' }, { kind: 'map' }, { kind: 'symbol' }) },
  { weight: 2, arbitrary: fc.constantFrom(...STRINGS).map((v) => ({ kind: 'str', v })) },
  { weight: 2, arbitrary: fc.array(int, { maxLength: 4 }).map((v) => ({ kind: 'ints', v })) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('typed'), type: fc.constantFrom('Float32Array', 'Float64Array', 'Int32Array', 'Uint8Array', 'BigInt64Array', 'Uint16Array'), length: fc.integer({ min: 0, max: 6 }), detached: fc.boolean() }) },
);
const arg = fc.letrec((tie) => ({
  arg: fc.oneof(
    { weight: 12, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(tie('arg'), { maxLength: 3 }).map((items) => ({ kind: 'array', items })) },
    { weight: 3, arbitrary: fc.array(fc.tuple(fc.constantFrom(...KEYS), tie('arg')), { maxLength: 3 }).map((entries) => ({ kind: 'opts', entries })) },
  ),
})).arg;

/** A call of `target` (a name from run.js's target table) with 0-4 generated arguments. */
function callArb(targets) {
  return fc.record({ target: fc.constantFrom(...targets), args: fc.array(arg, { maxLength: 4 }) });
}

module.exports = { callArb, DTYPES, SHAPES };
