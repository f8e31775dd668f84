/**
 * --distributed for the examples' CLI: the run joins the torch.distributed group that sigprop-run
 * (or torchrun's environment) describes, each rank trains on its DistributedSampler share of the
 * training set, every optimizer (the global one and each learning layer's) averages its gradients
 * over the ranks before its step, rank 0's initial weights are broadcast, and only rank 0 saves.
 */
import * as torch from '../torch';
import * as sigprop from '../sigprop';
import { DistributedSampler } from '../data';
import type { Dataset } from '../data';
import type { Built } from './runner';

export interface DistRun {
  rank: number;
  worldSize: number;
  sampler: DistributedSampler;
}

/** Joins the group (env://: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT); Gloo on CPU, NCCL on CUDA. */
export function joinGroup(device: string): { rank: number; worldSize: number } {
  const dist = torch.distributed;
  if (!dist.isInitialized()) dist.initProcessGroup({ backend: device === 'cpu' || !dist.isNcclAvailable() ? 'gloo' : 'nccl' });
  return { rank: dist.getRank(), worldSize: dist.getWorldSize() };
}

/** This rank's share of the training set, shuffled with the run's seed (setEpoch before each epoch). */
export function trainSampler(train: Dataset<unknown>, seed: number): DistributedSampler {
  return new DistributedSampler(train, { seed });
}

/** Rank 0's weights everywhere, and every optimizer averaging its gradients over the ranks. */
export function makeDataParallel(b: Built): void {
  sigprop.parallel.broadcastStates(b.wrapper);
  if (b.globalOptimizer) b.globalOptimizer = sigprop.parallel.dataParallelOptimizer(b.globalOptimizer);
  for (const [, m] of b.wrapper.namedModules()) {
    if (m instanceof sigprop.propagators.Loss || m instanceof sigprop.propagators.signals.Loss) {
      if (m.optimizer) m.optimizer = sigprop.parallel.dataParallelOptimizer(m.optimizer);
    }
  }
  b.localOptimizers = b.localOptimizers.map(([name, o]) => [name, sigprop.parallel.dataParallelOptimizer(o)]);
}

/** Rank 0's buffers (running statistics) everywhere, so that every rank tests the same model. */
export function syncBuffers(b: Built): void {
  sigprop.parallel.broadcastStates(b.wrapper, { buffersOnly: true });
}

export function leaveGroup(): void {
  if (torch.distributed.isInitialized()) torch.distributed.destroyProcessGroup();
}
