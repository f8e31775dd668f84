'use strict';
// What the fuzzer's calls do, for developers tuning it: runs N generated calls of one seed in this
// process and prints every failing call plus how many returned and how many threw (by error name).
//   node test/fuzz/stats.js [SEED] [N]
const fc = require('fast-check');
const { callArb } = require('./calls');
const { TARGETS, runCall } = require('./run');

const seed = Number(process.argv[2] || 7);
const n = Number(process.argv[3] || 3000);
const calls = fc.sample(callArb(Object.keys(TARGETS)), { seed, numRuns: n });
let returned = 0, failures = 0;
const threw = {};
const t0 = Date.now();
for (const c of calls) {
  const f = TARGETS[c.target];
  let err = null;
  TARGETS[c.target] = (...a) => {
    try {
      return f(...a);
    } catch (e) {
      err = e;
      throw e;
    }
  };
  try {
    runCall(c);
  } catch (e) {
    failures++;
    console.log('FAIL', c.target, String(e.message).slice(0, 300), JSON.stringify(c.args).slice(0, 300));
  }
  TARGETS[c.target] = f;
  if (err) threw[err.name] = (threw[err.name] || 0) + 1;
  else returned++;
}
console.log(JSON.stringify({ seed, calls: n, returned, threw, failures, ms: Date.now() - t0 }));
