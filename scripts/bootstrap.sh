#!/usr/bin/env bash
# Create a virtual environment and install Quorum with the given extras, plus system packages.
# Usage: scripts/bootstrap.sh VENV_DIR EXTRAS [APT_PACKAGE ...]
#
# Python packages come from requirements/constraints.txt, so every machine resolves the same set. A
# venv that already holds that set (its stamp matches pyproject.toml, setup.py, the constraints and the
# extras) is used as it is: no pip and no apt-get, so a machine whose registries are unreachable starts.
set -euo pipefail
venv="$1"; extras="$2"; shift 2
cd "$(dirname "$0")/.."
constraints=requirements/constraints.txt

missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo ">> apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp="$venv/.quorum-installed"
wanted="$(cat pyproject.toml setup.py "$constraints" | sha256sum | cut -d' ' -f1) [$extras]"
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] \
   && "$venv/bin/python" -c 'import quorum' 2>/dev/null; then
  exit 0
fi

python=""
for candidate in python3.11 python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    python="$candidate"; break
  fi
done
if [ -z "$python" ]; then
  echo ">> Python 3.11 not found; installing Debian's python3 (must be 3.11)"
  apt-get update -qq && apt-get install -y -qq python3 python3-venv >/dev/null
  python=python3
fi

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
rm -f "$stamp"
"$venv/bin/python" -m pip install -q -c "$constraints" --upgrade pip >/dev/null
"$venv/bin/python" -m pip install -q -c "$constraints" -e ".[$extras]"
echo "$wanted" > "$stamp"
