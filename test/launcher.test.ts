// bin/sigprop-run.js (torchrun's flags): the environment each rank gets, a real 2- and 3-rank
// all-reduce through it, exit codes (all ranks fine: 0; one rank fails: its code, the others
// stopped; a bad flag: 2; a command that does not exist: 127), forwarded SIGTERM / SIGINT.
import { spawn, spawnSync } from 'child_process';
import * as path from 'path';
import { freePort } from './helpers/ports';

const RUN = path.join(__dirname, '..', 'bin', 'sigprop-run.js');
const RANK = path.join(__dirname, 'fixtures', 'launch-rank.js');

function launch(args: string[], onLine?: (line: string, kill: (s: NodeJS.Signals) => void) => void): Promise<{ code: number | null; out: string; err: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    // detached: its own session, as a launcher started from a shell is (in the test runner's session,
    // stopping it took down the test runner's whole process group with SIGTERM on some machines)
    const p = spawn(process.execPath, [RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '', err = '', buf = '';
    p.stdout.on('data', (d) => {
      out += d;
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        onLine?.(line, (s) => p.kill(s));
      }
    });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => resolve({ code, out, err, ms: Date.now() - t0 }));
  });
}

const envs = (out: string) => out.split('\n').filter((l) => l.startsWith('ENV ')).map((l) => JSON.parse(l.slice(4))).sort((a, b) => a.RANK - b.RANK);

test('each rank gets the torchrun environment; a .js command runs with this Node; all fine -> 0', async () => {
  const r = await launch(['--nproc-per-node', '3', '--nnodes', '2', '--node-rank', '1', '--master-addr', '10.1.2.3', '--master-port=1234', RANK, 'ok', '--flag', 'x']);
  expect(r.code).toBe(0);
  expect(envs(r.out)).toEqual([3, 4, 5].map((rank) => ({
    RANK: String(rank), LOCAL_RANK: String(rank - 3), WORLD_SIZE: '6', LOCAL_WORLD_SIZE: '3', GROUP_RANK: '1',
    MASTER_ADDR: '10.1.2.3', MASTER_PORT: '1234', OMP_NUM_THREADS: expect.any(String), args: ['--flag', 'x'],
  })));
});

test.each([2, 3])('a real job: %i ranks all-reduce through the launcher', async (n) => {
  const port = await freePort();
  const r = await launch(['--nproc-per-node', String(n), '--master-port', String(port), RANK, 'allreduce']);
  expect(r.code).toBe(0);
  const sums = r.out.split('\n').filter((l) => l.startsWith('SUM ')).map((l) => Number(l.split(' ')[2]));
  expect(sums).toEqual(Array(n).fill((n * (n + 1)) / 2));
}, 60000);

test('--standalone picks a free port', async () => {
  const r = await launch(['--standalone', '--nproc-per-node', '2', RANK, 'allreduce']);
  expect(r.code).toBe(0);
  expect(envs(r.out)[0].MASTER_PORT).not.toBe('29500');
}, 60000);

test('a rank that fails stops the others; the exit code is that rank\'s', async () => {
  const r = await launch(['--nproc-per-node', '3', RANK, 'fail:1:7']);
  expect(r.code).toBe(7);
  expect(r.err).toMatch(/rank 1 exited with code 7; the other ranks were stopped/);
  const got = r.out.split('\n').filter((l) => l.startsWith('GOT SIGTERM')).map((l) => Number(l.split(' ')[2])).sort();
  expect(got).toEqual([0, 2]);
  expect(r.ms).toBeLessThan(8000);
});

test('a rank that ignores SIGTERM is killed after --kill-timeout', async () => {
  const script = "process.on('SIGTERM', () => {}); if (process.env.RANK === '0') setTimeout(() => process.exit(5), 200); else setInterval(() => {}, 1000);";
  const file = path.join(require('os').tmpdir(), `sigprop-run-stubborn-${process.pid}.js`);
  require('fs').writeFileSync(file, script);
  const r = await launch(['--nproc-per-node', '2', '--kill-timeout', '1', file]);
  require('fs').unlinkSync(file);
  expect(r.code).toBe(5);
  expect(r.ms).toBeLessThan(6000);
});

test.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('%s is forwarded to every rank; exit %i', async (sig, code) => {
  let waiting = 0;
  const r = await launch(['--nproc-per-node', '2', RANK, 'wait'], (line, kill) => {
    if (line.startsWith('WAITING') && ++waiting === 2) kill(sig);
  });
  expect(r.code).toBe(code);
  const got = r.out.split('\n').filter((l) => l.startsWith(`GOT ${sig}`)).map((l) => Number(l.split(' ')[2])).sort();
  expect(got).toEqual([0, 1]);
});

test('usage errors exit 2; a missing command exits 127', () => {
  for (const args of [['--bogus', '1', 'x'], [], ['--nproc-per-node', 'two', 'x'], ['--nnodes', '2', '--node-rank', '2', 'x'], ['--standalone', '--nnodes', '2', 'x']]) {
    const r = spawnSync(process.execPath, [RUN, ...args], { encoding: 'utf8', detached: true });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^sigprop-run: .*\nusage: sigprop-run/);
  }
  const r = spawnSync(process.execPath, [RUN, '--nproc-per-node', '2', 'sigprop-no-such-command-xyz'], { encoding: 'utf8', detached: true });
  expect(r.status).toBe(127);
  expect(r.stderr).toMatch(/could not start rank 0 \(sigprop-no-such-command-xyz\)/);
});

test('sigprop-run --nproc-per-node 2 sigprop-examples ex4 --sigprop --distributed: trains, the ranks test the same model, rank 0 saves', async () => {
  const saveDir = require('fs').mkdtempSync(path.join(require('os').tmpdir(), 'sigprop-dist-'));
  const EX = path.join(__dirname, '..', 'bin', 'sigprop-examples.js');
  const r = await launch(['--standalone', '--nproc-per-node', '2', EX, 'ex4', '--sigprop', '--dataset', 'FashionMNIST', '--model', 'mlp', '--num-hidden', '32',
    '--signal-ch', '2', '--batch-size', '32', '--test-steps', '2', '--epochs', '1', '--steps', '3', '--json', '--progress', 'none', '--distributed', '--save-dir', saveDir]);
  expect(r.code).toBe(0);
  const events = r.out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const tests = events.filter((e) => e.event === 'test');
  expect(tests.length).toBe(2);
  expect(tests[1].loss).toBe(tests[0].loss);
  expect(tests[1].monitors).toEqual(tests[0].monitors);
  const trains = events.filter((e) => e.event === 'train');
  expect(trains.map((e) => e.count)).toEqual([96, 96]); // each rank: 3 steps of 32 of its own share
  expect(events.filter((e) => e.event === 'checkpoint').length).toBe(1);
  require('fs').rmSync(saveDir, { recursive: true, force: true });
}, 180000);
