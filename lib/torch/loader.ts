/**
 * Chooses the native addon to load (see native.ts): a local build, or the shipped binary that fits
 * the libtorch found on this machine. Pure logic over a small filesystem view, so it is tested on
 * machines that have only one kind of libtorch.
 *
 * prebuilds/<platform>-<arch>/manifest.json lists the shipped binaries:
 *   [{ "file": "sigprop-torch-1.13-cpu.node", "torch": "1.13", "cuda": null,
 *      "libs": ["libtorch_cpu.so.1.13", ...], "builtWith": "Debian libtorch-dev 1.13.1" }]
 * where libs are the libtorch shared objects the binary links by name (readelf NEEDED). A binary
 * fits a libtorch when all of its libs are in that libtorch's library folder.
 */
import * as path from 'path';
import type { Installation } from '../../scripts/libtorch';

export interface ManifestEntry {
  file: string;
  torch: string;
  cuda: string | null;
  libs: string[];
  builtWith?: string;
}

export interface LibtorchCandidate {
  /** Where it came from: 'system', 'env LIBTORCH', 'PyTorch 2.11.0 (python3)' ... */
  source: string;
  /** Folders searched for its shared objects. */
  libDirs: string[];
  /** Whether the dynamic linker finds these folders by itself (else the libs are preloaded). */
  onLinkerPath: boolean;
  /** libtorch version ('2.14.1'); unknown for a bare folder: then only version-named libraries fit. */
  version?: string | null;
  /** CUDA version of a CUDA build ('13.0'), null for a CPU build or unknown. */
  cuda?: string | null;
}

/** The candidate for an installation scripts/libtorch.js found. */
export function candidateOf(i: Installation): LibtorchCandidate {
  return { source: i.source, libDirs: i.libDirs ?? (i.libDir ? [i.libDir] : []), onLinkerPath: i.onLinkerPath, version: i.version, cuda: i.cudaVersion };
}

/** 'major.minor' of a version string ('2.14.1+cu130' -> '2.14'). */
export function series(version: string): string {
  return version.split('+')[0].split('.').slice(0, 2).join('.');
}

/**
 * Whether a binary built for entry.torch can run with this libtorch: the same major.minor (the C++
 * ABI changes between minor versions), and for a CUDA binary the same CUDA major version (it links
 * libcudart.so.<major>). A candidate of unknown version fits only binaries whose libraries carry
 * the version in their names (Debian's libtorch_cpu.so.1.13).
 */
function versionFits(entry: ManifestEntry, c: LibtorchCandidate): boolean {
  if (c.version) {
    if (series(c.version) !== entry.torch) return false;
  } else if (!entry.libs.some((l) => l.endsWith(`.so.${entry.torch}`))) {
    return false;
  }
  if (entry.cuda && c.cuda && entry.cuda.split('.')[0] !== c.cuda.split('.')[0]) return false;
  return true;
}

export interface Selection {
  entry: ManifestEntry;
  candidate: LibtorchCandidate;
  /** Absolute paths to load with RTLD_GLOBAL before the addon (libs outside the linker's path). */
  preload: string[];
}

export interface FsView {
  exists(p: string): boolean;
}

const SYSTEM_LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib64', '/lib64', '/usr/lib', '/lib', '/usr/local/lib'];

/** The libtorch folders the dynamic linker searches without help: LD_LIBRARY_PATH and the system folders. */
export function systemCandidate(env: Record<string, string | undefined>): LibtorchCandidate {
  const ld = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  return { source: 'the dynamic linker path (LD_LIBRARY_PATH and system folders)', libDirs: [...ld, ...SYSTEM_LIB_DIRS], onLinkerPath: true };
}

/** env LIBTORCH: an unpacked libtorch folder. */
export function envCandidate(env: Record<string, string | undefined>): LibtorchCandidate | null {
  if (!env.LIBTORCH) return null;
  return { source: `env LIBTORCH (${env.LIBTORCH})`, libDirs: [path.join(env.LIBTORCH, 'lib')], onLinkerPath: false };
}

/** Picks the first manifest entry that fits a candidate (candidates in priority order). */
export function selectBinary(manifest: ManifestEntry[], candidates: LibtorchCandidate[], fs: FsView): Selection | null {
  for (const candidate of candidates) {
    for (const entry of manifest) {
      if (!versionFits(entry, candidate)) continue;
      const found: string[] = [];
      for (const lib of entry.libs) {
        const dir = candidate.libDirs.find((d) => fs.exists(path.join(d, lib)));
        if (dir === undefined) break;
        found.push(path.join(dir, lib));
      }
      if (found.length !== entry.libs.length) continue;
      return { entry, candidate, preload: candidate.onLinkerPath ? [] : preloadOrder(found) };
    }
  }
  return null;
}

/** c10 before torch_cpu before the rest, so each library's dependencies are loaded first. */
function preloadOrder(libs: string[]): string[] {
  const rank = (p: string) => {
    const b = path.basename(p);
    if (b.startsWith('libc10.')) return 0;
    if (b.startsWith('libc10_')) return 1;
    if (b.startsWith('libtorch_cpu.')) return 2;
    if (b.startsWith('libtorch_cuda')) return 3;
    return 4;
  };
  return [...libs].sort((a, b) => rank(a) - rank(b));
}

export function describeEntry(e: ManifestEntry): string {
  return `${e.file}: libtorch ${e.torch} ${e.cuda ? `CUDA ${e.cuda}` : 'CPU'}${e.builtWith ? ` (built with ${e.builtWith})` : ''}, needs ${e.libs.join(', ')}`;
}

/** The error when nothing fits: what is shipped, what was found, and the fix. */
export function noFitMessage(platformDir: string, manifest: ManifestEntry[], candidates: LibtorchCandidate[], fs: FsView): string {
  const shipped = manifest.length ? manifest.map((e) => `  - ${describeEntry(e)}`).join('\n') : '  (none)';
  const found = candidates.map((c) => {
    const libs = c.libDirs.filter((d) => fs.exists(d)).flatMap((d) => ['libtorch_cpu.so', 'libtorch_cuda.so'].filter((l) => fs.exists(path.join(d, l))).map((l) => path.join(d, l)));
    const what = c.version ? ` libtorch ${c.version}${c.cuda ? ` CUDA ${c.cuda}` : ''}` : '';
    return `  - ${c.source}:${what}${libs.length ? ` (${libs.join(', ')})` : ''}`;
  }).join('\n');
  const versioned = candidates.filter((c) => c.version);
  const pip = manifest.filter((e) => e.cuda).map((e) => e.torch).sort().reverse()[0];
  const fix = versioned.length
    ? `Fix: build the addon against the libtorch ${versioned[0].version} found (${versioned[0].source}): apt-get install -y cmake g++ && npm rebuild sigprop` +
      (pip ? `   (or install a PyTorch a shipped binary fits: pip install torch==${pip}.*)` : '')
    : `Fix: install a libtorch a shipped binary fits: ${pip ? `pip install torch==${pip}.*, or ` : ''}on Debian 12 apt-get install -y libtorch1.13`;
  return `sigprop: no shipped native addon fits the libtorch on this machine.\n` +
    `Shipped binaries (${platformDir}):\n${shipped}\n` +
    `Looked for their libtorch libraries in:\n${found}\n` +
    `${fix}\n` +
    'Or build from source against any libtorch: apt-get install -y cmake g++ && npm rebuild sigprop   (LIBTORCH=/path/to/libtorch, SIGPROP_PYTHON or SIGPROP_VENV choose which libtorch; Debian 12: apt-get install -y libtorch1.13)';
}
