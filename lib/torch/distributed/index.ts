/** torch.distributed on libtorch's c10d: process groups (Gloo; NCCL where libtorch has it), collectives, stores. */
export {
  initProcessGroup, destroyProcessGroup, newGroup, getRank, getWorldSize, getBackend, isInitialized, isAvailable,
  isGlooAvailable, isNcclAvailable, getDefaultStore, ProcessGroup, NON_GROUP_MEMBER, DEFAULT_TIMEOUT,
} from './group';
export type { Backend, Group, InitOptions, NewGroupOptions } from './group';
export {
  allReduce, broadcast, reduce, allGather, gather, scatter, reduceScatter, barrier, send, recv, isend, irecv, ReduceOp, Work,
} from './collectives';
export type { ReduceOpName, ReduceOptions, GatherOptions, ScatterOptions, P2POptions } from './collectives';
export { Store, TCPStore, PrefixStore } from './store';
export type { TCPStoreOptions } from './store';
export { DistError, DistBackendError, DistStoreError } from './errors';
