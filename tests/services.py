"""The real JVM services that integration tests talk to, started on demand.

`scripts/kafka.sh` runs a single-node KRaft Kafka broker, `scripts/hms.sh` a Hive Metastore and
`scripts/s3.sh` an S3-API server (S3Proxy), all on 127.0.0.1. The scripts are idempotent (a
running service is reused), so a test session pays the start-up once, and only the first run on
a machine pays the download. Failing to start raises `ServiceError` with the script's own
diagnosis; the fixtures turn that into a test failure, never a skip.

Ports come from the scripts' environment variables: `KAFKA_PORT` (9092), `HMS_PORT` (9084) and
`S3_PORT` (9400).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KAFKA_SCRIPT = REPO / "scripts" / "kafka.sh"
HMS_SCRIPT = REPO / "scripts" / "hms.sh"
S3_SCRIPT = REPO / "scripts" / "s3.sh"

# A cold start downloads the service first (Kafka: Maven resolution; HMS: a ~460 MB sdist).
KAFKA_START_TIMEOUT_S = 900.0
HMS_START_TIMEOUT_S = 1500.0
S3_START_TIMEOUT_S = 600.0  # a cold start fetches S3Proxy's 55 MB jar with Maven

# The credentials scripts/s3.sh gives its server (its S3_ACCESS_KEY / S3_SECRET_KEY defaults).
S3_ACCESS_KEY = "nrtg"
S3_SECRET_KEY = "nrtg-secret"


class ServiceError(RuntimeError):
    """A project service could not be started or reached."""


def kafka_port() -> int:
    return int(os.environ.get("KAFKA_PORT", "9092"))


def hms_port() -> int:
    return int(os.environ.get("HMS_PORT", "9084"))


def s3_port() -> int:
    return int(os.environ.get("S3_PORT", "9400"))


def _run(script: Path, action: str, timeout: float, env: Mapping[str, str] | None = None) -> str:
    """Runs `script action`, returns its last stdout line; raises ServiceError on failure."""
    name = script.name
    for tool in ("java", "bash"):
        if shutil.which(tool) is None:
            raise ServiceError(f"{name} {action}: `{tool}` is not on PATH (install a JDK 17+)")
    try:
        proc = subprocess.run(
            ["bash", str(script), action],
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, **env} if env else None,
        )
    except subprocess.TimeoutExpired as e:
        raise ServiceError(f"{name} {action} did not finish within {timeout:.0f}s") from e
    if proc.returncode != 0:
        detail = (proc.stderr.strip() or proc.stdout.strip())[-4000:]
        raise ServiceError(f"{name} {action} failed (exit {proc.returncode}):\n{detail}")
    lines = proc.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def _kafka_env(port: int | None) -> dict[str, str]:
    return {} if port is None else {"KAFKA_PORT": str(port), "KAFKA_CONTROLLER_PORT": str(port + 1)}


def _kafka(action: str, port: int | None, timeout: float = KAFKA_START_TIMEOUT_S) -> str:
    out = _run(KAFKA_SCRIPT, action, timeout, _kafka_env(port))
    return out or f"127.0.0.1:{kafka_port() if port is None else port}"


def start_kafka(port: int | None = None) -> str:
    """Starts the broker unless it is up; returns the bootstrap address "127.0.0.1:PORT".

    `port` selects another broker than the shared one (its controller listens on port + 1).
    """
    return _kafka("start", port)


def restart_kafka(port: int | None = None) -> str:
    """Stops the broker cleanly and starts it again (topics and data survive); returns bootstrap."""
    return _kafka("restart", port)


def kill_kafka(port: int | None = None) -> None:
    """SIGKILLs the broker, as a crash would; `start_kafka` then recovers its logs."""
    _kafka("kill", port, 120.0)


def stop_kafka(port: int | None = None) -> None:
    _kafka("stop", port, 120.0)


def delete_kafka(port: int) -> None:
    """Stops a private broker and deletes its data (never used on the shared broker)."""
    _kafka("clean", port, 120.0)


def start_hms() -> tuple[str, int]:
    """Starts the Hive Metastore unless it is up; returns (host, port)."""
    out = _run(HMS_SCRIPT, "start", HMS_START_TIMEOUT_S) or f"127.0.0.1:{hms_port()}"
    host, _, port = out.rpartition(":")
    return host, int(port)


def start_s3() -> str:
    """Starts the S3 server unless it is up; returns its endpoint "http://127.0.0.1:PORT".

    Clients sign with S3_ACCESS_KEY / S3_SECRET_KEY, any region, path-style addressing.
    """
    env = {"S3_ACCESS_KEY": S3_ACCESS_KEY, "S3_SECRET_KEY": S3_SECRET_KEY}
    return _run(S3_SCRIPT, "start", S3_START_TIMEOUT_S, env) or f"http://127.0.0.1:{s3_port()}"


def make_topic(
    bootstrap: str,
    name: str,
    partitions: int = 1,
    *,
    config: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> str:
    """Creates a topic named `name-<random>` and waits until every partition has a leader.

    Returns the unique name, so tests never see each other's data, even across runs.
    """
    from confluent_kafka.admin import AdminClient, NewTopic

    topic = f"{name}-{uuid.uuid4().hex[:12]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    new = NewTopic(
        topic, num_partitions=partitions, replication_factor=1, config=dict(config or {})
    )
    try:
        admin.create_topics([new], operation_timeout=timeout)[topic].result(timeout=timeout)
    except Exception as e:  # KafkaException carries the broker's error
        raise ServiceError(f"creating topic {topic!r} on {bootstrap} failed: {e}") from e
    deadline = time.monotonic() + timeout
    while True:
        meta = admin.list_topics(topic=topic, timeout=timeout).topics.get(topic)
        if (
            meta is not None
            and meta.error is None
            and len(meta.partitions) == partitions
            and all(p.leader >= 0 for p in meta.partitions.values())
        ):
            return topic
        if time.monotonic() > deadline:
            raise ServiceError(
                f"topic {topic!r} has no leader for every partition after {timeout}s"
            )
        time.sleep(0.1)
