"""nrtg's Hive Metastore client: our generated Thrift stubs over a buffered binary socket, as
HMS expects. Thread-safe (one call at a time per connection) and reconnecting once when the
connection dropped between calls."""

from __future__ import annotations

import threading
from typing import Any

from thrift.protocol.TBinaryProtocol import TBinaryProtocolAccelerated
from thrift.transport.TSocket import TSocket
from thrift.transport.TTransport import TBufferedTransport, TTransportException

from .hms_thrift.ThriftHiveMetastore import Client

DEFAULT_PORT = 9083
# Calls that only read: safe to retry on a fresh connection after a transport error.
_IDEMPOTENT = frozenset(
    {
        "get_all_databases",
        "get_database",
        "get_all_tables",
        "get_table",
        "get_table_objects_by_name",
        "get_fields",
        "get_partitions",
        "get_partition_names",
        "get_functions",
        "get_function",
    }
)


class HmsClient:
    """A connection to one metastore. Attribute access returns the Thrift method, wrapped."""

    def __init__(self, host: str, port: int = DEFAULT_PORT, *, timeout_s: float = 30.0) -> None:
        self.host = host
        self.port = port
        self._timeout_ms = timeout_s * 1000.0
        self._lock = threading.Lock()
        self._transport: TBufferedTransport | None = None
        self._client: Client | None = None

    def _connect(self) -> Client:
        if self._client is None:
            sock = TSocket(self.host, self.port)
            sock.setTimeout(self._timeout_ms)
            transport = TBufferedTransport(sock)
            transport.open()
            self._transport = transport
            self._client = Client(TBinaryProtocolAccelerated(transport))
        return self._client

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        if self._transport is not None:
            self._transport.close()
        self._transport = None
        self._client = None

    def call(self, method: str, *args: Any) -> Any:
        with self._lock:
            for attempt in (0, 1):
                reused = self._client is not None
                try:
                    return getattr(self._connect(), method)(*args)
                except (TTransportException, OSError, EOFError):
                    self._drop()
                    if attempt or not reused or method not in _IDEMPOTENT:
                        raise
        raise AssertionError("unreachable")

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):
            raise AttributeError(method)

        def bound(*args: Any) -> Any:
            return self.call(method, *args)

        return bound
