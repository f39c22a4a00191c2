"""Flink's `csv` format: one CSV line per message, vectorized with pyarrow's CSV reader and
writer. Options: `csv.field-delimiter`, `csv.quote-character`, `csv.escape-character`,
`csv.null-literal`, `csv.allow-comments` (a message starting with `#` is a comment and yields
no row, as Jackson's ALLOW_COMMENTS reads it), `csv.ignore-parse-errors` (skip and count;
otherwise fail naming the record)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import pyarrow as pa
import pyarrow.csv as pcsv

from nrtg.catalog.errors import ExecutionError

from . import Decoded, Locate, is_true, text_bytes


class CsvDecoder:
    def __init__(self, schema: pa.Schema, options: Mapping[str, str], table: str) -> None:
        self.schema = schema
        self.table_name = table
        self.ignore_errors = is_true(options, "csv.ignore-parse-errors")
        quote = options.get("csv.quote-character", '"')
        self.parse = pcsv.ParseOptions(
            delimiter=options.get("csv.field-delimiter", ","),
            quote_char=quote or False,
            escape_char=options.get("csv.escape-character") or False,
            newlines_in_values=False,
        )
        self.comments = is_true(options, "csv.allow-comments")
        null = options.get("csv.null-literal")
        self.convert = pcsv.ConvertOptions(
            column_types=schema,
            null_values=[null] if null is not None else [""],
            strings_can_be_null=null is not None,
            quoted_strings_can_be_null=False,
        )

    def _read(self, lines: Sequence[bytes]) -> pa.Table:
        buf = b"\n".join(lines) + b"\n"
        read = pcsv.ReadOptions(
            column_names=list(self.schema.names), use_threads=False, block_size=len(buf) + 1
        )
        table = pcsv.read_csv(
            io.BytesIO(buf),
            read_options=read,
            parse_options=self.parse,
            convert_options=self.convert,
        )
        if table.num_rows != len(lines):
            raise pa.ArrowInvalid(f"expected {len(lines)} CSV lines, found {table.num_rows}")
        return table

    def decode(self, values: Sequence[bytes | None], locate: Locate) -> Decoded:
        index = [i for i, v in enumerate(values) if v and not (self.comments and v[:1] == b"#")]
        lines: list[bytes] = [values[i].rstrip(b"\r\n") for i in index]  # type: ignore[union-attr]
        if not lines:
            return Decoded(self.schema.empty_table(), [])
        try:
            return Decoded(self._read(lines), None if len(index) == len(values) else index)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        kept: list[int] = []
        tables: list[pa.Table] = []
        skipped = 0
        for j, line in enumerate(lines):  # error path only: one line at a time
            try:
                tables.append(self._read([line]))
                kept.append(index[j])
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
                if not self.ignore_errors:
                    raise ExecutionError(
                        f"table {self.table_name}: malformed csv record at {locate(index[j])}: "
                        f"{e} (set 'csv.ignore-parse-errors' = 'true' to skip such records)"
                    ) from e
                skipped += 1
        table = pa.concat_tables(tables) if tables else self.schema.empty_table()
        return Decoded(table, kept, skipped=skipped)


class CsvEncoder:
    """Quotes only where needed, as Flink's (Jackson) CSV writer does: a batch whose strings
    hold no delimiter, quote or line break is written unquoted. One line per row; a quoted
    value may hold a line break, so such a batch is written a row at a time."""

    def __init__(self, schema: pa.Schema, options: Mapping[str, str], table: str) -> None:
        self.schema = schema
        self.delimiter = options.get("csv.field-delimiter", ",")
        self.specials = sorted(set((self.delimiter + '"\n\r').encode()))

    def _needs_quotes(self, batch: pa.RecordBatch) -> bool:
        for column in batch.columns:
            if pa.types.is_large_string(column.type):
                column = column.cast(pa.string())
            if pa.types.is_string(column.type):
                data = text_bytes(column)
                if any((data == special).any() for special in self.specials):
                    return True
        return False

    def encode(self, batch: pa.RecordBatch) -> list[bytes | str | None]:
        data = pa.RecordBatch.from_arrays(
            [batch.column(i) for i in range(len(self.schema))], names=list(self.schema.names)
        )
        style = "needed" if self._needs_quotes(data) else "none"
        options = pcsv.WriteOptions(
            include_header=False, delimiter=self.delimiter, quoting_style=style
        )

        def lines_of(rows: pa.RecordBatch) -> list[bytes]:
            out = io.BytesIO()
            pcsv.write_csv(rows, out, write_options=options)
            return out.getvalue().split(b"\n")[:-1]  # the writer ends each line with \n

        lines = lines_of(data)
        if len(lines) != data.num_rows:  # a quoted value holds a line break
            lines = [b"\n".join(lines_of(data.slice(i, 1))) for i in range(data.num_rows)]
        encoded: list[bytes | str | None] = list(lines)
        return encoded
