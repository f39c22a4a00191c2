"""What every operator shares: metrics counters and the default watermark behaviour (pass the
combined input watermark through)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec

from ..api import Output
from ._rows import arrow_schema
from ._sizing import deep_size


class BaseOperator:
    def __init__(self, spec: OperatorSpec) -> None:
        self.spec = spec
        self.out_schema: pa.Schema = arrow_schema(spec.schema)
        self.records_in = 0
        self.records_out = 0
        self.late_records_dropped = 0

    def emit(self, batches: list[pa.RecordBatch], watermark: int | None = None) -> Output:
        batches = [b for b in batches if b.num_rows]
        self.records_out += sum(b.num_rows for b in batches)
        return Output(batches, watermark)

    def on_watermark(self, watermark: int) -> Output:
        return Output([], watermark)

    def state_rows(self) -> int:
        return 0

    def state_bytes(self) -> int:
        """Bytes the state occupies (Arrow buffers exactly, Python objects by a sampled walk)."""
        return deep_size(self.snapshot()) if self.state_rows() else 0

    def snapshot(self) -> Any:
        return None

    def restore(self, state: Any) -> None:
        return None

    def metrics(self) -> Mapping[str, int | float]:
        return {
            "records_in": self.records_in,
            "records_out": self.records_out,
            "late_records_dropped": self.late_records_dropped,
            "state_rows": self.state_rows(),
            "state_bytes": self.state_bytes(),
        }
