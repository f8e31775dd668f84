/**
 * The quick start of the Python sigprop README (section 2.2, "Implement a Model", steps 3-11, with
 * the manager), ported line by line to TypeScript and corrected (see docs/porting.md, "The
 * original's known mistakes"). It trains the README's conv network with forward learning on
 * Fashion-MNIST and prints the test accuracy.
 *
 *   npm run build:ts && npx tsc -p examples/tsconfig.json
 *   node build/examples/quickstart.js [--channels 128] [--epochs 1] [--steps N] [--batch-size 128] [--seed 0] [--data DIR]
 *
 * The README's hidden_ch is 128 (the default of --channels). That is slow on a CPU: try
 * `--channels 16 --steps 200` first.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

// 3. Add the import statement.
import * as sigprop from 'sigprop';

const { torch } = sigprop;
const { nn, optim } = torch;
const F = nn.functional;

type Tensor = sigprop.torch.Tensor;
type Module = sigprop.torch.nn.Module;

// ---- command line ----

const USAGE = `usage: node build/examples/quickstart.js [options]
  --channels N     hidden_ch, the channels of the signal's output (default 128, as in the README)
  --epochs N       passes over the training set (default 1)
  --steps N        stop training after N steps in all (default: no limit)
  --batch-size N   batch size for training and test (default 128)
  --seed N         torch.manualSeed before the modules are built (default 0)
  --data DIR       the Fashion-MNIST folder (default /usr/share/datasets/fashion-mnist)`;

interface Args {
  channels: number;
  epochs: number;
  steps: number;
  batchSize: number;
  seed: number;
  data: string;
}

function usageError(message: string): never {
  console.error(`quickstart: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { channels: 128, epochs: 1, steps: Infinity, batchSize: 128, seed: 0, data: '/usr/share/datasets/fashion-mnist' };
  const ints: Record<string, 'channels' | 'epochs' | 'steps' | 'batchSize' | 'seed'> = {
    '--channels': 'channels', '--epochs': 'epochs', '--steps': 'steps', '--batch-size': 'batchSize', '--seed': 'seed',
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help' || argv[i] === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const [flag, inline] = argv[i].split('=', 2);
    if (flag !== '--data' && !(flag in ints)) usageError(`unknown option '${argv[i]}'`);
    const value = inline ?? argv[++i];
    if (value === undefined) usageError(`${flag} needs a value`);
    if (flag === '--data') {
      args.data = value;
    } else {
      const n = Number(value);
      const min = flag === '--seed' ? 0 : 1;
      if (!Number.isInteger(n) || n < min) usageError(`${flag} must be an integer >= ${min}, got '${value}'`);
      args[ints[flag]] = n;
    }
  }
  return args;
}

// ---- Fashion-MNIST (the README's train_loader / test_loader) ----

/** Reads a gzipped IDX file (the MNIST format) into a uint8 tensor of its shape. */
function readIdx(file: string): Tensor {
  if (!fs.existsSync(file)) throw new Error(`${file} not found: install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or pass --data DIR`);
  const buf = zlib.gunzipSync(fs.readFileSync(file));
  if (buf.readUInt16BE(0) !== 0 || buf[2] !== 0x08) throw new Error(`${file}: not an IDX file of unsigned bytes`);
  const ndim = buf[3];
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(buf.readUInt32BE(4 + 4 * i));
  const n = shape.reduce((a, b) => a * b, 1);
  // in a tidy scope, so that the tensor under the view is freed with it
  return torch.tidy(() => torch.tensor(new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * ndim, n)).view(shape));
}

/** Images stay uint8 [N, 28, 28] in memory; each batch is normalised as the README's examples do. */
class FashionMNIST {
  readonly images: Tensor;
  readonly labels: Tensor;
  constructor(dir: string, split: 'train' | 't10k') {
    this.images = readIdx(path.join(dir, `${split}-images-idx3-ubyte.gz`));
    this.labels = torch.tidy(() => readIdx(path.join(dir, `${split}-labels-idx1-ubyte.gz`)).long());
  }
  get length(): number {
    return this.images.shape[0];
  }
  /** [x float32 [B, 1, 28, 28] = (u8 / 255 - 0.286) / 0.353, y int64 [B]] for the given indices. */
  batch(indices: Tensor): [Tensor, Tensor] {
    const x = this.images.indexSelect(0, indices).float().div(255).sub(0.286).div(0.353).unsqueeze(1);
    return [x, this.labels.indexSelect(0, indices)];
  }
  dispose(): void {
    this.images.dispose();
    this.labels.dispose();
  }
}

/**
 * The index batches of one pass: shuffled (torch.randperm, so --seed fixes it) or in file order.
 * Each index tensor is freed when the loop moves on (or leaves early).
 */
function* batches(n: number, batchSize: number, shuffle: boolean): Generator<Tensor> {
  const order = shuffle ? torch.randperm(n) : torch.arange(n);
  try {
    for (let start = 0; start < n; start += batchSize) {
      const indices = order.narrow(0, start, Math.min(batchSize, n - start));
      try {
        yield indices;
      } finally {
        indices.dispose();
      }
    }
  } finally {
    order.dispose();
  }
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const trainSet = new FashionMNIST(args.data, 'train');
  const testSet = new FashionMNIST(args.data, 't10k');
  const numClasses = 10;
  const inputDim = 28; // Fashion-MNIST images are 1 x 28 x 28 (the README assumed 3 channels)
  const inputCh = 1;
  console.log(`sigprop quick start: Fashion-MNIST (${trainSet.length} train, ${testSet.length} test), channels ${args.channels}, ` +
    `batch size ${args.batchSize}, epochs ${args.epochs}${Number.isFinite(args.steps) ? `, at most ${args.steps} steps` : ''}, seed ${args.seed}`);
  torch.manualSeed(args.seed);

  // 4. Select the forward learning model.
  // The model: sigprop.models.Forward. The signal: sigprop.signals.ProjectionContextInput (learns a
  // projection of the input and of the target (context) to the same dimension). The propagators:
  // sigprop.propagators.signals.Loss for the signal, sigprop.propagators.Loss for hidden layers,
  // with the loss sigprop.loss.v9InputTargetMaxAll.

  // 5. Setup a manager (optional).
  // A method to build an optimizer for each layer of the network, since each layer learns
  // independently from the other layers. The manager calls it with each (unwrapped) layer.
  function buildOptimizer(module: Module, lr = 0.0004, weightDecay = 0.0): InstanceType<typeof optim.Adam> | null {
    const p = module.parameters();
    if (p.length === 0) return null;
    const optimizer = new optim.Adam(p, { lr, weightDecay });
    return optimizer;
  }

  // Monitors (as in the original's Example 4): every local loss is wrapped in a LabelMetrics
  // monitor that records that layer's loss and accuracy; monitorMain groups them.
  const monitorMain = new sigprop.monitors.Group();
  const spManager = new sigprop.managers.Preset(
    sigprop.models.Forward,
    sigprop.propagators.Loss,
    sigprop.propagators.signals.Loss,
    buildOptimizer,
    sigprop.monitors.loss.LabelMetrics, monitorMain,
  );

  // 6. Configure propagator ahead of time (optional): the default loss of every propagator.
  spManager.configPropagator({
    loss: sigprop.loss.v9InputTargetMaxAll,
  });

  // 7. Setup the signal.
  // numClasses is the number of classes; hiddenDim is the size of the first hidden dim, here the
  // same as the input dim.
  const hiddenDim = inputDim;
  const hiddenCh = args.channels;
  const inputShape = [numClasses];
  const outputShape = [hiddenCh, hiddenDim, hiddenDim];
  const signalTargetModule = new nn.Sequential(
    new nn.Linear(
      sigprop.utils.shapeNumel(inputShape),
      sigprop.utils.shapeNumel(outputShape),
      false, // bias=False (nn.Linear takes bias positionally)
    ),
    new nn.LayerNorm(sigprop.utils.shapeNumel(outputShape)),
    new nn.ReLU(),
  );
  const signalInputModule = new nn.Sequential(
    new nn.Conv2d(
      inputCh, outputShape[0], 3, 1, 1, // the README has 3 input channels (RGB); Fashion-MNIST has 1
      { bias: false },
    ),
    new nn.BatchNorm2d(outputShape[0]),
    new nn.ReLU(),
  );

  let spSignal: Module = new sigprop.signals.ProjectionContextInput(
    signalTargetModule, signalInputModule,
    inputShape, outputShape,
  );
  // convert labels to a one-hot vector
  spSignal = new nn.Sequential(
    new sigprop.signals.LabelNumberToOnehot(
      numClasses,
    ),
    spSignal,
  );

  // Option 1, with a manager: wrap the signal in its propagator (propagators.signals.Loss); the
  // manager keeps the wrapped signal for setModel below.
  spManager.setSignal(
    spSignal,
    { loss: sigprop.loss.v9InputTargetMaxAll },
  );

  // 8. Wrap network layers with propagators.
  // The last layer is trained normally (by the global loss), so it gets the Identity propagator.
  let layer1: Module = new nn.Sequential(
    new nn.Conv2d(
      hiddenCh, hiddenCh * 2, 3, 2, 1,
      { bias: false },
    ),
    new nn.BatchNorm2d(hiddenCh * 2), // the README has output_shape[0] (= hiddenCh): wrong channel count
    new nn.ReLU(),
  );
  let layer2: Module = new nn.Sequential(
    new nn.Conv2d(
      hiddenCh * 2, hiddenCh * 4, 3, 2, 1,
      { bias: false },
    ),
    new nn.BatchNorm2d(hiddenCh * 4), // the README has output_shape[0] here too
    new nn.ReLU(),
  );
  // two stride-2 convs: 28 -> 14 -> 7
  const outDim = Math.ceil(Math.ceil(hiddenDim / 2) / 2);
  let layerOutput: Module = new nn.Sequential(
    new nn.Flatten(), // missing in the README
    new nn.Linear(
      hiddenCh * 4 * outDim * outDim, // the README has input_dim // 2**2
      numClasses,
      true, // bias=True
    ),
  );

  // Option 1, with a manager. Identity keeps only the options it takes (none): the manager drops
  // the optimizer and the loss it would hand every layer.
  layer1 = spManager.addPropagator(layer1);
  layer2 = spManager.addPropagator(layer2);
  layerOutput = spManager.addPropagator(layerOutput, sigprop.propagators.Identity);

  // 9. Create the network.
  const network = new nn.Sequential(
    layer1,
    layer2,
    layerOutput,
  );
  // Option 1, with a manager: wrap the network in the sigprop model (models.Forward).
  const model = spManager.setModel(network) as sigprop.models.Forward;

  // The global optimizer (undefined in the README): over model.parameters(), which are the
  // parameters of the Identity-wrapped output layer only (the Loss propagators hide theirs).
  const optimizer = buildOptimizer(model);
  if (optimizer === null) throw new Error('the model has no parameters for the global optimizer');

  // 10. train the network.
  model.train();
  let step = 0;
  const t0 = Date.now();
  training: for (let epoch = 0; epoch < args.epochs; epoch++) {
    monitorMain.reset();
    for (const indices of batches(trainSet.length, args.batchSize, true)) {
      if (step >= args.steps) break training;
      step++;
      // one step in a tidy scope: every tensor it creates (batch, activations, loss) is freed at the end
      const loss = torch.tidy(() => {
        const [data, target] = trainSet.batch(indices);
        // forward learning: every layer trains on its own loss inside this call
        const output = model.forward([data, target]);
        const l = F.crossEntropy(output, target);
        optimizer.zeroGrad();
        l.backward();
        optimizer.step();
        return l.item() as number;
      });
      const last = step === args.steps;
      if (step === 1 || step % 50 === 0 || last) {
        console.log(`epoch ${epoch + 1} step ${step}: global loss ${loss.toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
        console.log(monitorMain.metrics());
      }
    }
    console.log(`end of epoch ${epoch + 1} (${step} steps):`);
    console.log(monitorMain.metrics());
  }

  // 11. inference from network.
  model.eval();
  let accSum = 0;
  let count = 0;
  for (const indices of batches(testSet.length, args.batchSize, false)) {
    accSum += torch.tidy(() => torch.noGrad(() => {
      const [data, target] = testSet.batch(indices);
      // no target: every propagator only passes h forward (no local loss, no step)
      const output = model.forward([data, null]);
      const pred = output.argmax(1);
      const accMask = pred.eq(target);
      count += accMask.size(0);
      return accMask.sum().item() as number;
    }));
  }
  const acc = accSum / count;
  console.log(`test accuracy: ${acc.toFixed(4)} (${accSum}/${count})`);

  // free the model (its layers, the signal and every propagator's optimizer), the global optimizer
  // and the data
  model.dispose();
  optimizer.dispose();
  trainSet.dispose();
  testSet.dispose();
}

main();
