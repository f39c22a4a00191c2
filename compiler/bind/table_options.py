"""The option keys of each connector and format, checked as Flink's FactoryUtil checks them.

Flink refuses a table whose options hold a key its connector (or the format the connector
discovered) does not declare: "Unsupported options found for 'kafka'", and one that lacks a
required key. Without the check a misspelt key (`'scan.startup.mod'`) would be ignored and
the job would quietly do something else. The check runs where a table is used: its CREATE
TABLE, a scan, a sink, a table reference with an OPTIONS hint (the merged options). A table
read from a catalog is not checked when it is read, so `nrtg catalog` lists tables whose
options only Flink knows.

Supported keys per connector are Flink 2.x's (FactoryUtil's implicit keys, the factory's
required and optional options) plus pass-through prefixes: `properties.*` for Kafka, and a
format's own keys under its prefix (`json.*` with 'format' = 'json', `key.json.*` /
`value.json.*` with 'key.format' / 'value.format'). The keys of the formats nrtg reads (json,
csv, raw, debezium-json) are checked too, also on the filesystem connector, where Flink lets
any `<format>.` key through; the keys of another format (avro, parquet, ...) pass through,
as the runtime reports such a format itself. A Flink key that nrtg does not read is accepted
when ignoring it cannot change results (parallelism, rolling policies, ...), and refused with
UnsupportedError otherwise, except for the values that mean what nrtg does anyway.

A table without 'connector' (rows passed as Arrow tables, legacy `connector.type` keys) and a
connector nrtg does not know are left to the runtime, as before.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlglot.tokenizer_core import Token, TokenType

from nrtg.catalog.errors import Span

from ..errors import PlanValidationError, UnsupportedError
from ..parse.dialect import FlinkTokenizer
from ..parse.lexer import fast_tokenize

__all__ = ["check_table_options"]


@dataclass(frozen=True)
class _Refused:
    """A Flink key nrtg does not read: `harmless` are the values that mean what nrtg does
    without it (compared case-insensitively, as Flink reads booleans and enums); any other
    value is refused, for the reason `why`."""

    harmless: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class _Options:
    """A format's keys (without its prefix), or a connector's."""

    keys: frozenset[str]
    refused: Mapping[str, _Refused] = field(default_factory=dict)


@dataclass(frozen=True)
class _Connector(_Options):
    # each group: one of its keys must be set
    required: tuple[tuple[str, ...], ...] = ()
    # keys under these prefixes pass through unchecked (Kafka client properties)
    prefixes: tuple[str, ...] = ()
    # the keys naming a format: 'format' gives the prefix '<id>.', 'key.format' 'key.<id>.'
    format_keys: tuple[str, ...] = ()


# FactoryUtil's keys every table factory consumes: the connector, the property version and the
# watermark options of FLIP-296 (nrtg reads the idle timeout; emitting on every event or
# periodically, and aligning sources, change when a watermark advances, not the results).
_COMMON = frozenset(
    {
        "connector",
        "property-version",
        "scan.watermark.emit.strategy",
        "scan.watermark.alignment.group",
        "scan.watermark.alignment.max-drift",
        "scan.watermark.alignment.update-interval",
        "scan.watermark.idle-timeout",
    }
)

_FALSE = ("false",)

# JsonFormatOptions. map-null-key.*: an Arrow map has no NULL key, so nrtg never writes one.
# decode.json-parser.enabled only picks Jackson's parser.
_JSON = _Options(
    frozenset(
        {
            "fail-on-missing-field",
            "ignore-parse-errors",
            "timestamp-format.standard",
            "map-null-key.mode",
            "map-null-key.literal",
            "encode.decimal-as-plain-number",
            "encode.ignore-null-fields",
            "decode.json-parser.enabled",
        }
    ),
    {
        "fail-on-missing-field": _Refused(_FALSE, "nrtg reads a missing field as NULL"),
        "encode.decimal-as-plain-number": _Refused(
            _FALSE, "nrtg writes a DECIMAL as BigDecimal.stripTrailingZeros().toString()"
        ),
        "encode.ignore-null-fields": _Refused(_FALSE, "nrtg writes NULL fields as null"),
    },
)

# CsvFormatOptions. nrtg reads and writes no ARRAY or ROW column in Flink's CSV layout, with or
# without 'array-element-delimiter'.
_CSV = _Options(
    frozenset(
        {
            "field-delimiter",
            "disable-quote-character",
            "quote-character",
            "allow-comments",
            "ignore-parse-errors",
            "array-element-delimiter",
            "escape-character",
            "null-literal",
            "write-bigdecimal-in-scientific-notation",
        }
    ),
    {
        "disable-quote-character": _Refused(_FALSE, "nrtg reads and writes quoted fields"),
        "write-bigdecimal-in-scientific-notation": _Refused(
            _FALSE, "nrtg writes a DECIMAL in plain notation"
        ),
    },
)

# RawFormatOptions. nrtg's raw columns are STRING or BYTES, which have no byte order.
_RAW = _Options(frozenset({"charset", "endianness"}))

# DebeziumJsonFormatFactory's optional options.
_DEBEZIUM_JSON = _Options(
    frozenset(
        {
            "schema-include",
            "ignore-parse-errors",
            "timestamp-format.standard",
            "map-null-key.mode",
            "map-null-key.literal",
            "encode.decimal-as-plain-number",
        }
    ),
    {
        "timestamp-format.standard": _Refused(
            ("SQL",), "nrtg writes debezium-json timestamps in the SQL standard"
        ),
        "encode.decimal-as-plain-number": _JSON.refused["encode.decimal-as-plain-number"],
    },
)

_FORMATS: dict[str, _Options] = {
    "json": _JSON,
    "csv": _CSV,
    "raw": _RAW,
    "debezium-json": _DEBEZIUM_JSON,
}

_PARALLELISM = frozenset({"scan.parallelism", "sink.parallelism"})  # one thread runs a job

# KafkaDynamicTableFactory (flink-connector-kafka 4.x). sink.partitioner and the transaction
# naming strategy place records in partitions and name transactions: the records are the same.
_KAFKA_KEYS = frozenset(
    {
        "properties.bootstrap.servers",
        "properties.group.id",
        "format",
        "key.format",
        "key.fields",
        "key.fields-prefix",
        "value.format",
        "value.fields-include",
        "topic",
        "topic-pattern",
        "scan.startup.mode",
        "scan.startup.specific-offsets",
        "scan.startup.timestamp-millis",
        "scan.bounded.mode",
        "scan.bounded.specific-offsets",
        "scan.bounded.timestamp-millis",
        "scan.topic-partition-discovery.interval",
        "sink.partitioner",
        "sink.delivery-guarantee",
        "sink.transactional-id-prefix",
        "sink.transaction-naming-strategy",
        "sink.semantic",
    }
)

# Required keys are the factories' requiredOptions, but not 'properties.bootstrap.servers':
# nrtg compiles plans that never connect (`--target plan`, explain, tests), and its runtime
# asks for the servers, a format and a topic when the job starts.
_KAFKA = _Connector(
    _KAFKA_KEYS | _PARALLELISM,
    {
        "sink.semantic": _Refused(
            (), "Flink's deprecated name, which nrtg does not read; use 'sink.delivery-guarantee'"
        ),
    },
    prefixes=("properties.",),
    format_keys=("format", "key.format", "value.format"),
)

# UpsertKafkaDynamicTableFactory: no startup mode (it reads from the earliest offset), a key
# and a value format; the sink buffer only folds updates of a key before they are written.
_UPSERT_KAFKA = _Connector(
    frozenset(
        {
            "properties.bootstrap.servers",
            "topic",
            "topic-pattern",
            "key.format",
            "key.fields-prefix",
            "value.format",
            "value.fields-include",
            "scan.bounded.mode",
            "scan.bounded.specific-offsets",
            "scan.bounded.timestamp-millis",
            "scan.topic-partition-discovery.interval",
            "sink.buffer-flush.max-rows",
            "sink.buffer-flush.interval",
            "sink.delivery-guarantee",
            "sink.transactional-id-prefix",
            "sink.transaction-naming-strategy",
        }
    )
    | _PARALLELISM,
    required=(("key.format",), ("value.format",)),
    prefixes=("properties.",),
    format_keys=("key.format", "value.format"),
)

# FileSystemTableFactory. Rolling, compaction, statistics and partition-commit policies shape
# the files and when a partition is announced, not the rows.
_FILESYSTEM = _Connector(
    frozenset(
        {
            "path",
            "format",
            "partition.default-name",
            "source.monitor-interval",
            "source.report-statistics",
            "source.path.regex-pattern",
            "sink.rolling-policy.file-size",
            "sink.rolling-policy.rollover-interval",
            "sink.rolling-policy.inactivity-interval",
            "sink.rolling-policy.check-interval",
            "sink.shuffle-by-partition.enable",
            "partition.time-extractor.kind",
            "partition.time-extractor.class",
            "partition.time-extractor.timestamp-formatter",
            "partition.time-extractor.timestamp-pattern",
            "sink.partition-commit.trigger",
            "sink.partition-commit.delay",
            "sink.partition-commit.watermark-time-zone",
            "sink.partition-commit.policy.kind",
            "sink.partition-commit.policy.class",
            "sink.partition-commit.policy.class.parameters",
            "sink.partition-commit.success-file.name",
            "auto-compaction",
            "compaction.file-size",
            "compaction.parallelism",
            "sink.parallelism",
        }
    ),
    {
        "source.monitor-interval": _Refused(
            (), "nrtg reads the files under 'path' once and does not watch for new ones"
        ),
        "source.path.regex-pattern": _Refused((), "nrtg reads every file under 'path'"),
        "partition.default-name": _Refused(
            ("__DEFAULT_PARTITION__",), "nrtg does not name the partition of NULL values after it"
        ),
    },
    required=(("path",), ("format",)),
    format_keys=("format",),
)

# Hive tables: the location and storage format nrtg reads (from the catalog's storage
# descriptor, or declared), the Iceberg metadata location, the serde's parameters, and the
# Hive connector's documented read and write options.
_HIVE = _Connector(
    frozenset(
        {
            "location",
            "path",
            "storage-format",
            "metadata-location",
            "streaming-source.enable",
            "streaming-source.partition.include",
            "streaming-source.monitor-interval",
            "streaming-source.partition-order",
            "streaming-source.consume-start-offset",
            "lookup.join.cache.ttl",
            "sink.partition-commit.trigger",
            "sink.partition-commit.delay",
            "sink.partition-commit.watermark-time-zone",
            "sink.partition-commit.policy.kind",
            "sink.partition-commit.policy.class",
            "sink.partition-commit.success-file.name",
            "partition.time-extractor.kind",
            "partition.time-extractor.class",
            "partition.time-extractor.timestamp-pattern",
            "partition.time-extractor.timestamp-formatter",
            "sink.rolling-policy.file-size",
            "sink.rolling-policy.rollover-interval",
            "sink.rolling-policy.check-interval",
            "sink.shuffle-by-partition.enable",
            "auto-compaction",
            "compaction.file-size",
        }
    )
    | _PARALLELISM,
    {
        "streaming-source.enable": _Refused(
            _FALSE, "nrtg reads a Hive table's files once, as a bounded source"
        ),
        "streaming-source.partition.include": _Refused(
            ("all",), "nrtg reads every partition of a Hive table"
        ),
    },
    prefixes=("serde.",),
)

_CONNECTORS: dict[str, _Connector] = {
    "kafka": _KAFKA,
    "upsert-kafka": _UPSERT_KAFKA,
    "filesystem": _FILESYSTEM,
    "hive": _HIVE,
    # PrintTableSinkFactory
    "print": _Connector(frozenset({"print-identifier", "standard-error", "sink.parallelism"})),
    # BlackHoleTableSinkFactory: FactoryUtil's common keys only
    "blackhole": _Connector(frozenset()),
}


def check_table_options(
    options: Mapping[str, str],
    table: str,
    span: Span | None,
    statement: str | None = None,
    *,
    key_spans: Mapping[str, Span] | None = None,
) -> None:
    """Refuse `options` as Flink's planner would: a key that neither the connector nor its
    format declares (PlanValidationError, with the closest supported key as help), a missing
    required key, and a Flink key whose value nrtg cannot honour (UnsupportedError). `span`
    is where errors point; with `statement`, the text of the CREATE TABLE statement at
    `span`, they point at the offending key or the WITH clause instead."""
    connector = options.get("connector")
    spec = _CONNECTORS.get(connector) if connector is not None else None
    if spec is None:
        return
    formats: dict[str, _Options | None] = {}  # prefix -> the format's keys (None: unchecked)
    for format_key in spec.format_keys:
        name = options.get(format_key)
        if name:
            formats[format_key[: -len("format")] + name + "."] = _FORMATS.get(name)
    unknown: list[str] = []
    refusals: list[tuple[str, _Refused]] = []
    for key, value in options.items():
        owner: _Options | None = spec
        own_key = key
        if key not in spec.keys and key not in _COMMON:
            if key.startswith(spec.prefixes):
                continue
            prefix = next((p for p in formats if key.startswith(p)), None)
            owner = formats.get(prefix) if prefix is not None else None
            if prefix is not None and owner is None:
                continue  # a format nrtg does not check: its keys pass through
            own_key = key[len(prefix) :] if prefix is not None else key
            if owner is None or own_key not in owner.keys:
                unknown.append(key)
                continue
        assert owner is not None
        refused = owner.refused.get(own_key)
        if refused is not None and value.strip().lower() not in map(str.lower, refused.harmless):
            refusals.append((key, refused))

    def place(key: str | None) -> Span | None:
        if key_spans and key in key_spans:  # a hint's key
            return key_spans[key]
        # the statement is read only for an error
        if statement is None or span is None:
            return span
        clause, keys = _option_spans(statement, span)
        return (keys.get(key) if key is not None else None) or clause or span

    if unknown:
        listed = ", ".join(f"'{k}'" for k in unknown)
        raise PlanValidationError(
            f"table {table}: unsupported option{'s' if len(unknown) > 1 else ''} {listed} for "
            f"connector '{connector}'",
            place(unknown[0]),
            hint=_suggestion(unknown, _supported(spec, formats), spec.format_keys),
        )
    missing = [group for group in spec.required if not any(k in options for k in group)]
    if missing:
        listed = ", ".join(" or ".join(f"'{k}'" for k in group) for group in missing)
        plural = "s" if len(missing) > 1 else ""
        raise PlanValidationError(
            f"table {table}: connector '{connector}' requires the option{plural} {listed}",
            place(None),
        )
    if refusals:
        key, refused = refusals[0]
        raise UnsupportedError(
            f"table {table}: option '{key}' = '{options[key]}' is not supported: {refused.why}",
            place(key),
            hint=f"remove '{key}'"
            + (f" or set it to '{refused.harmless[0]}'" if refused.harmless else ""),
        )


def _supported(spec: _Connector, formats: Mapping[str, _Options | None]) -> list[str]:
    keys = sorted(spec.keys | _COMMON)
    for prefix, owner in formats.items():
        if owner is not None:
            keys += sorted(prefix + k for k in owner.keys)
    return keys


def _suggestion(unknown: list[str], supported: list[str], format_keys: tuple[str, ...]) -> str:
    """The closest supported key of each unknown one (difflib, case-insensitively: Flink's
    keys are lower case); for a format's key without its format, the option that names it."""
    lowered = {k.lower(): k for k in supported}
    found = []
    for key in unknown:
        close = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.6)
        if close:
            found.append(f"'{lowered[close[0]]}' for '{key}'" if len(unknown) > 1 else close[0])
    if not found:
        for key in unknown:
            for format_key in format_keys:
                head = format_key[: -len("format")]
                name = key[len(head) :].split(".", 1)[0] if key.startswith(head) else ""
                if name in _FORMATS:
                    return f"'{key}' applies with '{format_key}' = '{name}'"
        return "remove the option: the connector and its format do not read it"
    if len(unknown) == 1:
        return f"did you mean '{found[0]}'?"
    return "did you mean " + ", ".join(found) + "?"


def _option_spans(text: str, statement: Span) -> tuple[Span | None, dict[str, Span]]:
    """Where a CREATE TABLE statement's WITH clause is (the keyword up to its closing
    parenthesis) and each of its keys, from the statement's text; offsets are the script's."""
    tokens: list[Token] = fast_tokenize(text) or FlinkTokenizer().tokenize(text)
    base = statement.start

    def at(first: Token, last: Token) -> Span:
        return Span(base + first.start, base + last.end + 1, statement.stmt)

    depth = 0
    for i, tok in enumerate(tokens):
        if tok.token_type is TokenType.L_PAREN:
            depth += 1
        elif tok.token_type is TokenType.R_PAREN:
            depth -= 1
        elif (
            depth == 0
            and tok.text.upper() == "WITH"
            and i + 1 < len(tokens)
            and tokens[i + 1].token_type is TokenType.L_PAREN
        ):
            return _clause(tokens, i, at)
    return None, {}


def _clause(
    tokens: list[Token], with_index: int, at: Callable[[Token, Token], Span]
) -> tuple[Span, dict[str, Span]]:
    keys: dict[str, Span] = {}
    depth = 0
    last = tokens[with_index + 1]
    for j in range(with_index + 1, len(tokens)):
        tok = last = tokens[j]
        if tok.token_type is TokenType.L_PAREN:
            depth += 1
        elif tok.token_type is TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                break
        elif (
            tok.token_type is TokenType.STRING
            and j + 1 < len(tokens)
            and tokens[j + 1].token_type is TokenType.EQ
        ):
            keys.setdefault(tok.text, at(tok, tok))
    return at(tokens[with_index], last), keys
