/** sigprop.pipeline: layer-parallel sigprop training, one stage per worker_threads Worker, bit-identical to sequential training (docs/pipeline.md). */
export { createPipeline, Pipeline, PipelineError } from './pipeline';
export type { PipelineOptions, PipelineState, PipelineStateInput, StepResult, MonitorState, UnitInfo } from './pipeline';
export type { PipelineModel } from './stage';
export { chainOf, stageStarts, registerChain, moduleUnit, functionUnit, networkUnits } from './chain';
export type { Unit, ChainProvider } from './chain';
export { partition } from './balance';
export type { Partition } from './balance';
