#!/bin/sh
# Fetches Debian's OpenBLAS (libopenblas0-pthread) into a cache folder WITHOUT installing it
# (`apt-get download` + `dpkg -x`; no root, no change to the system) and prints the folder that
# holds its libblas.so.3 / liblapack.so.3. Put that folder on LD_LIBRARY_PATH to make Debian's
# libtorch (Node addon and /usr/bin/python3 alike) use OpenBLAS instead of the system BLAS:
#   LD_LIBRARY_PATH="$(sh bench/openblas.sh)" OPENBLAS_NUM_THREADS=1 node bench/sigprop.js mlp_v14 10
# bench/sigprop.js --compare --blas openblas runs this script itself.
# Cache folder: $SIGPROP_OPENBLAS_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/sigprop-openblas.
# Needs apt-get (Debian/Ubuntu) and libgfortran5 (installed with the reference liblapack3).
set -eu

PKG=libopenblas0-pthread
CACHE="${SIGPROP_OPENBLAS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sigprop-openblas}"
ARCH="$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo "$(uname -m)-linux-gnu")"
LIBDIR="$CACHE/root/usr/lib/$ARCH/openblas-pthread"

if [ ! -e "$LIBDIR/libblas.so.3" ]; then
  mkdir -p "$CACHE"
  (
    cd "$CACHE"
    rm -f ./"$PKG"_*.deb
    apt-get download "$PKG" >&2 || {
      echo "openblas.sh: 'apt-get download $PKG' failed (run 'apt-get update' first?)" >&2
      exit 1
    }
    rm -rf root
    dpkg -x ./"$PKG"_*.deb root
  )
  if [ ! -e "$LIBDIR/libblas.so.3" ]; then
    echo "openblas.sh: no libblas.so.3 in $LIBDIR after extracting $PKG" >&2
    exit 1
  fi
fi
echo "$LIBDIR"
