"""Property: any definition nrtg can express -> HMS objects -> back is identical, both through
the in-process encoding and through our HMS server over Thrift."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nrtg.catalog import flink_encoding as fe
from nrtg.catalog.hms_catalog import HmsCatalog
from nrtg.catalog.hms_server import HmsServer
from nrtg.catalog.schema import DatabaseDef, TableDef, ViewDef
from nrtg.catalog.sqlite_store import SqliteStore
from nrtg.catalog.type_parser import parse_flink_type
from nrtg.catalog.types import SqlType
from nrtg.catalog.uri import open_catalog

from .strategies import hms_idents, sql_types, table_defs, view_defs

SERVER_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@given(sql_types)
@settings(max_examples=300, deadline=None)
def test_flink_type_strings_round_trip(typ: SqlType) -> None:
    assert parse_flink_type(typ.serializable()) == typ


@given(table_defs())
@settings(max_examples=300, deadline=None)
def test_table_round_trip(table: TableDef) -> None:
    assert fe.decode(fe.encode(table)) == table


@given(view_defs())
@settings(max_examples=150, deadline=None)
def test_view_round_trip(view: ViewDef) -> None:
    assert fe.decode(fe.encode(view)) == view


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HmsCatalog]:
    path: Path = tmp_path_factory.mktemp("rt") / "served.db"
    server = HmsServer(SqliteStore(path), "127.0.0.1", 0).start()
    cat = open_catalog(server.uri)
    assert isinstance(cat, HmsCatalog)
    yield cat
    cat.close()
    server.stop()


@given(st.one_of(table_defs(ident=hms_idents), view_defs(ident=hms_idents)))
@SERVER_SETTINGS
def test_round_trip_through_our_server(served: HmsCatalog, obj: TableDef | ViewDef) -> None:
    served.create_database(DatabaseDef(obj.ident.database), if_not_exists=True)
    served.drop_table(obj.ident, if_exists=True)
    served.create_table(obj)
    assert served.get_table(obj.ident) == obj
    served.drop_table(obj.ident)
