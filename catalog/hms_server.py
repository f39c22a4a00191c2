"""`nrtg catalog serve`: the embedded store over the Hive Metastore Thrift protocol.

Binary protocol over a buffered socket, as HMS speaks it; one thread per connection, so a slow,
silent or half-closed client never blocks the others. Garbage bytes end that connection only.
Methods outside our IDL answer with a TApplicationException (UNKNOWN_METHOD), as Thrift does.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from typing import Any

from thrift.protocol.TBinaryProtocol import TBinaryProtocolAccelerated
from thrift.Thrift import TException
from thrift.transport.TSocket import TSocket
from thrift.transport.TTransport import TBufferedTransport

from .hms_locks import LockManager
from .hms_thrift.ThriftHiveMetastore import Processor
from .hms_thrift.ttypes import (
    CheckLockRequest,
    GetAllFunctionsResponse,
    LockRequest,
    LockResponse,
    UnlockRequest,
)
from .sqlite_store import SqliteStore

log = logging.getLogger(__name__)
STRING_LIMIT = 64 * 1024 * 1024
CONTAINER_LIMIT = 1_000_000
IDLE_TIMEOUT_S = 3600.0


class HmsHandler:
    """The Thrift service: the store's HMS methods plus the session-level ones."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.locks = LockManager()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def getMetaConf(self, key: str) -> str:
        return {"hive.metastore.warehouse.dir": self.store.warehouse or ""}.get(key, "")

    def set_ugi(self, user_name: str, group_names: list[str]) -> list[str]:
        return [user_name, *(group_names or [])]

    def get_all_functions(self) -> GetAllFunctionsResponse:
        return GetAllFunctionsResponse(functions=self.store.get_all_functions_list())

    def lock(self, rqst: LockRequest) -> LockResponse:
        return self.locks.lock(rqst)

    def check_lock(self, rqst: CheckLockRequest) -> LockResponse:
        return self.locks.check_lock(rqst)

    def unlock(self, rqst: UnlockRequest) -> None:
        self.locks.unlock(rqst)


class HmsServer:
    """A threaded HMS-protocol server; `start()` runs it in the background, `serve()` blocks."""

    def __init__(self, store: SqliteStore, host: str = "127.0.0.1", port: int = 9083) -> None:
        self.store = store
        self.processor = Processor(HmsHandler(store))
        self._sock = socket.create_server((host, port), reuse_port=False, backlog=128)
        self._sock.settimeout(0.2)
        self.host, self.port = self._sock.getsockname()[:2]
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()

    @property
    def uri(self) -> str:
        return f"thrift://{self.host}:{self.port}"

    def serve(self) -> None:
        try:
            while not self._stopped.is_set():
                try:
                    conn, _ = self._sock.accept()
                except TimeoutError:
                    continue
                except OSError:
                    if self._stopped.is_set():
                        break
                    continue
                threading.Thread(target=self._client, args=(conn,), daemon=True).start()
        finally:
            with contextlib.suppress(OSError):
                self._sock.close()

    def start(self) -> HmsServer:
        self._thread = threading.Thread(target=self.serve, name="hms-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close every client connection, and wait for the accept loop."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def _client(self, conn: socket.socket) -> None:
        with self._conns_lock:
            self._conns.add(conn)
        conn.settimeout(IDLE_TIMEOUT_S)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock = TSocket()
        sock.setHandle(conn)
        transport = TBufferedTransport(sock)
        protocol = TBinaryProtocolAccelerated(
            transport, string_length_limit=STRING_LIMIT, container_length_limit=CONTAINER_LIMIT
        )
        try:
            while not self._stopped.is_set():
                self.processor.process(protocol, protocol)
        except (TException, OSError, EOFError, ValueError, MemoryError, UnicodeDecodeError) as e:
            log.debug("connection closed: %s", e)
        except Exception:  # a bug must not kill the server: drop this connection only
            log.exception("unexpected error on a client connection")
        finally:
            with self._conns_lock:
                self._conns.discard(conn)
            with contextlib.suppress(Exception):
                transport.close()


def serve(store_path: str, host: str = "127.0.0.1", port: int = 9083) -> None:
    """Serve the store at `store_path` until interrupted."""
    server = HmsServer(SqliteStore(store_path), host, port)
    log.info("serving %s on %s", store_path, server.uri)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve()
