"""The streaming runtime's contracts: records, operators, sources, sinks, checkpoints.

Records move as Arrow record batches. A batch has the producing operator's output columns, in
schema order, plus:
  * `_op` (int8) on updating streams: 0 = +I, 1 = -U, 2 = +U, 3 = -D (RowKind order);
    insert-only streams may omit it.
Time is epoch milliseconds (int). A TIMESTAMP(3) rowtime column is an Arrow timestamp('ms')
column; watermarks travel separately from batches.

The executor is single-threaded and push-based: it polls sources, pushes batches through the
operators in topological order, advances watermarks (per operator input: the minimum over the
upstream channels; per source: the minimum over its partitions, idle partitions excluded), and
at a checkpoint it is quiescent, so a checkpoint is a consistent cut without barriers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pyarrow as pa

OP_COLUMN = "_op"


class Op(IntEnum):
    INSERT = 0
    UPDATE_BEFORE = 1
    UPDATE_AFTER = 2
    DELETE = 3

    @property
    def short(self) -> str:
        return ("+I", "-U", "+U", "-D")[self]


MIN_WATERMARK = -(2**63)
MAX_WATERMARK = 2**63 - 1  # end of a bounded input: fires every pending timer


@dataclass
class Output:
    """What an operator call returns: batches to send downstream, and optionally a watermark
    it now guarantees for its output (usually the input watermark, after firing timers)."""

    batches: list[pa.RecordBatch] = field(default_factory=list)
    watermark: int | None = None


class Operator(Protocol):
    """One streaming operator instance. Implementations live in runtime/stream/operators/."""

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output: ...

    def on_watermark(self, watermark: int) -> Output:
        """The combined input watermark advanced to `watermark` (ms)."""
        ...

    def snapshot(self) -> Any:
        """State as a picklable value (Arrow tables / dicts of plain values)."""
        ...

    def restore(self, state: Any) -> None: ...

    def metrics(self) -> Mapping[str, int | float]:
        """At least records_in, records_out, late_records_dropped, state_rows."""
        ...


@dataclass(frozen=True)
class SourcePosition:
    """Where a source stands: per split (a Kafka topic-partition, a file) the next offset."""

    offsets: Mapping[str, int]


@dataclass
class Polled:
    batch: pa.RecordBatch | None
    # Per-split watermark candidates after this poll (max event time seen minus the table's
    # watermark delay is computed by the executor's watermark assigner, not by the source).
    splits: Sequence[str] = ()
    end_of_input: bool = False


class Source(Protocol):
    """A connector that reads one table's physical + metadata columns as Arrow batches. The
    `_split` column (string) names each row's split so per-split watermarks can be kept."""

    def open(self, position: SourcePosition | None) -> None: ...

    def poll(self, max_records: int, timeout_s: float) -> Polled: ...

    def position(self) -> SourcePosition: ...

    def close(self) -> None: ...


class Sink(Protocol):
    """A connector that writes a sink table's rows. Transactional sinks make `write` visible
    only after `commit`; the executor calls `prepare(cp)` then `commit(cp)` at checkpoints."""

    def open(self, restored_checkpoint: int | None) -> None: ...

    def write(self, batch: pa.RecordBatch) -> None: ...

    def prepare(self, checkpoint_id: int, positions: Mapping[str, SourcePosition]) -> None: ...

    def commit(self, checkpoint_id: int) -> None: ...

    def close(self) -> None: ...


class CheckpointStore(Protocol):
    """Durable checkpoints: operator states + source positions, written atomically."""

    def save(self, checkpoint_id: int, payload: Mapping[str, Any]) -> None: ...

    def latest(self) -> tuple[int, Mapping[str, Any]] | None: ...

    def load(self, checkpoint_id: int) -> Mapping[str, Any] | None: ...
