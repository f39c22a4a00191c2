"""Flink's `debezium-json` format: a changelog. Each message is an envelope
`{"before": ..., "after": ..., "op": "c|r|u|d"}` (inside `"payload"` when
`debezium-json.schema-include = true`): c/r -> +I(after), u -> -U(before) +U(after),
d -> -D(before). Writing follows Flink: +I/+U as `"op":"c"` with `after`, -U/-D as `"op":"d"`
with `before`. The envelopes are unpacked per message; the row objects are then decoded in one
vectorized pass by the json decoder (same type rules)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from nrtg.catalog.errors import ExecutionError

from . import Decoded, Locate, is_true
from .json import JsonDecoder, JsonEncoder

_KINDS: dict[str, tuple[tuple[str, int], ...]] = {
    "c": (("after", 0),),
    "r": (("after", 0),),
    "u": (("before", 1), ("after", 2)),
    "d": (("before", 3),),
}


class DebeziumDecoder:
    def __init__(self, schema: pa.Schema, options: Mapping[str, str], table: str) -> None:
        self.table_name = table
        self.ignore_errors = is_true(options, "debezium-json.ignore-parse-errors")
        self.rows = JsonDecoder(schema, {"json.ignore-parse-errors": "false"}, table)

    def decode(self, values: Sequence[bytes | None], locate: Locate) -> Decoded:
        lines: list[bytes] = []
        source: list[int] = []
        ops: list[int] = []
        skipped = 0
        for i, value in enumerate(values):
            if not value:
                continue  # tombstones after deletes carry nothing
            try:
                envelope: Any = json.loads(value)
                if isinstance(envelope, dict) and "payload" in envelope and "op" not in envelope:
                    envelope = envelope["payload"]
                kinds = _KINDS[envelope["op"]]
                picked = [(envelope[part], kind) for part, kind in kinds]
                for row, _ in picked:
                    if not isinstance(row, dict):
                        raise ValueError("before/after is not an object")
            except (ValueError, KeyError, TypeError) as e:
                if not self.ignore_errors:
                    raise ExecutionError(
                        f"table {self.table_name}: malformed debezium-json record at "
                        f"{locate(i)}: {e!r} (set 'debezium-json.ignore-parse-errors' = 'true' "
                        "to skip such records)"
                    ) from e
                skipped += 1
                continue
            for row, kind in picked:
                lines.append(json.dumps(row).encode())
                source.append(i)
                ops.append(kind)
        decoded = self.rows.decode(lines, lambda j: locate(source[j]))
        return Decoded(decoded.table, source, pa.array(ops, type=pa.int8()), skipped)


class DebeziumEncoder:
    def __init__(self, schema: pa.Schema, options: Mapping[str, str], table: str) -> None:
        self.rows = JsonEncoder(schema, options, table)

    def encode(self, batch: pa.RecordBatch) -> list[bytes | str | None]:
        rows = self.rows.encode_array(batch)
        index = batch.schema.get_field_index("_op")
        if index < 0:
            envelopes = pc.binary_join_element_wise(
                b'{"before":null,"after":', rows, b',"op":"c"}', b""
            )
        else:
            ops = batch.column(index)
            added = pc.or_(pc.equal(ops, 0), pc.equal(ops, 2))  # +I/+U; -U/-D are deletes
            envelopes = pc.if_else(
                added,
                pc.binary_join_element_wise(b'{"before":null,"after":', rows, b',"op":"c"}', b""),
                pc.binary_join_element_wise(b'{"before":', rows, b',"after":null,"op":"d"}', b""),
            )
        out: list[bytes | str | None] = envelopes.to_pylist()
        return out
