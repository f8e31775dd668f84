'use strict';
// The pipeline factory of the parity networks (bench/sigprop-nets.js): every stage Worker of
// sigprop.pipeline require()s this file and calls parityNet(options) to build the same model, in
// Python's construction order, from the same seed. Used by bench/pipeline.js and test/pipeline.test.ts.
//   options: { net: 'conv' | 'mlp', loss: 'v9' | 'v14' | 'v15', seed = 0, ch = 32, hidden = 256, record = false }
// With record, each stage's stepInfo() returns, per local loss call of the batch, the number of
// ones and the weighted checksum of the target matrix the loss built (as test/sigprop-parity does).
const lib = require('../dist');
const nets = require('./sigprop-nets')(lib);

const { torch } = lib;
const F = torch.nn.functional;

function targetMatrix(kind, t0, topk) {
  return torch.tidy(() => torch.noGrad(() => {
    const yy = lib.loss.targetSimilarity(t0);
    if (kind === 'v9') return yy.eq(yy.max(1, true)[0]).float();
    if (kind === 'v14') return F.oneHot(yy.argmax(1), yy.shape[1]).float();
    return F.oneHot(yy.topk(topk, 1)[1], yy.shape[1]).sum(1).clamp(0, 1).float();
  }));
}
function checksum(T) {
  return torch.tidy(() => {
    const [n, m] = T.shape;
    const w = torch.arange(1, n * m + 1, { dtype: 'float64' }).view(n, m);
    return [T.double().sum().item(), T.double().mul(w).sum().item()];
  });
}

function parityNet(options = {}) {
  const { net = 'mlp', loss = 'v9', seed = 0, ch = 32, hidden = 256, record = false, topk = 6, failAt = null, hangAt = null, exitAt = null, hangInfoAt = null } = options;
  const base = nets.lossByName(loss, topk);
  let calls = [];
  let n = 0;
  let infos = 0;
  const recorder = (sp, h1, t1, h0, t0, context) => {
    const l = base(sp, h1, t1, h0, t0, context);
    const T = targetMatrix(loss, t0, topk);
    const [ones, chk] = checksum(T);
    T.dispose();
    calls.push({ target_ones: ones, target_checksum: chk });
    return l;
  };
  // failAt / hangAt / exitAt: { layer (0 signal, 1, 2), call }: that layer's loss throws / never returns /
  // ends its Worker (process.exit(3) in a Worker ends that thread) at its call-th call (tests)
  const at = failAt ?? hangAt ?? exitAt;
  const failing = (sp, ...rest) => {
    const isTarget = (at.layer === 0 && sp instanceof lib.propagators.signals.Loss) || (at.layer > 0 && sp.module === built.modules[`l${at.layer}`]);
    if (isTarget && n++ === at.call) {
      if (failAt !== null) throw new Error(`injected failure in layer ${at.layer} at call ${at.call}`);
      if (exitAt !== null) process.exit(3);
      for (;;) { /* hang */ }
    }
    return (record ? recorder : base)(sp, ...rest);
  };
  const built = nets.buildModel(net, at !== null ? failing : record ? recorder : base, { seed, ch, hidden });
  return {
    model: built.model,
    optimizer: built.gopt,
    monitors: built.monitorMain,
    // hangInfoAt: n (with record): the n-th stepInfo() never returns: the stage has shared its reply's
    // tensors and not posted them (tests)
    stepInfo: record ? () => {
      if (hangInfoAt !== null && infos++ === hangInfoAt) for (;;) { /* hang */ }
      const c = calls;
      calls = [];
      return c;
    } : undefined,
  };
}

/** A models.LoopBack (two passes per step: not pipelinable; for the error test). */
function loopBack() {
  const m = parityNet({ net: 'mlp' });
  return { model: new lib.models.LoopBack(m.model.model, m.model.signal, (h) => h) };
}

module.exports = { parityNet, loopBack };
