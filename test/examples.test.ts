// The TypeScript examples (examples/*.ts, examples/tsconfig.json): they typecheck against the built
// package types (dist/, made by `npm run build:ts`), and the quick start trains a few steps on
// Fashion-MNIST and prints a test accuracy. The examples import 'sigprop' by the package's own name,
// so they are compiled to a folder inside the repository (under the git-ignored build/).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { haveFashion } from './helpers/fashion';

const root = path.resolve(__dirname, '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const run = (args: string[], timeout: number) =>
  spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout, env: { ...process.env } });

describe('examples', () => {
  test('examples/tsconfig.json typechecks (tsc --noEmit)', () => {
    const r = run([tsc, '-p', 'examples/tsconfig.json', '--noEmit'], 60000);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 70000);

  const testIf = haveFashion() ? test : test.skip;
  testIf('quickstart trains 3 steps on Fashion-MNIST and prints the test accuracy', () => {
    fs.mkdirSync(path.join(root, 'build'), { recursive: true });
    const outDir = fs.mkdtempSync(path.join(root, 'build', 'examples-test-'));
    try {
      const c = run([tsc, '-p', 'examples/tsconfig.json', '--outDir', outDir], 60000);
      expect(c.stdout + c.stderr).toBe('');
      expect(c.status).toBe(0);
      const r = run([path.join(outDir, 'quickstart.js'), '--channels', '8', '--steps', '3', '--batch-size', '32'], 60000);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^epoch 1 step 3: global loss \d+\.\d{4}/m);
      expect(r.stdout).toMatch(/^\[Sequential\] Acc: /m); // the monitors' per-layer metrics
      const m = /^test accuracy: (\d\.\d{4}) \((\d+)\/10000\)$/m.exec(r.stdout);
      expect(m).not.toBeNull();
      const [, acc, correct] = m as RegExpExecArray;
      expect(Number(acc)).toBeCloseTo(Number(correct) / 10000, 4);
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  }, 90000);
});
