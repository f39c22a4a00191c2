#!/usr/bin/env bash
# Creates .venv and installs nrtg with its development tools. Idempotent and cached by pip.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
py="${PYTHON:-python3}"

# The real Kafka broker and Hive Metastore used by the tests run on a JDK (>= 17; the metastore's
# first start compiles a class, so a JRE is not enough) and are fetched with Maven. Install them
# from Debian's packages when missing and we are allowed to.
if ! command -v javac >/dev/null || ! command -v mvn >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing a JDK and Maven (openjdk-17-jdk-headless, maven)" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null
  else
    echo "warning: javac/mvn not found; Kafka and Hive Metastore tests will fail (install JDK 17 + Maven)" >&2
  fi
fi
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
