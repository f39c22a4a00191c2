#!/usr/bin/env bash
# An S3-API server (S3Proxy over a local directory) on 127.0.0.1, for the tests of the
# filesystem connector's s3:// paths. The jar (S3Proxy's jar-with-dependencies) comes from Maven
# Central through Maven, so ~/.m2 is the download cache; nothing is copied into the repository.
#
#   scripts/s3.sh start     # idempotent: fetch if needed, start, wait until it answers
#   scripts/s3.sh stop      # TERM, wait (KILL after S3_STOP_TIMEOUT s)
#   scripts/s3.sh status    # exit 0 and print the endpoint URL when the server answers
#   scripts/s3.sh fetch     # only resolve the jar
#   scripts/s3.sh clean     # stop and delete this server's buckets
#
# Clients sign with access key S3_ACCESS_KEY (nrtg) and secret S3_SECRET_KEY (nrtg-secret), any
# region, path-style addressing (http://127.0.0.1:$S3_PORT/bucket/key).
#
# Env: S3_PORT (9400), S3PROXY_VERSION (4.1.0), S3_HEAP (256m), S3_START_TIMEOUT (60 s),
#      S3_STOP_TIMEOUT (20 s), NRTG_CACHE (<repo>/.cache): state lives in
#      $NRTG_CACHE/s3/s3-$S3_PORT (data/ holds one directory per bucket, logs/stdout.log).
#      Needs java >= 17, mvn and python3.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICE="S3 server"
# shellcheck source=scripts/service-lib.sh
source "$root/scripts/service-lib.sh"
VERSION="${S3PROXY_VERSION:-4.1.0}"
DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
PORT="${S3_PORT:-9400}"
ACCESS_KEY="${S3_ACCESS_KEY:-nrtg}"
SECRET_KEY="${S3_SECRET_KEY:-nrtg-secret}"
HEAP="${S3_HEAP:-256m}"
START_TIMEOUT="${S3_START_TIMEOUT:-60}"
STOP_TIMEOUT="${S3_STOP_TIMEOUT:-20}"
CACHE="${NRTG_CACHE:-$root/.cache}"
BASE="$CACHE/s3"
RESOLVE="$BASE/resolve-$VERSION"             # tiny pom + the jar's path in the local repository
JARFILE="$RESOLVE/jar.txt"
WORK="$BASE/s3-$PORT"                         # one server per port: config, data, logs, pid
PIDFILE="$WORK/s3proxy.pid"
LOGS="$WORK/logs"

die() { echo "s3.sh: $*" >&2; exit 1; }
log() { echo "s3.sh: $*" >&2; }

need_tools() {
  need_java17 "S3Proxy $VERSION"
  command -v python3 >/dev/null || die "python3 not found on PATH (used to probe the server)"
}

jar() { cat "$JARFILE"; }

pom_xml() {
  cat <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.nrtg</groupId><artifactId>s3proxy-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <!-- the self-contained jar (Main-Class org.gaul.s3proxy.Main): its pom's dependencies are
         inside it already -->
    <dependency>
      <groupId>org.gaul</groupId><artifactId>s3proxy</artifactId><version>$VERSION</version>
      <classifier>jar-with-dependencies</classifier>
      <exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion></exclusions>
    </dependency>
  </dependencies>
</project>
EOF
}

fetch() {  # resolves once into the local Maven repository; again only when it lost the jar
  local pom
  pom="$(pom_xml)"
  if [ -s "$JARFILE" ] && [ -f "$(jar)" ] \
    && [ "$pom" = "$(cat "$RESOLVE/pom.xml" 2>/dev/null || true)" ]; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found on PATH (needed once to fetch S3Proxy from Maven Central)"
  mkdir -p "$RESOLVE"
  printf '%s\n' "$pom" >"$RESOLVE/pom.xml"
  rm -f "$JARFILE"
  log "resolving s3proxy:$VERSION (jar-with-dependencies, ~55 MB) from Maven Central (first run only)"
  # build-classpath names the jar wherever the local repository is (~/.m2 unless settings say)
  mvn -B -q -f "$RESOLVE/pom.xml" "$DEP_PLUGIN:build-classpath" \
    -Dmdep.outputFile="$JARFILE.tmp" >"$RESOLVE/mvn.log" 2>&1 \
    || { tail -30 "$RESOLVE/mvn.log" >&2; die "Maven could not resolve S3Proxy $VERSION (log: $RESOLVE/mvn.log)"; }
  mv "$JARFILE.tmp" "$JARFILE"
  [ -f "$(jar)" ] || die "the resolved jar is missing: $(jar) (listed in $JARFILE)"
}

write_conf() {
  mkdir -p "$WORK/data" "$LOGS"
  cat >"$WORK/s3proxy.conf" <<EOF
s3proxy.endpoint=http://127.0.0.1:$PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$ACCESS_KEY
s3proxy.credential=$SECRET_KEY
jclouds.provider=filesystem
jclouds.filesystem.basedir=$WORK/data
EOF
}

# Answers 0 when an S3 API answers on the port: any HTTP reply carrying an x-amz-request-id
# (an unsigned GET / is refused with 403, which is enough to know the server is serving).
probe() {
  python3 - "$PORT" <<'EOF'
import http.client, sys
try:
    c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=3)
    c.request("GET", "/")
    sys.exit(0 if c.getresponse().getheader("x-amz-request-id") else 1)
except OSError:
    sys.exit(1)
EOF
}

our_pid() {  # the pid from the pid file, when that process is alive and is our server
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--properties $WORK/s3proxy.conf" \
    || return 1
  echo "$pid"
}

status() {
  if our_pid >/dev/null && probe; then
    echo "http://127.0.0.1:$PORT"
    return 0
  fi
  if our_pid >/dev/null; then
    log "S3Proxy process $(our_pid) is alive but not answering on 127.0.0.1:$PORT yet"
  elif probe; then
    log "an S3 server answers on 127.0.0.1:$PORT, but it was not started by this script"
    echo "http://127.0.0.1:$PORT"
    return 0
  else
    log "not running (port $PORT)"
  fi
  return 1
}

show_logs() {
  [ -s "$LOGS/stdout.log" ] && { echo "--- tail $LOGS/stdout.log" >&2; tail -n 30 "$LOGS/stdout.log" >&2; }
  return 0
}

start() {
  need_tools
  if pid="$(our_pid)"; then
    wait_ready "$pid"
    log "already running (pid $pid) on 127.0.0.1:$PORT"
    echo "http://127.0.0.1:$PORT"
    return 0
  fi
  rm -f "$PIDFILE"
  if probe; then
    log "an S3 server not started by this script already answers on 127.0.0.1:$PORT; using it"
    echo "http://127.0.0.1:$PORT"
    return 0
  fi
  port_open "$PORT" && die "port $PORT is taken by another program (set S3_PORT)"
  fetch
  write_conf
  [ -f "$LOGS/stdout.log" ] && mv -f "$LOGS/stdout.log" "$LOGS/stdout.log.prev"  # this run only
  # setsid: the server outlives the shell or test process that started it, and its output never
  # holds the caller's pipes open.
  setsid java -Xms64m "-Xmx$HEAP" -Djava.awt.headless=true -jar "$(jar)" \
    --properties "$WORK/s3proxy.conf" </dev/null >"$LOGS/stdout.log" 2>&1 9>&- &
  local pid=$!
  echo "$pid" >"$PIDFILE"
  wait_ready "$pid"
  log "S3Proxy $VERSION up on http://127.0.0.1:$PORT (pid $pid, data $WORK/data)"
  echo "http://127.0.0.1:$PORT"
}

clean() { stop; rm -rf "$WORK"; log "deleted $WORK"; }

with_lock() {  # serialise start/stop of one server across concurrent callers
  mkdir -p "$BASE"
  exec 9>"$BASE/.lock-$PORT"
  flock -w "$((START_TIMEOUT + STOP_TIMEOUT + 600))" 9 || die "timed out waiting for $BASE/.lock-$PORT"
  "$@"
}

case "${1:-}" in
  start) with_lock start ;;
  stop) with_lock stop ;;
  status) status ;;
  fetch) need_tools; with_lock fetch; jar; echo ;;
  clean) with_lock clean ;;
  *) echo "usage: $0 start|stop|status|fetch|clean" >&2; exit 2 ;;
esac
