#!/usr/bin/env bash
# The whole test suite, on SQLite and on the PostgreSQL server at 127.0.0.1:5432 (database `test`).
# `scripts/test.sh --fast`: ruff, the import contracts, then only the pure core and the services on SQLite
# (`pytest tests/core tests/services -m "not postgres"`), the check to run before each commit; CI runs the
# whole suite, both databases (without --fast). Other arguments go to pytest in both cases.
# The tests run in parallel with pytest-xdist: QUORUM_TEST_WORKERS workers (default 2, the CI machine's cores;
# 0 = one process). --dist loadgroup hands out single tests, except the tests of a module sharing a
# module-scoped fixture, which stay on one worker (tests/conftest.py marks them with xdist_group).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh .venv/test test chromium fonts-noto-cjk fonts-arphic-ukai libreoffice-writer-nogui poppler-utils \
  postgresql-client curl nginx openssl systemd
export PATH="$PWD/.venv/test/bin:$PATH"
ruff check .
lint-imports
workers="${QUORUM_TEST_WORKERS:-2}"
parallel=()
if [[ "$workers" != "0" ]]; then
  parallel=(-n "$workers" --dist loadgroup)
fi
if [[ "${1:-}" == "--fast" ]]; then
  shift
  exec python -m pytest "${parallel[@]}" -m "not postgres" tests/core tests/services "$@"
fi
exec python -m pytest "${parallel[@]}" "$@"
