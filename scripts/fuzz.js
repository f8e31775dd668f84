#!/usr/bin/env node
'use strict';
// The long fuzz run for developers: `npm run fuzz -- --minutes N [--runs R] [--only PREFIX] [--seed S]`.
// Runs batches of test/fuzz/run.js in child processes with fresh seeds until the time is up, and
// prints each failure (a crash, a hang, a bad error, a leak) with the command that replays it.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const argv = process.argv.slice(2);
const opt = (name, d) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : d);
const minutes = Number(opt('--minutes', 5));
const runs = Number(opt('--runs', 500));
const only = opt('--only', null);
let seed = Number(opt('--seed', Date.now() % 1e9));
const end = Date.now() + minutes * 60_000;
const run = path.join(__dirname, '..', 'test', 'fuzz', 'run.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigprop-fuzz-'));
let calls = 0, batches = 0, failures = 0;
const t0 = Date.now();
while (Date.now() < end) {
  const progress = path.join(dir, `p${seed}`);
  const args = [run, '--seed', String(seed), '--runs', String(runs), '--progress', progress, ...(only ? ['--only', only] : [])];
  // 6 GiB data limit: a huge generated tensor is an OutOfMemoryError rather than the OOM killer (see test/fuzz.test.ts)
  const r = spawnSync('bash', ['-c', 'ulimit -d 6291456 && exec "$0" "$@"', process.execPath, ...args], { encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 26, env: { ...process.env, OMP_NUM_THREADS: '1' } });
  batches++;
  const line = (r.stdout || '').trim().split('\n').pop() || '';
  if (r.signal || (r.status !== 0 && r.status !== 1)) {
    failures++;
    const last = fs.existsSync(progress) ? fs.readFileSync(progress, 'utf8').trim().split('\n').pop() : '?';
    console.log(`seed ${seed}: the batch ${r.signal ? `died of ${r.signal}` : `exited ${r.status}`} during call ${last}`);
  } else {
    let res = null;
    try { res = JSON.parse(line); } catch { /* reported below */ }
    if (!res) { failures++; console.log(`seed ${seed}: no result: ${(r.stderr || '').slice(-500)}`); }
    else {
      calls += res.runs;
      if (res.failure) {
        failures++;
        console.log(`seed ${seed}: ${res.failure.error}\n  node test/fuzz/run.js --replay '${JSON.stringify(res.failure.call)}'`);
      }
    }
  }
  seed++;
}
const s = (Date.now() - t0) / 1000;
console.log(`${calls} calls in ${batches} batches, ${s.toFixed(0)} s (${(calls / s).toFixed(0)} calls/s), ${failures} failing batch(es)`);
process.exitCode = failures ? 1 : 0;
