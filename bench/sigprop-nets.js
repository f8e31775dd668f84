'use strict';
// The networks of the sigprop parity goldens and benchmarks (test/golden/make_sigprop.py builds the
// same ones in Python with the original library), built in Python's module order so that the
// seed gives the same initial weights. Takes the library (lib via jest, or dist) as an argument:
//   const nets = require('./sigprop-nets')(require('../dist'));
module.exports = function nets(sigprop) {
  const { torch } = sigprop;
  const { nn, optim } = torch;

  /** Adam(lr 4e-4) over the module's parameters, or null when it has none (the README's build_optimizer). */
  function buildOptimizer(module, lr = 0.0004, weightDecay = 0.0) {
    const p = [...module.parameters()];
    if (p.length === 0) return null;
    return new optim.Adam(p, { lr, weightDecay });
  }

  /** The README quick-start network, corrected (see docs/porting.md), with `ch` channels, for 28x28x1 input. */
  function buildConv(ch = 32) {
    const outShape = [ch, 28, 28];
    const numel = ch * 28 * 28;
    const ctx = new nn.Sequential(new nn.Linear(10, numel, false), new nn.LayerNorm(numel), new nn.ReLU());
    const inp = new nn.Sequential(new nn.Conv2d(1, ch, 3, 1, 1, { bias: false }), new nn.BatchNorm2d(ch), new nn.ReLU());
    const l1 = new nn.Sequential(new nn.Conv2d(ch, ch * 2, 3, 2, 1, { bias: false }), new nn.BatchNorm2d(ch * 2), new nn.ReLU());
    const l2 = new nn.Sequential(new nn.Conv2d(ch * 2, ch * 4, 3, 2, 1, { bias: false }), new nn.BatchNorm2d(ch * 4), new nn.ReLU());
    const lo = new nn.Sequential(new nn.Flatten(), new nn.Linear(ch * 4 * 7 * 7, 10, true));
    return { ctx, inp, l1, l2, lo, outShape };
  }

  /** The MLP: 784 -> h (signal) -> h -> h (two Loss layers) -> 10 (Identity). */
  function buildMlp(h = 256) {
    const ctx = new nn.Sequential(new nn.Linear(10, h, false), new nn.LayerNorm(h), new nn.ReLU());
    const inp = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, h, false), new nn.LayerNorm(h), new nn.ReLU());
    const l1 = new nn.Sequential(new nn.Linear(h, h, true), new nn.LayerNorm(h), new nn.ReLU());
    const l2 = new nn.Sequential(new nn.Linear(h, h, true), new nn.LayerNorm(h), new nn.ReLU());
    const lo = new nn.Linear(h, 10, true);
    return { ctx, inp, l1, l2, lo, outShape: [h] };
  }

  /** The local loss by name: 'v9' | 'v14' | 'v15' (topk 6). */
  function lossByName(kind, topk = 6) {
    if (kind === 'v9') return sigprop.loss.v9InputTargetMaxAll;
    if (kind === 'v14') return sigprop.loss.v14InputTargetMaxRand;
    if (kind === 'v15') return sigprop.loss.v15InputTargetTopk(topk);
    throw new Error(`unknown loss ${kind}`);
  }

  /**
   * Seeds, builds the modules and wires them through managers.Preset exactly as the golden script
   * does. `loss` is the local loss (one object shared by all layers); `monitors` adds LabelMetrics.
   */
  function buildModel(net, loss, { seed = 0, monitors = true, ch = 32, hidden = 256 } = {}) {
    torch.manualSeed(seed);
    const m = net === 'conv' ? buildConv(ch) : buildMlp(hidden);
    const monitorMain = monitors ? new sigprop.monitors.Group() : null;
    const mgr = new sigprop.managers.Preset(sigprop.models.Forward, sigprop.propagators.Loss, sigprop.propagators.signals.Loss,
      buildOptimizer, monitors ? sigprop.monitors.loss.LabelMetrics : null, monitorMain);
    mgr.configPropagator({ loss });
    const signal = new nn.Sequential(
      new sigprop.signals.LabelNumberToOnehot(10),
      new sigprop.signals.ProjectionContextInput(m.ctx, m.inp, [10], m.outShape));
    mgr.setSignal(signal, { loss });
    const p1 = mgr.addPropagator(m.l1);
    const p2 = mgr.addPropagator(m.l2);
    const po = mgr.addPropagator(m.lo, sigprop.propagators.Identity);
    const model = mgr.setModel(new nn.Sequential(p1, p2, po));
    const gopt = buildOptimizer(model);
    return { model, gopt, monitorMain, modules: m };
  }

  return { buildOptimizer, buildConv, buildMlp, lossByName, buildModel };
};
