'use strict';
// Finds a libtorch to build against or to run with, in this order:
//   1. env LIBTORCH: an unpacked libtorch folder (include/, lib/, share/cmake/Torch)
//   2. a PyTorch installation: SIGPROP_LIBTORCH_USE_PYTORCH=1 forces it; otherwise it is used when
//      `python3 -c 'import torch'` works (SIGPROP_PYTHON picks the interpreter)
//   3. Debian's system libtorch (apt-get install libtorch-dev)
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

function readVersion(includeDir) {
  // libtorch 2.x keeps the numbers in torch/headeronly/version.h (which the api header includes)
  const f = ['torch/headeronly/version.h', 'torch/csrc/api/include/torch/version.h'].map((p) => path.join(includeDir, p)).find((p) => fs.existsSync(p));
  if (!f) return null;
  const src = fs.readFileSync(f, 'utf8');
  const m = (k) => (src.match(new RegExp(`#define TORCH_VERSION_${k}\\s+(\\d+)`)) || [])[1];
  return m('MAJOR') ? `${m('MAJOR')}.${m('MINOR')}.${m('PATCH')}` : null;
}

function fromFolder(root, source) {
  const cmakeDir = path.join(root, 'share/cmake/Torch');
  if (!fs.existsSync(path.join(cmakeDir, 'TorchConfig.cmake'))) return null;
  const libDir = path.join(root, 'lib');
  const cuda = fs.existsSync(path.join(libDir, 'libtorch_cuda.so'));
  return { source, root, cmakeDir, libDir, includeDir: path.join(root, 'include'), version: readVersion(path.join(root, 'include')), cuda };
}

function fromPyTorch(explicit) {
  const py = process.env.SIGPROP_PYTHON || 'python3';
  let out;
  try {
    out = execFileSync(py, ['-c', 'import torch, os; print(os.path.dirname(torch.__file__)); print(torch.__version__); print(torch.version.cuda or "")'], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60000,
    });
  } catch (e) {
    if (explicit) throw new Error(`SIGPROP_LIBTORCH_USE_PYTORCH=1 but \`${py} -c 'import torch'\` failed: install PyTorch for ${py}, or set SIGPROP_PYTHON to an interpreter that has it`);
    return null;
  }
  const [dir, version, cudaVersion] = out.trim().split('\n');
  const found = fromFolder(dir, `PyTorch ${version} (${py})`);
  if (!found) {
    if (explicit) throw new Error(`PyTorch ${version} at ${dir} has no share/cmake/Torch: it cannot be built against`);
    return null;
  }
  found.pytorchVersion = version;
  found.cuda = found.cuda || !!cudaVersion;
  found.cudaVersion = cudaVersion || null;
  return found;
}

function fromSystem() {
  for (const libdir of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib']) {
    const cmakeDir = path.join(libdir, 'cmake/Torch');
    if (fs.existsSync(path.join(cmakeDir, 'TorchConfig.cmake'))) {
      return { source: 'system (Debian libtorch-dev)', root: '/usr', cmakeDir, libDir: libdir, includeDir: '/usr/include', version: readVersion('/usr/include'), cuda: false };
    }
  }
  return null;
}

/** Where each candidate was looked for, for error messages. */
function searched() {
  return [
    `env LIBTORCH (${process.env.LIBTORCH ? process.env.LIBTORCH : 'not set'})`,
    `a PyTorch installation via \`${process.env.SIGPROP_PYTHON || 'python3'} -c 'import torch'\``,
    'Debian system libtorch (/usr/lib/<arch>/cmake/Torch, package libtorch-dev)',
  ];
}

function findLibtorch() {
  if (process.env.LIBTORCH) {
    const f = fromFolder(process.env.LIBTORCH, 'env LIBTORCH');
    if (!f) throw new Error(`LIBTORCH=${process.env.LIBTORCH} is not an unpacked libtorch (no share/cmake/Torch/TorchConfig.cmake there)`);
    return f;
  }
  const explicit = process.env.SIGPROP_LIBTORCH_USE_PYTORCH === '1';
  const py = fromPyTorch(explicit);
  if (py) return py;
  return fromSystem();
}

module.exports = { findLibtorch, searched, readVersion };
