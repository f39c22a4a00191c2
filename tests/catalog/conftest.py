"""Fixtures for catalog tests: an embedded store, our HMS server on a free loopback port, and
one `catalog` fixture parametrized over every backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nrtg.catalog.base import Catalog
from nrtg.catalog.hms_server import HmsServer
from nrtg.catalog.sqlite_store import SqliteStore
from nrtg.catalog.uri import open_catalog


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "catalog.db")
    yield s
    s.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[HmsServer]:
    srv = HmsServer(SqliteStore(tmp_path / "served.db"), "127.0.0.1", 0).start()
    yield srv
    srv.stop()


@pytest.fixture(params=["memory", "sqlite", "thrift"])
def catalog(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Catalog]:
    if request.param == "thrift":
        srv = HmsServer(SqliteStore(tmp_path / "served.db"), "127.0.0.1", 0).start()
        cat = open_catalog(srv.uri)
        yield cat
        cat.close()
        srv.stop()
        return
    uri = "memory://" if request.param == "memory" else str(tmp_path / "embedded.db")
    cat = open_catalog(uri)
    yield cat
    cat.close()
