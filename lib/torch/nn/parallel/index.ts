/** nn.parallel: DistributedDataParallel over torch.distributed. */
export { DistributedDataParallel, bucketAssignment } from './distributed';
export type { DistributedDataParallelOptions } from './distributed';
