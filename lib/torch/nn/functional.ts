/**
 * torch.nn.functional, op for op as PyTorch 1.13's torch/nn/functional.py: every function calls the
 * same ATen operators, in the same order and with the same arguments, as the Python one does, so the
 * results, the autograd nodes and the random numbers consumed (dropout) are the same, bit for bit.
 *
 *   const F = nn.functional;   // lib/torch/nn/index.ts re-exports this module as `functional`
 *   const y = F.conv2d(x, w, b, 1, 'same');
 *   const loss = F.crossEntropy(logits, target, { labelSmoothing: 0.1 });
 *
 * Conventions: PyTorch's names in camelCase, PyTorch's positional arguments, then an options object
 * with PyTorch's keyword names in camelCase (`F.maxPool2d(x, 2, { returnIndices: true })`). The
 * deprecated `size_average` / `reduce` arguments of the losses are not supported, so after the
 * positional arguments that precede them in PyTorch the losses take the rest as options
 * (`F.nllLoss(x, t, w, { reduction: 'sum' })`); each function's doc gives its positional order.
 * Kernel sizes, strides, paddings and dilations are a number or an array, as in PyTorch.
 *
 * Errors: a wrong type throws TypeError naming the parameter; a value or shape that PyTorch's Python
 * code rejects (a ValueError or RuntimeError raised in functional.py: an unknown reduction or mode,
 * dropout p outside [0, 1], ...) throws RangeError; libtorch's own errors (most shape mismatches,
 * and _infer_size's for a loss weight that does not broadcast) arrive as TorchError. PyTorch's Python
 * warnings (deprecations, implicit softmax dim, size mismatches of loss targets) are not emitted.
 */
export type { IntList, Args, Reduction } from './functional/common';
export * from './functional/conv';
export * from './functional/pooling';
export * from './functional/activations';
export * from './functional/dropout';
export * from './functional/normalization';
export * from './functional/distance';
export * from './functional/sparse';
export * from './functional/loss';
export * from './functional/vision';
