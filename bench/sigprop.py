"""Python side of `node bench/sigprop.js --compare`: times training steps of the ORIGINAL sigprop
library (amassivek/signalpropagation) on Debian's PyTorch 1.13 -- run it with /usr/bin/python3.

usage: /usr/bin/python3 bench/sigprop.py CASE N [--clock wall|cpu] [--warmup W] [--orig DIR]
  -> prints a JSON list of N per-step times in milliseconds (after W warm-up steps, default 3); --clock cpu:
     process CPU time (user + system, time.process_time) instead of wall time.
       /usr/bin/python3 bench/sigprop.py --phases CASE N [--orig DIR]
  -> where a step's time goes, in the same table as `node bench/sigprop.js --phases CASE N`.
CASE: NET_LOSS[_mon] with NET in {mlp, conv}, LOSS in {v9, v14, v15}; `_mon` adds the
LabelMetrics monitors (e.g. mlp_v14, conv_v9, mlp_v14_mon).
DIR: an exported tree of the original repository (package folder sigprop/), default
$SIGPROP_ORIG or /tmp/sigprop-orig; it is put on sys.path and imported read-only.
SIGPROP_BENCH_GRADS=zero|none (set by `bench/sigprop.js --compare --grads`): every optimizer's
zero_grad() zeroes the gradients / sets them to None; unset or 'default': PyTorch 1.13's zero_grad().

The networks are those of test/golden/make_sigprop.py (mirrored here; bench/sigprop-nets.js builds
the same ones in Node): seed 0, batch 128, Fashion-MNIST training batches in file order (the first
20, in a cycle), x = (u8 / 255 - 0.286) / 0.353, shape [B, 1, 28, 28], labels int64.
One step = out = model((x, y)) (every local optimizer steps inside), then the global
F.cross_entropy / zero_grad / backward / Adam step.
"""
import os

# one thread unless SIGPROP_BENCH_THREADS says otherwise (bench/pipeline.js), before torch is imported (same as the Node side)
THREADS = int(os.environ.get('SIGPROP_BENCH_THREADS', '1'))
os.environ['OMP_NUM_THREADS'] = str(THREADS)

import gzip  # noqa: E402
import json  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torch.optim as optim  # noqa: E402

torch.set_num_threads(THREADS)

DATA_DIR = '/usr/share/datasets/fashion-mnist'
BATCH = 128
NBATCHES = 20
WARMUP = 3  # warm-up steps per process (--warmup W)
LR = 4e-4
MEAN, STD = 0.286, 0.353
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


def grads_mode():
    """SIGPROP_BENCH_GRADS (set by bench/sigprop.js --compare --grads): 'default' keeps PyTorch 1.13's
    zero_grad() (zeroes); 'zero' / 'none' make every optimizer's zero_grad() zero the gradients / set
    them to None, as on the Node side."""
    mode = os.environ.get('SIGPROP_BENCH_GRADS', 'default')
    if mode == 'default':
        return
    if mode not in ('zero', 'none'):
        raise SystemExit('SIGPROP_BENCH_GRADS: default|zero|none, got %r' % mode)
    zero_grad = optim.Optimizer.zero_grad

    def patched(self, set_to_none=None):
        return zero_grad(self, set_to_none=(mode == 'none'))
    optim.Optimizer.zero_grad = patched


def build_model(sigprop, net, kind, monitors, seed=0):
    """The Preset wiring of make_sigprop.py's run() (without its Recorder)."""
    torch.manual_seed(seed)
    ctx, inp, l1, l2, lo, out_shape = build_conv() if net == 'conv' else build_mlp()
    loss = {'v9': lambda: sigprop.loss.v9_input_target_max_all,
            'v14': lambda: sigprop.loss.v14_input_target_max_rand,
            'v15': lambda: sigprop.loss.v15_input_target_topk(topk=TOPK)}[kind]()
    monitor_main = sigprop.monitors.Group() if monitors else None
    mgr = sigprop.managers.Preset(
        sigprop.models.Forward, sigprop.propagators.Loss, sigprop.propagators.signals.Loss,
        build_optimizer, sigprop.monitors.loss.LabelMetrics if monitors else None, monitor_main)
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
    return model, gopt


def parse_case(case):
    parts = case.split('_')
    if len(parts) not in (2, 3) or parts[0] not in ('mlp', 'conv') or parts[1] not in ('v9', 'v14', 'v15') or (len(parts) == 3 and parts[2] != 'mon'):
        raise SystemExit('unknown case %r: expected NET_LOSS[_mon], NET in mlp|conv, LOSS in v9|v14|v15' % case)
    return parts[0], parts[1], len(parts) == 3


def phases(model, gopt, step, case, n):
    """Times the parts of a step (inclusive, per propagator) by wrapping methods of THIS process's
    objects (instance attributes; torch.Tensor.backward and F.cross_entropy for the run)."""
    acc = {}
    stack = ['global']
    now = time.perf_counter_ns

    def add(label, ns):
        acc[label] = acc.get(label, 0) + ns

    def wrap(obj, name, scope, what, push):
        orig = getattr(obj, name)

        def w(*a, **k):
            t = now()
            if push:
                stack.append(scope)
            try:
                return orig(*a, **k)
            finally:
                if push:
                    stack.pop()
                add(scope + '.' + what, now() - t)
        setattr(obj, name, w)

    children = list(model.model.children())
    props = [('signal', model.signal)] + [('output' if i == len(children) - 1 else 'layer_%d' % (i + 1), p) for i, p in enumerate(children)]
    for name, p in props:
        wrap(p, 'forward', name, 'total', True)
        if hasattr(p, 'module'):
            wrap(p.module, 'forward', name, 'module forward', False)
        if callable(getattr(p, 'loss', None)):
            wrap(p, 'loss', name, 'loss forward', False)
        if getattr(p, 'optimizer', None) is not None:
            wrap(p.optimizer, 'zero_grad', name, 'zeroGrad', False)
            wrap(p.optimizer, 'step', name, 'optimizer step', False)
    wrap(gopt, 'zero_grad', 'global', 'zeroGrad', False)
    wrap(gopt, 'step', 'global', 'optimizer step', False)
    ce = F.cross_entropy

    def cross_entropy(*a, **k):
        t = now()
        try:
            return ce(*a, **k)
        finally:
            if stack[-1] == 'global':
                add('global.crossEntropy', now() - t)
    F.cross_entropy = cross_entropy
    bw = torch.Tensor.backward

    def backward(self, *a, **k):
        t = now()
        try:
            return bw(self, *a, **k)
        finally:
            add(stack[-1] + '.backward', now() - t)
    torch.Tensor.backward = backward

    for i in range(WARMUP):
        step(i)
    # per step: every label's time; the table shows medians over the steps (robust to a busy machine)
    series = {}
    for i in range(WARMUP, WARMUP + n):
        acc.clear()
        t = now()
        step(i)
        acc['step'] = now() - t
        for k, v in acc.items():
            series.setdefault(k, []).append(v / 1e6)

    def ms(label):
        if label not in series:
            return 0.0
        s = sorted(series[label])
        m = len(s) // 2
        return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2
    total = ms('step')
    order = ['total', 'module forward', 'loss forward', 'crossEntropy', 'zeroGrad', 'backward', 'optimizer step']
    rows = []
    for scope in [name for name, _ in props] + ['global']:
        parts = [scope + '.' + w for w in order[1:] if scope + '.' + w in series]
        rows.append((scope if scope != 'global' else 'global (cross-entropy, zeroGrad, backward, step)',
                     ms(scope + '.total') if scope != 'global' else sum(ms(k) for k in parts)))
        for k in parts:
            rows.append(('  ' + k[len(scope) + 1:], ms(k)))
        if scope != 'global':
            rows.append(('  other (Python, detach, item)', ms(scope + '.total') - sum(ms(k) for k in parts)))
    in_props = sum(ms(name + '.total') for name, _ in props)
    global_parts = sum(ms(k) for k in series if k.startswith('global.'))
    rows.append(('rest of the step (model.forward glue)', total - in_props - global_parts))
    print('%s: %.3f ms per step (Python, original library; medians over %d steps of each phase, inclusive, ms per step)' % (case, total, n))
    for k, v in rows:
        print('%-52s %10.3f  %5.1f%%' % (k, v, 100 * v / total))


def main():
    args = sys.argv[1:]
    mode_phases = '--phases' in args
    if mode_phases:
        args.remove('--phases')
    orig = os.environ.get('SIGPROP_ORIG', '/tmp/sigprop-orig')
    global WARMUP
    if '--warmup' in args:
        i = args.index('--warmup')
        WARMUP = int(args[i + 1])
        del args[i:i + 2]
    clock = 'wall'
    if '--clock' in args:
        i = args.index('--clock')
        clock = args[i + 1]
        del args[i:i + 2]
        if clock not in ('wall', 'cpu'):
            raise SystemExit('--clock wall|cpu, got %r' % clock)
    if '--orig' in args:
        i = args.index('--orig')
        orig = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        raise SystemExit('usage: bench/sigprop.py [--phases] CASE N [--clock wall|cpu] [--warmup W] [--orig DIR]')
    net, kind, monitors = parse_case(args[0])
    n = int(args[1])
    if not os.path.isdir(os.path.join(orig, 'sigprop')):
        raise SystemExit('the original sigprop library is not at %s (no %s/sigprop/): pass --orig DIR or set SIGPROP_ORIG' % (orig, orig))
    sys.path.insert(0, orig)
    import sigprop

    grads_mode()
    xs, ys = load('train', NBATCHES * BATCH)
    batches = [(xs[i * BATCH:(i + 1) * BATCH], ys[i * BATCH:(i + 1) * BATCH]) for i in range(NBATCHES)]
    model, gopt = build_model(sigprop, net, kind, monitors)
    model.train()

    def step(i):
        x, y = batches[i % NBATCHES]
        out = model((x, y))
        g = F.cross_entropy(out, y)
        gopt.zero_grad()
        g.backward()
        gopt.step()

    if mode_phases:
        phases(model, gopt, step, args[0], n)
        return
    for i in range(WARMUP):
        step(i)
    clk = time.process_time if clock == 'cpu' else time.perf_counter
    times = []
    for i in range(WARMUP, WARMUP + n):
        t = clk()
        step(i)
        times.append((clk() - t) * 1e3)
    print(json.dumps(times))


if __name__ == '__main__':
    main()
