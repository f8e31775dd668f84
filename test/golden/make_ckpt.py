#!/usr/bin/python3
"""Checkpoint goldens for test/serialization.test.ts: files written by PyTorch 1.13's torch.save.

Run with Debian's PyTorch 1.13:   /usr/bin/python3 test/golden/make_ckpt.py
Writes test/golden/ckpt/*.pt, model.safetensors and expected.json.

The test also runs this script as the Python side of the JS -> Python checks:
  make_ckpt.py --describe FILE...      prints {FILE: description} (JSON) of what torch.load reads
  make_ckpt.py --check-cnn FILE        loads FILE into the golden CNN with load_state_dict(strict=True)
  make_ckpt.py --check-adam FILE       loads FILE into Adam over the golden CNN and takes a step
  make_ckpt.py --describe-st FILE      parses a safetensors file by hand and describes it
Several flags may be combined; the output is one JSON object.

Description format (the same in expected.json):
  tensor   {"tensor": {dtype, shape, stride, offset, requires_grad, parameter, hex, storage}}
           hex: the raw little-endian bytes of the contiguous data; storage: an index shared by
           the tensors (of one file) that view the same storage, null for tensors with no elements
  dict     {"dict": [[key, value], ...], "ordered": true for OrderedDict}
  list / tuple / set   {"list": [...]} / {"tuple": [...]} / {"set": [...]}
  int      {"int": "decimal"};  float {"float": repr or 'nan' / 'inf' / '-inf'}
  bytes    {"bytes": hex};  str, bool and None as JSON string, bool and null.
"""
import collections
import io
import json
import math
import os
import struct
import sys
import zipfile

import pin_isa  # noqa: F401  (before torch: same kernels on every AVX2 machine)
import golden_dir  # noqa: E402  (test/golden/torch-<version>/)
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = golden_dir.folder('ckpt')

DT = {
    torch.float32: 'float32', torch.float64: 'float64', torch.float16: 'float16',
    torch.bfloat16: 'bfloat16', torch.int64: 'int64', torch.int32: 'int32',
    torch.int16: 'int16', torch.int8: 'int8', torch.uint8: 'uint8', torch.bool: 'bool',
}
SAME_SIZE_INT = {torch.float16: torch.int16, torch.bfloat16: torch.int16, torch.bool: torch.uint8}


def raw_hex(t):
    t = t.detach().contiguous()
    if t.dtype in SAME_SIZE_INT:
        t = t.view(SAME_SIZE_INT[t.dtype])
    return t.numpy().tobytes().hex()


def describe(obj):
    storages = {}

    def enc(v):
        if isinstance(v, torch.Tensor):
            if v.numel() == 0:
                sid = None
            else:
                ptr = v.storage().data_ptr()
                sid = storages.setdefault(ptr, len(storages))
            return {'tensor': {
                'dtype': DT[v.dtype], 'shape': list(v.shape), 'stride': list(v.stride()),
                'offset': v.storage_offset(), 'requires_grad': v.requires_grad,
                'parameter': isinstance(v, nn.Parameter), 'hex': raw_hex(v), 'storage': sid,
            }}
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return v
        if isinstance(v, int):
            return {'int': str(v)}
        if isinstance(v, float):
            if math.isnan(v):
                return {'float': 'nan'}
            if math.isinf(v):
                return {'float': 'inf' if v > 0 else '-inf'}
            return {'float': repr(v)}
        if isinstance(v, bytes):
            return {'bytes': v.hex()}
        if isinstance(v, dict):
            out = {'dict': [[enc(k), enc(x)] for k, x in v.items()], 'ordered': isinstance(v, collections.OrderedDict)}
            meta = getattr(v, '_metadata', None)
            if meta is not None:
                out['metadata'] = enc(meta)
            return out
        if isinstance(v, list):
            return {'list': [enc(x) for x in v]}
        if isinstance(v, tuple):
            return {'tuple': [enc(x) for x in v]}
        if isinstance(v, (set, frozenset)):
            return {'set': [enc(x) for x in sorted(v, key=repr)]}
        raise TypeError(f'cannot describe {type(v)}')

    return enc(obj)


# ---- the golden objects ----------------------------------------------------------------------------------------
def dtype_tensors():
    nanf = float('nan')
    inf = float('inf')
    return collections.OrderedDict([
        ('float32', torch.tensor([[0.0, -0.0, 1.5, -2.25, nanf], [inf, -inf, 0.1, 3.4028234663852886e38, 1e-45]], dtype=torch.float32)),
        ('float64', torch.tensor([0.0, -0.0, 1.5, nanf, inf, -inf, 0.1, 1e308, 5e-324], dtype=torch.float64)),
        ('float16', torch.tensor([0.0, -0.0, 1.5, nanf, inf, -inf, 0.1, 65504.0, 6e-8], dtype=torch.float16)),
        ('bfloat16', torch.tensor([0.0, -0.0, 1.5, nanf, inf, -inf, 0.1, 3.3e38, 1e-38], dtype=torch.bfloat16)),
        ('int64', torch.tensor([0, -1, 2**62, -2**63, 2**63 - 1, 123456789012345], dtype=torch.int64)),
        ('int32', torch.tensor([0, -1, 2**31 - 1, -2**31, 7], dtype=torch.int32)),
        ('int16', torch.tensor([0, -1, 32767, -32768], dtype=torch.int16)),
        ('int8', torch.tensor([0, -1, 127, -128], dtype=torch.int8)),
        ('uint8', torch.tensor([0, 1, 128, 255], dtype=torch.uint8)),
        ('bool', torch.tensor([[True, False], [False, True]])),
        ('scalar', torch.tensor(2.5, dtype=torch.float64)),
        ('scalar_int', torch.tensor(-7)),
        ('empty', torch.zeros(0, 3)),
    ])


def views():
    base = torch.arange(24, dtype=torch.float32).view(4, 6)
    return {
        'base': base,
        't': base.t(),                  # non-contiguous, same storage
        'slice': base[1:, ::2],         # offset 6, strides (6, 2)
        'row': base[2],                 # offset 12
        'expanded': torch.tensor([1.0, 2.0, 3.0]).expand(4, 3),  # stride 0
        'other': torch.arange(5, dtype=torch.int64)[1:4],        # a storage of its own, offset 1
    }


def shared():
    x = torch.linspace(-1, 1, 10)
    a = x[:6]
    b = x[4:].view(2, 3)   # overlaps a at elements 4 and 5
    torch.manual_seed(1)
    tied = nn.Sequential(nn.Linear(3, 3, bias=False), nn.Linear(3, 3, bias=False))
    tied[1].weight = tied[0].weight
    return {'pair': (a, b), 'tied': tied.state_dict()}


def mix():
    return {
        'list': [1, 2.5, 'x', None, True, False, -3],
        'tuple': (1, (2, 3), []),
        'nested': {'a': [{'b': 2**70, 'c': -2**63}], 'e': {}},
        'int_keys': {0: 'zero', 1: 'one', 10: 'ten'},
        'float_keys': {0.5: 'half'},
        'tuple_keys': {(1, 2): 'pair'},
        'floats': [0.1, -0.0, float('inf'), float('-inf'), float('nan'), 1e300, 2.0],
        'unicode': 'héllo ✓ 🎉',
        'empty_str': '',
        'bytes': b'ab\x00\xff',
        'set': {3, 1, 2},
        'tensors': [torch.tensor([1, 2], dtype=torch.int32), (torch.ones(2, 2),)],
        'ordered': collections.OrderedDict([('z', 1), ('a', 2)]),
        'big_neg': -2**100,
        'n': 255, 'n2': 65535, 'n3': 65536, 'n4': -1, 'n5': 2**31, 'n6': 2**53 + 1,
    }


def make_cnn():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3))
    return model


def trained_cnn():
    model = make_cnn()
    model.train()
    with torch.no_grad():
        model(torch.randn(2, 1, 4, 4))  # updates running stats and num_batches_tracked
    return model


def adam_state():
    model = make_cnn()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    x = torch.randn(3, 1, 4, 4)
    for _ in range(2):
        opt.zero_grad()
        model(x).square().sum().backward()
        opt.step()
    return opt.state_dict()


def params():
    torch.manual_seed(2)
    lin = nn.Linear(2, 2)
    return {'weight': lin.weight, 'all': list(lin.parameters()), 'frozen': nn.Parameter(torch.ones(2), requires_grad=False)}


# ---- safetensors, written by hand following the spec (and the reference implementation's layout) ----------------
ST = {torch.float64: 'F64', torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.int64: 'I64',
      torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8', torch.uint8: 'U8', torch.bool: 'BOOL'}
ST_ORDER = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64']


def write_safetensors(tensors, path, metadata=None):
    items = sorted(tensors.items(), key=lambda kv: (-ST_ORDER.index(ST[kv[1].dtype]), kv[0].encode('utf-8')))
    header = {}
    if metadata is not None:
        header['__metadata__'] = metadata
    offset = 0
    blobs = []
    for name, t in items:
        data = bytes.fromhex(raw_hex(t))
        header[name] = {'dtype': ST[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    h = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Parses a safetensors file by hand (the Python side of the JS -> Python check)."""
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n].decode('utf-8'))
    assert data[8:8 + n].decode('utf-8').rstrip(' ').endswith('}')
    assert n % 8 == 0, 'header not padded to 8 bytes'
    meta = header.pop('__metadata__', None)
    buf = data[8 + n:]
    rev = {v: k for k, v in ST.items()}
    out = collections.OrderedDict()
    end = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]['data_offsets']):
        b, e = info['data_offsets']
        assert b == end, f'hole or overlap before {name}'
        end = e
        dtype = rev[info['dtype']]
        shape = info['shape']
        raw = bytearray(buf[b:e])
        if dtype in SAME_SIZE_INT:
            t = torch.frombuffer(raw, dtype=SAME_SIZE_INT[dtype]).view(dtype) if raw else torch.empty(0, dtype=dtype)
        else:
            t = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(shape)
    assert end == len(buf), 'trailing bytes'
    return {'metadata': meta, 'tensors': out}


def st_tensors():
    torch.manual_seed(3)
    return {
        'weight': torch.randn(3, 4),
        'bias': torch.randn(4, dtype=torch.float64),
        'half': torch.tensor([1.0, -2.0, 0.5], dtype=torch.float16),
        'bf': torch.tensor([1.0, -2.0, 0.5], dtype=torch.bfloat16),
        'ids': torch.tensor([[1, 2], [3, -4]], dtype=torch.int64),
        'i32': torch.tensor([5, -6], dtype=torch.int32),
        'i16': torch.tensor([7], dtype=torch.int16),
        'i8': torch.tensor([-8, 9], dtype=torch.int8),
        'u8': torch.tensor([250, 3], dtype=torch.uint8),
        'mask': torch.tensor([True, False, True]),
        'scalar': torch.tensor(3.0),
        'empty': torch.zeros(0, 2),
        'ünï': torch.tensor([1.0]),
    }


ST_METADATA = {'format': 'pt', 'note': 'golden "quoted" ✓'}


# ---- repacking (other ZIP flavours of the same checkpoint) --------------------------------------------------------
def repack(src, dst, archive=None, zip64=False, deflate=False, transform=None, extra=None):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w', zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            name = info.filename
            if extra and name in extra:
                continue  # replaced below (torch >= 2.0 writes a byteorder record of its own)
            data = zin.read(name)
            if transform:
                data = transform(name, data)
            if archive:
                name = archive + '/' + name.split('/', 1)[1]
            with zout.open(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), 'w', force_zip64=zip64) as f:
                f.write(data)
        for name, data in (extra or {}).items():
            zout.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    expected = {'torch': torch.__version__}

    def put(name, obj):
        path = os.path.join(OUT, name)
        torch.save(obj, path)
        expected[name] = describe(torch.load(path))

    put('dtypes.pt', dtype_tensors())
    put('views.pt', views())
    put('shared.pt', shared())
    put('mix.pt', mix())
    put('cnn_state.pt', trained_cnn().state_dict())
    put('adam_state.pt', adam_state())
    put('params.pt', params())
    put('single_tensor.pt', torch.arange(6, dtype=torch.int16).view(2, 3).t())

    # other ZIP flavours of views.pt: ZIP64 records and another archive folder name; deflated records
    src = os.path.join(OUT, 'views.pt')
    repack(src, os.path.join(OUT, 'zip64.pt'), archive='renamed_archive', zip64=True)
    repack(src, os.path.join(OUT, 'deflated.pt'), deflate=True)
    assert torch.load(os.path.join(OUT, 'zip64.pt'))['t'].equal(views()['t'])

    # big-endian storages with a byteorder record (as PyTorch >= 2.1 writes on big-endian machines)
    storage_types = dict((key, kind) for kind, key in pickle_storage_ids(zipfile.ZipFile(src).read('views/data.pkl')))
    esize = {'FloatStorage': 4, 'LongStorage': 8}

    def swap(name, data):
        if '/data/' not in name:
            return data
        k = esize[storage_types[name.rsplit('/', 1)[1]]]
        return b''.join(data[i:i + k][::-1] for i in range(0, len(data), k))

    repack(src, os.path.join(OUT, 'bigendian.pt'), transform=swap, extra={'views/byteorder': b'big'})

    # a checkpoint saved from a CUDA device (its storages' location is 'cuda:0')
    def to_cuda(name, data):
        if name.endswith('data.pkl'):
            return data.replace(b'X\x03\x00\x00\x00cpu', b'X\x06\x00\x00\x00cuda:0')
        return data
    repack(os.path.join(OUT, 'single_tensor.pt'), os.path.join(OUT, 'cuda_location.pt'), transform=to_cuda)

    # the legacy (non-ZIP) format
    torch.save({'a': torch.ones(2)}, os.path.join(OUT, 'legacy.pt'), _use_new_zipfile_serialization=False)

    # safetensors
    sp = os.path.join(OUT, 'model.safetensors')
    write_safetensors(st_tensors(), sp, ST_METADATA)
    st = read_safetensors(sp)
    expected['model.safetensors'] = {'metadata': st['metadata'], 'tensors': describe(st['tensors'])}

    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
        f.write('\n')
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f'wrote {len(os.listdir(OUT))} files, {total} bytes, to {OUT}')


def pickle_storage_ids(pkl):
    """(storage type name, key) of each persistent id in a data.pkl, read without running it."""
    out = []

    class U(__import__('pickle').Unpickler):
        def find_class(self, mod, name):
            if 'Storage' in name:
                return name
            return super().find_class(mod, name)

        def persistent_load(self, pid):
            out.append((pid[1], pid[2]))
            return torch.FloatStorage()  # a placeholder; only the ids matter

    try:
        U(io.BytesIO(pkl)).load()
    except Exception:
        pass
    return out


def cli(argv):
    result = {}
    i = 0
    while i < len(argv):
        flag = argv[i]
        if flag == '--describe':
            j = i + 1
            while j < len(argv) and not argv[j].startswith('--'):
                result[argv[j]] = describe(torch.load(argv[j]))
                j += 1
            i = j
            continue
        path = argv[i + 1]
        if flag == '--check-cnn':
            model = make_cnn()
            sd = torch.load(path)
            missing = model.load_state_dict(sd, strict=True)
            model.eval()
            with torch.no_grad():
                y = model(torch.ones(1, 1, 4, 4))
            result['cnn:' + path] = {'type': type(sd).__name__, 'keys': list(sd.keys()), 'missing': list(missing.missing_keys),
                             'unexpected': list(missing.unexpected_keys), 'output': describe(y),
                             'num_batches_tracked': describe(model[1].num_batches_tracked)}
        elif flag == '--check-adam':
            model = make_cnn()
            opt = torch.optim.Adam(model.parameters(), lr=0.01)
            sd = torch.load(path)
            opt.load_state_dict(sd)
            model(torch.ones(1, 1, 4, 4)).sum().backward()
            opt.step()
            result['adam:' + path] = {'state_keys': [describe(k) for k in opt.state_dict()['state'].keys()],
                              'steps': [describe(s['step']) for s in opt.state_dict()['state'].values()],
                              'lr': opt.param_groups[0]['lr'], 'betas': list(opt.param_groups[0]['betas'])}
        elif flag == '--describe-st':
            st = read_safetensors(path)
            result[path] = {'metadata': st['metadata'], 'tensors': describe(st['tensors'])}
        else:
            raise SystemExit(f'unknown flag {flag}')
        i += 2
    json.dump(result, sys.stdout)


if __name__ == '__main__':
    if len(sys.argv) > 1:
        cli(sys.argv[1:])
    else:
        main()
