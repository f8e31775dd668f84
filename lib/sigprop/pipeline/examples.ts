/** The examples CLI in a pipeline (--pipeline-stages N): the stage factory that builds the examples' model, the chains of their Net and VGGn, and the runner's side (start from the main thread's model, steps, copy the state back). */
import * as torch from '../../torch';
import { Tensor } from '../../torch/tensor';
import type { Optimizer, OptimizerStateDict } from '../../torch/optim';
import * as propagators from '../propagators';
import type { Packet } from '../module';
import { Net, VGGn } from '../../examples/models';
import { buildAll, type Built } from '../../examples/runner';
import { fromPythonArgs, type ExampleName } from '../../examples/args';
import { registerChain, moduleUnit, functionUnit, networkUnits, Unit } from './chain';
import { createPipeline, compiledFile, Pipeline, StepResult } from './pipeline';
import type { PipelineModel } from './stage';

const flatten = (t: Tensor): Tensor => t.view(t.size(0), -1);
const flattenUnit = (name: string): Unit => functionUnit(name, (p: Packet) => propagators.functional.forward(p, flatten));

// Net.forward: flatten (with a manager), the blocks, the output layer
registerChain(Net, (net, at) => {
  const n = net as Net;
  const units: Unit[] = [flattenUnit(`${at}.flatten`)];
  [...n.layers].forEach((l, i) => units.push(...networkUnits(l, `${at}.layers.${i}`)));
  units.push(moduleUnit(n.layer_out, `${at}.layer_out`));
  return units;
});
// VGGn.forward: the feature blocks and pools, then the classifier (a Net, or flatten and one layer)
registerChain(VGGn, (vgg, at) => {
  const v = vgg as VGGn;
  const units: Unit[] = networkUnits(v.features, `${at}.features`);
  if (v.classifier instanceof Net) units.push(...networkUnits(v.classifier, `${at}.classifier`));
  else units.push(flattenUnit(`${at}.flatten`), moduleUnit(v.classifier, `${at}.classifier`));
  return units;
});

export interface ExamplesFactoryOptions {
  example: ExampleName;
  /** the flags in Python's form (toPythonArgs) */
  args: Record<string, unknown>;
  info: { inputDim: number; inputCh: number; numClasses: number };
}

/** The stage factory: the examples' sigprop model from the flags (the weights come from the main thread's model: createPipeline's state). */
export function examplesModel(o: ExamplesFactoryOptions): PipelineModel {
  const a = fromPythonArgs(o.args);
  torch.manualSeed(a.seed);
  const b = buildAll(o.example, a, o.info);
  return { model: b.model, optimizer: b.globalOptimizer, monitors: b.monitorMain };
}

/** The main thread's model and optimizers as a pipeline state (local optimizers by their path in the sigprop model). */
function stateOf(b: Built): { model: Record<string, Tensor>; optimizers: Record<string, OptimizerStateDict>; globalOptimizer: OptimizerStateDict | null } {
  const rel = (p: string): string => p.replace(/^model\./, '');
  return {
    model: b.model.stateDict(),
    optimizers: Object.fromEntries(b.localOptimizers.map(([n, o]) => [rel(n), o.stateDict()])),
    globalOptimizer: b.globalOptimizer ? b.globalOptimizer.stateDict() : null,
  };
}

/** The runner's pipeline: starts from the main thread's model, trains and tests in stages, copies the state back at epoch ends. */
export class ExamplesPipeline {
  private constructor(readonly pipe: Pipeline) {}

  static async start(example: ExampleName, args: Record<string, unknown>, info: ExamplesFactoryOptions['info'], b: Built, stages: number, sample: [Tensor, Tensor] | null, threads: number): Promise<ExamplesPipeline> {
    const state = torch.tidy(() => stateOf(b));
    try {
      const pipe = await createPipeline({
        module: compiledFile('examples.js'), export: 'examplesModel', options: { example, args, info } satisfies ExamplesFactoryOptions,
        stages, sample: stages > 1 && sample !== null ? sample : undefined, threads, state, seed: Number(args.seed ?? 0),
      });
      return new ExamplesPipeline(pipe);
    } finally {
      torch.dispose(state.model);
    }
  }

  get depth(): number {
    return this.pipe.depth;
  }

  /** A training batch (x and labels are disposed here: the stages hold their storage); resolves in order. */
  train(x: Tensor, y: Tensor): Promise<StepResult> {
    return this.submit(() => this.pipe.train(x, y), x, y);
  }
  test(x: Tensor, y: Tensor): Promise<StepResult> {
    return this.submit(() => this.pipe.evaluate(x, y), x, y);
  }
  private submit(f: () => Promise<StepResult>, x: Tensor, y: Tensor): Promise<StepResult> {
    try {
      const p = f();
      p.catch(() => undefined); // awaited in order by the runner; a failure is reported once, by the first
      return p;
    } finally {
      x.dispose();
      y.dispose();
    }
  }

  /** [loss, hits, count] of a result, its monitor numbers copied into the main thread's monitors. */
  static record(r: StepResult, monitorMain: { monitors: unknown[] } | null, pipe: ExamplesPipeline): [number, number, number] {
    pipe.pipe.applyMonitors(monitorMain, r.monitors);
    return [r.loss as number, r.correct as number, r.count];
  }

  resetMonitors(): Promise<void> {
    return this.pipe.resetMonitors();
  }

  /** Every stage's state after the batches given so far, loaded into the main thread's model and optimizers (for checkpoints). */
  async syncTo(b: Built): Promise<void> {
    const st = await this.pipe.state();
    try {
      b.model.loadStateDict(st.model);
      if (b.globalOptimizer && st.globalOptimizer) b.globalOptimizer.loadStateDict(st.globalOptimizer as OptimizerStateDict);
      for (const [n, o] of b.localOptimizers) {
        const sd = st.optimizers[n.replace(/^model\./, '')];
        if (sd !== undefined) (o as Optimizer).loadStateDict(sd as OptimizerStateDict);
      }
    } finally {
      torch.dispose(st);
    }
  }

  close(): Promise<void> {
    return this.pipe.close();
  }
}
