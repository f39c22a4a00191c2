"""Flink's `raw` format: the whole message value is one column (STRING as UTF-8, or BYTES).
A null value is a NULL row (Flink's raw format keeps it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa

from nrtg.catalog.errors import ExecutionError

from . import Decoded, Locate


class RawDecoder:
    def __init__(self, schema: pa.Schema, options: Mapping[str, str], table: str) -> None:
        if len(schema) != 1:
            raise ExecutionError(
                f"table {table}: the raw format needs exactly one physical column, "
                f"got {len(schema)}"
            )
        self.schema = schema
        self.table_name = table
        self.charset = options.get("raw.charset", "UTF-8")

    def decode(self, values: Sequence[bytes | None], locate: Locate) -> Decoded:
        column = pa.array(values, type=pa.binary())
        target = self.schema.field(0).type
        if pa.types.is_string(target) or pa.types.is_large_string(target):
            try:
                column = column.cast(target)
            except pa.ArrowInvalid as e:
                raise ExecutionError(
                    f"table {self.table_name}: raw value is not {self.charset} text in the "
                    f"records from {locate(0)} on: {e}"
                ) from e
        elif not pa.types.is_binary(target):
            raise ExecutionError(
                f"table {self.table_name}: the raw format reads STRING or BYTES, not {target}"
            )
        return Decoded(pa.Table.from_arrays([column], schema=self.schema))


class RawEncoder:
    def __init__(self, schema: pa.Schema, options: Mapping[str, str], table: str) -> None:
        if len(schema) != 1:
            raise ExecutionError(
                f"table {table}: the raw format needs exactly one column, got {len(schema)}"
            )

    def encode(self, batch: pa.RecordBatch) -> list[bytes | str | None]:
        column = batch.column(0)
        if not pa.types.is_binary(column.type):
            column = column.cast(pa.binary())  # zero-copy for text; bytes are what Kafka takes
        values: list[bytes | str | None] = column.to_pylist()
        return values
