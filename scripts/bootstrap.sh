#!/usr/bin/env bash
# Creates .venv and installs nrtg with its development tools. Idempotent and cached by pip.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
py="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
stamp=.venv/.nrtg-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ setup.py -nt "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[dev]'
  # hive-metastore-client pins thrift==0.13, which conflicts with (and does not build on) current
  # Pythons; it is only a test witness and its generated code runs on the thrift we ship with, so
  # it is installed here without its dependencies and must NOT be listed in the dev extras.
  .venv/bin/pip install -q --no-deps 'hive-metastore-client>=1.0.9'
  touch "$stamp"
fi
