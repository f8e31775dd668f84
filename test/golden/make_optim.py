#!/usr/bin/python3
"""Goldens for test/optim.test.ts: torch.optim and torch.optim.lr_scheduler of PyTorch 1.13.

Run with Debian's PyTorch (the same libtorch 1.13 as sigprop's addon), not another python3:

    /usr/bin/python3 test/golden/make_optim.py

Writes test/golden/optim.json:
  model: the shared data (x, y) and initial parameters (w1, w2, b), as exact float values;
  optim: per case, the optimizer class, its keyword arguments (Python names), parameter groups,
         and for foreach=False and foreach=True the loss at each of 50 steps and the final
         parameters; the state dict after 5 steps (foreach left at its default) and the
         parameters then (for stateDict / loadStateDict tests);
  sched: per case, the scheduler, its arguments, and the learning rates (and momenta) at each step;
         some with the scheduler's and the optimizer's state dicts.
Floats are stored exactly: JSON numbers are Python's repr (shortest round-trip), and 'inf',
'-inf', 'nan' strings stand for the non-finite values. Tensors are {"__tensor__": true, dtype,
shape, values}.
"""
import json
import math
import os
import warnings

import pin_isa  # noqa: F401  (before torch: same kernels on every AVX2 machine)
import golden_dir  # noqa: E402  (test/golden/torch-<version>/)
import torch
from torch.optim import lr_scheduler as S

warnings.simplefilter('ignore')
torch.set_num_threads(1)

STEPS = 50
RESUME_AT = 5


def flt(v):
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return v


def enc(v):
    if isinstance(v, torch.Tensor):
        return {'__tensor__': True, 'dtype': str(v.dtype).replace('torch.', ''), 'shape': list(v.shape),
                'values': [flt(float(x)) for x in v.detach().flatten().tolist()]}
    if isinstance(v, dict):
        return {str(k): enc(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [enc(x) for x in v]
    if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
        return v
    if isinstance(v, float):
        return flt(v)
    raise TypeError('cannot encode %r' % (v,))


# ---- the model ---------------------------------------------------------------------------------------
gen = torch.Generator().manual_seed(1234)
X = torch.randn(8, 5, generator=gen)
Y = torch.randn(8, 3, generator=gen)
W1 = torch.randn(5, 6, generator=gen) * 0.5
W2 = torch.randn(6, 3, generator=gen) * 0.5
B = torch.randn(3, generator=gen) * 0.1
U = torch.randn(4, generator=gen)  # a parameter that never gets a gradient (when a case asks for it)


def objective(params, case, i, x, y):
    w1, w2, b = params[0], params[1], params[2]
    h = (x @ w1).tanh() @ w2
    # 'alt_bias': the bias takes part only in even steps (so parameters of a group have different step counts)
    if case.get('alt_bias') and i % 2 == 1:
        loss = (h - y).pow(2).mean()
    else:
        loss = (h + b - y).pow(2).mean()
    return -loss if case.get('neg') else loss


CLASSES = {'SGD': torch.optim.SGD, 'Adam': torch.optim.Adam, 'AdamW': torch.optim.AdamW,
           'RMSprop': torch.optim.RMSprop, 'Adagrad': torch.optim.Adagrad}


def make_params(case):
    dt = torch.float64 if case.get('dtype') == 'float64' else torch.float32
    ps = [W1.to(dt).clone().requires_grad_(), W2.to(dt).clone().requires_grad_(), B.to(dt).clone().requires_grad_()]
    if case.get('unused'):
        ps.append(U.to(dt).clone().requires_grad_())
    return ps, X.to(dt), Y.to(dt)


def make_opt(case, params, foreach):
    kw = dict(case['kwargs'])
    if foreach is not None:
        kw['foreach'] = foreach
    if case.get('groups'):
        groups = []
        for g in case['groups']:
            gg = dict(g)
            gg['params'] = [params[j] for j in g['params']]
            groups.append(gg)
        return CLASSES[case['cls']](groups, **kw)
    return CLASSES[case['cls']](params, **kw)


def run(case, foreach, steps, params=None, opt=None, start=0):
    if params is None:
        params, x, y = make_params(case)
    else:
        _, x, y = make_params(case)
    if opt is None:
        opt = make_opt(case, params, foreach)
    set_to_none = bool(case.get('alt_bias'))
    losses = []
    for i in range(start, start + steps):
        if case.get('closure'):
            def closure():
                opt.zero_grad(set_to_none=set_to_none)
                loss = objective(params, case, i, x, y)
                loss.backward()
                return loss
            loss = opt.step(closure)
            losses.append(loss.item())
        else:
            opt.zero_grad(set_to_none=set_to_none)
            loss = objective(params, case, i, x, y)
            loss.backward()
            losses.append(loss.item())
            opt.step()
    return params, opt, losses


def optim_case(name, cls, kwargs, **extra):
    case = dict(name=name, cls=cls, kwargs=kwargs, **extra)
    runs = {}
    for foreach in (False, True):
        params, _, losses = run(case, foreach, STEPS)
        runs[str(foreach).lower()] = {'losses': [flt(v) for v in losses], 'final': [enc(p) for p in params]}
    # the state after RESUME_AT steps, and a check that resuming from it gives the same trajectory
    params, opt, _ = run(case, None, RESUME_AT)
    sd = opt.state_dict()
    case['sd5'] = enc(sd)
    case['params5'] = [enc(p) for p in params]
    opt2 = make_opt(case, params, None)
    opt2.load_state_dict(sd)
    params, _, rest = run(case, None, STEPS - RESUME_AT, params=params, opt=opt2, start=RESUME_AT)
    assert [flt(v) for v in rest] == runs['false']['losses'][RESUME_AT:], name
    assert [enc(p) for p in params] == runs['false']['final'], name
    case['runs'] = runs
    return case


OPTIM = [
    # SGD
    optim_case('sgd_plain', 'SGD', {'lr': 0.1}),
    optim_case('sgd_momentum', 'SGD', {'lr': 0.05, 'momentum': 0.9}),
    optim_case('sgd_dampening', 'SGD', {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.1}),
    optim_case('sgd_nesterov_wd', 'SGD', {'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'weight_decay': 0.01}),
    optim_case('sgd_maximize_wd', 'SGD', {'lr': 0.05, 'momentum': 0.5, 'weight_decay': 0.1, 'maximize': True}, neg=True),
    optim_case('sgd_groups', 'SGD', {'lr': 0.1, 'momentum': 0.5},
               groups=[{'params': [0], 'lr': 0.2}, {'params': [1, 2], 'lr': 0.01, 'momentum': 0.9}]),
    optim_case('sgd_closure', 'SGD', {'lr': 0.1, 'momentum': 0.8}, closure=True),
    optim_case('sgd_alt_bias', 'SGD', {'lr': 0.05, 'momentum': 0.9, 'weight_decay': 0.01}, alt_bias=True),
    optim_case('sgd_nesterov_f64', 'SGD', {'lr': 0.05, 'momentum': 0.9, 'nesterov': True}, dtype='float64'),
    # Adam
    optim_case('adam_default', 'Adam', {'lr': 0.01}),
    optim_case('adam_amsgrad', 'Adam', {'lr': 0.01, 'amsgrad': True}),
    optim_case('adam_wd', 'Adam', {'lr': 0.01, 'weight_decay': 0.1}),
    optim_case('adam_maximize', 'Adam', {'lr': 0.01, 'maximize': True}, neg=True),
    optim_case('adam_betas_eps', 'Adam', {'lr': 0.02, 'betas': (0.8, 0.99), 'eps': 1e-6, 'amsgrad': True, 'weight_decay': 0.05}),
    optim_case('adam_groups', 'Adam', {'lr': 0.01},
               groups=[{'params': [0, 2], 'lr': 0.03, 'betas': (0.85, 0.995)}, {'params': [1], 'weight_decay': 0.01}]),
    optim_case('adam_alt_bias_unused', 'Adam', {'lr': 0.01, 'amsgrad': True}, alt_bias=True, unused=True),
    optim_case('adam_amsgrad_f64', 'Adam', {'lr': 0.01, 'amsgrad': True, 'weight_decay': 0.01}, dtype='float64'),
    optim_case('adam_closure', 'Adam', {'lr': 0.01}, closure=True),
    # AdamW
    optim_case('adamw_default', 'AdamW', {'lr': 0.01}),
    optim_case('adamw_amsgrad_wd', 'AdamW', {'lr': 0.01, 'amsgrad': True, 'weight_decay': 0.1}),
    optim_case('adamw_maximize', 'AdamW', {'lr': 0.01, 'maximize': True, 'betas': (0.9, 0.95)}, neg=True),
    optim_case('adamw_groups', 'AdamW', {'lr': 0.01},
               groups=[{'params': [0], 'lr': 0.02, 'weight_decay': 0.0}, {'params': [1, 2], 'amsgrad': True}]),
    optim_case('adamw_alt_bias', 'AdamW', {'lr': 0.01}, alt_bias=True),
    # RMSprop
    optim_case('rmsprop_default', 'RMSprop', {'lr': 0.01}),
    optim_case('rmsprop_centered', 'RMSprop', {'lr': 0.01, 'centered': True}),
    optim_case('rmsprop_momentum', 'RMSprop', {'lr': 0.01, 'momentum': 0.9}),
    optim_case('rmsprop_all', 'RMSprop', {'lr': 0.005, 'alpha': 0.9, 'centered': True, 'momentum': 0.5, 'weight_decay': 0.01}),
    optim_case('rmsprop_maximize_wd', 'RMSprop', {'lr': 0.01, 'maximize': True, 'weight_decay': 0.1, 'eps': 1e-6}, neg=True),
    optim_case('rmsprop_groups', 'RMSprop', {'lr': 0.01},
               groups=[{'params': [0], 'centered': True}, {'params': [1, 2], 'lr': 0.02, 'momentum': 0.9}]),
    # Adagrad
    optim_case('adagrad_default', 'Adagrad', {'lr': 0.1}),
    optim_case('adagrad_lr_decay', 'Adagrad', {'lr': 0.1, 'lr_decay': 0.01}),
    optim_case('adagrad_wd_init', 'Adagrad', {'lr': 0.1, 'weight_decay': 0.1, 'initial_accumulator_value': 0.1}),
    optim_case('adagrad_maximize_eps', 'Adagrad', {'lr': 0.1, 'maximize': True, 'eps': 1e-6, 'lr_decay': 0.05}, neg=True),
    optim_case('adagrad_groups', 'Adagrad', {'lr': 0.1, 'initial_accumulator_value': 0.2},
               groups=[{'params': [0, 1], 'lr': 0.05, 'lr_decay': 0.1}, {'params': [2], 'weight_decay': 0.01}]),
    optim_case('adagrad_alt_bias', 'Adagrad', {'lr': 0.1, 'lr_decay': 0.02}, alt_bias=True),
]


# ---- schedulers --------------------------------------------------------------------------------------
LAMBDAS = {
    'inv': lambda e: 1.0 / (1 + e),
    'step5': lambda e: (e // 5) * 0.1 + 1,
    'lin': lambda e: 1 - e / 100,
}

SCHED_CLASSES = {'StepLR': S.StepLR, 'MultiStepLR': S.MultiStepLR, 'ExponentialLR': S.ExponentialLR,
                 'CosineAnnealingLR': S.CosineAnnealingLR, 'LambdaLR': S.LambdaLR, 'LinearLR': S.LinearLR,
                 'OneCycleLR': S.OneCycleLR, 'ReduceLROnPlateau': S.ReduceLROnPlateau}


def sched_opt(kind):
    p1 = torch.zeros(2, requires_grad=True)
    p2 = torch.zeros(3, requires_grad=True)
    groups = [{'params': [p1]}, {'params': [p2], 'lr': 0.01}]
    if kind == 'sgd':
        return torch.optim.SGD(groups, lr=0.1, momentum=0.9)
    if kind == 'adam':
        return torch.optim.Adam(groups, lr=0.1)
    if kind == 'rmsprop':
        return torch.optim.RMSprop(groups, lr=0.1, momentum=0.5)
    raise ValueError(kind)


def make_sched(opt, spec):
    args = list(spec.get('args', []))
    kwargs = dict(spec.get('kwargs', {}))
    if spec['cls'] == 'LambdaLR':
        lam = spec['lambda']
        args = [[LAMBDAS[l] for l in lam] if isinstance(lam, list) else LAMBDAS[lam]]
    return SCHED_CLASSES[spec['cls']](opt, *args, **kwargs)


def momenta(opt):
    return [flt(g['betas'][0]) if 'betas' in g else flt(g['momentum']) for g in opt.param_groups]


def sched_sd(s):
    sd = s.state_dict()
    sd.pop('anneal_func', None)
    return enc(sd)


def sched_case(name, opt_kind, specs, steps, metrics=None, prelude=None, sd_at=None):
    """specs: one scheduler or several stepped together (chained); prelude: steps of a first scheduler before `specs`."""
    opt = sched_opt(opt_kind)
    if prelude is not None:
        s0 = make_sched(opt, prelude['spec'])
        for _ in range(prelude['steps']):
            opt.step()
            s0.step()
    scheds = [make_sched(opt, sp) for sp in specs]
    lrs = [[flt(g['lr']) for g in opt.param_groups]]
    moms = [momenta(opt)]
    out = dict(name=name, opt=opt_kind, specs=specs, steps=steps, prelude=prelude)
    for i in range(steps):
        opt.step()
        for s in scheds:
            if isinstance(s, S.ReduceLROnPlateau):
                s.step(metrics[i])
            else:
                s.step()
        lrs.append([flt(g['lr']) for g in opt.param_groups])
        moms.append(momenta(opt))
        if sd_at is not None and i + 1 == sd_at:
            out['sd'] = {'step': sd_at, 'sched': [sched_sd(s) for s in scheds], 'optim_groups': enc(opt.state_dict()['param_groups'])}
    last = [flt(v) for v in scheds[-1]._last_lr]
    assert last == lrs[-1], name
    out.update(lrs=lrs, momenta=moms, metrics=[flt(m) for m in metrics] if metrics else None)
    # OneCycleLR: one step past total_steps is an error
    if specs[0]['cls'] == 'OneCycleLR':
        try:
            scheds[0].step()
            out['overstep_error'] = False
        except ValueError:
            out['overstep_error'] = True
    return out


plateau_metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.85, 0.85, 0.85, 0.85, 0.84999, 0.8499, 0.849, 0.9, 0.9, 0.9, 0.9,
                   0.7, 0.7, 0.71, 0.72, 0.73, 0.74, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.49995, 0.4, 0.4, 0.4,
                   0.4, 0.4, 0.4, 0.4, 0.4, 0.4]
plateau_max = [0.1 * (i % 7) + 0.01 * i for i in range(40)]

SCHED = [
    sched_case('step_7_0.5', 'sgd', [{'cls': 'StepLR', 'args': [7], 'kwargs': {'gamma': 0.5}}], 40, sd_at=10),
    sched_case('step_3_default', 'sgd', [{'cls': 'StepLR', 'args': [3]}], 30),
    sched_case('multistep', 'sgd', [{'cls': 'MultiStepLR', 'args': [[5, 12, 12, 30]], 'kwargs': {'gamma': 0.3}}], 40, sd_at=13),
    sched_case('exponential', 'sgd', [{'cls': 'ExponentialLR', 'args': [0.93]}], 50),
    sched_case('cosine_10', 'sgd', [{'cls': 'CosineAnnealingLR', 'args': [10], 'kwargs': {'eta_min': 0.001}}], 60, sd_at=17),
    sched_case('cosine_25', 'adam', [{'cls': 'CosineAnnealingLR', 'args': [25]}], 60),
    sched_case('cosine_7_resume', 'sgd', [{'cls': 'CosineAnnealingLR', 'args': [7], 'kwargs': {'eta_min': 0.0005, 'last_epoch': 4}}], 40,
               prelude={'spec': {'cls': 'CosineAnnealingLR', 'args': [7], 'kwargs': {'eta_min': 0.0005}}, 'steps': 4}),
    sched_case('lambda_inv', 'sgd', [{'cls': 'LambdaLR', 'lambda': 'inv'}], 30),
    sched_case('lambda_two', 'sgd', [{'cls': 'LambdaLR', 'lambda': ['step5', 'lin']}], 40, sd_at=8),
    sched_case('linear_warmup', 'sgd', [{'cls': 'LinearLR', 'kwargs': {'start_factor': 0.25, 'total_iters': 8}}], 30),
    sched_case('linear_default', 'adam', [{'cls': 'LinearLR'}], 30),
    sched_case('linear_decay', 'sgd', [{'cls': 'LinearLR', 'kwargs': {'start_factor': 1.0, 'end_factor': 0.1, 'total_iters': 20}}], 40, sd_at=5),
    sched_case('chained_linear_exp', 'sgd', [{'cls': 'LinearLR', 'kwargs': {'start_factor': 0.1, 'total_iters': 5}},
                                            {'cls': 'ExponentialLR', 'args': [0.9]}], 40),
    sched_case('chained_cosine_multistep', 'adam', [{'cls': 'CosineAnnealingLR', 'args': [12]},
                                                   {'cls': 'MultiStepLR', 'args': [[10, 20]], 'kwargs': {'gamma': 0.5}}], 45),
    sched_case('onecycle_cos_sgd', 'sgd', [{'cls': 'OneCycleLR', 'args': [0.5], 'kwargs': {'total_steps': 50}}], 50, sd_at=20),
    sched_case('onecycle_linear_3phase_adam', 'adam', [{'cls': 'OneCycleLR', 'args': [[0.5, 0.05]], 'kwargs': {
        'total_steps': 40, 'anneal_strategy': 'linear', 'three_phase': True, 'pct_start': 0.25, 'div_factor': 10.0,
        'final_div_factor': 100.0, 'base_momentum': 0.8, 'max_momentum': [0.9, 0.95]}}], 40, sd_at=15),
    sched_case('onecycle_cos_3phase_rmsprop', 'rmsprop', [{'cls': 'OneCycleLR', 'args': [0.3], 'kwargs': {
        'epochs': 6, 'steps_per_epoch': 7, 'three_phase': True, 'pct_start': 0.4}}], 42),
    sched_case('onecycle_no_momentum', 'sgd', [{'cls': 'OneCycleLR', 'args': [0.2], 'kwargs': {
        'epochs': 5, 'steps_per_epoch': 8, 'cycle_momentum': False, 'pct_start': 0.35}}], 40),
    sched_case('plateau_min_rel', 'sgd', [{'cls': 'ReduceLROnPlateau', 'kwargs': {
        'mode': 'min', 'factor': 0.5, 'patience': 2, 'cooldown': 1, 'min_lr': 0.01}}], 40, metrics=plateau_metrics, sd_at=12),
    sched_case('plateau_min_abs_eps', 'sgd', [{'cls': 'ReduceLROnPlateau', 'kwargs': {
        'mode': 'min', 'factor': 0.3, 'patience': 1, 'threshold': 0.001, 'threshold_mode': 'abs', 'min_lr': [0.005, 0.0009], 'eps': 1e-4}}],
        40, metrics=plateau_metrics),
    sched_case('plateau_max_rel', 'adam', [{'cls': 'ReduceLROnPlateau', 'kwargs': {
        'mode': 'max', 'factor': 0.7, 'patience': 3, 'threshold': 0.05}}], 40, metrics=plateau_max),
    sched_case('plateau_max_abs_default', 'sgd', [{'cls': 'ReduceLROnPlateau', 'kwargs': {
        'mode': 'max', 'threshold_mode': 'abs', 'patience': 0, 'cooldown': 2}}], 40, metrics=plateau_max, sd_at=3),
]


def model():
    return {'x': enc(X), 'y': enc(Y), 'w1': enc(W1), 'w2': enc(W2), 'b': enc(B), 'u': enc(U)}


out = {'torch': torch.__version__, 'steps': STEPS, 'resume_at': RESUME_AT, 'model': model(), 'optim': OPTIM, 'sched': SCHED}
path = golden_dir.path('optim.json')
with open(path, 'w') as f:
    json.dump(out, f, separators=(',', ':'))
print('wrote %s: %d optimizer cases, %d scheduler cases, %d bytes' % (path, len(OPTIM), len(SCHED), os.path.getsize(path)))
