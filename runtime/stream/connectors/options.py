"""Option parsing shared by the Kafka connectors: durations, `properties.*` pass-through to
librdkafka, key/value field layout (`key.fields`, `value.fields-include`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nrtg.catalog.errors import ExecutionError


class Recoverable(ExecutionError):
    """A failure a restart from the last checkpoint can get past (the broker is unreachable or
    restarted, a transaction was aborted): the job restarts in-process (job.py)."""


_DURATION = re.compile(r"^\s*(\d+)\s*([a-z]*)\s*$")
_UNITS_MS = {
    "": 1,
    "ms": 1,
    "milli": 1,
    "millis": 1,
    "millisecond": 1,
    "milliseconds": 1,
    "s": 1000,
    "sec": 1000,
    "secs": 1000,
    "second": 1000,
    "seconds": 1000,
    "min": 60_000,
    "mins": 60_000,
    "minute": 60_000,
    "minutes": 60_000,
    "m": 60_000,
    "h": 3_600_000,
    "hour": 3_600_000,
    "hours": 3_600_000,
    "d": 86_400_000,
    "day": 86_400_000,
    "days": 86_400_000,
}

# Java-client-only settings that librdkafka rejects; Flink DDL often carries them.
_JAVA_ONLY = frozenset(
    {
        "key.deserializer",
        "value.deserializer",
        "key.serializer",
        "value.serializer",
        "partition.discovery.interval.ms",
        "client.dns.lookup",
        "commit.offsets.on.checkpoint",
        "register.consumer.metrics",
    }
)


def duration_ms(text: str, what: str) -> int:
    """Flink durations: `5 s`, `1000`, `2 min`, `500 ms` -> milliseconds."""
    m = _DURATION.match(text.lower())
    if not m or m.group(2) not in _UNITS_MS:
        raise ExecutionError(f"{what}: cannot read duration {text!r} (e.g. '5 s', '500 ms')")
    return int(m.group(1)) * _UNITS_MS[m.group(2)]


def client_properties(options: Mapping[str, str]) -> dict[str, str]:
    """`properties.X` table options -> librdkafka settings (Java-only keys dropped)."""
    out: dict[str, str] = {}
    for key, value in options.items():
        if key.startswith("properties."):
            name = key[len("properties.") :]
            if name not in _JAVA_ONLY:
                out[name] = value
    return out


def bootstrap(options: Mapping[str, str], table: str) -> str:
    servers = options.get("properties.bootstrap.servers")
    if not servers:
        raise ExecutionError(f"table {table}: 'properties.bootstrap.servers' is required")
    return servers


@dataclass(frozen=True)
class Layout:
    """Which physical columns come from the message key and which from the value."""

    key_fields: tuple[str, ...]  # column names (with the prefix)
    key_prefix: str
    value_fields: tuple[str, ...]
    key_format: str | None
    value_format: str

    def key_names(self) -> list[str]:
        """The key columns' names inside the key's own encoding (prefix removed)."""
        return [f[len(self.key_prefix) :] for f in self.key_fields]


def layout(
    options: Mapping[str, str],
    physical: Sequence[str],
    primary_key: Sequence[str] | None,
    upsert: bool,
    table: str,
) -> Layout:
    value_format = options.get("value.format") or options.get("format")
    if not value_format:
        raise ExecutionError(f"table {table}: 'format' or 'value.format' is required")
    key_format = options.get("key.format")
    prefix = options.get("key.fields-prefix", "")
    if upsert:
        if not primary_key:
            raise ExecutionError(f"table {table}: upsert-kafka needs a PRIMARY KEY")
        if not key_format:
            raise ExecutionError(f"table {table}: upsert-kafka needs 'key.format'")
        keys = tuple(primary_key)
    else:
        listed = options.get("key.fields", "")
        keys = tuple(k.strip() for k in listed.split(";") if k.strip())
        if keys and not key_format:
            raise ExecutionError(f"table {table}: 'key.fields' needs 'key.format'")
    for k in keys:
        if k not in physical:
            raise ExecutionError(f"table {table}: key field {k!r} is not a physical column")
    include = options.get("value.fields-include", "ALL").upper()
    if include == "EXCEPT_KEY":
        values = tuple(f for f in physical if f not in keys)
    elif include == "ALL":
        values = tuple(physical)
    else:
        raise ExecutionError(f"table {table}: 'value.fields-include' is ALL or EXCEPT_KEY")
    return Layout(keys, prefix, values, key_format if keys else None, value_format)
