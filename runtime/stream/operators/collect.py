"""collect: the in-process sink. It keeps every batch it receives (with `_op` on updating
streams) so a test or `nrtg run` can print the change stream or fold it into a table."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from ..api import SourcePosition


class CollectSink:
    def __init__(self) -> None:
        self.batches: list[pa.RecordBatch] = []
        self.committed = 0

    def open(self, restored_checkpoint: int | None) -> None:
        return None

    def write(self, batch: pa.RecordBatch) -> None:
        self.batches.append(batch)

    def prepare(self, checkpoint_id: int, positions: Mapping[str, SourcePosition]) -> None:
        return None

    def commit(self, checkpoint_id: int) -> None:
        self.committed = len(self.batches)

    def close(self) -> None:
        return None

    def table(self) -> pa.Table | None:
        if not self.batches:
            return None
        return pa.Table.from_batches(self.batches)
