#!/usr/bin/env bash
# Installs nrtg into .venv, generates seeded Nexmark data and runs an example job end to end on
# the embedded defaults (DuckDB batch, no external service).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/bootstrap.sh
data=.nrtg/quickstart/nexmark
if [ ! -f "$data/events.jsonl" ]; then
  .venv/bin/nrtg nexmark generate --events 200000 --seed 42 --rate 1000 --out "$data"
fi
echo "== the optimized plan =="
cat examples/nexmark_source.sql examples/quickstart.sql > .nrtg/quickstart/job.sql
.venv/bin/nrtg compile .nrtg/quickstart/job.sql
echo "== the batch result (DuckDB) =="
.venv/bin/nrtg run .nrtg/quickstart/job.sql --mode batch
