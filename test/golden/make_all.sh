#!/usr/bin/env bash
# Regenerates every golden file for one libtorch version, into test/golden/torch-<major>.<minor>/:
#   bash test/golden/make_all.sh PYTHON [ORIGINAL_LIBRARY_TREE]
# PYTHON is the interpreter whose torch matches the libtorch under test: Debian's /usr/bin/python3
# for 1.13, the venv made by scripts/setup.sh for 2.x (.venv-torch2/bin/python). The original sigprop
# library (amassivek/signalpropagation, an exported tree; default /tmp/sigprop-orig) is needed for
# the sigprop traces and units; it is imported read-only and nothing of it is copied.
set -euo pipefail
cd "$(dirname "$0")"
PY=${1:?usage: make_all.sh PYTHON [ORIGINAL_LIBRARY_TREE]}
ORIG=${2:-/tmp/sigprop-orig}
series=$("$PY" -c 'import torch; print(".".join(torch.__version__.split("+")[0].split(".")[:2]))')
echo "goldens for torch $series with $PY" >&2
for s in make_ops.py make_functional.py make_nn.py make_optim.py format_cases.py make_ckpt.py make_cnn_ckpt.py; do
  echo "  $s" >&2
  "$PY" "$s" >/dev/null
done
echo "  make_sigprop.py make_sigprop_units.py (original library at $ORIG)" >&2
"$PY" make_sigprop.py "$ORIG" >/dev/null
"$PY" make_sigprop_units.py "$ORIG" >/dev/null
echo "wrote test/golden/torch-$series/" >&2
