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
  version?: string | null;
  cuda?: string | null;
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
  return `sigprop: no shipped native addon fits the libtorch on this machine.\n` +
    `Shipped binaries (${platformDir}):\n${shipped}\n` +
    `Looked for their libtorch libraries in:\n${found}\n` +
    'Fix: install a libtorch a shipped binary fits (Debian 12: apt-get install -y libtorch1.13), or build from source against yours: ' +
    'apt-get install -y cmake g++ && npm rebuild sigprop   (LIBTORCH=/path/to/libtorch or SIGPROP_LIBTORCH_USE_PYTORCH=1 choose which libtorch)';
}
