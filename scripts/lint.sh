#!/usr/bin/env bash
# Lints the project: ESLint on the TypeScript and JavaScript, and clang-format --dry-run --Werror on native/ where clang-format is installed.
#   bash scripts/lint.sh          (npm run lint; npm run lint:ts and npm run lint:cpp run one half each)
#   bash scripts/lint.sh --ts | --cpp
set -uo pipefail
cd "$(dirname "$0")/.."

what="${1:-all}"
status=0
if [ "$what" = all ] || [ "$what" = --ts ]; then
  npx eslint lib bin scripts bench examples test eslint.config.mjs || status=1
fi
if [ "$what" = all ] || [ "$what" = --cpp ]; then
  if command -v clang-format >/dev/null 2>&1; then
    # style: .clang-format; only checks, never rewrites (clang-format -i native/*.cpp native/*.h does)
    clang-format --dry-run --Werror native/*.cpp native/*.h || status=1
  else
    echo "lint: clang-format is not installed (Debian: apt-get install clang-format); native/ not checked" >&2
  fi
fi
exit $status
