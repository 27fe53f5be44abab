#!/usr/bin/env bash
# Create a virtual environment and install Quorum with the given extras, plus system packages.
# Usage: scripts/bootstrap.sh VENV_DIR EXTRAS [APT_PACKAGE ...]
set -euo pipefail
venv="$1"; extras="$2"; shift 2
cd "$(dirname "$0")/.."

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
"$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
"$venv/bin/python" -m pip install -q -e ".[$extras]"
