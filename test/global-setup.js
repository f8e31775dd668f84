// Runs once in jest's parent process, before any worker starts (workers inherit the environment):
// pins libtorch's CPU kernels to AVX2, as test/golden/pin_isa.py does for the golden scripts, so
// the bitwise goldens hold on machines with AVX-512 too. (Setting process.env in a test file or a
// setupFiles entry does not reach native code: jest gives tests a copy of process.env.)
const fs = require('fs');
module.exports = () => {
  let avx2 = true;
  try {
    avx2 = /\bavx2\b/.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    // not Linux: leave the defaults
  }
  if (!avx2) return;
  if (process.env.ATEN_CPU_CAPABILITY === undefined) process.env.ATEN_CPU_CAPABILITY = 'avx2';
  if (process.env.DNNL_MAX_CPU_ISA === undefined) process.env.DNNL_MAX_CPU_ISA = 'AVX2';
};
