'use strict';
// Finds libtorch installations: the one finder for building (scripts/build.js, prebuild.js,
// install.js) and for choosing the shipped binary at run time (lib/torch/native.ts). Places, in
// this order:
//   1. env LIBTORCH: an unpacked libtorch folder (include/, lib/, share/cmake/Torch)
//   2. env SIGPROP_PYTHON: the torch of that Python interpreter
//   3. a virtual environment: env SIGPROP_VENV, else an activated one (VIRTUAL_ENV)
//   4. `python3` on PATH, when it has torch
//   5. Debian's system libtorch (apt-get install libtorch1.13, or libtorch-dev to build)
// A Python's torch is located without importing it (importlib's find_spec), and its version read
// from torch/version.py, so asking costs a few tens of milliseconds, not an `import torch`.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const SYSTEM_LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib64', '/lib64', '/usr/lib', '/lib', '/usr/local/lib'];

function readVersion(includeDir) {
  // libtorch 2.x keeps the numbers in torch/headeronly/version.h (which the api header includes)
  const f = ['torch/headeronly/version.h', 'torch/csrc/api/include/torch/version.h'].map((p) => path.join(includeDir, p)).find((p) => fs.existsSync(p));
  if (!f) return null;
  const src = fs.readFileSync(f, 'utf8');
  const m = (k) => (src.match(new RegExp(`#define TORCH_VERSION_${k}\\s+(\\d+)`)) || [])[1];
  return m('MAJOR') ? `${m('MAJOR')}.${m('MINOR')}.${m('PATCH')}` : null;
}

/** torch/version.py's __version__ and cuda ('2.14.1+cu130', '13.0'), or nulls. */
function readTorchPy(torchDir) {
  const f = path.join(torchDir, 'version.py');
  if (!fs.existsSync(f)) return { version: null, cuda: null };
  const src = fs.readFileSync(f, 'utf8');
  const str = (k) => {
    const m = new RegExp(`^${k}(?:\\s*:[^=]*)?\\s*=\\s*(?:'([^']*)'|"([^"]*)"|None)`, 'm').exec(src);
    return m ? (m[1] ?? m[2] ?? null) : null;
  };
  return { version: str('__version__'), cuda: str('cuda') };
}

/** The version in a versioned library name in dir (Debian's libtorch_cpu.so.1.13), or null. */
function versionFromLibNames(dir) {
  if (!fs.existsSync(dir)) return null;
  const m = fs.readdirSync(dir).map((n) => /^libtorch_cpu\.so\.(\d+\.\d+(?:\.\d+)?)$/.exec(n)).filter(Boolean);
  return m.length ? m.map((x) => x[1]).sort((a, b) => b.length - a.length)[0] : null;
}

/** A libtorch folder (an unpacked libtorch, or a PyTorch installation's torch/): what it holds. */
function fromFolder(root, source, extra = {}) {
  const libDir = path.join(root, 'lib');
  const named = versionFromLibNames(libDir);
  if (!fs.existsSync(path.join(libDir, 'libtorch_cpu.so')) && !named) return null;
  const cmakeDir = path.join(root, 'share/cmake/Torch');
  const py = readTorchPy(root);
  const version = readVersion(path.join(root, 'include')) || (py.version ? py.version.split('+')[0] : null) || named;
  const cuda = fs.existsSync(path.join(libDir, 'libtorch_cuda.so'));
  return {
    source, root, libDir, includeDir: path.join(root, 'include'),
    cmakeDir: fs.existsSync(path.join(cmakeDir, 'TorchConfig.cmake')) ? cmakeDir : null,
    version, pytorchVersion: py.version, cuda, cudaVersion: py.cuda || null, onLinkerPath: false, ...extra,
  };
}

/** The torch package folder of a Python interpreter, found without importing torch; null if none. */
function torchDirOf(python) {
  const code = "import importlib.util as u; s = u.find_spec('torch'); print(s.submodule_search_locations[0] if s else '')";
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'ignore'] });
  const dir = r.status === 0 ? r.stdout.trim() : '';
  return dir && fs.existsSync(dir) ? dir : null;
}

function fromPython(python, source) {
  const dir = torchDirOf(python);
  return dir ? fromFolder(dir, `${source}: PyTorch ${readTorchPy(dir).version || '?'} (${python})`, { python }) : null;
}

/** A virtual environment's torch (lib/python3.*\/site-packages/torch). */
function fromVenv(venv, source) {
  const lib = path.join(venv, 'lib');
  if (!fs.existsSync(lib)) return null;
  for (const d of fs.readdirSync(lib).filter((n) => /^python3/.test(n)).sort().reverse()) {
    const dir = path.join(lib, d, 'site-packages', 'torch');
    const found = fs.existsSync(dir) && fromFolder(dir, `${source}: PyTorch ${readTorchPy(dir).version || '?'} (${venv})`, { python: path.join(venv, 'bin', 'python') });
    if (found) return found;
  }
  return null;
}

/**
 * The libtorch the dynamic linker finds by itself (LD_LIBRARY_PATH, then the system folders):
 * Debian's libtorch1.13 names its libraries libtorch_cpu.so.1.13, which gives the version.
 */
function fromLinkerPath(env = process.env) {
  const dirs = [...(env.LD_LIBRARY_PATH || '').split(':').filter(Boolean), ...SYSTEM_LIB_DIRS];
  let version = null;
  let libDir = null;
  for (const d of dirs) {
    const v = versionFromLibNames(d);
    if (v || fs.existsSync(path.join(d, 'libtorch_cpu.so'))) {
      libDir = d;
      version = v;
      break;
    }
  }
  let cmakeDir = null;
  if (libDir) {
    const c = path.join(libDir, 'cmake/Torch');
    if (fs.existsSync(path.join(c, 'TorchConfig.cmake'))) cmakeDir = c;
  }
  const includeDir = '/usr/include';
  return {
    source: cmakeDir ? 'system (Debian libtorch-dev)' : 'the dynamic linker path (LD_LIBRARY_PATH and system folders)',
    root: '/usr', libDir, libDirs: dirs, includeDir, cmakeDir,
    version: (cmakeDir && readVersion(includeDir)) || version, cuda: !!libDir && fs.existsSync(path.join(libDir, 'libtorch_cuda.so')),
    cudaVersion: null, onLinkerPath: true,
  };
}

/**
 * Every place that may hold a libtorch, in priority order, each a function (so that the costly
 * ones run only when asked): [{ where, find() -> installation or null }].
 */
function places(env = process.env) {
  const out = [];
  if (env.LIBTORCH) {
    out.push({
      where: `env LIBTORCH (${env.LIBTORCH})`,
      explicit: true,
      find: () => {
        const f = fromFolder(env.LIBTORCH, `env LIBTORCH (${env.LIBTORCH})`);
        if (!f) throw new Error(`LIBTORCH=${env.LIBTORCH} is not an unpacked libtorch (no lib/libtorch_cpu.so there)`);
        return f;
      },
    });
  }
  if (env.SIGPROP_PYTHON) {
    out.push({
      where: `env SIGPROP_PYTHON (${env.SIGPROP_PYTHON})`,
      explicit: true,
      find: () => {
        const f = fromPython(env.SIGPROP_PYTHON, 'env SIGPROP_PYTHON');
        if (!f) throw new Error(`SIGPROP_PYTHON=${env.SIGPROP_PYTHON} has no torch: install PyTorch for it (pip install torch), or unset SIGPROP_PYTHON`);
        return f;
      },
    });
  }
  const venv = env.SIGPROP_VENV || env.VIRTUAL_ENV;
  if (venv) {
    const what = env.SIGPROP_VENV ? 'env SIGPROP_VENV' : 'the active virtual environment (VIRTUAL_ENV)';
    out.push({ where: `${what} (${venv})`, find: () => fromVenv(venv, what) });
  }
  const requirePy = env.SIGPROP_LIBTORCH_USE_PYTORCH === '1';
  out.push({
    where: '`python3` on PATH (when it has torch)',
    explicit: requirePy,
    find: () => {
      const f = fromPython('python3', 'python3 on PATH');
      if (!f && requirePy) throw new Error("SIGPROP_LIBTORCH_USE_PYTORCH=1 but `python3` has no torch: install PyTorch for it, or set SIGPROP_PYTHON");
      return f;
    },
  });
  if (requirePy) return out;
  out.push({ where: 'the dynamic linker path (Debian: /usr/lib/<arch>, package libtorch1.13 or libtorch-dev)', find: () => { const s = fromLinkerPath(env); return s.libDir ? s : null; } });
  return out;
}

/** Where each place was looked for, for error messages. */
function searched(env = process.env) {
  return places(env).map((p) => p.where);
}

/**
 * The first libtorch that can be built against (has share/cmake/Torch), or null. A place named
 * explicitly (LIBTORCH, SIGPROP_PYTHON) must be usable: its absence is an error, not a fall-through.
 */
function findLibtorch(env = process.env) {
  for (const p of places(env)) {
    const f = p.find();
    if (f && f.cmakeDir) return f;
    if (p.explicit) throw new Error(f ? `${f.source} has no share/cmake/Torch: it cannot be built against` : `${p.where}: no libtorch there`);
  }
  return null;
}

module.exports = { findLibtorch, places, searched, readVersion, readTorchPy, fromFolder, fromPython, fromVenv, fromLinkerPath, SYSTEM_LIB_DIRS };
