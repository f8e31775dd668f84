// The package as users meet it: exports, self-reference, ESM, types, the doctor, the shipped binary, load errors.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const node = (args: string[], env: Record<string, string> = {}, cwd = root) =>
  spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } });

describe('package exports', () => {
  test("require('sigprop/torch') works from the package folder (self-reference)", () => {
    const r = node(['-e', "const torch = require('sigprop/torch'); console.log(torch.tensor([1, 2]).add(1).tolist().join(','))"]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('2,3');
  });

  test("import * as torch from 'sigprop/torch' works (ESM)", () => {
    const r = node(['--input-type=module', '-e', "import * as torch from 'sigprop/torch'; import * as sp from 'sigprop'; console.log(String(torch.ones(2)), typeof sp.torch.zeros)"]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('tensor([1., 1.]) function');
  });

  test('ships .d.ts types for every entry point', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    for (const entry of ['.', './torch', './torch/nn', './torch/optim', './data', './serve']) {
      const types = pkg.exports[entry].types as string;
      expect(fs.existsSync(path.join(root, types))).toBe(true);
    }
    const dts = fs.readFileSync(path.join(root, 'dist/torch/tensor.d.ts'), 'utf8');
    expect(dts).toMatch(/export declare class Tensor/);
    expect(dts).toMatch(/backward\(/);
  });

  test("import * as sigprop from 'sigprop' gives the sigprop API and sigprop.torch; require('sigprop/data') works", () => {
    const r = node(['-e', "const sp = require('sigprop'); const d = require('sigprop/data'); console.log(typeof sp.propagators.Loss, typeof sp.managers.Preset, typeof sp.torch.tensor, sp.data === d || typeof d.DataLoader)"]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function function function true');
  });
});

describe('doctor', () => {
  test('reports version, addon, libtorch, CUDA and threads', () => {
    const r = node([path.join(root, 'bin/sigprop.js'), 'doctor', '--json']);
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.package).toBe(require('../package.json').version);
    expect(info.libtorchVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(fs.existsSync(info.libtorchPath)).toBe(true);
    expect(fs.existsSync(info.addon)).toBe(true);
    expect(typeof info.cudaAvailable).toBe('boolean');
    expect(info.threads).toBeGreaterThanOrEqual(1);
    const text = node([path.join(root, 'bin/sigprop.js'), 'doctor']);
    expect(text.stdout).toMatch(/libtorch\s+\d+\.\d+/);
    expect(text.stdout).toMatch(/CUDA\s+/);
  });
});

describe('shipped binary (prebuilds/)', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'prebuilds/linux-x64/manifest.json'), 'utf8'));
  const prebuild = path.join(root, 'prebuilds/linux-x64', manifest.find((e: { cuda: string | null }) => e.cuda === null).file);
  const { sourceHash } = require('../scripts/source-hash.js');

  test('exists for linux-x64 and was built from the current native sources', () => {
    expect(fs.existsSync(prebuild)).toBe(true);
    const r = node(['-e', "const t = require('./dist/torch'); console.log(t.buildInfo().sourceHash, t.buildInfo().addonPath)"], { SIGPROP_ADDON: prebuild });
    expect(r.stderr).toBe('');
    const [hash, loaded] = r.stdout.trim().split(' ');
    expect(loaded).toBe(prebuild);
    // If this fails, native/ changed without rebuilding the prebuild: run `npm run build:prebuild` and commit prebuilds/.
    expect(hash).toBe(sourceHash(root));
  });

  test('every shipped binary (CUDA ones too, which need their libtorch to load) was built from the current native sources', () => {
    for (const e of manifest as { file: string }[]) {
      const bytes = fs.readFileSync(path.join(root, 'prebuilds/linux-x64', e.file)).toString('latin1');
      const m = /sigprop-source-hash:([0-9a-f]{64})/.exec(bytes);
      // If this fails, native/ changed without rebuilding that binary: `npm run build:prebuild` with its libtorch (docs/design.md).
      expect([e.file, m?.[1]]).toEqual([e.file, sourceHash(root)]);
    }
  });

  test('computes correctly', () => {
    const r = node(['-e', "const t = require('./dist/torch'); t.manualSeed(0); console.log(t.randn(3).mul(2).sum().item().toFixed(4))"], { SIGPROP_ADDON: prebuild });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('-1.8624');
  });
});

describe('load errors', () => {
  test('the addon loads in a worker_threads Worker too (each thread has its own tensor table)', () => {
    const code = "const { Worker } = require('worker_threads'); const t = require('./dist/torch'); " +
      "const w = new Worker(\"const t = require('./dist/torch'); const g = new t.Generator().manualSeed(0); " +
      "require('worker_threads').parentPort.postMessage([t.randn(3, { generator: g }).mul(2).sum().item().toFixed(4), t.memory().numTensors])\", { eval: true }); " +
      "w.on('message', (m) => console.log(m.join(' '))); w.on('exit', (c) => console.log('exit ' + c + ' ' + t.memory().numTensors));";
    const r = node(['-e', code]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('-1.8624 3\nexit 0 0\n');
  });

  test('an addon file that cannot be loaded gives the path, the cause and the fix', () => {
    const bogus = path.join(os.tmpdir(), `sigprop-bogus-${process.pid}.node`);
    fs.writeFileSync(bogus, 'not an ELF file');
    try {
      const r = node(['-e', "require('./dist/torch')"], { SIGPROP_ADDON: bogus });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(bogus);
      expect(r.stderr).toMatch(/could not be loaded/);
      expect(r.stderr).toMatch(/apt-get install -y libtorch-dev cmake g\+\+ && npm rebuild sigprop/);
    } finally {
      fs.unlinkSync(bogus);
    }
  });

  test('no binary at all: the error lists where it looked and the command that fixes it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigprop-nobin-'));
    try {
      fs.cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
      fs.cpSync(path.join(root, 'scripts'), path.join(dir, 'scripts'), { recursive: true });
      fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
      fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
      const r = node(['-e', "require('./dist/torch')"], { SIGPROP_ADDON: '' }, dir);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/no native addon for linux-x64/);
      expect(r.stderr).toContain(path.join(dir, 'build/Release'));
      expect(r.stderr).toContain(path.join(dir, 'prebuilds/linux-x64'));
      expect(r.stderr).toMatch(/Shipped binaries .*:\n  \(none\)/);
      expect(r.stderr).toMatch(/npm rebuild sigprop/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('installed from a packed tarball', () => {
  const venv = path.join(root, '.venv-torch2');
  // A user's machine: `npm install sigprop-0.1.0.tgz` in a scratch project, a venv with pip's torch 2.14.1, no compiler on PATH.
  (fs.existsSync(path.join(venv, 'bin/python')) ? test : test.skip)('with a PyTorch 2.14 venv and no compiler, the CUDA binary loads with no build and the doctor reports it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigprop-pack-'));
    try {
      const npm = (args: string[], cwd: string, env: Record<string, string> = {}) =>
        spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error', ...env } });
      const packed = npm(['pack', '--pack-destination', dir, '--silent'], root);
      expect(packed.status).toBe(0);
      const tgz = path.join(dir, packed.stdout.trim().split('\n').pop()!);
      const app = path.join(dir, 'app');
      fs.mkdirSync(app);
      fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
      // only sh, node and npm on PATH: no cmake, c++ or make
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      for (const t of ['sh', 'node', 'npm', 'npx']) {
        const real = spawnSync('sh', ['-c', `command -v ${t}`], { encoding: 'utf8' }).stdout.trim();
        fs.symlinkSync(fs.realpathSync(real), path.join(bin, t));
      }
      const env = { PATH: bin, VIRTUAL_ENV: venv, SIGPROP_ADDON: '', LD_LIBRARY_PATH: '' };
      const inst = npm(['install', '--prefer-offline', '--no-audit', '--no-fund', tgz], app, env);
      expect(inst.stderr).not.toMatch(/ERR!/);
      expect(inst.status).toBe(0);
      expect(fs.existsSync(path.join(app, 'node_modules/sigprop/build'))).toBe(false); // nothing was compiled
      const doc = spawnSync(path.join(bin, 'npx'), ['sigprop', 'doctor'], { cwd: app, encoding: 'utf8', env: { ...process.env, ...env } });
      expect(doc.stderr).toBe('');
      expect(doc.status).toBe(0);
      expect(doc.stdout).toMatch(/addon\s+node_modules\/sigprop\/prebuilds\/linux-x64\/sigprop-torch-2\.14-cu130\.node/);
      expect(doc.stdout).toMatch(/libtorch\s+2\.14\.1 \(.*\.venv-torch2\/.*libtorch_cpu\.so\)/);
      expect(doc.stdout).toMatch(/CUDA\s+CUDA build, CUDA 13\.0: not available, device count 0 \(.+\)/);
      expect(doc.stdout).toMatch(/CPU\s+BLAS MKL \(in libtorch\); MKL yes; oneDNN yes/);
      expect(doc.stdout).toMatch(/threads\s+\d+ intra-op/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180000);
});
