#!/usr/bin/env bash
# Apache Flink for the streaming benchmark's comparison (bench/stream.py --flink): PyFlink from
# PyPI in a venv of its own (never the project venv; Flink is no dependency of nrtg) and Flink's
# Kafka SQL connector jar from Maven Central (~/.m2 is its cache; pip's cache serves the venv).
#
#   scripts/flink.sh setup       # idempotent: create the venv, fetch the jar
#   scripts/flink.sh run ARGS    # setup, then bench/flink_stream.py ARGS with the venv's python
#   scripts/flink.sh status      # exit 0 when both are in place; prints the python and the jar
#   scripts/flink.sh clean       # delete the venv (the jar stays in ~/.m2)
#
# Env: FLINK_VERSION (2.3.0, the apache-flink wheel), FLINK_KAFKA_CONNECTOR (5.0.0-2.2, the
#      flink-sql-connector-kafka version), M2_REPO (~/.m2/repository), NRTG_CACHE (<repo>/.cache):
#      the venv is $NRTG_CACHE/flink-venv, Flink's logs go to $NRTG_CACHE/flink/log.
#      Needs python3.11 (or python3 3.9-3.12), java >= 17 and mvn.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FLINK_VERSION="${FLINK_VERSION:-2.3.0}"
CONNECTOR="${FLINK_KAFKA_CONNECTOR:-5.0.0-2.2}"
DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
CACHE="${NRTG_CACHE:-$root/.cache}"
VENV="$CACHE/flink-venv"
LOGS="$CACHE/flink/log"
M2="${M2_REPO:-$HOME/.m2/repository}"
JAR="$M2/org/apache/flink/flink-sql-connector-kafka/$CONNECTOR/flink-sql-connector-kafka-$CONNECTOR.jar"

die() { echo "flink.sh: $*" >&2; exit 1; }
log() { echo "flink.sh: $*" >&2; }

venv_ok() {
  [ -x "$VENV/bin/python" ] || return 1
  local v
  v="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("apache-flink"))' 2>/dev/null)" \
    || return 1
  [ "$v" = "$FLINK_VERSION" ]
}

make_venv() {
  venv_ok && return 0
  local py
  py="$(command -v python3.11 || command -v python3)" || die "python3 not found on PATH"
  command -v java >/dev/null || die "java not found on PATH (PyFlink starts a JVM; Java 17+)"
  log "installing apache-flink==$FLINK_VERSION into $VENV (first run only; a few minutes)"
  rm -rf "$VENV"
  mkdir -p "$CACHE"
  "$py" -m venv "$VENV"
  "$VENV/bin/pip" install -q "apache-flink==$FLINK_VERSION" >"$CACHE/flink-pip.log" 2>&1 \
    || { tail -30 "$CACHE/flink-pip.log" >&2; die "pip could not install apache-flink==$FLINK_VERSION (log: $CACHE/flink-pip.log)"; }
  venv_ok || die "apache-flink $FLINK_VERSION is not importable from $VENV"
}

fetch_jar() {
  [ -s "$JAR" ] && return 0
  command -v mvn >/dev/null || die "mvn not found on PATH (needed once to fetch the Kafka connector)"
  log "fetching flink-sql-connector-kafka:$CONNECTOR from Maven Central into $M2"
  mvn -B -q "$DEP_PLUGIN:get" -Dartifact="org.apache.flink:flink-sql-connector-kafka:$CONNECTOR" \
    -Dtransitive=false "-Dmaven.repo.local=$M2" >"$CACHE/flink-mvn.log" 2>&1 \
    || { tail -30 "$CACHE/flink-mvn.log" >&2; die "Maven could not fetch the connector (log: $CACHE/flink-mvn.log)"; }
  [ -s "$JAR" ] || die "Maven reported success but $JAR is missing"
}

setup() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock-flink"  # one installer at a time
  flock -w 900 9 || die "timed out waiting for $CACHE/.lock-flink"
  make_venv
  fetch_jar
  exec 9>&-
}

case "${1:-}" in
  setup) setup ;;
  run)
    shift
    setup
    mkdir -p "$LOGS"
    FLINK_LOG_DIR="$LOGS" exec "$VENV/bin/python" "$root/bench/flink_stream.py" --jar "$JAR" "$@"
    ;;
  status)
    venv_ok || die "no apache-flink $FLINK_VERSION in $VENV (scripts/flink.sh setup)"
    [ -s "$JAR" ] || die "no connector jar at $JAR (scripts/flink.sh setup)"
    echo "$VENV/bin/python"
    echo "$JAR"
    ;;
  clean) rm -rf "$VENV"; log "deleted $VENV" ;;
  *) echo "usage: $0 setup|run ARGS|status|clean" >&2; exit 2 ;;
esac
