#!/usr/bin/env bash
# Compile-checks native/*.cpp against libtorch 2.x headers (Debian trixie's libtorch-dev 2.6), and
# the CUDA code paths too where a CUDA toolkit is installed, so
# API drift from 1.13 shows up without a 2.x installation. Downloads only the -dev package into
# /tmp/sigprop-libtorch2 (nothing is installed); syntax/semantic check only, no link.
#   bash scripts/check-libtorch2.sh
set -euo pipefail
cd "$(dirname "$0")/.."
W=/tmp/sigprop-libtorch2
mkdir -p "$W/lists/partial" "$W/archives/partial" "$W/root"
echo "deb http://deb.debian.org/debian trixie main" > "$W/sources.list"
O=(-o "Dir::Etc::sourcelist=$W/sources.list" -o Dir::Etc::sourceparts=/nonexistent -o "Dir::State::Lists=$W/lists" -o "Dir::Cache::Archives=$W/archives")
if [ ! -d "$W/root/usr/include/torch" ]; then
  apt-get "${O[@]}" update -qq
  (cd "$W" && apt-get "${O[@]}" download libtorch-dev >/dev/null && dpkg -x libtorch-dev_*.deb root)
fi
I="$W/root/usr/include"
grep -h "define TORCH_VERSION_M" "$I/torch/csrc/api/include/torch/version.h" | tr '\n' ' '; echo
fail=0
for f in native/*.cpp; do
  if g++ -std=c++17 -fsyntax-only -I"$I" -I"$I/torch/csrc/api/include" -Inode_modules/node-addon-api \
      -Inode_modules/node-api-headers/include -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DNODE_ADDON_API_DISABLE_DEPRECATED \
      -DSIGPROP_SOURCE_HASH='"check"' -Wno-deprecated-declarations "$f"; then echo "ok   $f"; else echo "FAIL $f"; fail=1; fi
done
# The CUDA code paths (SIGPROP_CUDA), when a CUDA toolkit's headers are here. Debian's libtorch is
# CPU-only, so the one generated CUDA config header it lacks is stubbed.
if [ -f /usr/local/cuda/include/cuda_runtime_api.h ]; then
  mkdir -p "$W/stub/c10/cuda/impl"
  printf '#pragma once\n#define C10_CUDA_BUILD_SHARED_LIBS\n' > "$W/stub/c10/cuda/impl/cuda_cmake_macros.h"
  for f in native/runtime.cpp; do
    if g++ -std=c++17 -fsyntax-only -DSIGPROP_CUDA -I"$W/stub" -I"$I" -I"$I/torch/csrc/api/include" -I/usr/local/cuda/include \
        -Inode_modules/node-addon-api -Inode_modules/node-api-headers/include -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS \
        -DSIGPROP_SOURCE_HASH='"check"' -Wno-deprecated-declarations "$f"; then echo "ok   $f (SIGPROP_CUDA)"; else echo "FAIL $f (SIGPROP_CUDA)"; fail=1; fi
  done
fi
exit $fail
