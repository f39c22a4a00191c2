"""The directory checkpoint store (atomic, retained, discard of uncommitted checkpoints) and the
filesystem sink's commit-by-rename protocol across a simulated crash."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa

from nrtg.catalog import types as t
from nrtg.catalog.schema import Field, Ident
from nrtg.compiler.plan import nodes as n
from nrtg.runtime.stream.api import SourcePosition
from nrtg.runtime.stream.checkpoint import DirectoryCheckpointStore
from nrtg.runtime.stream.connectors.file_sink import FileSink


def test_save_load_latest_and_retention(tmp_path: Path) -> None:
    store = DirectoryCheckpointStore(tmp_path / "cp", retain=3)
    assert store.latest() is None
    for cp in range(1, 6):
        store.save(cp, {"checkpoint_id": cp, "state": pa.table({"x": [cp]})})
    assert store.ids() == [3, 4, 5]
    latest = store.latest()
    assert latest is not None and latest[0] == 5
    assert latest[1]["state"].column("x").to_pylist() == [5]
    assert store.load(1) is None
    store.discard_after(3)
    assert store.ids() == [3]


def test_torn_write_leaves_previous_checkpoints(tmp_path: Path) -> None:
    store = DirectoryCheckpointStore(tmp_path, retain=2)
    store.save(1, {"checkpoint_id": 1})
    # a writer killed before its rename leaves only a hidden temporary file
    (tmp_path / ".chk-000000000002.999.tmp").write_bytes(b"partial")
    reopened = DirectoryCheckpointStore(tmp_path, retain=2)
    assert reopened.ids() == [1]
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
    latest = reopened.latest()
    assert latest is not None and latest[0] == 1


def test_retain_is_at_least_two(tmp_path: Path) -> None:
    store = DirectoryCheckpointStore(tmp_path, retain=1)
    for cp in (1, 2, 3):
        store.save(cp, {"checkpoint_id": cp})
    assert store.ids() == [2, 3]


def _sink_node(path: Path) -> n.Sink:
    fields = (Field("id", t.bigint()),)
    return n.Sink(
        input=n.Values(rows=(), fields=fields),
        table=Ident("default", "out"),
        fields=fields,
        options=(("connector", "filesystem"), ("format", "json"), ("path", str(path))),
    )


def _visible(path: Path) -> list[int]:
    rows: list[int] = []
    for name in sorted(os.listdir(path)):
        if not name.startswith("."):
            rows += [
                int(line.split(":")[1].rstrip("}")) for line in (path / name).read_text().split()
            ]
    return sorted(rows)


def test_file_sink_commits_prepared_files_on_restore(tmp_path: Path) -> None:
    out = tmp_path / "out"
    node = _sink_node(out)
    batch = lambda ids: pa.RecordBatch.from_pylist([{"id": i} for i in ids])  # noqa: E731
    positions = {"0": SourcePosition({})}
    first = FileSink(node)
    first.open(None)
    first.write(batch([1, 2]))
    first.prepare(1, positions)
    first.commit(1)
    first.write(batch([3]))
    first.prepare(2, positions)  # checkpoint 2 is then written ... and the process dies
    first.write(batch([4]))  # in progress, never checkpointed
    first.close()
    assert _visible(out) == [1, 2]
    second = FileSink(node)
    second.open(2)  # restored from checkpoint 2: its prepared file belongs to the output
    assert _visible(out) == [1, 2, 3]
    assert not [p for p in os.listdir(out) if p.startswith(".")]
    third = FileSink(node)
    third.write(batch([9]))
    third.prepare(3, positions)
    third.close()
    fourth = FileSink(node)
    fourth.open(2)  # checkpoint 3 never completed: its file goes away
    assert _visible(out) == [1, 2, 3]
