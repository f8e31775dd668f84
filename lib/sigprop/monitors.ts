/**
 * sigprop.monitors: Monitor, Group, and (in monitors.loss) monitors that wrap a local loss to
 * record per-layer metrics without changing what the loss returns.
 */
export { Monitor, Group } from './monitor';
export type { MonitorLike } from './monitor';
export * as loss from './monitors-loss';
