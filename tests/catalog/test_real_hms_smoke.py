"""Smoke test of the real Hive Metastore (scripts/hms.sh, fixture `real_hms`) with a third-party
client only: the service itself works before nrtg's own client is judged against it."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.hms


def test_database_and_table_lifecycle_with_hmsclient(real_hms: tuple[str, int]) -> None:
    from hmsclient import hmsclient
    from hmsclient.genthrift.hive_metastore import ttypes as h

    host, port = real_hms
    db = "nrtg_smoke_" + uuid.uuid4().hex[:10]
    cols = [h.FieldSchema("id", "bigint", "key"), h.FieldSchema("name", "string", None)]
    table = h.Table(
        tableName="people",
        dbName=db,
        owner="nrtg",
        sd=h.StorageDescriptor(
            cols=cols,
            inputFormat=hmsclient.INPUT_FORMAT,
            outputFormat=hmsclient.OUTPUT_FORMAT,
            serdeInfo=h.SerDeInfo(serializationLib=hmsclient.SIMPLE_SERDE, parameters={}),
        ),
        partitionKeys=[h.FieldSchema("dt", "string", None)],
        parameters={"nrtg.smoke": "1"},
        tableType="MANAGED_TABLE",
    )
    with hmsclient.HMSClient(host=host, port=port) as c:
        assert "default" in c.get_all_databases()
        c.create_database(h.Database(name=db, description="nrtg smoke", parameters={}))
        try:
            assert c.get_database(db).description == "nrtg smoke"
            c.create_table(table)
            assert c.get_all_tables(db) == ["people"]

            got = c.get_table(db, "people")
            assert got.tableType == "MANAGED_TABLE"
            assert got.parameters["nrtg.smoke"] == "1"
            assert "transient_lastDdlTime" in got.parameters  # set by the metastore itself
            assert [(f.name, f.type, f.comment) for f in got.sd.cols] == [
                ("id", "bigint", "key"),
                ("name", "string", None),
            ]
            assert [f.name for f in got.partitionKeys] == ["dt"]
            assert got.sd.location.endswith(f"/{db}.db/people")

            c.drop_table(db, "people", True)
            assert c.get_all_tables(db) == []
            with pytest.raises(h.NoSuchObjectException):
                c.get_table(db, "people")
        finally:
            c.drop_database(db, True, True)
        assert db not in c.get_all_databases()
        with pytest.raises(h.NoSuchObjectException):
            c.get_database(db)
