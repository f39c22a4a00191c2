# Shared by scripts/kafka.sh and scripts/hms.sh: process checks, readiness wait and stop.
# The caller defines SERVICE (a noun for messages), PORT, PIDFILE, LOGS, START_TIMEOUT,
# STOP_TIMEOUT and the functions log, die, our_pid, probe and show_logs.
# shellcheck shell=bash

alive() {  # a zombie (exited, not yet reaped by its new parent) counts as gone
  local state
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)"
  [ -n "$state" ] && [ "$state" != Z ]
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_ready() {  # $1 = pid
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if port_open "$PORT" && probe; then return 0; fi
    if ! alive "$pid"; then
      show_logs
      die "$SERVICE exited during startup (logs: $LOGS)"
    fi
    sleep 0.5
  done
  show_logs
  die "$SERVICE did not answer on 127.0.0.1:$PORT within ${START_TIMEOUT}s (pid $pid, logs: $LOGS)"
}

stop() {
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$PIDFILE"
    log "not running (port $PORT)"
    return 0
  fi
  kill -TERM "$pid"
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while alive "$pid"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "$SERVICE $pid did not stop within ${STOP_TIMEOUT}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$PIDFILE"
  log "stopped (pid $pid)"
}

need_java17() {  # $1 = what needs it, for the messages
  command -v java >/dev/null || die "java not found on PATH ($1 needs Java 17+)"
  local v
  v="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  [ "${v%%.*}" -ge 17 ] 2>/dev/null || die "Java 17+ required for $1, found '${v:-unknown}'"
}
