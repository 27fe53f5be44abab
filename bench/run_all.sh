#!/usr/bin/env bash
# Every benchmark of issue 11 at its documented size, SQLite and PostgreSQL; each writes bench/results/.
# Needs the test venv (`scripts/test.sh` makes it; `pip install -e '.[bench]'` for SpiffWorkflow) and
# PostgreSQL at 127.0.0.1:5432 (user postgres, trust). Generated databases go under /tmp/quorum-bench
# (SQLite, ~2.5 GB at 100k matters) and into PostgreSQL databases quorum_bench_<N> (dropped and re-created).
# Takes about an hour on 2 cores; BENCH_SIZES="10000" for a shorter pass.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/test/bin:$PATH"
SIZES="${BENCH_SIZES:-10000 100000}"
SECONDS_PER_LOAD="${BENCH_LOAD_SECONDS:-60}"

FAILED=()
run() {          # one benchmark; a failure (or a benchmark not written yet) is reported at the end, the rest still run
  echo; echo "\$ $*"
  "$@" || FAILED+=("$*")
}

for backend in sqlite postgresql; do
  for n in $SIZES; do
    run python -m bench.generate --backend "$backend" --matters "$n" --tag "$((n / 1000))k"
    tag="$((n / 1000))k"
    [ "$n" = 100000 ] && tag=""          # the documented size: bench/results/load-<backend>.txt
    run python -m bench.load --backend "$backend" --data "/tmp/quorum-bench/$backend-$n" \
        --clients 20 --seconds "$SECONDS_PER_LOAD" ${tag:+--tag "$tag"}
  done
  run python -m bench.pages --backend "$backend" --tasks 5,200
  run python -m bench.engine --backend "$backend" --n 200 2000
  run python -m bench.sweep --backend "$backend" --open 10000,100000,1000000 --due 100
  run python -m bench.filing --backend "$backend" --n 10000
  run python -m bench.documents --backend "$backend" --n 1000
  run python -m bench.memory --backend "$backend"
done
run python -m bench.cli
if [ ${#FAILED[@]} -gt 0 ]; then
  printf '\nFAILED: %s\n' "${FAILED[@]}"
  exit 1
fi
