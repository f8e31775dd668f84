#!/usr/bin/env bash
# Makes a Python virtual environment with a pip PyTorch, for building and testing the addon against
# libtorch 2.x (and for the 2.x golden values):
#   bash scripts/torch-venv.sh VENV_DIR TORCH_SPEC      e.g. .venv-torch2 torch==2.14.1
# torch is installed with --no-deps, then every requirement in its wheel's METADATA (cuda-toolkit's
# extras expanded to their nvidia-* wheels) that the configured index has: libtorch needs none of
# the ones a local index may lack (cuda-bindings, triton, nvidia-cuda-runtime, whose libcudart the
# CUDA toolkit or the driver's machine provides). Idempotent: an existing venv with that torch is kept.
set -euo pipefail
VENV=${1:?usage: torch-venv.sh VENV_DIR TORCH_SPEC}
SPEC=${2:?usage: torch-venv.sh VENV_DIR TORCH_SPEC}
want=${SPEC#*==}
if [ -x "$VENV/bin/python" ] && [ "$("$VENV/bin/python" -c 'import torch; print(torch.__version__)' 2>/dev/null | cut -d+ -f1)" = "${want%%+*}" ]; then
  echo "torch-venv: $VENV already has torch $want" >&2
  exit 0
fi
PY=${SIGPROP_VENV_PYTHON:-python3}
"$PY" -m venv "$VENV"
export PIP_RETRIES=${PIP_RETRIES:-1}  # a local index answers at once; an unreachable PyPI should not retry for minutes
PIP=("$VENV/bin/pip" --disable-pip-version-check -q)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"${PIP[@]}" download --no-deps -d "$tmp" "$SPEC" >/dev/null
wheel=$(ls "$tmp"/torch-*.whl)
# The requirements that apply here (markers evaluated), with cuda-toolkit[...] expanded.
reqs=$("$VENV/bin/python" - "$wheel" "$tmp" <<'PYEOF'
import subprocess, sys, zipfile
from pip._vendor.packaging.requirements import Requirement

def requires(whl, extras=()):
    with zipfile.ZipFile(whl) as z:
        meta = next(n for n in z.namelist() if n.endswith('.dist-info/METADATA'))
        lines = z.read(meta).decode().splitlines()
    out = []
    for l in lines:
        if not l.startswith('Requires-Dist:'):
            continue
        r = Requirement(l.split(':', 1)[1].strip())
        envs = [{'extra': e} for e in extras] or [{'extra': ''}]
        if r.marker is None or any(r.marker.evaluate(e) for e in envs):
            out.append(r)
    return out

wheel, tmp = sys.argv[1], sys.argv[2]
for r in requires(wheel):
    if r.name == 'cuda-toolkit' and r.extras:
        subprocess.run([sys.executable, '-m', 'pip', 'download', '-q', '--no-deps', '-d', tmp, str(r).split(';')[0].replace('[' + ','.join(sorted(r.extras)) + ']', '')],
                       check=True, stdout=subprocess.DEVNULL)
        ct = [f for f in __import__('os').listdir(tmp) if f.startswith('cuda_toolkit')][0]
        for s in requires(__import__('os').path.join(tmp, ct), sorted(r.extras)):
            print(str(s).split(';')[0].strip())
    else:
        print(str(r).split(';')[0].strip())
PYEOF
)
"${PIP[@]}" install --no-deps "$wheel"
# nvidia-* wheels without their dependencies (the list has them all); pure-Python ones with theirs;
# numpy for the golden scripts.
missing=()
while read -r r; do
  [ -n "$r" ] || continue
  case "$r" in nvidia-*) deps=(--no-deps) ;; *) deps=() ;; esac
  if ! "${PIP[@]}" install "${deps[@]}" "$r" >/dev/null 2>&1; then missing+=("$r"); fi
done <<< "$reqs"$'\n'numpy
[ ${#missing[@]} -eq 0 ] || echo "torch-venv: not in the package index, skipped (libtorch does not need them): ${missing[*]}" >&2
"$VENV/bin/python" -c 'import torch; print("torch-venv: '"$VENV"' has torch", torch.__version__)' >&2
