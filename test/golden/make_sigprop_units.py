"""Golden values of the ORIGINAL sigprop library's smaller pieces, for test/sigprop.test.ts.

Usage:  /usr/bin/python3 test/golden/make_sigprop_units.py /tmp/sigprop-orig
Writes test/golden/sigprop_units.json. The original repository (amassivek/signalpropagation) is
exported to the given directory for the run and imported read-only; nothing from it is copied.

Inputs are small float32 tensors from a fixed float64 recipe (sin of an index ramp), identical in
the jest test, so no RNG is involved. Recorded:
  - formatters: LabelNumberToOnehot(4), DistinctBatchLabelsOnehot, DistinctBatchLabels, LabelVectorToNumber
  - FixedDrawContext(places=4) on h0 [6,2,14,14] with labels [0, 1, 7, 10, 42, 105] (multi-digit labels
    show the original's placement quirk)
  - losses v1 / v9 / v14 / v15(2) on 2-D and 4-D h1/t1/t0, and their gradients w.r.t. h1 and t1
  - soft_target_cross_entropy with reduction 'mean' and 'none'
  - the similarity helpers (similarity_format with and without std, matrix_x, matrix_xy, format/sim 2dim & 4dim)
  - LabelMetrics: metrics() text after calls (v9; v1 with one target row per class; an accuracy of 4/128)
  - models.LoopBack and models.ForwardLoopBack outputs after one training call (Linear layers, seeded)
  - a small conv model wired like the parity runs: its state-dict keys and repr (checkpoint interop)
"""
import json
import math
import os
import sys

import pin_isa  # noqa: F401  (before torch: same kernels on every AVX2 machine)
import golden_dir  # noqa: E402  (test/golden/torch-<version>/)
import torch
import torch.nn as nn
import torch.nn.functional as F

ORIG = sys.argv[1] if len(sys.argv) > 1 else '/tmp/sigprop-orig'
OUT = golden_dir.path('sigprop_units.json')
sys.path.insert(0, ORIG)
import sigprop  # noqa: E402

torch.set_num_threads(1)


def ramp(shape, k=1.0):
    """float32 tensor: sin(k * (i + 1)) * (1 + (i % 7) / 7), i = flat index (computed in float64)."""
    n = 1
    for d in shape:
        n *= d
    vals = [math.sin(k * (i + 1)) * (1 + (i % 7) / 7) for i in range(n)]
    return torch.tensor(vals, dtype=torch.float64).float().view(*shape)


def enc(t):
    if t is None:
        return None
    t = t.detach()
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape),
            'values': [repr(float(v)) if t.is_floating_point() else int(v) for v in t.flatten().tolist()]}


out = {'generator': 'test/golden/make_sigprop_units.py', 'torch_version': torch.__version__}

# ---- formatters ----
labels = torch.tensor([3, 0, 2, 1, 3], dtype=torch.long)
fm = {}
fm['label_number_to_onehot'] = enc(sigprop.signals.LabelNumberToOnehot(4)((None, labels))[1])
oh = fm_oh = sigprop.signals.LabelNumberToOnehot(4)((None, labels))[1]
fm['distinct_batch_labels_onehot'] = enc(sigprop.signals.DistinctBatchLabelsOnehot()((None, oh))[1])
fm['distinct_batch_labels'] = enc(sigprop.signals.DistinctBatchLabels()((None, oh))[1])
fm['label_vector_to_number'] = enc(sigprop.signals.LabelVectorToNumber()((None, ramp([5, 4])))[1])
out['formatters'] = fm

# ---- FixedDrawContext ----
h0 = ramp([6, 2, 14, 14])
fd_labels = torch.tensor([0, 1, 7, 10, 42, 105], dtype=torch.long)
r = sigprop.signals.FixedDrawContext(4)((h0, fd_labels))
out['fixed_draw_context'] = {'places': 4, 'labels': fd_labels.tolist(), 'h0_shape': [6, 2, 14, 14], 't1': enc(r[1])}

# ---- losses ----
cases = {
    '2d': {'h1': [6, 5], 't1': [6, 5], 'h0': [6, 3], 't0': 'onehot'},
    '4d': {'h1': [6, 3, 2, 2], 't1': [6, 3, 2, 2], 'h0': [6, 2, 2, 2], 't0': [6, 2, 2, 2]},
    '2d_classrows': {'h1': [6, 5], 't1': [4, 5], 'h0': [6, 3], 't0': 'onehot'},
}
ctx6 = torch.tensor([1, 3, 1, 0, 2, 3], dtype=torch.long)
losses = {}
for name, c in cases.items():
    res = {}
    fns = {'v9': sigprop.loss.v9_input_target_max_all, 'v14': sigprop.loss.v14_input_target_max_rand,
           'v15': sigprop.loss.v15_input_target_topk(2)}
    if name == '2d_classrows':
        fns = {'v1': sigprop.loss.v1_input_label_direct}
    for ln, fn in fns.items():
        h1 = ramp(c['h1'], 0.7).requires_grad_()
        t1 = ramp(c['t1'], 1.3).requires_grad_()
        h0 = ramp(c['h0'], 0.4)
        t0 = F.one_hot(ctx6, 4).float() if c['t0'] == 'onehot' else ramp(c['t0'], 0.9)
        l = fn(None, h1, t1, h0, t0, ctx6)
        l.backward()
        res[ln] = {'loss': repr(l.item()), 'h1_grad': enc(h1.grad), 't1_grad': enc(t1.grad)}
    losses[name] = res
out['losses'] = losses
x = ramp([4, 5], 0.3)
tgt = (ramp([4, 5], 2.1) > 0).float()
out['soft_target_cross_entropy'] = {'mean': enc(sigprop.loss.functional.utils.soft_target_cross_entropy(x, tgt)),
                                    'none': enc(sigprop.loss.functional.utils.soft_target_cross_entropy(x, tgt, reduction='none'))}

# ---- similarity helpers ----
U = sigprop.loss.functional.utils
a = ramp([4, 3, 4, 4], 0.5)
b = ramp([4, 3, 4, 4], 0.8)
a2 = ramp([4, 6], 0.5)
b2 = ramp([4, 6], 0.8)
out['similarity'] = {
    'format_2d': enc(U.similarity_format(a2)),
    'format_4d_std': enc(U.similarity_format(a)),
    'format_4d_nostd': enc(U.similarity_format(a, no_std=True)),
    'format_small': enc(U.similarity_format(ramp([4, 3, 2, 2], 0.5))),
    'matrix_x': enc(U.similarity_matrix_x(a2)),
    'matrix_xy': enc(U.similarity_matrix_xy(a2, b2)),
    'format_2dim': enc(U.format_2dim_(a)),
    'format_2dim_raw': enc(U.format_2dim_(a, format=False)),
    'format_4dim': enc(U.format_4dim_(a)),
    'sim_2dim': enc(U.sim_2dim_(a2, b2)),
    'sim_4dim': enc(U.sim_4dim_(U.format_4dim_(a), U.format_4dim_(b))),
    'format_sim_2dim': enc(U.format_sim_2dim_(a)),
    'format_sim_4dim': enc(U.format_sim_4dim_(a)),
}

# ---- LabelMetrics ----
mon = sigprop.monitors.loss.LabelMetrics('Sequential', sigprop.loss.v9_input_target_max_all)
texts = []
h1 = ramp([6, 5], 0.7)
t1 = ramp([6, 5], 1.3)
t0 = F.one_hot(ctx6, 4).float()
mon(None, h1, t1, h1, t0, ctx6)
texts.append(mon.metrics())
mon2 = sigprop.monitors.loss.LabelMetrics('Linear', sigprop.loss.v1_input_label_direct)
mon2(None, ramp([6, 5], 0.2), ramp([4, 5], 1.1), h1, t0, ctx6)  # B != B' (one row per class): pred == label
texts.append(mon2.metrics())
# accuracy 4/128 = 0.03125 exactly: Python prints 0.0312 (round half to even)
hb = torch.zeros(128, 3)
tb = torch.zeros(128, 3)
hb[:, 0] = 1
tb[:4, 0] = 1
ctxb = torch.cat([torch.zeros(4, dtype=torch.long), torch.ones(124, dtype=torch.long)])
ctxb[0] = 0
mon.reset()
mon(None, hb, tb, hb, F.one_hot(ctxb, 2).float(), torch.arange(128) % 32)
texts.append(mon.metrics())
grp = sigprop.monitors.Group()
grp.add(mon)
grp.add(sigprop.monitors.loss.LabelMetrics('Linear', sigprop.loss.v14_input_target_max_rand))
texts.append(grp.metrics())
out['label_metrics'] = {'texts': texts, 'acc_last': mon.acc_last, 'loss_last': repr(mon.loss_last)}

# ---- loop-back models ----
class OnehotOrVector(sigprop.signals.Formatter):
    """Labels (int64) become a one-hot of width 4; a vector target (the loop-back error) passes."""
    def forward(self, input):
        h0, t0 = input
        if t0 is not None and t0.dtype == torch.long:
            t0 = F.one_hot(t0, 4).float()
        return h0, t0


lb = {}
for cls in ['LoopBack', 'ForwardLoopBack']:
    torch.manual_seed(3)
    sig_ctx = nn.Linear(4, 6, bias=False)
    sig_inp = nn.Linear(5, 6, bias=False)
    l1 = nn.Linear(6, 6)
    lo = nn.Linear(6, 4)
    opt = lambda m: torch.optim.Adam(m.parameters(), lr=0.01)  # noqa: E731
    signal = nn.Sequential(OnehotOrVector(), sigprop.signals.ProjectionContextInput(sig_ctx, sig_inp, (4,), (6,)))
    sp_signal = sigprop.propagators.signals.Loss(signal, optimizer=opt(signal), loss=sigprop.loss.v9_input_target_max_all)
    p1 = sigprop.propagators.Loss(l1, optimizer=opt(l1), loss=sigprop.loss.v9_input_target_max_all)
    po = sigprop.propagators.Identity(lo)

    def error(h, context):
        return F.one_hot(context, 4).float() - F.softmax(h, 1)
    model = getattr(sigprop.models, cls)(nn.Sequential(p1, po), sp_signal, error)
    model.train()
    xx = ramp([6, 5], 0.6)
    y1 = model((xx, ctx6))
    model.eval()
    y2 = model((xx, None))
    lb[cls] = {'train_out': enc(y1), 'eval_out': enc(y2), 'l1_weight_sum': repr(l1.weight.double().sum().item()),
               'sig_ctx_weight_sum': repr(sig_ctx.weight.double().sum().item())}
out['loop_back'] = lb

# ---- the parity conv model (make_sigprop.py's network, 4 channels): state-dict keys and repr ----
torch.manual_seed(0)
ch = 4
numel = ch * 28 * 28
ctx_m = nn.Sequential(nn.Linear(10, numel, bias=False), nn.LayerNorm(numel), nn.ReLU())
inp_m = nn.Sequential(nn.Conv2d(1, ch, 3, 1, 1, bias=False), nn.BatchNorm2d(ch), nn.ReLU())
l1_m = nn.Sequential(nn.Conv2d(ch, ch * 2, 3, 2, 1, bias=False), nn.BatchNorm2d(ch * 2), nn.ReLU())
lo_m = nn.Sequential(nn.Flatten(), nn.Linear(ch * 2 * 14 * 14, 10, bias=True))
L = sigprop.loss.v9_input_target_max_all
mgr = sigprop.managers.Preset(sigprop.models.Forward, sigprop.propagators.Loss, sigprop.propagators.signals.Loss,
                              lambda m: None, sigprop.monitors.loss.LabelMetrics, sigprop.monitors.Group())
mgr.config_propagator(loss=L)
mgr.set_signal(nn.Sequential(sigprop.signals.LabelNumberToOnehot(10),
                             sigprop.signals.ProjectionContextInput(ctx_m, inp_m, (10,), (ch, 28, 28))), loss=L)
model = mgr.set_model(nn.Sequential(mgr.add_propagator(l1_m), mgr.add_propagator(lo_m, sigprop.propagators.Identity)))
out['model'] = {'channels': ch, 'state_dict_keys': list(model.state_dict().keys()), 'repr': repr(model)}

with open(OUT, 'w') as f:
    json.dump(out, f, indent=1)
    f.write('\n')
print('wrote', OUT)
