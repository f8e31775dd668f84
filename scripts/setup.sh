#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for sigprop: system packages, npm packages, the native addon.
#   bash scripts/setup.sh          (as root, or with sudo available)
# Idempotent: re-running skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

need=()
# python3-torch: the same libtorch from /usr/bin/python3, used by tests that check Python reads our
# checkpoints, by the benchmarks and by the golden-value generators. libopenblas0-pthread: fast CPU
# matrix kernels for Debian's libtorch (it replaces the reference BLAS, for Python's torch too).
# clang-format: the lint of native/ (npm run lint). libgloo-dev: Gloo's headers, for torch.distributed's
# Gloo backend (native/c10d.cpp; Debian's libtorch links libgloo itself). chromium: the headless
# browser test of the training service's page (test/serve.test.ts; skipped without it).
for p in libtorch-dev python3-torch libopenblas0-pthread dataset-fashion-mnist cmake g++ make clang-format libgloo-dev chromium; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
command -v node >/dev/null || { echo "setup: Node.js >= 18 is required (apt-get install nodejs npm)" >&2; exit 1; }

# (npm install's own hook, scripts/install.js, is skipped: the addon is built right below.)
SIGPROP_SKIP_INSTALL=1 npm install --no-audit --no-fund --loglevel=error
# Always build from this checkout's native/ sources (build/Release takes precedence over prebuilds/).
node scripts/build.js >/tmp/sigprop-build.log 2>&1 || { tail -50 /tmp/sigprop-build.log >&2; exit 1; }
npm run --silent build:ts

# pip's PyTorch 2.14.1 (CUDA 13.0 build) in .venv-torch2: the addon is built and tested against it
# too (npm test, scripts/test-libtorch2.js). SIGPROP_SETUP_TORCH2=0 leaves it out (then the tests run
# against Debian's libtorch only).
if [ "${SIGPROP_SETUP_TORCH2:-1}" != 0 ]; then
  bash scripts/torch-venv.sh .venv-torch2 torch==2.14.1 || {
    echo "setup: could not install torch==2.14.1 into .venv-torch2 (pip's index must have it); SIGPROP_SETUP_TORCH2=0 skips it" >&2
    exit 1
  }
fi
echo "setup: done ($(node -p "require('./dist/torch').buildInfo().addonPath"))" >&2
