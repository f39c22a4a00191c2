"""`nrtg catalog ls/show/apply` and DDL application: persistent DDL lands in the catalog,
TEMPORARY objects stay in the session, `show` prints DDL that re-creates the table."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from nrtg.catalog.errors import CatalogError
from nrtg.catalog.schema import ColumnKind, Ident, TableDef, ViewDef
from nrtg.catalog.uri import open_catalog
from nrtg.commands.catalog import catalog_group
from nrtg.compiler.api import compile_sql
from nrtg.compiler.bind.session import Session
from nrtg.persist import apply_changes

DDL = """
CREATE DATABASE shop COMMENT 'the shop';
CREATE TABLE shop.orders (
  id BIGINT,
  amount DECIMAL(10, 2) COMMENT 'in EUR',
  ts TIMESTAMP(3),
  total AS amount * 2,
  part INT METADATA FROM 'partition' VIRTUAL,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,
  PRIMARY KEY (id) NOT ENFORCED
) COMMENT 'orders'
PARTITIONED BY (id)
WITH ('connector' = 'kafka', 'topic' = 'orders', 'format' = 'json');
CREATE VIEW shop.big AS SELECT id FROM shop.orders WHERE amount > 100;
CREATE TEMPORARY TABLE tmp (a INT) WITH ('connector' = 'datagen');
ALTER TABLE shop.orders SET ('topic' = 'orders2');
CREATE FUNCTION shop.f AS 'mod.f' LANGUAGE PYTHON;
SELECT 1;
"""


@pytest.fixture
def ddl_file(tmp_path: Path) -> Path:
    path = tmp_path / "ddl.sql"
    path.write_text(DDL)
    return path


def test_apply_ls_show(tmp_path: Path, ddl_file: Path) -> None:
    uri = str(tmp_path / "cat.db")
    runner = CliRunner()
    result = runner.invoke(catalog_group, ["apply", str(ddl_file), "--catalog", uri])
    assert result.exit_code == 0, result.output
    assert "created table shop.orders" in result.output
    assert runner.invoke(catalog_group, ["ls", "--catalog", uri]).output.split() == [
        "default",
        "shop",
    ]
    listing = runner.invoke(catalog_group, ["ls", "shop", "--catalog", uri]).output
    assert listing.splitlines() == ["big\tview", "orders\ttable"]

    cat = open_catalog(uri)
    orders = cat.get_table(Ident("shop", "orders"))
    assert isinstance(orders, TableDef)
    assert orders.options == {"connector": "kafka", "topic": "orders2", "format": "json"}
    assert orders.columns[0].type is not None and not orders.columns[0].type.nullable  # PK
    assert orders.columns[3].kind is ColumnKind.COMPUTED
    assert orders.columns[3].type is not None  # resolved by the binder: Flink needs it
    big = cat.get_table(Ident("shop", "big"))
    assert isinstance(big, ViewDef)
    assert [(c.name, str(c.type)) for c in big.columns] == [("id", "BIGINT NOT NULL")]
    assert orders.primary_key is not None and orders.primary_key.columns == ("id",)
    assert orders.watermarks[0].type == orders.columns[2].type
    assert not cat.table_exists(Ident("default", "tmp"))  # TEMPORARY stays in the session
    assert isinstance(cat.get_table(Ident("shop", "big")), ViewDef)
    assert cat.get_function(Ident("shop", "f")).class_name == "mod.f"
    cat.close()

    shown = runner.invoke(catalog_group, ["show", "shop.orders", "--catalog", uri])
    assert shown.exit_code == 0
    assert shown.output.startswith("CREATE TABLE `shop`.`orders` (\n  `id` BIGINT NOT NULL,")
    assert "'topic' = 'orders2'" in shown.output

    # The printed DDL re-creates the same table in a fresh catalog.
    other = str(tmp_path / "other.db")
    again = tmp_path / "again.sql"
    again.write_text("CREATE DATABASE shop;\n" + shown.output)
    result = runner.invoke(catalog_group, ["apply", str(again), "--catalog", other])
    assert result.exit_code == 0, result.output
    copy = open_catalog(other)
    assert copy.get_table(Ident("shop", "orders")) == orders
    copy.close()


def test_env_var_and_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NRTG_CATALOG", str(tmp_path / "env.db"))
    runner = CliRunner()
    assert runner.invoke(catalog_group, ["ls"]).output.split() == ["default"]
    result = runner.invoke(catalog_group, ["show", "default.nope"])
    assert result.exit_code == 1
    assert "error[catalog-error]: table `default.nope` does not exist in catalog" in result.output
    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE TABLE t (a INT);\n\nCREATE TABLE nodb.t (a INT);\n")
    result = runner.invoke(catalog_group, ["apply", str(bad)])
    assert result.exit_code == 1
    assert "database `nodb` does not exist" in result.output
    assert "line 3" in result.output  # points at the statement


def test_default_catalog_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NRTG_CATALOG", raising=False)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(catalog_group, ["ls"]).exit_code == 0
    assert (tmp_path / ".nrtg" / "catalog.db").exists()


def _apply(catalog: object, script: str) -> Session:
    """Bind a script against `catalog` and persist its DDL, as `nrtg catalog apply` does."""
    job = compile_sql(script, catalog)  # type: ignore[arg-type]
    apply_changes(catalog, job.bound.changes)  # type: ignore[arg-type]
    return job.session


def test_temporary_objects_shadow_and_stay_in_session() -> None:
    base = open_catalog("memory://")
    session = _apply(
        base,
        "CREATE TABLE t (a INT) WITH ('connector' = 'kafka');"
        "CREATE TEMPORARY TABLE t (b STRING) WITH ('connector' = 'datagen');"
        "CREATE TEMPORARY VIEW v AS SELECT 1;",
    )
    shadow = session.lookup(Ident("default", "t"))
    assert isinstance(shadow, TableDef) and shadow.temporary and shadow.columns[0].name == "b"
    assert session.lookup(Ident("default", "v")) is not None
    base_t = base.get_table(Ident("default", "t"))
    assert isinstance(base_t, TableDef) and base_t.columns[0].name == "a"
    assert base.list_tables("default") == ["t"]


def test_a_temporary_view_shadows_a_catalog_view() -> None:
    base = open_catalog("memory://")
    _apply(
        base,
        "CREATE TABLE t (a INT) WITH ('connector' = 'kafka'); CREATE VIEW v AS SELECT a FROM t;",
    )
    job = compile_sql("CREATE TEMPORARY VIEW v AS SELECT 1 AS one; SELECT one FROM v;", base)  # type: ignore[arg-type]
    assert [f.name for f in job.optimized[-1].schema.fields] == ["one"]
    with pytest.raises(CatalogError, match=r"view default\.v already exists"):
        compile_sql("CREATE VIEW v AS SELECT 1 AS one;", base)  # type: ignore[arg-type]


def test_drop_and_like_and_rename() -> None:
    base = open_catalog("memory://")
    _apply(
        base,
        "CREATE TABLE src (a INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) "
        "WITH ('connector' = 'kafka', 'topic' = 'x');"
        "CREATE TABLE dst (b STRING) LIKE src (EXCLUDING WATERMARKS);"
        "ALTER TABLE dst RENAME TO dst2;"
        "ALTER TABLE dst2 RESET ('topic');",
    )
    dst = base.get_table(Ident("default", "dst2"))
    assert isinstance(dst, TableDef)
    assert [c.name for c in dst.columns] == ["a", "ts", "b"]
    assert dst.watermarks == ()
    assert dst.options == {"connector": "kafka"}
    with pytest.raises(CatalogError, match="is a table"):
        _apply(base, "DROP VIEW dst2;")
    _apply(base, "DROP TABLE dst2; DROP TABLE IF EXISTS dst2;")
    assert base.list_tables("default") == ["src"]
