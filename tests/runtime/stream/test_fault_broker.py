"""Fault test (b): the Kafka broker stops and starts again (`scripts/kafka.sh`) while a
windowed job runs with an exactly-once sink; the job recovers by itself (librdkafka reconnects,
or the job restarts in-process from its last committed checkpoint) and its committed output
equals an uninterrupted run."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ...services import start_kafka, stop_kafka
from ._kafka import TopicPool, generate, job_script, read_topic, start_job, values

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


@pytest.fixture
def topics(kafka_bootstrap: str) -> Iterator[TopicPool]:
    pool = TopicPool(kafka_bootstrap)
    yield pool
    pool.drop()


EVENTS = 400_000


def _wait(proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired as e:
        proc.kill()
        raise AssertionError(
            f"job still running after {timeout} s:\n{log.read_text()[-3000:]}"
        ) from e
    assert code == 0, f"job failed ({code}):\n{log.read_text()[-3000:]}"


@pytest.mark.timeout(900)
def test_job_survives_a_broker_restart(
    kafka_bootstrap: str, topics: TopicPool, tmp_path: Path
) -> None:
    src = topics.new("brk-src", 4)
    ref = topics.new("brk-ref", 4)
    out = topics.new("brk-out", 4)
    generate(f"kafka://{kafka_bootstrap}/{src}", EVENTS, seed=9)
    log = tmp_path / "job.log"
    reference = job_script(tmp_path / "ref.sql", kafka_bootstrap, src, ref)
    _wait(start_job(reference, log), log, 300)

    # slow the job down (small polls) so that the restart lands in the middle of it
    script = job_script(
        tmp_path / "job.sql", kafka_bootstrap, src, out, checkpoint_dir=tmp_path / "cp"
    )
    script.write_text("SET 'nrtg.stream.batch-size' = '100';\n" + script.read_text())
    proc = start_job(script, log)
    try:
        deadline = time.monotonic() + 60
        while not read_topic(kafka_bootstrap, out, timeout=30):  # a checkpoint has committed
            assert proc.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "no committed output after 60 s"
            time.sleep(0.3)
        stop_kafka()
        # the job cannot end while the broker is down: its last checkpoint commits through it
        time.sleep(2)
        assert proc.poll() is None, "the job ended before the broker went down"
        start_kafka()
        _wait(proc, log, 600)
    finally:
        if proc.poll() is None:
            proc.kill()
    expected = values(read_topic(kafka_bootstrap, ref, timeout=120))
    got = values(read_topic(kafka_bootstrap, out, timeout=120))
    assert sum(expected.values()) > 1000
    assert got == expected, (
        f"{sum((expected - got).values())} lost, {sum((got - expected).values())} duplicated"
    )
