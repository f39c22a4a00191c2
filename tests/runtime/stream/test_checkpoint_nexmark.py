"""Kill and restore: Nexmark queries over three files, a snapshot taken mid-run, the job
"killed" (its later output discarded) and resumed from the snapshot: the output committed
before the snapshot plus the resumed run's output fold to the uninterrupted result."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.golden import ROOT, load_case
from nrtg.runtime.stream.executor import Executor
from nrtg.runtime.stream.fold import fold_multiset

from ._parity import generate_nexmark, query_plans

QUERIES = ["q4", "q5", "q7", "q11", "q19", "q20"]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_nexmark(tmp_path_factory.mktemp("nx") / "events", events=1000, files=3)


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("kill_after", [2, 7])
def test_restore_from_snapshot_equals_uninterrupted(
    query: str, kill_after: int, data: Path
) -> None:
    case = load_case(ROOT / "cases" / "nexmark" / f"{query}.sql")
    plans, _ = query_plans(case, data)
    graph = lower_to_stream(tuple(plans))
    whole = Executor(graph, batch_size=100)
    whole.run()
    expected = fold_multiset(whole.output(0))

    first = Executor(graph, batch_size=100)
    first.run(max_steps=kill_after)
    payload = first.snapshot()
    committed = first.output(0)
    first.run(max_steps=3)  # work after the snapshot is lost with the process
    resumed = Executor(graph, batch_size=100, restore=payload)
    resumed.run()
    parts = [t for t in (committed, resumed.output(0)) if t is not None]
    combined = pa.concat_tables(parts, promote_options="default") if parts else None
    assert fold_multiset(combined) == expected
