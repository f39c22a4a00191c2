"""Our HMS server under abuse: garbage bytes, half-closed and silent connections, 20 concurrent
writers (no lost write), and kill -9 in the middle of writes (the store reopens whole)."""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from nrtg.catalog import types as t
from nrtg.catalog.base import PartitionDef
from nrtg.catalog.hms_server import HmsServer
from nrtg.catalog.schema import Column, DatabaseDef, Ident, TableDef
from nrtg.catalog.sqlite_store import SqliteStore
from nrtg.catalog.uri import open_catalog


def _alive(server: HmsServer) -> None:
    cat = open_catalog(server.uri)
    try:
        assert "default" in cat.list_databases()
    finally:
        cat.close()


def _send(server: HmsServer, payload: bytes, *, half_close: bool = True) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=5)
    sock.sendall(payload)
    if half_close:
        sock.shutdown(socket.SHUT_WR)
    return sock


GARBAGE = [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    os.urandom(4096),
    b"\x80\x01\x00\x01" + struct.pack(">i", 0x7FFFFFF0) + b"get_table",  # absurd name length
    b"\x80\x01\x00\x01\x00\x00\x00\x09get_table\x00\x00\x00\x01"
    + b"\x0f\x00\x01\x0b\x7f\xff\xff\xff",  # list with a huge element count
    b"\x80\x01\x00\x01\x00\x00\x00\x09get_table",  # truncated message, then EOF
    b"\x00",
]


def test_garbage_bytes_do_not_kill_the_server(server: HmsServer) -> None:
    for payload in GARBAGE:
        sock = _send(server, payload)
        sock.settimeout(5)
        try:
            while sock.recv(4096):  # the server answers or closes; it must not hang
                pass
        except (ConnectionResetError, TimeoutError):
            pass
        sock.close()
        _alive(server)


def test_half_closed_and_silent_connections(server: HmsServer) -> None:
    idle = [socket.create_connection((server.host, server.port)) for _ in range(30)]
    half = [_send(server, b"\x80\x01\x00\x01\x00\x00", half_close=True) for _ in range(10)]
    reset = socket.create_connection((server.host, server.port))
    reset.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    reset.sendall(b"\x80\x01\x00\x01")
    reset.close()  # RST mid-message
    _alive(server)
    for s in idle + half:
        s.close()
    _alive(server)


def test_twenty_concurrent_clients_lose_no_write(server: HmsServer) -> None:
    setup = open_catalog(server.uri)
    setup.create_database(DatabaseDef("conc"))
    hive = TableDef(
        Ident("conc", "shared"),
        (Column("v", t.int_()), Column("client", t.int_())),
        {"connector": "hive"},
        partition_keys=("client",),
        storage_format="parquet",
    )
    setup.create_table(hive)
    errors: list[BaseException] = []
    clients, tables, alters = 20, 4, 3

    def work(i: int) -> None:
        cat = open_catalog(server.uri)
        try:
            for j in range(tables):
                ident = Ident("conc", f"t_{i}_{j}")
                base = TableDef(ident, (Column("a", t.bigint()),), {"connector": "kafka"})
                cat.create_table(base)
                for k in range(alters):
                    cat.alter_table(
                        ident, replace(base, options={"connector": "kafka", "v": str(k)})
                    )
                cat.add_partitions(hive.ident, [PartitionDef((str(i * 100 + j),))])
        except BaseException as e:
            errors.append(e)
        finally:
            cat.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not errors, errors
    names = setup.list_tables("conc")
    assert len(names) == clients * tables + 1
    for name in names:
        if name != "shared":
            table = setup.get_table(Ident("conc", name))
            assert isinstance(table, TableDef) and table.options["v"] == str(alters - 1)
    assert len(setup.get_partition_names(hive.ident)) == clients * tables
    setup.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_for(port: int, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stderr.read() if proc.stderr else ''!r}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("server did not start")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kill_9_during_writes_leaves_whole_objects(tmp_path: Path) -> None:
    store_path = tmp_path / "killed.db"
    port = _free_port()
    cmd = [sys.executable, "-m", "nrtg.cli", "catalog", "serve", "--store", str(store_path)]
    proc = subprocess.Popen([*cmd, "--port", str(port)], stderr=subprocess.PIPE)
    acked: list[Ident] = []
    stop = threading.Event()
    width = 60  # wide tables: bigger rows, more time inside each write

    def writer(i: int) -> None:
        cat = open_catalog(f"thrift://127.0.0.1:{port}")
        n = 0
        try:
            while not stop.is_set():
                ident = Ident("default", f"w{i}_{n}")
                cols = tuple(Column(f"c{k}", t.decimal(10, k % 10)) for k in range(width))
                cat.create_table(TableDef(ident, cols, {"connector": "kafka", "n": str(n)}))
                acked.append(ident)
                n += 1
        except Exception:
            pass  # the server died under us
        finally:
            cat.close()

    try:
        _wait_for(port, proc)
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
        for th in threads:
            th.start()
        time.sleep(1.0)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        stop.set()
        for th in threads:
            th.join(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()

    assert len(acked) > 10
    store = SqliteStore(store_path)
    assert store._conn().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.close()
    cat = open_catalog(str(store_path))
    names = set(cat.list_tables("default"))
    assert {i.name for i in acked} <= names  # every acknowledged write survived
    for name in names:
        table = cat.get_table(Ident("default", name))
        assert isinstance(table, TableDef)
        assert len(table.columns) == width  # whole objects only
    cat.close()


def test_unreachable_metastore_is_a_catalog_error() -> None:
    from nrtg.catalog.errors import CatalogError

    port = _free_port()
    with pytest.raises(
        CatalogError, match=f"cannot reach Hive Metastore thrift://127.0.0.1:{port}"
    ):
        open_catalog(f"thrift://127.0.0.1:{port}")


def test_client_reconnects_after_a_server_restart(tmp_path: Path) -> None:
    path = tmp_path / "restart.db"
    first = HmsServer(SqliteStore(path), "127.0.0.1", 0).start()
    port = first.port
    cat = open_catalog(first.uri)
    cat.create_table(TableDef(Ident("default", "t"), (Column("a", t.int_()),), {"connector": "x"}))
    first.stop()
    second = HmsServer(SqliteStore(path), "127.0.0.1", port).start()
    try:
        assert cat.list_tables("default") == ["t"]  # a read retries once on a new connection
    finally:
        cat.close()
        second.stop()
