/**
 * The property-based fuzz suite (test/fuzz/): seeded generated calls over the public API, in batches
 * of child processes, so that a crash or a hang fails a batch with the call that caused it instead
 * of taking jest down. Bounded to about a minute; `npm run fuzz -- --minutes N` runs longer
 * (scripts/fuzz.js). Every call must return or throw an Error subclass with a message of its own
 * (not a JS engine or libtorch internal one), leaving as many tensors alive as before it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const RUN = path.join(__dirname, 'fuzz', 'run.js');
const SEEDS = [1, 2, 3, 4, 5, 6];
const RUNS = Number(process.env.SIGPROP_FUZZ_RUNS || 400);

function batch(seed: number): { ok: boolean; report: string } {
  const progress = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sigprop-fuzz-')), 'progress');
  // a 6 GiB data limit: a generated multi-GB tensor is then an OutOfMemoryError, not the kernel's OOM killer
  // (Linux overcommits: an allocation that fits is killed when touched, in Python too)
  const r = spawnSync('bash', ['-c', 'ulimit -d 6291456 && exec "$0" "$@"', process.execPath, RUN, '--seed', String(seed), '--runs', String(RUNS), '--progress', progress],
    { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 26, env: { ...process.env, OMP_NUM_THREADS: '1' } });
  const last = fs.existsSync(progress) ? fs.readFileSync(progress, 'utf8').trim().split('\n').pop() : '';
  if (r.signal || (r.status !== 0 && r.status !== 1)) {
    return { ok: false, report: `seed ${seed}: the batch ${r.signal ? `died of ${r.signal}` : `exited ${r.status}`} (a timeout is SIGTERM) during call ${last}\n${r.stderr.slice(-2000)}` };
  }
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let res: { failure: unknown; runs: number };
  try {
    res = JSON.parse(line);
  } catch {
    return { ok: false, report: `seed ${seed}: no result line; stdout ${r.stdout.slice(-1000)} stderr ${r.stderr.slice(-2000)}` };
  }
  if (res.failure) return { ok: false, report: `seed ${seed}: ${JSON.stringify(res.failure)}\nreplay: node test/fuzz/run.js --replay '${JSON.stringify((res.failure as { call: unknown }).call)}'` };
  return { ok: res.runs === RUNS, report: `seed ${seed}: ${res.runs} calls` };
}

test.each(SEEDS)('fuzz batch, seed %d', (seed) => {
  const { ok, report } = batch(seed);
  if (!ok) throw new Error(report);
});
