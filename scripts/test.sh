#!/usr/bin/env bash
# The whole test suite, on SQLite and on the PostgreSQL server at 127.0.0.1:5432 (database `test`).
# `scripts/test.sh --fast`: ruff, the import contracts, then only the pure core and the services on SQLite
# (`pytest tests/core tests/services -m "not postgres"`), the check to run before each commit; CI runs the
# whole suite, both databases (without --fast). Other arguments go to pytest in both cases.
# The tests run in parallel with pytest-xdist: QUORUM_TEST_WORKERS workers (default 2, the CI machine's cores;
# 0 = one process). --dist loadfile hands out whole test modules, so a module-scoped fixture (a wheel built
# once, a command-line flow run once…) is built on one worker only. (--dist loadgroup would not group:
# pytest 9.2 ignores the node ids pytest-xdist 3.8 rewrites for xdist_group.) --no-loadscope-reorder keeps the
# order tests/conftest.py gives the modules: the long ones (slow, browser) first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh .venv/test test chromium fonts-noto-cjk fonts-arphic-ukai libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils \
  postgresql-client curl nginx openssl systemd
export PATH="$PWD/.venv/test/bin:$PATH"
ruff check .
lint-imports
workers="${QUORUM_TEST_WORKERS:-2}"
parallel=()
if [[ "$workers" != "0" ]]; then
  parallel=(-n "$workers" --dist loadfile --no-loadscope-reorder)
fi
if [[ "${1:-}" == "--fast" ]]; then
  shift
  exec python -m pytest "${parallel[@]}" -m "not postgres" tests/core tests/services "$@"
fi
exec python -m pytest "${parallel[@]}" "$@"
