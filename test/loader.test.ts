// Choosing the native binary: the selection logic for machines we do not have (CUDA PyTorch,
// LIBTORCH folders, nothing fitting), and the real loader on this machine.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { selectBinary, systemCandidate, envCandidate, noFitMessage, ManifestEntry, LibtorchCandidate } from '../lib/torch/loader';

const root = path.resolve(__dirname, '..');
const CPU: ManifestEntry = { file: 'sigprop-torch-1.13-cpu.node', torch: '1.13', cuda: null, libs: ['libc10.so.1.13', 'libtorch_cpu.so.1.13', 'libtorch.so.1.13'], builtWith: 'Debian' };
const CUDA: ManifestEntry = { file: 'sigprop-torch-2.11-cu130.node', torch: '2.11', cuda: '13.0', libs: ['libtorch_cuda.so', 'libc10.so', 'libtorch_cpu.so', 'libc10_cuda.so', 'libtorch.so'], builtWith: 'PyTorch 2.11' };
const fakeFs = (files: string[]) => ({ exists: (p: string) => files.some((f) => f === p || f.startsWith(p + '/')) });
const pytorch = (dir: string, version = '2.11.0', cuda: string | null = '13.0'): LibtorchCandidate => ({ source: `PyTorch ${version}`, libDirs: [dir], onLinkerPath: false, version, cuda });

describe('selectBinary', () => {
  const debian = ['/usr/lib/x86_64-linux-gnu/libc10.so.1.13', '/usr/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13', '/usr/lib/x86_64-linux-gnu/libtorch.so.1.13'];
  const pipDir = '/opt/venv/lib/python3.12/site-packages/torch/lib';
  const pip = ['libtorch_cuda.so', 'libc10.so', 'libtorch_cpu.so', 'libc10_cuda.so', 'libtorch.so'].map((l) => `${pipDir}/${l}`);

  test('Debian libtorch 1.13 on the linker path picks the CPU binary, nothing to preload', () => {
    const s = selectBinary([CUDA, CPU], [systemCandidate({})], fakeFs(debian));
    expect(s?.entry.file).toBe(CPU.file);
    expect(s?.preload).toEqual([]);
  });

  test('a CUDA PyTorch installation picks the CUDA binary and preloads its libraries, c10 first', () => {
    const s = selectBinary([CPU, CUDA], [systemCandidate({}), pytorch(pipDir)], fakeFs(pip));
    expect(s?.entry.file).toBe(CUDA.file);
    expect(s?.preload.map((p) => path.basename(p))).toEqual(['libc10.so', 'libc10_cuda.so', 'libtorch_cpu.so', 'libtorch_cuda.so', 'libtorch.so']);
  });

  test('candidates are tried in priority order (LIBTORCH before the system)', () => {
    const lt = '/opt/libtorch/lib';
    const files = [...debian, ...CPU.libs.map((l) => `${lt}/${l}`)];
    const s = selectBinary([CPU], [envCandidate({ LIBTORCH: '/opt/libtorch' })!, systemCandidate({})], fakeFs(files));
    expect(s?.candidate.source).toMatch(/LIBTORCH/);
    expect(s?.preload.every((p) => p.startsWith(lt))).toBe(true);
  });

  test('LD_LIBRARY_PATH folders count as the linker path', () => {
    const c = systemCandidate({ LD_LIBRARY_PATH: '/x/lib:/y/lib' });
    expect(c.libDirs.slice(0, 2)).toEqual(['/x/lib', '/y/lib']);
    const s = selectBinary([CPU], [c], fakeFs(CPU.libs.map((l) => `/y/lib/${l}`)));
    expect(s?.preload).toEqual([]);
  });

  test('a CPU-only PyTorch 2.x fits neither binary; a partial library set does not fit', () => {
    const cpuOnly = ['libc10.so', 'libtorch_cpu.so', 'libtorch.so'].map((l) => `${pipDir}/${l}`);
    expect(selectBinary([CPU, CUDA], [systemCandidate({}), pytorch(pipDir, '2.11.0', null)], fakeFs(cpuOnly))).toBeNull();
    expect(selectBinary([CPU], [systemCandidate({})], fakeFs(debian.slice(0, 2)))).toBeNull();
  });

  test('a binary fits only the libtorch major.minor it was built for, and a CUDA binary only the same CUDA major', () => {
    const v214 = { ...CUDA, file: 'sigprop-torch-2.14-cu130.node', torch: '2.14' };
    const cpu213: ManifestEntry = { file: 'sigprop-torch-2.13-cpu.node', torch: '2.13', cuda: null, libs: ['libc10.so', 'libtorch_cpu.so', 'libtorch.so'] };
    const pip214 = ['libtorch_cuda.so', 'libc10.so', 'libtorch_cpu.so', 'libc10_cuda.so', 'libtorch.so'].map((l) => `${pipDir}/${l}`);
    expect(selectBinary([CUDA, cpu213, v214], [pytorch(pipDir, '2.14.1', '13.0')], fakeFs(pip214))?.entry.file).toBe(v214.file);
    // libtorch 2.14 CPU has the 2.13 binary's library names, but not its ABI
    expect(selectBinary([cpu213], [pytorch(pipDir, '2.14.1', null)], fakeFs(pip214))).toBeNull();
    expect(selectBinary([v214], [pytorch(pipDir, '2.14.1', '12.8')], fakeFs(pip214))).toBeNull();
    // Debian's libtorch-dev puts unversioned names beside the versioned ones: of unknown version, only version-named binaries fit
    const debianDev = [...debian, ...['libc10.so', 'libtorch_cpu.so', 'libtorch.so'].map((l) => `/usr/lib/x86_64-linux-gnu/${l}`)];
    expect(selectBinary([cpu213, CPU], [systemCandidate({})], fakeFs(debianDev))?.entry.file).toBe(CPU.file);
  });

  test('the no-fit message lists the shipped binaries, where it looked, and the fix', () => {
    const cands = [systemCandidate({}), pytorch(pipDir, '2.11.0', null)];
    const msg = noFitMessage('/pkg/prebuilds/linux-x64', [CPU, CUDA], cands, fakeFs([`${pipDir}/libtorch_cpu.so`]));
    expect(msg).toContain('sigprop-torch-1.13-cpu.node: libtorch 1.13 CPU');
    expect(msg).toContain('sigprop-torch-2.11-cu130.node: libtorch 2.11 CUDA 13.0');
    expect(msg).toContain(`PyTorch 2.11.0: libtorch 2.11.0 (${pipDir}/libtorch_cpu.so)`);
    expect(msg).toMatch(/apt-get install -y libtorch1.13/);
    expect(msg).toMatch(/npm rebuild sigprop/);
  });
});

describe('the loader on this machine', () => {
  // A copy of the package without build/: only the shipped binaries can be loaded.
  function packageCopy(manifest?: ManifestEntry[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigprop-loader-'));
    fs.cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
    fs.cpSync(path.join(root, 'prebuilds'), path.join(dir, 'prebuilds'), { recursive: true });
    fs.cpSync(path.join(root, 'scripts'), path.join(dir, 'scripts'), { recursive: true });
    fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    if (manifest) fs.writeFileSync(path.join(dir, 'prebuilds/linux-x64/manifest.json'), JSON.stringify(manifest));
    return dir;
  }
  const run = (cwd: string, env: Record<string, string> = {}) => spawnSync(process.execPath, ['-e',
    "const t = require('./dist/torch'); console.log(t.buildInfo().addonPath, t.tensor([1, 2]).mul(3).sum().item())"],
  { cwd, encoding: 'utf8', env: { ...process.env, SIGPROP_ADDON: '', SIGPROP_PYTHON: '', SIGPROP_VENV: '', VIRTUAL_ENV: '', ...env } });

  test('without a local build, the shipped CPU binary is chosen for Debian libtorch 1.13 and works', () => {
    const dir = packageCopy();
    try {
      const r = run(dir);
      expect(r.stderr).toBe('');
      const [file, sum] = r.stdout.trim().split(' ');
      expect(path.basename(file)).toBe('sigprop-torch-1.13-cpu.node');
      expect(sum).toBe('9');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a LIBTORCH folder is used first, its libraries preloaded', () => {
    const dir = packageCopy();
    const lt = fs.mkdtempSync(path.join(os.tmpdir(), 'sigprop-libtorch-'));
    try {
      const entry: ManifestEntry = JSON.parse(fs.readFileSync(path.join(root, 'prebuilds/linux-x64/manifest.json'), 'utf8'))[0];
      fs.mkdirSync(path.join(lt, 'lib'));
      for (const l of entry.libs) fs.symlinkSync(path.join('/usr/lib/x86_64-linux-gnu', l), path.join(lt, 'lib', l));
      const r = run(dir, { LIBTORCH: lt });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim().endsWith(' 9')).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(lt, { recursive: true, force: true });
    }
  });

  const venv = path.join(root, '.venv-torch2');
  (fs.existsSync(path.join(venv, 'bin/python')) ? test : test.skip)('a virtual environment with PyTorch 2.14 (SIGPROP_VENV) gets the 2.14 CUDA binary, its libraries preloaded', () => {
    const dir = packageCopy();
    try {
      const r = run(dir, { SIGPROP_VENV: venv });
      expect(r.stderr).toBe('');
      const [file, sum] = r.stdout.trim().split(' ');
      expect(path.basename(file)).toBe('sigprop-torch-2.14-cu130.node');
      expect(sum).toBe('9');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('when no shipped binary fits, the error lists them, what was found, and the fix', () => {
    const dir = packageCopy([{ file: 'sigprop-torch-9.9-cu999.node', torch: '9.9', cuda: '99.9', libs: ['libtorch_cpu.so.9.9'], builtWith: 'test' }]);
    try {
      const r = run(dir);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/no shipped native addon fits the libtorch on this machine/);
      expect(r.stderr).toContain('sigprop-torch-9.9-cu999.node: libtorch 9.9 CUDA 99.9');
      expect(r.stderr).toContain('/usr/lib/x86_64-linux-gnu/libtorch_cpu.so');
      expect(r.stderr).toMatch(/npm rebuild sigprop/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
