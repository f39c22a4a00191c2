#!/usr/bin/env bash
# A real Apache Hive Metastore (Thrift, Hive 2.3.10) on 127.0.0.1 with an embedded Derby
# database, for catalog tests. The jars come from PyPI's pyspark sdist (it ships Spark's
# built-in Hive 2.3 client with everything it needs), fetched once with pip and extracted into a
# per-user cache. Nothing is copied into the repository.
#
#   scripts/hms.sh start     # idempotent: fetch if needed, init Derby, start, wait for a Thrift reply
#   scripts/hms.sh stop
#   scripts/hms.sh restart
#   scripts/hms.sh status    # exit 0 and print host:port when the metastore answers
#   scripts/hms.sh fetch     # only download and extract the jars
#   scripts/hms.sh clean     # stop and delete this metastore's Derby database and warehouse
#
# Env: HMS_PORT (9084; our own server defaults to 9083), PYSPARK_VERSION (4.3.0),
#      HMS_HEAP (1g), HMS_START_TIMEOUT (180 s), HMS_STOP_TIMEOUT (30 s), PYTHON (python3, with pip),
#      HMS_JARS_DIR (~/.cache/nrtg/pyspark-$PYSPARK_VERSION-jars, shared by all clones),
#      NRTG_CACHE (<repo>/.cache): state in $NRTG_CACHE/hms/hms-$HMS_PORT (metastore_db,
#      warehouse, logs/).
#      Needs java >= 17 and pip.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICE=metastore
# shellcheck source=scripts/service-lib.sh
source "$root/scripts/service-lib.sh"
PORT="${HMS_PORT:-9084}"
PYSPARK_VERSION="${PYSPARK_VERSION:-4.3.0}"
HEAP="${HMS_HEAP:-1g}"
START_TIMEOUT="${HMS_START_TIMEOUT:-180}"
STOP_TIMEOUT="${HMS_STOP_TIMEOUT:-30}"
PY="${PYTHON:-python3}"
CACHE="${NRTG_CACHE:-$root/.cache}"
BASE="$CACHE/hms"
# The extracted jars (~460 MB) are shared by every clone on the machine, like ~/.m2 for Kafka.
JARS="${HMS_JARS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nrtg/pyspark-$PYSPARK_VERSION-jars}"
WORK="$BASE/hms-$PORT"
PIDFILE="$WORK/hms.pid"
LOGS="$WORK/logs"
MAIN=org.apache.hadoop.hive.metastore.HiveMetaStore
ADD_OPENS=(
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
)

die() { echo "hms.sh: $*" >&2; exit 1; }
log() { echo "hms.sh: $*" >&2; }

need_tools() {
  need_java17 "the Hive Metastore"
  local mods
  mods="$(java --list-modules 2>/dev/null || true)"
  case "$mods" in
    *jdk.compiler@*) ;;
    *) die "java has no jdk.compiler module: a full JDK 17+ is needed (the Derby init runs a .java file)" ;;
  esac
  command -v "$PY" >/dev/null || die "$PY not found on PATH (pip fetches the jars, python probes HMS)"
}

fetch() {
  if [ -f "$JARS/.complete" ]; then return 0; fi
  mkdir -p "$(dirname "$JARS")"
  exec 8>"$JARS.lock"  # the jar cache is shared by clones: one fetch at a time
  flock -w 1200 8 || die "timed out waiting for $JARS.lock"
  if [ -f "$JARS/.complete" ]; then exec 8>&-; return 0; fi
  "$PY" -m pip --version >/dev/null 2>&1 || die "$PY has no pip (needed once to fetch pyspark's jars)"
  local dl="$JARS.download" tmp="$JARS.extract"
  rm -rf "$dl" "$tmp" "$JARS"
  mkdir -p "$dl" "$tmp"
  log "downloading the pyspark==$PYSPARK_VERSION sdist with pip (~460 MB, first run only)"
  "$PY" -m pip download --quiet --no-deps \
    -d "$dl" "pyspark==$PYSPARK_VERSION" >"$BASE/pip.log" 2>&1 \
    || { tail -20 "$BASE/pip.log" >&2; die "pip could not download pyspark==$PYSPARK_VERSION"; }
  local sdist
  sdist="$(find "$dl" -maxdepth 1 -name 'pyspark-*.tar.gz' | head -n 1)"
  [ -n "$sdist" ] || die "no pyspark sdist in $dl (pip log: $BASE/pip.log)"
  log "extracting deps/jars from $(basename "$sdist")"
  tar -xzf "$sdist" -C "$tmp" --wildcards '*/deps/jars/*'
  mv "$tmp"/pyspark-*/deps/jars "$JARS"
  rm -rf "$tmp" "$dl"
  compgen -G "$JARS/hive-metastore-*.jar" >/dev/null || die "no hive-metastore jar in pyspark's jars"
  touch "$JARS/.complete"
  exec 8>&-
}

write_conf() {
  mkdir -p "$WORK/conf" "$WORK/warehouse" "$LOGS"
  cat >"$WORK/conf/hive-site.xml" <<EOF
<?xml version="1.0"?>
<configuration>
  <property><name>javax.jdo.option.ConnectionURL</name><value>jdbc:derby:;databaseName=$WORK/metastore_db;create=true</value></property>
  <property><name>javax.jdo.option.ConnectionDriverName</name><value>org.apache.derby.jdbc.EmbeddedDriver</value></property>
  <property><name>datanucleus.schema.autoCreateAll</name><value>true</value></property>
  <property><name>datanucleus.connectionPoolingType</name><value>None</value></property>
  <property><name>hive.metastore.schema.verification</name><value>false</value></property>
  <property><name>hive.metastore.warehouse.dir</name><value>file://$WORK/warehouse</value></property>
  <property><name>hive.metastore.port</name><value>$PORT</value></property>
  <property><name>hive.async.log.enabled</name><value>false</value></property>
</configuration>
EOF
  cat >"$WORK/conf/log4j2.properties" <<EOF
status = error
rootLogger.level = INFO
rootLogger.appenderRef.f.ref = f
appender.f.type = RollingFile
appender.f.name = f
appender.f.fileName = $LOGS/hms.log
appender.f.filePattern = $LOGS/hms.log.%i
appender.f.policies.type = Policies
appender.f.policies.size.type = SizeBasedTriggeringPolicy
appender.f.policies.size.size = 20MB
appender.f.strategy.type = DefaultRolloverStrategy
appender.f.strategy.max = 3
appender.f.layout.type = PatternLayout
appender.f.layout.pattern = %d %p [%t] %c{2}: %m%n
logger.dn.name = DataNucleus
logger.dn.level = WARN
# one line per Thrift call; the tests make thousands
logger.audit.name = org.apache.hadoop.hive.metastore.HiveMetaStore.audit
logger.audit.level = WARN
EOF
  # Hive 2.3's TxnDbUtil.prepDb creates the TXNS/HIVE_LOCKS/NEXT_LOCK_ID... tables that
  # lock()/check_lock()/unlock() (used by pyiceberg commits) need; autoCreateAll does not.
  cat >"$WORK/conf/PrepTxn.java" <<'EOF'
public class PrepTxn {
  public static void main(String[] a) throws Exception {
    org.apache.hadoop.hive.metastore.txn.TxnDbUtil.prepDb(new org.apache.hadoop.hive.conf.HiveConf());
  }
}
EOF
}

# Answers 0 when a Thrift get_all_databases call gets a REPLY (not just an open port).
probe() {
  "$PY" - "$PORT" <<'EOF'
import socket, struct, sys
port = int(sys.argv[1])
name = b"get_all_databases"
msg = struct.pack(">Ii", 0x80010001, len(name)) + name + struct.pack(">i", 1) + b"\x00"
try:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.settimeout(10)
        s.sendall(msg)
        head = b""
        while len(head) < 4:
            chunk = s.recv(4 - len(head))
            if not chunk:
                sys.exit(1)
            head += chunk
        ok = struct.unpack(">I", head)[0] == 0x80010002
        # drain the rest of the small reply, so closing sends FIN, not RST (no server error log)
        s.settimeout(0.2)
        try:
            while s.recv(65536):
                pass
        except OSError:
            pass
        sys.exit(0 if ok else 1)
except (OSError, struct.error):
    sys.exit(1)
EOF
}

our_pid() {  # the pid from the pid file, when that process is alive and is our metastore
  [ -f "$PIDFILE" ] || return 1
  local pid cmd
  pid="$(cat "$PIDFILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  case "$cmd" in *"$WORK/conf:"*"$MAIN -p $PORT"*) echo "$pid" ;; *) return 1 ;; esac
}

show_logs() {
  local f
  for f in "$LOGS/stdout.log" "$LOGS/hms.log" "$LOGS/prep.log"; do
    [ -s "$f" ] && { echo "--- tail $f" >&2; tail -n 30 "$f" >&2; }
  done
  return 0
}

status() {
  if our_pid >/dev/null && probe; then
    echo "127.0.0.1:$PORT"
    return 0
  fi
  if our_pid >/dev/null; then
    log "metastore process $(our_pid) is alive but not answering on 127.0.0.1:$PORT yet"
  elif probe; then
    log "a metastore not started by this script answers on 127.0.0.1:$PORT"
    echo "127.0.0.1:$PORT"
    return 0
  else
    log "not running (port $PORT)"
  fi
  return 1
}

start() {
  need_tools
  local pid
  if pid="$(our_pid)"; then
    wait_ready "$pid"
    log "already running (pid $pid) on 127.0.0.1:$PORT"
    echo "127.0.0.1:$PORT"
    return 0
  fi
  rm -f "$PIDFILE"
  if probe; then
    log "a metastore not started by this script already answers on 127.0.0.1:$PORT; using it"
    echo "127.0.0.1:$PORT"
    return 0
  fi
  port_open "$PORT" && die "port $PORT is taken by another program (set HMS_PORT)"
  fetch
  write_conf
  local cp="$WORK/conf:$JARS/*"
  local jopts=("${ADD_OPENS[@]}" "-Xmx$HEAP" -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=file:$WORK/conf/log4j2.properties"
    "-Dlog4j.configurationFile=file:$WORK/conf/log4j2.properties"
    "-Dderby.stream.error.file=$LOGS/derby.log" "-Dhive.log.dir=$LOGS")
  if [ ! -f "$WORK/metastore_db/.nrtg-prepped" ]; then
    # Derby embedded allows one JVM at a time, so the transaction tables are made before start.
    rm -rf "$WORK/metastore_db"
    log "initialising the Derby metastore database in $WORK/metastore_db"
    (cd "$WORK" && java "${jopts[@]}" -cp "$cp" "$WORK/conf/PrepTxn.java") >"$LOGS/prep.log" 2>&1 8>&- 9>&- \
      || { show_logs; die "initialising the Derby database failed (log: $LOGS/prep.log)"; }
    touch "$WORK/metastore_db/.nrtg-prepped"
  fi
  : >"$LOGS/stdout.log"
  [ -f "$LOGS/hms.log" ] && mv -f "$LOGS/hms.log" "$LOGS/hms.log.prev"  # errors show this run only
  # setsid + closed fds: the metastore outlives its caller and never holds the caller's pipes.
  (cd "$WORK" && exec setsid java "${jopts[@]}" -cp "$cp" "$MAIN" -p "$PORT") \
    </dev/null >>"$LOGS/stdout.log" 2>&1 8>&- 9>&- &
  pid=$!
  echo "$pid" >"$PIDFILE"
  wait_ready "$pid"
  log "Hive Metastore 2.3 up on 127.0.0.1:$PORT (pid $pid, logs $LOGS)"
  echo "127.0.0.1:$PORT"
}

clean() { stop; rm -rf "$WORK"; log "deleted $WORK"; }

with_lock() {  # serialise start/stop/fetch across concurrent callers (e.g. test workers)
  mkdir -p "$BASE"
  exec 9>"$BASE/.lock-$PORT"
  flock -w "$((START_TIMEOUT + STOP_TIMEOUT + 900))" 9 || die "timed out waiting for $BASE/.lock-$PORT"
  "$@"
}

case "${1:-}" in
  start) with_lock start ;;
  stop) with_lock stop ;;
  restart) with_lock stop; start ;;
  status) status ;;
  fetch) need_tools; with_lock fetch; echo "$JARS" ;;
  clean) with_lock clean ;;
  *) echo "usage: $0 start|stop|restart|status|fetch|clean" >&2; exit 2 ;;
esac
