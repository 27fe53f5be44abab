#!/usr/bin/env bash
# The whole test suite, on SQLite and on the PostgreSQL server at 127.0.0.1:5432 (database `test`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh .venv/test test chromium fonts-noto-cjk libreoffice-writer-nogui poppler-utils \
  postgresql-client curl nginx openssl systemd
export PATH="$PWD/.venv/test/bin:$PATH"
ruff check .
lint-imports
exec python -m pytest "$@"
