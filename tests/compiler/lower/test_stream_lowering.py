"""plan -> JobGraph: fused calcs, explicit hash edges before keyed operators, window-agg
recognition, stable text, DOT, and UnsupportedError naming the node and the target."""

from __future__ import annotations

import pytest

from nrtg.compiler.api import compile_sql
from nrtg.compiler.errors import UnsupportedError
from nrtg.compiler.lower.graph import EdgeKind, JobGraph
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.compiler.lower.stream_text import graph_dot, graph_text
from nrtg.compiler.plan import nodes as n

DDL = """
CREATE TABLE clicks (user_id BIGINT, url STRING, price INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
WITH ('connector' = 'filesystem', 'path' = '/x', 'format' = 'json');
CREATE TABLE plain (id BIGINT, ts TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = '/y', 'format' = 'json');
"""


def graph(sql: str) -> JobGraph:
    return lower_to_stream(compile_sql(DDL + sql).optimized)


def kinds(g: JobGraph) -> list[str]:
    return [s.kind for s in g.operators]


def test_project_filter_chain_fuses_into_one_calc() -> None:
    g = graph("SELECT user_id, price * 2 AS p FROM clicks WHERE price > 3 AND url <> 'x';")
    assert kinds(g).count("calc") == 1
    assert kinds(g)[-1] == "collect"


def test_group_agg_gets_a_hash_edge_on_its_keys() -> None:
    g = graph("SELECT url, COUNT(*) AS n FROM clicks GROUP BY url;")
    agg = next(s for s in g.operators if s.kind == "group_agg")
    (edge,) = agg.inputs
    assert edge.kind is EdgeKind.HASH
    assert edge.key_names == ("url",)
    assert "<- hash(url)" in graph_text(g)


def test_tumble_group_by_window_becomes_a_window_agg() -> None:
    g = graph(
        "SELECT user_id, COUNT(*) AS n, window_start FROM TABLE(TUMBLE(TABLE clicks,"
        " DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY user_id, window_start, window_end;"
    )
    spec = next(s for s in g.operators if s.kind == "window_agg")
    assert spec.event_time
    assert spec.state
    assert spec.schema.names[0] == "user_id"
    assert spec.schema.names[-2:] == ("window_start", "window_end")
    assert not any(s.kind == "group_agg" for s in g.operators)


def test_join_hashes_both_sides_on_the_equi_keys() -> None:
    g = graph("SELECT c.url FROM clicks c JOIN plain p ON c.user_id = p.id;")
    join = next(s for s in g.operators if s.kind == "join")
    assert [e.key_names for e in join.inputs] == [("user_id",), ("id",)]


def test_text_is_stable_and_ids_are_topological() -> None:
    sql = "SELECT url, COUNT(*) AS n FROM clicks WHERE price > 1 GROUP BY url;"
    a, b = graph_text(graph(sql)), graph_text(graph(sql))
    assert a == b
    assert a.endswith("\n") and not any(line != line.rstrip() for line in a.splitlines())
    g = graph(sql)
    assert all(e.source < s.id for s in g.operators for e in s.inputs)
    assert "changelog=[I,UB,UA]" in a


def test_dot_draws_every_operator_and_edge() -> None:
    g = graph("SELECT url, COUNT(*) AS n FROM clicks GROUP BY url;")
    dot = graph_dot(g)
    assert dot.startswith("digraph job {")
    assert dot.count("->") == sum(len(s.inputs) for s in g.operators)


def test_unsupported_names_the_node_and_the_target() -> None:
    with pytest.raises(UnsupportedError, match="Sort is not supported by the stream target"):
        graph("SELECT * FROM plain ORDER BY id;")
    with pytest.raises(UnsupportedError, match="LIMIT without ORDER BY on an unbounded stream"):
        graph("SELECT * FROM plain LIMIT 3;")


def test_order_by_limit_is_a_top_n_over_the_whole_input() -> None:
    (op,) = [
        s
        for s in graph("SELECT * FROM plain ORDER BY id DESC LIMIT 3;").operators
        if s.kind == "rank"
    ]
    assert isinstance(op.node, n.Rank) and op.node.partition == () and op.node.upper == 3


def test_equal_subplans_share_operators_and_nothing_dangles() -> None:
    g = graph(
        "SELECT a.url, b.url AS u2 FROM (SELECT url, user_id FROM clicks WHERE price > 1) a"
        " JOIN (SELECT url, user_id FROM clicks WHERE price > 1) b ON a.user_id = b.user_id;"
    )
    assert [s.kind for s in g.operators].count("source") == 1
    used = {e.source for s in g.operators for e in s.inputs} | set(g.roots)
    assert all(s.id in used for s in g.operators)


def test_json_lists_operators_with_edges() -> None:
    import json

    from nrtg.compiler.lower.stream_text import graph_json

    g = graph("SELECT url, COUNT(*) AS n FROM clicks GROUP BY url;")
    data = json.loads(json.dumps(graph_json(g)))
    kinds_ = [o["kind"] for o in data["operators"]]
    assert kinds_[0] == "source" and kinds_[-1] == "collect"
    agg = data["operators"][kinds_.index("group_agg")]
    assert agg["inputs"][0]["edge"] == "hash" and agg["inputs"][0]["keys"] == ["url"]


def test_dot_text_of_a_group_aggregate() -> None:
    g = graph("SELECT url, COUNT(*) AS n FROM clicks GROUP BY url;")
    lines = graph_dot(g).splitlines()
    assert lines[:3] == [
        "digraph job {",
        "  rankdir=BT;",
        '  node [shape=box, fontname="Helvetica"];',
    ]
    assert lines[-1] == "}"
    agg = next(s for s in g.operators if s.kind == "group_agg")
    box = f'  op{agg.id} [label="[{agg.id}] group_agg\\nchangelog=[I,UB,UA]\\n'
    assert any(line.startswith(box) for line in lines)
    assert "state: accumulators per group key" in graph_dot(g)
    (edge,) = agg.inputs
    assert f'  op{edge.source} -> op{agg.id} [label="hash(url)"];' in lines


def test_svg_without_graphviz_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from nrtg.compiler.lower.stream_text import graph_svg

    monkeypatch.setenv("PATH", "")
    with pytest.raises(FileNotFoundError, match=r"apt-get install graphviz"):
        graph_svg(graph("SELECT url FROM clicks;"))


def test_processing_time_window_and_lookup_join_lower() -> None:
    ddl = "CREATE VIEW pv AS SELECT *, PROCTIME() AS p FROM plain;"
    g = graph(
        ddl + "SELECT id, COUNT(*) AS n, window_start FROM TABLE(TUMBLE(TABLE pv, DESCRIPTOR(p), "
        "INTERVAL '1' MINUTE)) GROUP BY id, window_start, window_end;"
    )
    (agg,) = [s for s in g.operators if s.kind == "window_agg"]
    assert not agg.event_time and agg.params["proctime"]
    assert "processing-time" in graph_text(g)
    g = graph(
        ddl + "SELECT v.id, c.url FROM pv AS v JOIN clicks FOR SYSTEM_TIME AS OF v.p AS c "
        "ON v.id = c.user_id;"
    )
    (lookup,) = [s for s in g.operators if s.kind == "lookup_join"]
    assert [e.kind for e in lookup.inputs] == [EdgeKind.FORWARD, EdgeKind.BROADCAST]
    assert lookup.params["right_bounded"] is True


def test_unoptimized_top_n_lowers_to_an_unbounded_rank() -> None:
    sql = (
        "SELECT * FROM (SELECT url, price, ROW_NUMBER() OVER (PARTITION BY url "
        "ORDER BY price DESC) AS rn FROM clicks) WHERE rn <= 2;"
    )
    g = lower_to_stream(compile_sql(DDL + sql).logical)
    (rank,) = [s for s in g.operators if s.kind == "rank"]
    assert len(rank.schema) == len(rank.node.children[0].schema) + 1  # the row number
