#!/usr/bin/env bash
# A single-node Apache Kafka 4.x broker (KRaft, combined broker+controller) on 127.0.0.1, for
# integration tests. The broker jars come from Maven Central through Maven, so ~/.m2 is the
# download cache; nothing is copied into the repository.
#
#   scripts/kafka.sh start     # idempotent: fetch if needed, format, start, wait until it answers
#   scripts/kafka.sh stop      # TERM, wait for a clean shutdown (KILL after KAFKA_STOP_TIMEOUT s)
#   scripts/kafka.sh restart   # stop + start; topics and committed data survive
#   scripts/kafka.sh kill      # SIGKILL (a crash; `start` then recovers the logs)
#   scripts/kafka.sh status    # exit 0 and print the bootstrap address when the broker answers
#   scripts/kafka.sh fetch     # only resolve the jars
#   scripts/kafka.sh clean     # stop and delete this broker's data
#
# Env: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (KAFKA_PORT+1), KAFKA_VERSION (4.1.1),
#      KAFKA_HEAP (1g), KAFKA_START_TIMEOUT (120 s), KAFKA_STOP_TIMEOUT (60 s),
#      NRTG_CACHE (<repo>/.cache): state lives in $NRTG_CACHE/kafka/broker-$KAFKA_PORT,
#      logs in .../logs/server.log. Needs java >= 17, mvn and python3.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICE=broker
# shellcheck source=scripts/service-lib.sh
source "$root/scripts/service-lib.sh"
KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
LOG4J_VERSION="${LOG4J_VERSION:-2.24.3}"
DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
HEAP="${KAFKA_HEAP:-1g}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-60}"
CACHE="${NRTG_CACHE:-$root/.cache}"
BASE="$CACHE/kafka"
RESOLVE="$BASE/resolve-$KAFKA_VERSION"      # tiny pom + the resolved classpath (into ~/.m2)
CPFILE="$RESOLVE/classpath.txt"
WORK="$BASE/broker-$PORT"                     # one broker per port: config, data, logs, pid
PIDFILE="$WORK/kafka.pid"
LOGS="$WORK/logs"

die() { echo "kafka.sh: $*" >&2; exit 1; }
log() { echo "kafka.sh: $*" >&2; }

need_tools() {
  need_java17 "Kafka $KAFKA_VERSION"
  command -v python3 >/dev/null || die "python3 not found on PATH (used to probe the broker)"
}

classpath_ok() {  # every entry of the cached classpath still exists (~/.m2 may have been pruned)
  [ -s "$CPFILE" ] || return 1
  local entries entry
  IFS=: read -r -a entries <"$CPFILE" || true  # no final newline: read says 1
  for entry in "${entries[@]}"; do [ -f "$entry" ] || return 1; done
}

pom_xml() {
  cat <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.nrtg</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <!-- broker (kafka.Kafka, StorageTool) and, transitively, server/metadata/raft/storage/coordinators -->
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <!-- Kafka 4.x logs through SLF4J 1.7 (slf4j-api 1.7.36) to Log4j 2; its pom carries no binding -->
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
}

fetch() {  # resolves once into ~/.m2; again only when the pom changed or ~/.m2 lost a jar
  local pom
  pom="$(pom_xml)"
  if classpath_ok && [ "$pom" = "$(cat "$RESOLVE/pom.xml" 2>/dev/null || true)" ]; then return 0; fi
  command -v mvn >/dev/null || die "mvn not found on PATH (needed once to fetch Kafka from Maven Central)"
  mkdir -p "$RESOLVE"
  printf '%s\n' "$pom" >"$RESOLVE/pom.xml"
  rm -f "$CPFILE"
  log "resolving kafka_2.13:$KAFKA_VERSION from Maven Central into ~/.m2 (first run only)"
  mvn -B -q -f "$RESOLVE/pom.xml" "$DEP_PLUGIN:build-classpath" \
    -DincludeScope=runtime -Dmdep.outputFile="$CPFILE.tmp" >"$RESOLVE/mvn.log" 2>&1 \
    || { tail -30 "$RESOLVE/mvn.log" >&2; die "Maven could not resolve Kafka $KAFKA_VERSION (log: $RESOLVE/mvn.log)"; }
  mv "$CPFILE.tmp" "$CPFILE"
  classpath_ok || die "resolved classpath lists missing files: $CPFILE"
}

storage_class() {  # kafka.tools.StorageTool (Scala, 4.0/4.1) or a later Java port; python, not unzip
  python3 - "$CPFILE" <<'EOF' || die "no StorageTool class in the Kafka $KAFKA_VERSION jars"
import sys, zipfile
jars = open(sys.argv[1]).read().strip().split(":")
for cls in ("kafka/tools/StorageTool.class", "org/apache/kafka/tools/StorageTool.class"):
    for jar in jars:
        name = jar.rsplit("/", 1)[-1]
        if name.startswith(("kafka_2.13-", "kafka-tools-", "kafka-storage-")):
            with zipfile.ZipFile(jar) as z:
                if cls in z.namelist():
                    print(cls[: -len(".class")].replace("/", "."))
                    sys.exit(0)
sys.exit(1)
EOF
}

write_conf() {
  mkdir -p "$WORK/data" "$LOGS"
  cat >"$WORK/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$WORK/data
num.partitions=1
# tests write historical event times: never expire data by time (a restart keeps everything)
log.retention.ms=-1
# tests create their own topics
auto.create.topics.enable=false
delete.topic.enable=true
# single node: replication factor 1 for the internal topics, so transactions work
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
default.replication.factor=1
group.initial.rebalance.delay.ms=0
# after a crash (kill) the controller keeps the old broker registration until its session expires
broker.session.timeout.ms=4000
broker.heartbeat.interval.ms=1000
# a transaction left open by a killed test producer must not block read_committed readers for long
transaction.max.timeout.ms=900000
num.network.threads=2
num.io.threads=4
log.flush.interval.messages=9223372036854775807
EOF
  cat >"$WORK/log4j2.properties" <<EOF
status = error
rootLogger.level = INFO
rootLogger.appenderRef.f.ref = f
appender.f.type = RollingFile
appender.f.name = f
appender.f.fileName = $LOGS/server.log
appender.f.filePattern = $LOGS/server.log.%i
appender.f.policies.type = Policies
appender.f.policies.size.type = SizeBasedTriggeringPolicy
appender.f.policies.size.size = 20MB
appender.f.strategy.type = DefaultRolloverStrategy
appender.f.strategy.max = 3
appender.f.layout.type = PatternLayout
appender.f.layout.pattern = [%d] %p %m (%c)%n
logger.state.name = state.change.logger
logger.state.level = WARN
EOF
}

# Answers 0 when the broker serves a Metadata request and lists itself as alive (unfenced),
# which is later than the moment its port opens.
probe() {
  python3 - "$PORT" <<'EOF'
import socket, struct, sys
port = int(sys.argv[1])
try:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.settimeout(3)
        # Metadata v4 (non-flexible): header(api_key=3, ver=4, corr=7, client_id) + topics=null + auto=false
        cid = b"nrtg-probe"
        body = struct.pack(">hhih", 3, 4, 7, len(cid)) + cid + struct.pack(">i?", -1, False)
        s.sendall(struct.pack(">i", len(body)) + body)
        buf = b""
        while len(buf) < 4:
            chunk = s.recv(4 - len(buf))
            if not chunk:
                sys.exit(1)
            buf += chunk
        (size,) = struct.unpack(">i", buf)
        data = b""
        while len(data) < size:
            chunk = s.recv(size - len(data))
            if not chunk:
                sys.exit(1)
            data += chunk
        corr, _throttle, nbrokers = struct.unpack(">iii", data[:12])
        sys.exit(0 if corr == 7 and nbrokers >= 1 else 1)
except (OSError, struct.error):
    sys.exit(1)
EOF
}

cluster_id() {  # like Kafka's Uuid.randomUuid: base64url of 16 random bytes, never starting with '-'
  python3 -c 'import base64, uuid
while True:
    s = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not s.startswith("-"):
        print(s)
        break'
}

our_pid() {  # the pid from the pid file, when that process is alive and is our broker
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $WORK/server.properties" \
    || return 1
  echo "$pid"
}

status() {
  if our_pid >/dev/null && probe; then
    echo "127.0.0.1:$PORT"
    return 0
  fi
  if our_pid >/dev/null; then
    log "broker process $(our_pid) is alive but not answering on 127.0.0.1:$PORT yet"
  elif probe; then
    log "a Kafka broker answers on 127.0.0.1:$PORT, but it was not started by this script"
    echo "127.0.0.1:$PORT"
    return 0
  else
    log "not running (port $PORT)"
  fi
  return 1
}

show_logs() {
  local f
  for f in "$LOGS/stdout.log" "$LOGS/server.log"; do
    [ -s "$f" ] && { echo "--- tail $f" >&2; tail -n 30 "$f" >&2; }
  done
  return 0
}

start() {
  need_tools
  if pid="$(our_pid)"; then
    wait_ready "$pid"
    log "already running (pid $pid) on 127.0.0.1:$PORT"
    echo "127.0.0.1:$PORT"
    return 0
  fi
  rm -f "$PIDFILE"
  if probe; then
    log "a broker not started by this script already answers on 127.0.0.1:$PORT; using it"
    echo "127.0.0.1:$PORT"
    return 0
  fi
  port_open "$PORT" && die "port $PORT is taken by another program (set KAFKA_PORT)"
  port_open "$CPORT" && die "controller port $CPORT is taken by another program (set KAFKA_CONTROLLER_PORT)"
  fetch
  write_conf
  local cp jopts sc
  cp="$(cat "$CPFILE")"
  jopts=(-Xms256m "-Xmx$HEAP" -XX:+UseG1GC -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=file:$WORK/log4j2.properties" "-Dkafka.logs.dir=$LOGS")
  if [ ! -f "$WORK/data/meta.properties" ]; then
    sc="$(storage_class)"
    log "formatting storage in $WORK/data"
    java "${jopts[@]}" -cp "$cp" "$sc" format --cluster-id="$(cluster_id)" \
      -c "$WORK/server.properties" --ignore-formatted >"$LOGS/format.log" 2>&1 9>&- \
      || { tail -n 30 "$LOGS/format.log" >&2; die "formatting the KRaft storage failed"; }
  fi
  : >"$LOGS/stdout.log"
  [ -f "$LOGS/server.log" ] && mv -f "$LOGS/server.log" "$LOGS/server.log.prev"  # errors show this run only
  # setsid: the broker outlives the shell or test process that started it, and its output never
  # holds the caller's pipes open.
  setsid java "${jopts[@]}" -cp "$cp" kafka.Kafka "$WORK/server.properties" \
    </dev/null >>"$LOGS/stdout.log" 2>&1 9>&- &
  local pid=$!
  echo "$pid" >"$PIDFILE"
  wait_ready "$pid"
  log "Kafka $KAFKA_VERSION up on 127.0.0.1:$PORT (pid $pid, logs $LOGS/server.log)"
  echo "127.0.0.1:$PORT"
}

crash() {
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$PIDFILE"
    log "not running (port $PORT)"
    return 0
  fi
  kill -KILL "$pid"
  local deadline=$((SECONDS + 10))
  while alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
  rm -f "$PIDFILE"
  log "killed (pid $pid)"
}

clean() { stop; rm -rf "$WORK"; log "deleted $WORK"; }

with_lock() {  # serialise start/stop/restart of one broker across concurrent callers
  mkdir -p "$BASE"
  exec 9>"$BASE/.lock-$PORT"
  flock -w "$((START_TIMEOUT + STOP_TIMEOUT + 600))" 9 || die "timed out waiting for $BASE/.lock-$PORT"
  "$@"
}

case "${1:-}" in
  start) with_lock start ;;
  stop) with_lock stop ;;
  restart) with_lock stop; start ;;
  status) status ;;
  fetch) need_tools; with_lock fetch; tr ':' '\n' <"$CPFILE" | grep -c . | xargs echo "jars:" ;;
  kill) with_lock crash ;;
  clean) with_lock clean ;;
  *) echo "usage: $0 start|stop|restart|kill|status|fetch|clean" >&2; exit 2 ;;
esac
