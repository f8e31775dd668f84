// A small CNN trained by PyTorch, saved with torch.save(model.state_dict()), loaded here into the
// same network built with sigprop: the same outputs, bit for bit. And the reverse: a state dict
// saved by sigprop loads in Python's model.load_state_dict and gives our outputs.
// Goldens: test/golden/make_cnn_ckpt.py (test/golden/make_all.sh, per libtorch version).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import * as torch from '../lib/torch';
import { goldenPath, readGolden, matchingPython } from './helpers/golden';

const { nn } = torch;

class SmallCNN extends nn.Module {
  features = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(4, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.MaxPool2d(2));
  classifier = new nn.Linear(8 * 2 * 2, 3);
  override forward(x: torch.Tensor): torch.Tensor {
    return this.classifier.forward((this.features.forward(x) as torch.Tensor).flatten(1));
  }
}

const floats = (xs: string[]) => xs.map(Number);
const bits = (t: torch.Tensor) => Array.from(t.toTypedArray() as Float32Array);

beforeAll(() => torch.setNumThreads(1));

test('a state dict saved by PyTorch loads into the same sigprop network and gives the same outputs', () => {
  const g = readGolden('cnn_python.json');
  const model = new SmallCNN();
  torch.tidy(() => {
    const sd = torch.load(goldenPath('cnn_python.pt'));
    expect(Object.keys(sd)).toEqual(Object.keys(model.stateDict()));
    expect(model.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    torch.dispose(sd);
    model.eval();
    const x = torch.tensor(floats(g.input), { dtype: 'float32' }).view(g.input_shape);
    const y = torch.noGrad(() => model.forward(x));
    expect(y.shape).toEqual(g.output_shape);
    expect(bits(y)).toEqual(Array.from(new Float32Array(floats(g.output))));
  });
  model.dispose();
});

test('a state dict saved by sigprop loads in PyTorch and gives the same outputs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigprop-ckpt-'));
  torch.manualSeed(0);
  const model = new SmallCNN();
  const opt = new torch.optim.Adam(model.parameters(), { lr: 0.01 });
  const gen = new torch.Generator().manualSeed(2);
  try {
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      torch.tidy(() => {
        const x = torch.randn(6, 1, 8, 8, { generator: gen });
        const y = torch.randint(3, [6], { generator: gen });
        nn.functional.crossEntropy(model.forward(x), y).backward();
      });
      opt.step();
    }
    model.eval();
    const file = path.join(dir, 'cnn_sigprop.pt');
    const inputFile = path.join(dir, 'input.json');
    const ours = torch.tidy(() => {
      const x = torch.randn(2, 1, 8, 8, { generator: gen });
      torch.save(model.stateDict(), file);
      fs.writeFileSync(inputFile, JSON.stringify({ input: Array.from(x.toTypedArray() as Float32Array, (v) => String(v)), input_shape: x.shape }));
      return bits(torch.noGrad(() => model.forward(x)));
    });
    const out = JSON.parse(execFileSync(matchingPython(), [path.join(__dirname, 'golden', 'cnn_check.py'), file, inputFile], { encoding: 'utf8' }));
    expect(out.keys).toEqual(torch.tidy(() => Object.keys(model.stateDict())));
    expect(out.num_batches_tracked).toBe(3);
    expect(Array.from(new Float32Array(floats(out.output)))).toEqual(ours);
  } finally {
    opt.dispose();
    model.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
