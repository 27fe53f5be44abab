#!/usr/bin/env bash
# The main job on the embedded default: SQLite under ./data, the demo 医共体 from the seeds, one
# matter of each governance chain walked through and the 三重一大 record printed, then the web UI
# with the scheduler in the background (LibreOffice converts the frozen documents to PDF).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh .venv/run run libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk fonts-arphic-ukai poppler-utils
exec .venv/run/bin/quorum run "$@"
