#!/usr/bin/env bash
# Builds the addon against pip's PyTorch 2.x (the CUDA build in .venv-torch2 that scripts/setup.sh
# makes, with its CUDA code paths: a real compile and link, whatever else is installed beside it)
# into build-torch2/, and checks that it loads and computes there:
#   bash scripts/check-libtorch2.sh [VENV]
# The whole suite against it: node scripts/test-libtorch2.js (npm test runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${1:-.venv-torch2}
[ -x "$VENV/bin/python" ] || { echo "check-libtorch2: no $VENV (bash scripts/torch-venv.sh $VENV torch==2.14.1 makes it)" >&2; exit 1; }
SIGPROP_PYTHON="$PWD/$VENV/bin/python" node scripts/build.js --out build-torch2 >/tmp/sigprop-build-torch2.log 2>&1 || { tail -40 /tmp/sigprop-build-torch2.log >&2; exit 1; }
tail -1 /tmp/sigprop-build-torch2.log >&2
SIGPROP_ADDON="$PWD/build-torch2/Release/sigprop.node" node -e "
const t = require('./dist/torch');
const b = t.buildInfo();
t.manualSeed(0);
const v = t.randn(3).mul(2).sum().item();
console.log('check-libtorch2: libtorch ' + b.torchVersion + (b.cuda ? ', CUDA build ' + b.cudaVersion : ', CPU build') + '; CUDA ' + (t.cuda.isAvailable() ? 'available' : 'not available (' + t.cuda.unavailableReason() + ')') + '; randn(3).mul(2).sum() = ' + v.toFixed(4));
"
