// Operator calls bind by argument name: every ATen operator the library calls resolves on the loaded
// libtorch with the argument names its call sites pass (lib/torch/op-schemas.ts, libtorch 1.13's
// schemas), and the schema changes between versions are listed.
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { N } from '../lib/torch/native';
import { registeredOps, opKey } from '../lib/torch/ops';
import { OP_ARGS } from '../lib/torch/op-schemas';
import { TORCH_VERSION } from '../lib/torch/version';

const root = path.join(__dirname, '..');

/** Loads every module of lib/, so that every op() has registered. */
function loadAll(dir: string): void {
  for (const f of fs.readdirSync(dir)) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isDirectory()) loadAll(p);
    else if (f.endsWith('.ts')) require(p);
  }
}
loadAll(path.join(root, 'lib'));

test('every operator the library calls has its argument names in lib/torch/op-schemas.ts', () => {
  const missing = registeredOps().map((o) => opKey(o.name, o.overload)).filter((k) => !OP_ARGS[k]);
  // If this fails: node scripts/gen-op-schemas.js (with each libtorch version an operator exists in).
  expect(missing).toEqual([]);
  expect(registeredOps().length).toBeGreaterThan(250);
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/gen-op-schemas.js'), '--check'], { encoding: 'utf8', cwd: root });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

test(`every operator resolves on libtorch ${TORCH_VERSION.major}.${TORCH_VERSION.minor}, bound by name (none missing, none with a new required argument)`, () => {
  const failures: string[] = [];
  const changed: string[] = [];
  const seen = new Set<string>();
  for (const o of registeredOps()) {
    const key = opKey(o.name, o.overload);
    if (seen.has(key) || o.since > TORCH_VERSION.major) continue;
    seen.add(key);
    try {
      N.opHandle('aten::' + o.name, o.overload, OP_ARGS[key]);
      const here = N.opSchema('aten::' + o.name, o.overload).map((a) => a[0]);
      if (here.join() !== OP_ARGS[key].join()) changed.push(`${key}: (${OP_ARGS[key].join(', ')}) -> (${here.join(', ')})`);
    } catch (e) {
      failures.push(`${key}: ${(e as Error).message}`);
    }
  }
  expect(failures).toEqual([]);
  if (changed.length) console.log(`schemas that differ from the bindings' and are bound by name here:\n  ${changed.join('\n  ')}`);
});

test('a call binds by name: an argument the loaded schema has moved or added never takes another one\'s value', () => {
  // sum.dim_IntList(self, dim, keepdim, dtype) bound as if its call sites passed (self, keepdim, dim):
  const h = N.opHandle('aten::sum', 'dim_IntList', ['self', 'keepdim', 'dim']);
  const x = N.fromBuffer(new Float32Array([1, 2, 3, 4]), [2, 2], 6, 6, null, false);
  const r = N.call(h, [x, true, [1]]) as number;
  expect(N.shape(r)).toEqual([2, 1]);
  expect(Array.from(new Float32Array(N.toBuffer(r)))).toEqual([3, 7]);
  expect(() => N.opHandle('aten::sum', 'dim_IntList', ['self', 'axis'])).toThrow(/has no argument 'axis' \(bound for \(self, axis\); this libtorch's schema is \(self, dim, keepdim, dtype\)\)/);
  expect(() => N.opHandle('aten::narrow', '', ['self', 'dim', 'start'])).toThrow(/has a new required argument 'length'/);
  expect(() => N.call(h, [x, true, [1], 6])).toThrow(/takes at most 3 arguments \(4 given\)/);
  N.free(x);
  N.free(r);
});
