"""Events as Arrow record batches and Parquet files in the one-table layout.

Schema: `event_type int32 not null`, then three nullable structs `person`, `auction`, `bid` (one
non-null a row) with the fields of docs/NEXMARK.md; BIGINT is int64, VARCHAR string, TIMESTAMP(3)
`timestamp('ms')` without time zone. Import this module only when Arrow output is wanted (pyarrow
costs ~0.3 s to import).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from nrtg.runtime.nexmark.config import (
    AUCTION,
    AUCTION_FIELDS,
    BID,
    BID_FIELDS,
    PERSON,
    PERSON_FIELDS,
    Event,
)

_TS = pa.timestamp("ms")
_TYPES: dict[str, pa.DataType] = {
    "id": pa.int64(),
    "initialBid": pa.int64(),
    "reserve": pa.int64(),
    "seller": pa.int64(),
    "category": pa.int64(),
    "auction": pa.int64(),
    "bidder": pa.int64(),
    "price": pa.int64(),
    "dateTime": _TS,
    "expires": _TS,
}


def _struct(names: Sequence[str]) -> pa.StructType:
    return pa.struct([pa.field(n, _TYPES.get(n, pa.string())) for n in names])


PERSON_TYPE = _struct(PERSON_FIELDS)
AUCTION_TYPE = _struct(AUCTION_FIELDS)
BID_TYPE = _struct(BID_FIELDS)
SCHEMA = pa.schema(
    [
        pa.field("event_type", pa.int32(), nullable=False),
        pa.field("person", PERSON_TYPE),
        pa.field("auction", AUCTION_TYPE),
        pa.field("bid", BID_TYPE),
    ]
)


def _column(events: list[Event], kind: int, struct: pa.StructType, types: pa.Array) -> pa.Array:
    """The struct column of one event type: its rows where event_type == kind, null elsewhere."""
    rows = [e for e in events if e[0] == kind]
    if not rows:
        return pa.nulls(len(events), struct)
    columns = list(zip(*rows, strict=True))[1:]
    children = [pa.array(c, type=f.type) for c, f in zip(columns, struct, strict=True)]
    compact = pa.StructArray.from_arrays(children, fields=list(struct))
    if len(rows) == len(events):
        return compact
    is_kind = pc.equal(types, kind)
    index = pc.subtract(pc.cumulative_sum(pc.cast(is_kind, pa.int64())), 1)
    return compact.take(pc.if_else(is_kind, index, pa.scalar(None, pa.int64())))


def record_batch(events: list[Event]) -> pa.RecordBatch:
    """Generated events (tuples, see config.Event) as one record batch of SCHEMA."""
    types = pa.array([e[0] for e in events], type=pa.int32())
    return pa.RecordBatch.from_arrays(
        [
            types,
            _column(events, PERSON, PERSON_TYPE, types),
            _column(events, AUCTION, AUCTION_TYPE, types),
            _column(events, BID, BID_TYPE, types),
        ],
        schema=SCHEMA,
    )


def parquet_writer(path: Path) -> pq.ParquetWriter:
    """A writer with fixed options: the same events give the same file bytes (for one pyarrow
    version: its `created_by` string names the version; the file holds no timestamp)."""
    return pq.ParquetWriter(
        str(path),
        SCHEMA,
        version="2.6",
        compression="zstd",
        compression_level=3,
        use_dictionary=True,
        write_statistics=True,
        data_page_version="1.0",
        data_page_size=1 << 20,
        store_schema=True,
    )
