"""Fault test (a): a windowed Nexmark job over >= 1M events in a 4-partition topic, killed with
SIGKILL at >= 10 random points and restarted each time, commits (read_committed) exactly the
output of an uninterrupted run: nothing lost, nothing duplicated.

NRTG_FAULT_EVENTS overrides the event count (default 1 000 000) and NRTG_FAULT_SEED the seed of
the kill points (default: random, printed so that a failure can be replayed)."""

from __future__ import annotations

import os
import pickle
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._kafka import TopicPool, generate, job_script, read_topic, start_job, values

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


@pytest.fixture
def topics(kafka_bootstrap: str) -> Iterator[TopicPool]:
    pool = TopicPool(kafka_bootstrap)
    yield pool
    pool.drop()


KILLS = 10
RUN_TIMEOUT_S = 300


def _newest_checkpoint(directory: Path) -> int:
    if not directory.exists():
        return 0
    ids = [int(p.name[4:16]) for p in directory.glob("chk-*.pickle")]
    return max(ids, default=0)


class Progress:
    """Events consumed up to the newest complete checkpoint (its source offsets, summed); each
    checkpoint is read once, so polling it does not take CPU from the job."""

    def __init__(self) -> None:
        self.checkpoint = 0
        self.events = 0

    def __call__(self, directory: Path) -> int:
        newest = _newest_checkpoint(directory)
        if newest != self.checkpoint:
            try:
                with open(directory / f"chk-{newest:012d}.pickle", "rb") as f:
                    payload = pickle.load(f)
            except FileNotFoundError:  # retired by the job between the listing and the open
                return self.events
            self.checkpoint = newest
            self.events = sum(sum(p.offsets.values()) for p in payload["sources"].values())
        return self.events


def _finish(proc: subprocess.Popen[bytes], log: Path) -> None:
    try:
        code = proc.wait(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        proc.kill()
        raise AssertionError(
            f"job did not finish in {RUN_TIMEOUT_S} s:\n{log.read_text()[-3000:]}"
        ) from e
    assert code == 0, f"job failed ({code}):\n{log.read_text()[-3000:]}"


@pytest.mark.timeout(1500)
def test_kill_9_at_random_points(kafka_bootstrap: str, topics: TopicPool, tmp_path: Path) -> None:
    events = int(os.environ.get("NRTG_FAULT_EVENTS", "1000000"))
    seed = int(os.environ.get("NRTG_FAULT_SEED", str(random.randrange(1 << 30))))
    print(f"fault test: {events} events, kill seed {seed}")
    rng = random.Random(seed)
    src = topics.new("fault-src", 4)
    ref = topics.new("fault-ref", 4)
    out = topics.new("fault-out", 4)
    generate(f"kafka://{kafka_bootstrap}/{src}", events, seed=5)

    # the uninterrupted run
    log = tmp_path / "job.log"
    started = time.monotonic()
    reference = job_script(
        tmp_path / "ref.sql", kafka_bootstrap, src, ref, checkpoint_dir=tmp_path / "cp-ref"
    )
    _finish(start_job(reference, log), log)
    uninterrupted_s = time.monotonic() - started

    # the same job, killed with SIGKILL at random points and restarted each time
    script = job_script(
        tmp_path / "job.sql", kafka_bootstrap, src, out, checkpoint_dir=tmp_path / "cp"
    )
    # every run is also killed once its checkpoints pass a share of the input that grows with
    # each kill, so a fast machine cannot finish the job before the last kill point (timed kill
    # points alone let it finish after 7 kills)
    kills = 0
    restarts = 0
    cp_dir = tmp_path / "cp"
    progress = Progress()
    while kills < KILLS:
        before = _newest_checkpoint(cp_dir)
        cap = events * (kills + 1) // (KILLS + 2)
        proc = start_job(script, log)
        restarts += 1
        if kills % 2 == 0:
            # anywhere from "still importing" to "first checkpoints": startup gets killed too
            deadline = time.monotonic() + rng.uniform(0.3, 2.5)
        else:
            # after this run committed a checkpoint of its own, at a random point of the next
            # interval (mid-batch, mid-transaction, mid-checkpoint)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and proc.poll() is None:
                if _newest_checkpoint(cp_dir) > before:
                    deadline = time.monotonic() + rng.uniform(0.0, 0.8)
                    break
                time.sleep(0.02)
        while proc.poll() is None and time.monotonic() < deadline and progress(cp_dir) < cap:
            time.sleep(0.02)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
            continue
        assert proc.returncode == 0, log.read_text()[-3000:]
        pytest.fail(f"the job finished after {kills} kills: add events (NRTG_FAULT_EVENTS)")
    last = start_job(script, log)
    _finish(last, log)
    restores = log.read_text().count("restored checkpoint")
    assert restores >= KILLS // 2, f"only {restores} runs resumed from a checkpoint"

    expected = values(read_topic(kafka_bootstrap, ref, timeout=120))
    got = values(read_topic(kafka_bootstrap, out, timeout=120))
    assert sum(expected.values()) > 10_000
    lost = expected - got
    duplicated = got - expected
    assert not lost and not duplicated, (
        f"seed {seed}: {sum(lost.values())} rows lost, {sum(duplicated.values())} duplicated "
        f"(e.g. {list(lost)[:2]} / {list(duplicated)[:2]})"
    )
    print(
        f"uninterrupted run {uninterrupted_s:.1f} s; {kills} kills, {restarts + 1} runs, "
        f"{restores} resumed from a checkpoint; {sum(got.values())} rows"
    )
