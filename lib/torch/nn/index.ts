/** torch.nn: modules, layers, containers, init, functional. */
export { Module, Parameter } from './module';
export type { StateDictOptions, LoadResult } from './module';
export { Sequential, ModuleList, ModuleDict } from './containers';
export * from './layers';
export * as init from './init';
export * as functional from './functional';
export * as parallel from './parallel';
