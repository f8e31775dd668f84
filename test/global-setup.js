// Runs once in jest's parent process, before any worker starts (workers inherit the environment).
// (Setting process.env in a test file or a setupFiles entry does not reach native code: jest gives
// tests a copy of process.env.)
// 1. Pins libtorch's CPU kernels (and MKL's / OpenBLAS's) to AVX2, as test/golden/pin_isa.py does
//    for the golden scripts, so the bitwise goldens hold on machines with AVX-512 too.
// 2. Finds the Python whose torch matches the libtorch the addon loads (SIGPROP_TEST_PYTHON), for
//    the tests that run Python beside the addon (checkpoint interop).
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');
const PINS = { ATEN_CPU_CAPABILITY: 'avx2', DNNL_MAX_CPU_ISA: 'AVX2', MKL_CBWR: 'AVX2', MKL_ENABLE_INSTRUCTIONS: 'AVX2', OPENBLAS_CORETYPE: 'Haswell', OPENBLAS_NUM_THREADS: '1' };

function series(v) {
  return String(v).split('+')[0].split('.').slice(0, 2).join('.');
}

function findPython() {
  const r = spawnSync(process.execPath, ['-e', "console.log(require('./dist/torch').buildInfo().torchVersion)"], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) return;
  const want = series(r.stdout.trim());
  const candidates = want === '1.13'
    ? ['/usr/bin/python3', process.env.SIGPROP_PYTHON]
    : [process.env.SIGPROP_PYTHON, path.join(root, '.venv-torch2/bin/python'), 'python3', '/usr/bin/python3'];
  for (const py of candidates.filter(Boolean)) {
    const p = spawnSync(py, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60000 });
    if (p.status === 0 && series(p.stdout.trim()) === want) {
      process.env.SIGPROP_TEST_PYTHON = py;
      return;
    }
  }
}

module.exports = () => {
  let avx2 = true;
  try {
    avx2 = /\bavx2\b/.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    // not Linux: leave the defaults
  }
  if (avx2) for (const [k, v] of Object.entries(PINS)) if (process.env[k] === undefined) process.env[k] = v;
  if (process.env.SIGPROP_TEST_PYTHON === undefined) findPython();
};
