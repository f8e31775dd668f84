/**
 * The networks of the original examples.py, written for this port: BlockLinear, BlockConv, Net
 * (the "mlp"), VGGn (vgg6 / vgg8 / vgg11), ModelWrapper, the normalization choices (norm1d /
 * norm2d), the signal modules (signalModulesFp / Lp / Lpi) and the optimizer builder. The layer
 * structure, the order in which layers are created (so the same seed draws the same initial
 * weights as PyTorch) and the parameter counts are the original's; test/examples-cli.test.ts
 * checks the counts against numbers computed with the Python classes.
 *
 * The original reads its flags from a global `args`; here every class takes the options it needs
 * (a ModelOptions, built from the parsed flags by modelOptions()).
 */
import { Tensor } from '../torch/tensor';
import * as nn from '../torch/nn';
import * as optim from '../torch/optim';
import * as sigprop from '../sigprop';
import type { ExampleArgs } from './args';

type Module = nn.Module;
type Manager = sigprop.managers.Manager;

/** What the blocks read from the flags (Python's global args). */
export interface ModelOptions {
  /** 'none' | 'batch_norm' | 'instance_norm' | 'instance_batch_norm' */
  norm: string;
  /** 'relu' | 'leakyrelu' */
  nonlin: string;
  dropout: number;
  /** Python's args.bias (= not --no-bias) */
  bias: boolean;
  preAct: boolean;
  spFine: boolean;
  numLayers: number;
  numHidden: number;
}

export function modelOptions(a: ExampleArgs): ModelOptions {
  return { norm: a.norm, nonlin: a.nonlin, dropout: a.dropout, bias: !a.noBias, preAct: a.preAct, spFine: a.spFine, numLayers: a.numLayers, numHidden: a.numHidden };
}

/** Python's int(): toward zero. */
const pyInt = (x: number): number => Math.trunc(x);

// ---- normalization ---------------------------------------------------------------------------------------------------

/**
 * norm_1d: batch_norm → BatchNorm1d without running stats (batch statistics in eval mode too);
 * instance_norm → LayerNorm (the per-sample normalization of a feature vector);
 * instance_batch_norm → InstanceNorm1d(affine, running stats). fixAffine sets weight 1, bias 0.
 */
export function norm1d(o: ModelOptions, ch: number, fixAffine: boolean): Module {
  let bn: nn.BatchNorm1d | nn.LayerNorm | nn.InstanceNorm1d;
  if (o.norm === 'batch_norm') bn = new nn.BatchNorm1d(ch, { trackRunningStats: false });
  else if (o.norm === 'instance_norm') bn = new nn.LayerNorm(ch);
  else if (o.norm === 'instance_batch_norm') bn = new nn.InstanceNorm1d(ch, { trackRunningStats: true, affine: true });
  else throw new RangeError(`Not a valid norm: '${o.norm}'`);
  if (fixAffine) {
    nn.init.constant_(bn.weight as Tensor, 1);
    nn.init.constant_(bn.bias as Tensor, 0);
  }
  return bn;
}

/**
 * norm_2d: batch_norm → BatchNorm2d without running stats; instance_norm → InstanceNorm2d(affine,
 * no running stats); instance_batch_norm → InstanceNorm2d(affine, running stats).
 */
export function norm2d(o: ModelOptions, ch: number, fixAffine: boolean): Module {
  let bn: nn.BatchNorm2d | nn.InstanceNorm2d;
  if (o.norm === 'batch_norm') bn = new nn.BatchNorm2d(ch, { trackRunningStats: false });
  else if (o.norm === 'instance_norm') bn = new nn.InstanceNorm2d(ch, { trackRunningStats: false, affine: true });
  else if (o.norm === 'instance_batch_norm') bn = new nn.InstanceNorm2d(ch, { trackRunningStats: true, affine: true });
  else throw new RangeError(`Not a valid norm: '${o.norm}'`);
  if (fixAffine) {
    nn.init.constant_(bn.weight as Tensor, 1);
    nn.init.constant_(bn.bias as Tensor, 0);
  }
  return bn;
}

function nonlinearity(o: ModelOptions): Module {
  if (o.nonlin === 'relu') return new nn.ReLU(true);
  if (o.nonlin === 'leakyrelu') return new nn.LeakyReLU(0.01, true);
  throw new RangeError(`Not a valid nonlinearity: '${o.nonlin}' (relu or leakyrelu)`);
}

// ---- blocks ----------------------------------------------------------------------------------------------------------

/**
 * BlockLinear(numIn, numOut): Linear → norm (norm1d, unless --norm none) → nonlinearity → dropout
 * (when > 0). With a manager (--sp-fine), each part is wrapped: the Linear and the norm learn on
 * their own (the manager's propagator), the nonlinearity and the dropout are Fixed.
 */
export class BlockLinear extends nn.Module {
  declare dropout_p: number;
  declare norm: boolean;
  declare encoder: Module;
  declare bn: Module;
  declare nonlin: Module;
  declare dropout: Module;
  constructor(o: ModelOptions, numIn: number, numOut: number, options: { dropout?: number | null; norm?: boolean | null; spManager?: Manager | null } = {}) {
    super();
    const sp = options.spManager ?? null;
    this.dropout_p = options.dropout ?? o.dropout;
    this.norm = options.norm ?? o.norm !== 'none';
    this.encoder = new nn.Linear(numIn, numOut, o.bias);
    if (sp !== null) this.encoder = sp.addPropagator(this.encoder) as Module;
    if (this.norm) {
      this.bn = norm1d(o, numOut, true);
      if (sp !== null) this.bn = sp.addPropagator(this.bn) as Module;
    }
    this.nonlin = nonlinearity(o);
    if (sp !== null) this.nonlin = sp.addPropagator(this.nonlin, sigprop.propagators.Fixed) as Module;
    if (this.dropout_p > 0) {
      this.dropout = new nn.Dropout(this.dropout_p, false);
      if (sp !== null) this.dropout = sp.addPropagator(this.dropout, sigprop.propagators.Fixed) as Module;
    }
  }
  override forward(x: unknown): unknown {
    let h = this.encoder.forward(x);
    if (this.norm) h = this.bn.forward(h);
    h = this.nonlin.forward(h);
    if (this.dropout_p > 0) h = this.dropout.forward(h);
    return h;
  }
}

export type Act = 'post' | 'pre' | 'cfg' | 'cfg_input' | 'norm' | 'none';

/**
 * BlockConv(chIn, chOut, kernelSize, stride, padding): Conv2d with norm, nonlinearity and
 * Dropout2d; act 'post' (the default, and what VGGn uses): conv → norm → [+ shortcut] →
 * nonlinearity → dropout; 'pre': norm → nonlinearity → dropout → conv [+ shortcut]; 'cfg': pre
 * when --pre-act; 'cfg_input': post; 'norm': conv → norm [+ shortcut]; anything else: conv only.
 */
export class BlockConv extends nn.Module {
  declare ch_in: number;
  declare ch_out: number;
  declare dropout_p: number;
  declare bias: boolean;
  declare norm: boolean;
  declare post_act: boolean;
  declare pre_act: boolean;
  declare encoder: Module;
  declare bn: Module;
  declare nonlin: Module;
  declare dropout: Module;
  constructor(o: ModelOptions, chIn: number, chOut: number, kernelSize: number, stride: number, padding: number,
    options: { firstLayer?: boolean; dropout?: number | null; bias?: boolean | null; act?: Act; groups?: number; spManager?: Manager | null } = {}) {
    super();
    const sp = options.spManager ?? null;
    const act = options.act ?? 'post';
    this.ch_in = chIn;
    this.ch_out = chOut;
    this.dropout_p = options.dropout ?? o.dropout;
    this.bias = options.bias ?? true;
    if (!o.bias) this.bias = false;
    this.norm = o.norm !== 'none';
    if (act === 'post') {
      this.post_act = true;
      this.pre_act = false;
    } else if (act === 'pre') {
      this.post_act = false;
      this.pre_act = true;
    } else if (act === 'cfg') {
      this.pre_act = o.preAct;
      this.post_act = !this.pre_act;
    } else if (act === 'cfg_input') {
      this.pre_act = false;
      this.post_act = true;
    } else if (act === 'norm') {
      this.post_act = false;
      this.pre_act = false;
    } else {
      this.post_act = false;
      this.pre_act = false;
      this.norm = false;
    }
    this.encoder = new nn.Conv2d(chIn, chOut, kernelSize, { stride, padding, bias: this.bias, groups: options.groups ?? 1 });
    if (sp !== null) this.encoder = sp.addPropagator(this.encoder) as Module;
    if (o.norm !== 'none' && this.norm) {
      if (this.pre_act) this.bn = norm2d(o, chIn, false);
      else if (this.post_act) this.bn = norm2d(o, chOut, true);
      else this.bn = norm2d(o, chOut, false);
      if (sp !== null) this.bn = sp.addPropagator(this.bn) as Module;
    }
    this.nonlin = nonlinearity(o);
    if (sp !== null) this.nonlin = sp.addPropagator(this.nonlin, sigprop.propagators.Fixed) as Module;
    if (this.dropout_p > 0) {
      this.dropout = new nn.Dropout2d(this.dropout_p, false);
      if (sp !== null) this.dropout = sp.addPropagator(this.dropout, sigprop.propagators.Fixed) as Module;
    }
  }
  override forward(x: unknown, xShortcut: Tensor | null = null): unknown {
    const add = (h: unknown): unknown => (xShortcut === null ? h : (h as Tensor).add(xShortcut));
    let h: unknown;
    if (this.pre_act) {
      if (this.norm) x = this.bn.forward(x);
      x = this.nonlin.forward(x);
      if (this.dropout_p > 0) x = this.dropout.forward(x);
      h = add(this.encoder.forward(x));
    } else if (this.post_act) {
      h = this.encoder.forward(x);
      if (this.norm) h = this.bn.forward(h);
      h = this.nonlin.forward(add(h));
      if (this.dropout_p > 0) h = this.dropout.forward(h);
    } else {
      h = this.encoder.forward(x);
      if (this.norm) h = this.bn.forward(h);
      h = add(h);
    }
    return h;
  }
}

// ---- networks ----------------------------------------------------------------------------------------------------------

const flatten = (t: Tensor): Tensor => t.view(t.size(0), -1);

/**
 * Net (--model mlp): numLayers BlockLinear (at least one: input → numHidden, then numHidden →
 * numHidden), then Linear(numHidden, numClasses). With a manager: each block learns on its own
 * (or, with --sp-fine, each layer of each block), and the output layer is wrapped in Identity
 * (it learns from the global loss).
 */
export class Net extends nn.Module {
  declare sp_manager: Manager | null;
  declare num_hidden: number;
  declare num_layers: number;
  declare layers: nn.ModuleList;
  declare layer_out: Module;
  constructor(o: ModelOptions, numLayers: number, numHidden: number, inputDim: number, inputCh: number, numClasses: number, spManager: Manager | null) {
    super();
    this.sp_manager = spManager;
    this.num_hidden = numHidden;
    this.num_layers = numLayers;
    const inner = o.spFine ? spManager : null;
    this.layers = new nn.ModuleList([new BlockLinear(o, inputDim * inputDim * inputCh, numHidden, { spManager: inner })]);
    const more: Module[] = [];
    for (let i = 1; i < numLayers; i++) more.push(new BlockLinear(o, pyInt(numHidden), pyInt(numHidden), { spManager: inner }));
    this.layers.extend(more);
    this.layer_out = new nn.Linear(pyInt(numHidden), numClasses, o.bias);
    if (this.sp_manager !== null) {
      if (!o.spFine) this.layers = new nn.ModuleList([...this.layers].map((l) => (this.sp_manager as Manager).addPropagator(l) as Module));
      this.layer_out = this.sp_manager.addPropagator(this.layer_out, sigprop.propagators.Identity) as Module;
    }
  }
  override forward(x: unknown): unknown {
    if (this.sp_manager !== null) x = sigprop.propagators.functional.forward(x as sigprop.Packet, flatten);
    else x = flatten(x as Tensor);
    for (const layer of this.layers) x = layer.forward(x);
    return this.layer_out.forward(x);
  }
}

export type VggName = 'vgg6' | 'vgg8' | 'vgg11';

/**
 * VGGn: conv blocks (3x3, or 7x7 stride 2 first when the input is larger than 64) and 2x2 max
 * pools per the configuration, channels times featMult, then a Net classifier on the flattened
 * features (--num-layers > 0) or one Linear layer. With a manager: every conv block learns on
 * its own (or each layer of each block with --sp-fine), the pools are Fixed.
 */
export class VGGn extends nn.Module {
  static readonly cfgs: Readonly<Record<VggName, readonly (number | 'M' | 'A')[]>> = {
    vgg6: [128, 'M', 256, 'M', 512, 'M', 512, 'M'],
    vgg8: [128, 256, 'M', 256, 512, 'M', 512, 'M', 512, 'M'],
    vgg11: [128, 128, 128, 256, 'M', 256, 512, 'M', 512, 512, 'M', 512, 'M'],
  };
  declare sp_manager: Manager | null;
  declare cfg: readonly (number | 'M' | 'A')[];
  declare input_dim: number;
  declare input_ch: number;
  declare num_classes: number;
  declare features: nn.Sequential;
  declare output_dim: number;
  declare output_ch: number;
  declare classifier: Module;
  declare private numLayers: number;
  constructor(o: ModelOptions, vggName: VggName, inputDim: number, inputCh: number, numClasses: number, featMult = 1, spManager: Manager | null = null) {
    super();
    const cfg = VGGn.cfgs[vggName];
    if (cfg === undefined) throw new RangeError(`VGGn: unknown model '${vggName}' (vgg6, vgg8 or vgg11)`);
    this.sp_manager = spManager;
    this.cfg = cfg;
    this.input_dim = inputDim;
    this.input_ch = inputCh;
    this.num_classes = numClasses;
    Object.defineProperty(this, 'numLayers', { value: o.numLayers, enumerable: false });
    const [features, outputDim] = this.makeLayers(o, cfg, inputCh, inputDim, featMult, o.spFine ? spManager : null);
    this.features = features;
    this.output_dim = outputDim;
    let outputCh = 0;
    for (const layer of cfg) if (typeof layer === 'number') outputCh = layer;
    this.output_ch = pyInt(outputCh * featMult);
    if (o.numLayers > 0) {
      this.classifier = new Net(o, o.numLayers, o.numHidden, this.output_dim, this.output_ch, numClasses, this.sp_manager);
    } else {
      this.classifier = new nn.Linear(this.output_dim * this.output_dim * this.output_ch, numClasses, o.bias);
      if (this.sp_manager !== null) this.classifier = this.sp_manager.addPropagator(this.classifier, sigprop.propagators.Identity) as Module;
    }
  }
  forwardBody(x: unknown): unknown {
    for (const layer of this.features) x = layer.forward(x);
    return x;
  }
  forwardHead(x: unknown): unknown {
    if (this.numLayers > 0) return this.classifier.forward(x);
    if (this.sp_manager !== null) x = sigprop.propagators.functional.forward(x as sigprop.Packet, flatten);
    else x = flatten(x as Tensor);
    return this.classifier.forward(x);
  }
  override forward(x: unknown): unknown {
    return this.forwardHead(this.forwardBody(x));
  }
  private makeLayers(o: ModelOptions, cfg: readonly (number | 'M' | 'A')[], inputCh: number, inputDim: number, featMult: number, spManager: Manager | null): [nn.Sequential, number] {
    const layers: Module[] = [];
    let firstLayer = true;
    let scaler = 1;
    for (const item of cfg) {
      if (item === 'M') {
        layers.push(new nn.MaxPool2d(2, 2));
        scaler *= 2;
      } else if (item === 'A') {
        layers.push(new nn.AvgPool2d(2, 2));
        scaler *= 2;
      } else {
        const ch = pyInt(item * featMult);
        if (firstLayer && inputDim > 64) {
          scaler = 2;
          layers.push(new BlockConv(o, inputCh, ch, 7, 2, 3, { spManager }));
        } else {
          layers.push(new BlockConv(o, inputCh, ch, 3, 1, 1, { spManager }));
        }
        inputCh = ch;
        firstLayer = false;
      }
      if (this.sp_manager !== null) {
        if (typeof item === 'number') {
          if (!o.spFine) layers[layers.length - 1] = this.sp_manager.addPropagator(layers[layers.length - 1]) as Module;
        } else {
          layers[layers.length - 1] = this.sp_manager.addPropagator(layers[layers.length - 1], sigprop.propagators.Fixed) as Module;
        }
      }
    }
    return [new nn.Sequential(...layers), Math.floor(inputDim / scaler)];
  }
}

/**
 * ModelWrapper(model, sigprop): forward(x, y) is model.forward([x, y]) for a sigprop model (the
 * labels are the signal's context), model.forward(x) otherwise. parameters() is the model's own
 * parameters() (for a sigprop model: those the global loss trains).
 */
export class ModelWrapper extends nn.Module {
  declare model: Module;
  declare private sigprop: boolean;
  constructor(model: Module, isSigprop: boolean) {
    super();
    this.model = model;
    Object.defineProperty(this, 'sigprop', { value: isSigprop, enumerable: false });
  }
  override parameters(): Tensor[] {
    return this.model.parameters();
  }
  override forward(x: Tensor, yOnehot: Tensor | null = null): Tensor {
    if (this.sigprop) return this.model.forward([x, yOnehot]) as Tensor;
    return this.model.forward(x) as Tensor;
  }
}

// ---- building ----------------------------------------------------------------------------------------------------------

export interface DatasetInfoLike {
  inputDim: number;
  inputCh: number;
  numClasses: number;
}

/** build_model: Net or VGGn for --model; with a manager, the model is set on it (models.Forward). */
export function buildModel(a: ExampleArgs, info: DatasetInfoLike, spManager: Manager | null, inputCh: number | null = null): Module {
  const o = modelOptions(a);
  const ch = inputCh ?? info.inputCh;
  let model: Module;
  if (a.model === 'mlp') model = new Net(o, a.numLayers, a.numHidden, info.inputDim, ch, info.numClasses, spManager);
  else if (a.model.startsWith('vgg')) model = new VGGn(o, a.model as VggName, info.inputDim, ch, info.numClasses, a.featMult, spManager);
  else throw new RangeError(`No valid model defined: '${a.model}' (mlp, vgg6, vgg8, vgg11)`);
  if (spManager !== null) model = spManager.setModel(model) as Module;
  return model;
}

/** build_optimizer: SGD (with --momentum) or Adam / AMSGrad over the module's parameters; null when it has none. */
export function buildOptimizer(a: ExampleArgs, module: Module, lr: number | null = null, weightDecay: number | null = null): optim.Optimizer | null {
  const rate = lr ?? a.lr;
  const wd = weightDecay ?? a.weightDecay;
  const p = module.parameters();
  if (p.length === 0) return null;
  if (a.optim === 'sgd') return new optim.SGD(p, { lr: rate, weightDecay: wd, momentum: a.momentum });
  if (a.optim === 'adam' || a.optim === 'amsgrad') return new optim.Adam(p, { lr: rate, weightDecay: wd, amsgrad: a.optim === 'amsgrad' });
  throw new RangeError(`Unknown optimizer: '${a.optim}'`);
}

const numel = (shape: readonly number[]): number => sigprop.utils.shapeNumel([...shape]);

/** signal_modules_fp: one Linear from the label vector to the signal. */
export function signalModulesFp(inputShape: readonly number[], outputShape: readonly number[], bias = false): Module {
  return new nn.Linear(pyInt(numel(inputShape)), pyInt(numel(outputShape)), bias);
}

/** signal_modules_lp: Linear, LayerNorm, ReLU. */
export function signalModulesLp(inputShape: readonly number[], outputShape: readonly number[], bias = false): Module {
  return new nn.Sequential(new nn.Linear(pyInt(numel(inputShape)), pyInt(numel(outputShape)), bias), new nn.LayerNorm(numel(outputShape)), new nn.ReLU());
}

/**
 * signal_modules_lpi: the context (label) module Linear → LayerNorm → ReLU, and the input module
 * Conv2d(inputCh, outputShape[0], 3, 1, 1) → BatchNorm2d → ReLU. The original hard-codes 3 input
 * channels, so its sigprop examples fail on MNIST and Fashion-MNIST; here inputCh is the dataset's.
 */
export function signalModulesLpi(inputShape: readonly number[], outputShape: readonly number[], bias = false, inputCh = 3): [Module, Module] {
  const context = new nn.Sequential(new nn.Linear(pyInt(numel(inputShape)), pyInt(numel(outputShape)), bias), new nn.LayerNorm(numel(outputShape)), new nn.ReLU());
  const input = new nn.Sequential(new nn.Conv2d(inputCh, outputShape[0], 3, 1, 1, { bias }), new nn.BatchNorm2d(outputShape[0]), new nn.ReLU());
  return [context, input];
}

/** count_parameters: the parameters the global loss trains (model.parameters(), requiring grad). */
export function countParameters(model: Module): number {
  let n = 0;
  for (const p of model.parameters()) if (p.requiresGrad) n += p.numel();
  return n;
}

/** Every parameter of the module and its submodules (also those the learning propagators hide from parameters()). */
export function countAllParameters(model: Module): number {
  let n = 0;
  for (const [, p] of model.namedParameters()) n += p.numel();
  return n;
}

export interface SigpropSetup {
  manager: sigprop.managers.Preset;
  monitorMain: sigprop.monitors.Group;
  signal: Module;
  /** the network's input channels (the signal's output channels) */
  inputCh: number;
}

/**
 * The sigprop part of ex2 / ex4's main(): a Preset manager (models.Forward, propagators.Loss,
 * propagators.signals.Loss, buildOptimizer; LabelMetrics monitors in a Group), the signal
 * LabelNumberToOnehot → ProjectionContextInput(signalModulesLpi) with signalCh channels at the
 * input's size, and the loss for every layer: v14 (ex2) or v15 with topk 6 (ex4).
 *
 * ex2 in the original uses a monitor group it never defines (a NameError); here both examples
 * have the monitors.
 */
export function buildSigprop(example: 'ex2' | 'ex4', a: ExampleArgs, info: DatasetInfoLike): SigpropSetup {
  const monitorMain = new sigprop.monitors.Group();
  const manager = new sigprop.managers.Preset(
    sigprop.models.Forward, sigprop.propagators.Loss, sigprop.propagators.signals.Loss,
    (m: Module) => buildOptimizer(a, m),
    sigprop.monitors.loss.LabelMetrics, monitorMain,
  );
  const inputShape = [info.numClasses];
  const inputCh = a.signalCh;
  const outputShape = [inputCh, info.inputDim, info.inputDim];
  const [context, input] = signalModulesLpi(inputShape, outputShape, false, info.inputCh);
  let spSignal: Module = new sigprop.signals.ProjectionContextInput(context, input, inputShape, outputShape);
  spSignal = new nn.Sequential(new sigprop.signals.LabelNumberToOnehot(info.numClasses), spSignal);
  const loss = example === 'ex2' ? sigprop.loss.v14InputTargetMaxRand : sigprop.loss.v15InputTargetTopk(6);
  manager.configPropagator({ loss });
  const signal = manager.setSignal(spSignal, { loss });
  return { manager, monitorMain, signal, inputCh };
}
