#!/usr/bin/env bash
# The main job on the embedded default: SQLite under ./data, the demo 医共体 from the seeds,
# the demo 三重一大 matter run end to end and its record printed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh .venv/run run
exec .venv/run/bin/quorum run "$@"
