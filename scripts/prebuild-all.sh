#!/usr/bin/env bash
# Rebuilds every shipped binary in prebuilds/linux-x64 whose libtorch is on this machine (after a
# change to native/ or CMakeLists.txt), then the local build in build/ against the default libtorch:
#   bash scripts/prebuild-all.sh
# Debian's libtorch 1.13 (system), pip's torch 2.14.1+cu130 (.venv-torch2) and 2.13.0+cpu
# (.venv-torch213), the virtual environments scripts/setup.sh makes. A binary whose libtorch is
# missing here is left as it is (test/package.test.ts then says it is stale).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build:prebuild
for venv in .venv-torch2 .venv-torch213; do
  if [ -x "$venv/bin/python" ]; then
    SIGPROP_PYTHON="$PWD/$venv/bin/python" npm run --silent build:prebuild
  else
    echo "prebuild-all: no $venv here, its binary is not rebuilt" >&2
  fi
done
node scripts/build.js >/dev/null
echo "prebuild-all: done; local build: $(ls build/Release/*.node)" >&2
