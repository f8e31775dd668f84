"""Golden traces of the ORIGINAL sigprop library (amassivek/signalpropagation) for a future port.

Usage:  /usr/bin/python3 test/golden/make_sigprop.py /tmp/sigprop-orig [out.json]

The first argument is an exported tree of the original repository (its package folder is
`sigprop/`); it is put on sys.path and imported read-only.  Nothing from it is copied here.
Writes test/golden/sigprop_traces.json (or the path given as second argument).
Runs with Debian's PyTorch 1.13 (`/usr/bin/python3`), torch.set_num_threads(1), CPU, float32.

Data
----
Fashion-MNIST, /usr/share/datasets/fashion-mnist/*.gz (IDX format, read by the tiny reader below).
Training batches = the first 20 * 128 training images in file order (no shuffle, no augmentation),
batch size 128.  Normalisation, all in float32:  x = u8 / 255 ; x = (x - 0.286) / 0.353
(the Fashion-MNIST constants of the original examples; the scalars are rounded to float32).
Images have shape [B, 1, 28, 28]; labels are int64.
Evaluation batch = first 256 test images, same normalisation.

Runs  (networks x losses):  {conv, mlp} x {v9, v14, v15(topk=6)}
------------------------------------------------------------------
Each run calls torch.manual_seed(0) and then builds the modules in exactly this order
(only Linear / Conv2d construction consumes the global CPU generator; LayerNorm, BatchNorm,
ReLU, Flatten do not):

conv (README quick start, corrected, hidden_ch = 32, input_dim = 28, num_classes = 10):
  1. signal context module: Sequential(Linear(10, 32*28*28, bias=False), LayerNorm(25088), ReLU)
  2. signal input module:   Sequential(Conv2d(1, 32, 3, 1, 1, bias=False), BatchNorm2d(32), ReLU)
  3. layer_1: Sequential(Conv2d(32, 64, 3, 2, 1, bias=False), BatchNorm2d(64), ReLU)
  4. layer_2: Sequential(Conv2d(64, 128, 3, 2, 1, bias=False), BatchNorm2d(128), ReLU)
  5. layer_output: Sequential(Flatten(), Linear(128*7*7, 10, bias=True))
mlp (hidden = 256):
  1. signal context module: Sequential(Linear(10, 256, bias=False), LayerNorm(256), ReLU)
  2. signal input module:   Sequential(Flatten(), Linear(784, 256, bias=False), LayerNorm(256), ReLU)
  3. layer_1: Sequential(Linear(256, 256, bias=True), LayerNorm(256), ReLU)
  4. layer_2: Sequential(Linear(256, 256, bias=True), LayerNorm(256), ReLU)
  5. layer_output: Linear(256, 10, bias=True)
Then (no RNG consumed): signal = Sequential(LabelNumberToOnehot(10), ProjectionContextInput(ctx, inp,
(10,), output_shape)); manager = managers.Preset(models.Forward, propagators.Loss,
propagators.signals.Loss, build_optimizer, monitors.loss.LabelMetrics, monitors.Group());
manager.config_propagator(loss=L); manager.set_signal(signal, loss=L);
add_propagator(layer_1); add_propagator(layer_2); add_propagator(layer_output, propagators.Identity);
model = manager.set_model(Sequential(layer_1, layer_2, layer_output));
global optimizer = build_optimizer(model)  (i.e. Adam over model.parameters() = output layer only).
build_optimizer(m) = Adam(list(m.parameters()), lr=4e-4, weight_decay=0) or None if no params.
The loss object L is ONE shared object for all layers (v15: one v15_input_target_topk(6) instance).

Per training step (model.train()):  out = model((x, y)) -- inside it every local optimizer steps --
then global = F.cross_entropy(out, y); gopt.zero_grad(); global.backward(); gopt.step().
Recorded: global loss, every local loss (signal, layer_1, layer_2; via the LabelMetrics monitors'
loss_last) and monitor accuracy, and a checksum of the target matrix each local loss built
(see target_checksum()).  After 20 steps: sums of every state_dict entry per module, and an eval
forward (model.eval(); model((x_test, None))).

Monkeypatches / deviations from the original: NONE to the library code.  The README's quick-start
mistakes are corrected in how this script builds the network (see "corrections" in the JSON and
docs/sigprop-semantics.md).
"""
import gzip
import json
import os
import struct
import sys
import time

import pin_isa  # noqa: F401  (before torch: same kernels on every AVX2 machine)
import golden_dir  # noqa: E402  (test/golden/torch-<version>/)
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

ORIG = sys.argv[1] if len(sys.argv) > 1 else '/tmp/sigprop-orig'
OUT = sys.argv[2] if len(sys.argv) > 2 else golden_dir.path('sigprop_traces.json')
sys.path.insert(0, ORIG)
import sigprop  # noqa: E402

torch.set_num_threads(1)

DATA_DIR = '/usr/share/datasets/fashion-mnist'
BATCH = 128
STEPS = 20
LR = 4e-4
MEAN, STD = 0.286, 0.353
SEED = 0
TOPK = 6


def read_idx(path, count):
    with gzip.open(path, 'rb') as f:
        magic = struct.unpack('>I', f.read(4))[0]
        ndim = magic & 0xff
        dims = list(struct.unpack('>' + 'I' * ndim, f.read(4 * ndim)))
        dims[0] = min(dims[0], count)
        n = 1
        for d in dims:
            n *= d
        buf = f.read(n)
    return torch.frombuffer(bytearray(buf), dtype=torch.uint8).reshape(dims)


def load(prefix, count):
    imgs = read_idx(os.path.join(DATA_DIR, prefix + '-images-idx3-ubyte.gz'), count)
    labels = read_idx(os.path.join(DATA_DIR, prefix + '-labels-idx1-ubyte.gz'), count)
    x = imgs.float().div(255).unsqueeze(1)
    x = x.sub(torch.tensor([MEAN], dtype=torch.float32).view(1, 1, 1)).div(torch.tensor([STD], dtype=torch.float32).view(1, 1, 1))
    return x.contiguous(), labels.long()


def build_optimizer(module, lr=LR, weight_decay=0.0):
    p = list(module.parameters())
    if len(p) == 0:
        return None
    return optim.Adam(p, lr=lr, weight_decay=weight_decay)


def build_conv(ch=32):
    out_shape = (ch, 28, 28)
    numel = ch * 28 * 28
    ctx = nn.Sequential(nn.Linear(10, numel, bias=False), nn.LayerNorm(numel), nn.ReLU())
    inp = nn.Sequential(nn.Conv2d(1, ch, 3, 1, 1, bias=False), nn.BatchNorm2d(ch), nn.ReLU())
    l1 = nn.Sequential(nn.Conv2d(ch, ch * 2, 3, 2, 1, bias=False), nn.BatchNorm2d(ch * 2), nn.ReLU())
    l2 = nn.Sequential(nn.Conv2d(ch * 2, ch * 4, 3, 2, 1, bias=False), nn.BatchNorm2d(ch * 4), nn.ReLU())
    lo = nn.Sequential(nn.Flatten(), nn.Linear(ch * 4 * 7 * 7, 10, bias=True))
    return ctx, inp, l1, l2, lo, out_shape


def build_mlp(h=256):
    ctx = nn.Sequential(nn.Linear(10, h, bias=False), nn.LayerNorm(h), nn.ReLU())
    inp = nn.Sequential(nn.Flatten(), nn.Linear(784, h, bias=False), nn.LayerNorm(h), nn.ReLU())
    l1 = nn.Sequential(nn.Linear(h, h, bias=True), nn.LayerNorm(h), nn.ReLU())
    l2 = nn.Sequential(nn.Linear(h, h, bias=True), nn.LayerNorm(h), nn.ReLU())
    lo = nn.Linear(h, 10, bias=True)
    return ctx, inp, l1, l2, lo, (h,)


def target_matrix(kind, t0):
    """Rebuild (with the same tensor ops as the original losses) the target each loss uses."""
    with torch.no_grad():
        if len(t0.shape) == 2:
            yy = t0 @ t0.t()
        else:
            t = t0.flatten(2).permute(2, 0, 1)
            yy = (t @ t.permute(0, 2, 1)).mean(0)
        if kind == 'v9':
            return (yy == yy.max(1, keepdim=True)[0]).float()
        if kind == 'v14':
            return F.one_hot(yy.argmax(1), yy.shape[1]).float()
        if kind == 'v15':
            idx = yy.topk(TOPK, dim=1)[1]
            return F.one_hot(idx, yy.shape[1]).sum(1).clamp(0, 1).float()
    raise ValueError(kind)


def target_topk_indices(t0):
    with torch.no_grad():
        if len(t0.shape) == 2:
            yy = t0 @ t0.t()
        else:
            t = t0.flatten(2).permute(2, 0, 1)
            yy = (t @ t.permute(0, 2, 1)).mean(0)
        return yy.topk(TOPK, dim=1)[1].tolist()


def target_checksum(T):
    """ones = number of 1 entries; checksum = sum_{i,j} T[i,j] * (i*B + j + 1) (exact in float64)."""
    n, m = T.shape
    w = torch.arange(1, n * m + 1, dtype=torch.float64).view(n, m)
    return int(T.double().sum().item()), int((T.double() * w).sum().item())


class Recorder(object):
    """Wraps the loss callable (shared by all layers); appends target checksums in call order."""

    def __init__(self, kind, loss):
        self.kind = kind
        self.loss = loss
        self.calls = []
        self.keep_indices = False

    def __call__(self, sp_learn, h1, t1, h0, t0, context):
        l = self.loss(sp_learn, h1, t1, h0, t0, context)
        ones, chk = target_checksum(target_matrix(self.kind, t0.detach()))
        rec = {'target_ones': ones, 'target_checksum': chk}
        if self.keep_indices and self.kind == 'v15':
            # torch CPU topk tie-breaking (nth_element + sort on (value, index) pairs) decides WHICH
            # of the tied same-class samples are picked; keep them for the first step
            rec['topk_indices'] = target_topk_indices(t0.detach())
        self.calls.append(rec)
        return l


def sums(module):
    out = {}
    for k, v in module.state_dict().items():
        if v.dtype.is_floating_point:
            out[k] = {'sum': repr(v.double().sum().item()), 'abs_sum': repr(v.double().abs().sum().item())}
        else:
            out[k] = {'value': int(v.sum().item())}
    return out


def run(net, kind, train_x, train_y, test_x, test_y):
    torch.manual_seed(SEED)
    ctx, inp, l1, l2, lo, out_shape = build_conv() if net == 'conv' else build_mlp()
    init_sums = {n: sums(m) for n, m in [('signal_context', ctx), ('signal_input', inp), ('layer_1', l1), ('layer_2', l2), ('layer_output', lo)]}

    base = {'v9': sigprop.loss.v9_input_target_max_all,
            'v14': sigprop.loss.v14_input_target_max_rand,
            'v15': sigprop.loss.v15_input_target_topk(topk=TOPK)}[kind]
    loss = Recorder(kind, base)

    monitor_main = sigprop.monitors.Group()
    mgr = sigprop.managers.Preset(
        sigprop.models.Forward, sigprop.propagators.Loss, sigprop.propagators.signals.Loss,
        build_optimizer, sigprop.monitors.loss.LabelMetrics, monitor_main)
    mgr.config_propagator(loss=loss)
    signal = nn.Sequential(
        sigprop.signals.LabelNumberToOnehot(10),
        sigprop.signals.ProjectionContextInput(ctx, inp, (10,), out_shape))
    mgr.set_signal(signal, loss=loss)
    p1 = mgr.add_propagator(l1)
    p2 = mgr.add_propagator(l2)
    po = mgr.add_propagator(lo, sigprop.propagators.Identity)
    model = mgr.set_model(nn.Sequential(p1, p2, po))
    gopt = build_optimizer(model)
    assert [id(p) for p in model.parameters()] == [id(p) for p in lo.parameters()]
    assert len(monitor_main.monitors) == 3

    steps = []
    t_start = time.time()
    model.train()
    for s in range(STEPS):
        x = train_x[s * BATCH:(s + 1) * BATCH]
        y = train_y[s * BATCH:(s + 1) * BATCH]
        loss.calls = []
        loss.keep_indices = (s == 0)
        out = model((x, y))
        g = F.cross_entropy(out, y)
        gopt.zero_grad()
        g.backward()
        gopt.step()
        assert len(loss.calls) == 3
        layers = []
        for name, mon, call in zip(['signal', 'layer_1', 'layer_2'], monitor_main.monitors, loss.calls):
            layers.append(dict(name=name, loss=repr(mon.loss_last), acc=repr(mon.acc_last), **call))
        steps.append({'step': s, 'global_loss': repr(g.item()),
                      'output_sum': repr(out.detach().double().sum().item()),
                      'layers': layers})
    train_s = time.time() - t_start

    model.eval()
    with torch.no_grad():
        eout = model((test_x, None))
    ev = {'n': int(test_x.shape[0]),
          'logits_sum': repr(eout.double().sum().item()),
          'logits_abs_sum': repr(eout.double().abs().sum().item()),
          'logits_row0': [repr(v) for v in eout[0].double().tolist()],
          'correct': int((eout.argmax(1) == test_y).sum().item())}

    final = {n: sums(m) for n, m in [('signal_context', ctx), ('signal_input', inp), ('layer_1', l1), ('layer_2', l2), ('layer_output', lo)]}
    return {'steps': steps, 'initial_sums': init_sums, 'final_sums': final, 'eval': ev}, train_s


NETS = {
    'conv': {
        'description': 'README quick start (corrected): signal ProjectionContextInput + 2 conv layers (Loss) + flatten/Linear output (Identity)',
        'hidden_ch': 32, 'input_dim': 28, 'input_ch': 1, 'num_classes': 10,
        'signal_output_shape': [32, 28, 28],
        'modules_in_build_order': [
            ['signal_context', 'Sequential(Linear(10, 25088, bias=False), LayerNorm(25088), ReLU())'],
            ['signal_input', 'Sequential(Conv2d(1, 32, 3, stride=1, padding=1, bias=False), BatchNorm2d(32), ReLU())'],
            ['layer_1', 'Sequential(Conv2d(32, 64, 3, stride=2, padding=1, bias=False), BatchNorm2d(64), ReLU())'],
            ['layer_2', 'Sequential(Conv2d(64, 128, 3, stride=2, padding=1, bias=False), BatchNorm2d(128), ReLU())'],
            ['layer_output', 'Sequential(Flatten(), Linear(6272, 10, bias=True))'],
        ],
    },
    'mlp': {
        'description': 'MLP: signal ProjectionContextInput + 2 Linear/LayerNorm/ReLU layers (Loss) + Linear output (Identity)',
        'hidden': 256, 'input_dim': 28, 'input_ch': 1, 'num_classes': 10,
        'signal_output_shape': [256],
        'modules_in_build_order': [
            ['signal_context', 'Sequential(Linear(10, 256, bias=False), LayerNorm(256), ReLU())'],
            ['signal_input', 'Sequential(Flatten(), Linear(784, 256, bias=False), LayerNorm(256), ReLU())'],
            ['layer_1', 'Sequential(Linear(256, 256, bias=True), LayerNorm(256), ReLU())'],
            ['layer_2', 'Sequential(Linear(256, 256, bias=True), LayerNorm(256), ReLU())'],
            ['layer_output', 'Linear(256, 10, bias=True)'],
        ],
    },
}

LOSSES = {
    'v9': {'name': 'v9_input_target_max_all', 'kwargs': {}},
    'v14': {'name': 'v14_input_target_max_rand', 'kwargs': {}},
    'v15': {'name': 'v15_input_target_topk', 'kwargs': {'topk': TOPK}},
}


def main():
    t0 = time.time()
    train_x, train_y = load('train', STEPS * BATCH)
    test_x, test_y = load('t10k', 256)
    doc = {
        'generator': 'test/golden/make_sigprop.py',
        'original': {'repo': 'amassivek/signalpropagation', 'commit': os.environ.get('SIGPROP_COMMIT', 'b4cbef26397bf38655e47b94340dd16132c9f6c1')},
        'torch_version': torch.__version__,
        'num_threads': 1,
        'seed': SEED,
        'seed_note': 'torch.manual_seed(seed) immediately before building each run\'s modules (order: see net.modules_in_build_order)',
        'data': {
            'dir': DATA_DIR, 'train_images': 'train-images-idx3-ubyte.gz', 'train_labels': 'train-labels-idx1-ubyte.gz',
            'test_images': 't10k-images-idx3-ubyte.gz', 'test_labels': 't10k-labels-idx1-ubyte.gz',
            'batch_size': BATCH, 'steps': STEPS, 'shuffle': False, 'augmentation': None,
            'normalization': 'float32: x = uint8 / 255; x = (x - float32(0.286)) / float32(0.353); shape [B,1,28,28]',
            'mean': MEAN, 'std': STD,
            'train_x_sum_first_batch': repr(train_x[:BATCH].double().sum().item()),
            'train_x_sum_all_steps': repr(train_x.double().sum().item()),
            'train_y_first_batch': train_y[:BATCH].tolist(),
            'eval': 'first 256 test images, same normalization',
            'test_x_sum': repr(test_x.double().sum().item()),
        },
        'optimizer': {'type': 'Adam', 'lr': LR, 'weight_decay': 0.0, 'betas': [0.9, 0.999], 'eps': 1e-8, 'amsgrad': False,
                      'note': 'one Adam per module handed to the manager (signal Sequential, layer_1, layer_2); the manager also builds one for layer_output but Identity drops it; the global Adam is built from model.parameters() (output layer only)'},
        'manager': 'managers.Preset(models.Forward, propagators.Loss, propagators.signals.Loss, build_optimizer, monitors.loss.LabelMetrics, monitors.Group())',
        'global_loss': 'F.cross_entropy(model((x, y)), y); global Adam zero_grad/backward/step after the forward (in which the local optimizers already stepped)',
        'recorded': {
            'global_loss': 'repr(float) of the float32 global loss',
            'layers[].loss': 'repr of loss.item() of the local loss (signal, layer_1, layer_2) = LabelMetrics.loss_last',
            'layers[].acc': 'LabelMetrics.acc_last (argmax of h1.flatten(1) @ t1.flatten(1).T is a same-class sample)',
            'layers[].target_ones / target_checksum': 'T = target matrix the loss built (B x B of 0/1); ones = sum(T); checksum = sum T[i,j]*(i*B+j+1)',
            'layers[].topk_indices': 'v15 runs, step 0 only: yy.topk(6, dim=1)[1] as returned by torch 1.13 CPU (B rows of 6 column indices, in returned order)',
            'output_sum': 'float64 sum of the model output (logits) of that step (computed before the global step)',
            'final_sums / initial_sums': 'per module, per state_dict entry: float64 sum and abs-sum (int buffers: value)',
            'eval': 'model.eval(); model((test_x, None)) after the 20 steps',
        },
        'corrections': [
            'README quick start: input Conv2d has 3 input channels; Fashion-MNIST has 1 -> Conv2d(1, ch, 3, 1, 1)',
            'README quick start: hidden_ch 128 -> 32 (brief)',
            'README quick start: BatchNorm2d(output_shape[0]) in layer_1/layer_2 has the wrong channel count -> BatchNorm2d(2*ch) and BatchNorm2d(4*ch)',
            'README quick start: output Linear(input_dim // 2**2, num_classes) has no flatten and wrong in_features -> Sequential(Flatten(), Linear(4*ch*7*7, 10))',
            'README quick start: model(data, target) -> model((data, target)); inference model((data, None))',
            'README quick start: the global `optimizer` is undefined -> build_optimizer(model) (as the examples do: Adam over model.parameters())',
            'README quick start option 2 passes optimizer=/loss= to propagators.Identity (TypeError); this script uses the manager, which filters them out',
            'No monkeypatching of the library was needed.',
        ],
        'runs': [],
    }
    for net in ['conv', 'mlp']:
        for kind in ['v9', 'v14', 'v15']:
            res, secs = run(net, kind, train_x, train_y, test_x, test_y)
            entry = {'id': net + '_' + kind, 'net': net, 'config': NETS[net], 'loss': LOSSES[kind],
                     'lr': LR, 'optimizer': 'Adam', 'seed': SEED, 'batch_size': BATCH, 'steps': STEPS}
            entry.update(res)
            doc['runs'].append(entry)
            print('%s_%s: %.1fs  first global %s  last global %s' % (net, kind, secs, res['steps'][0]['global_loss'], res['steps'][-1]['global_loss']), flush=True)
    with open(OUT, 'w') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')
    print('wrote %s (%d bytes) in %.1fs' % (OUT, os.path.getsize(OUT), time.time() - t0))


if __name__ == '__main__':
    main()
