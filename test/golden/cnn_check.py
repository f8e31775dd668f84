"""Reverse direction of the CNN checkpoint test: loads a state_dict file written by sigprop into
make_cnn_ckpt.SmallCNN with Python's torch.load / load_state_dict, runs the given input (a JSON
file) in eval mode, and prints the output values as JSON (repr floats).
Usage: /usr/bin/python3 test/golden/cnn_check.py STATE_DICT.pt INPUT.json"""
import json
import sys

import pin_isa  # noqa: F401  (before torch: same kernels on every AVX2 machine)
import torch

sys.path.insert(0, __import__('os').path.dirname(__file__))
from make_cnn_ckpt import SmallCNN  # noqa: E402

torch.set_num_threads(1)
sd = torch.load(sys.argv[1])
assert type(sd).__name__ == 'OrderedDict', type(sd)
model = SmallCNN()
model.load_state_dict(sd)
model.eval()
inp = json.load(open(sys.argv[2]))
x = torch.tensor([float(v) for v in inp['input']], dtype=torch.float32).view(inp['input_shape'])
with torch.no_grad():
    y = model(x)
print(json.dumps({'output': [repr(v) for v in y.flatten().tolist()], 'keys': list(sd.keys()),
                  'num_batches_tracked': int(sd['features.1.num_batches_tracked'])}))
