/** Stage balancing: contiguous groups of units whose largest total time is the smallest, cut only where a stage may start. */

export interface Partition {
  /** the unit each stage after the first starts with */
  boundaries: number[];
  /** the summed unit times of each stage */
  stageTimes: number[];
}

/**
 * Splits units with the given times into `stages` contiguous groups, each group after the first
 * starting at one of `starts` (sorted unit indices), minimizing the slowest group (ties: the
 * earliest cuts).
 */
export function partition(times: readonly number[], starts: readonly number[], stages: number): Partition {
  const m = times.length;
  if (stages < 1) throw new RangeError(`pipeline: stages must be at least 1, got ${stages}`);
  if (starts.length < stages - 1) throw new RangeError(`pipeline: the model's chain has ${starts.length} place(s) where a stage may start, so at most ${starts.length + 1} stage(s), not ${stages}`);
  const pos = [0, ...starts, m];
  const prefix = [0];
  for (const t of times) prefix.push(prefix[prefix.length - 1] + t);
  const cost = (i: number, j: number): number => prefix[pos[j]] - prefix[pos[i]];
  const n = pos.length;
  // best[s][j]: the smallest max over s groups covering units [0, pos[j]); from[s][j]: the start of the last group
  const best: number[][] = Array.from({ length: stages + 1 }, () => new Array<number>(n).fill(Infinity));
  const from: number[][] = Array.from({ length: stages + 1 }, () => new Array<number>(n).fill(-1));
  best[0][0] = 0;
  for (let s = 1; s <= stages; s++) {
    for (let j = 1; j < n; j++) {
      for (let i = s - 1; i < j; i++) {
        if (best[s - 1][i] === Infinity) continue;
        const v = Math.max(best[s - 1][i], cost(i, j));
        if (v < best[s][j]) {
          best[s][j] = v;
          from[s][j] = i;
        }
      }
    }
  }
  const cuts: number[] = [];
  let j = n - 1;
  for (let s = stages; s >= 1; s--) {
    const i = from[s][j];
    cuts.unshift(i);
    j = i;
  }
  const boundaries = cuts.slice(1).map((i) => pos[i]);
  const edges = [0, ...boundaries, m];
  return { boundaries, stageTimes: edges.slice(1).map((e, k) => prefix[e] - prefix[edges[k]]) };
}
