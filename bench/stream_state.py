"""State memory per stateful operator on generated Nexmark data (issue 5: "state memory <= 2x the
Arrow size of the rows it keeps").

    .venv/bin/python bench/stream_state.py --events 20000

Each query runs in deterministic mode until most input is consumed but before the end of input
fires the final watermark (so state is full), then, per operator: the bytes its state occupies
(`state_bytes` from `metrics()`: Arrow buffers exactly, Python indexes by a sampled object walk)
next to the Arrow size of the rows it keeps (those rows as one Arrow record batch), and the
ratio; and the query's input events per CPU-second of that run (this process's CPU time: the
machine is shared), which `--repeat` runs take the median of.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.compiler.plan import nodes as n
from nrtg.golden import ROOT
from nrtg.runtime.stream.executor import Executor

QUERIES: dict[str, str] = {
    "group_agg": """SELECT auction, DATE_FORMAT(`dateTime`, 'yyyy-MM-dd') AS d, COUNT(*) AS n,
        MIN(price) AS lo, MAX(price) AS hi, SUM(price) AS s FROM bid
        GROUP BY auction, DATE_FORMAT(`dateTime`, 'yyyy-MM-dd');""",
    "group_agg (distinct)": """SELECT DATE_FORMAT(`dateTime`, 'yyyy-MM-dd') AS d,
        COUNT(DISTINCT bidder) AS bidders, COUNT(DISTINCT bidder) FILTER (WHERE price < 10000)
        AS small, COUNT(DISTINCT auction) AS auctions FROM bid
        GROUP BY DATE_FORMAT(`dateTime`, 'yyyy-MM-dd');""",
    "group_agg (retracting)": """SELECT hi % 7 AS b, COUNT(*) AS n, MIN(hi) AS lo, MAX(hi) AS top
        FROM (SELECT auction, MAX(price) AS hi FROM bid GROUP BY auction) GROUP BY hi % 7;""",
    "group_agg (strings, decimals)": """SELECT channel, MAX(url) AS u, MIN(extra) AS e,
        SUM(0.908 * price) AS total FROM bid GROUP BY channel;""",
    "group_agg (stddev, var)": """SELECT auction, STDDEV_POP(price) AS sd, VAR_SAMP(price) AS v,
        STDDEV_SAMP(price) FILTER (WHERE price > 1000) AS sdf FROM bid GROUP BY auction;""",
    "group_agg (listagg)": """SELECT auction, LISTAGG(channel, ';') AS channels, COUNT(*) AS n
        FROM bid GROUP BY auction;""",
    "group_agg (retracting stddev, listagg)": """SELECT hi % 101 AS b, VAR_POP(hi) AS v,
        LISTAGG(CAST(auction AS STRING)) AS auctions FROM
        (SELECT auction, MAX(price) AS hi FROM bid GROUP BY auction) GROUP BY hi % 101;""",
    "over_agg (ROWS 10 PRECEDING)": """SELECT auction, price, SUM(price) OVER w AS s,
        MAX(price) OVER w AS hi, LAG(price) OVER w AS prev FROM bid
        WINDOW w AS (PARTITION BY auction ORDER BY `dateTime`
        ROWS BETWEEN 10 PRECEDING AND CURRENT ROW);""",
    "over_agg (stddev, ROWS 10 PRECEDING)": """SELECT auction, price,
        STDDEV_POP(price) OVER w AS sd, VAR_SAMP(price) OVER w AS v FROM bid
        WINDOW w AS (PARTITION BY auction ORDER BY `dateTime`
        ROWS BETWEEN 10 PRECEDING AND CURRENT ROW);""",
    "over_agg (stddev, unbounded)": """SELECT bidder, price, STDDEV_SAMP(price) OVER w AS sd
        FROM bid WINDOW w AS (PARTITION BY bidder ORDER BY `dateTime`
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);""",
    "over_agg (RANGE 10 s)": """SELECT bidder, price, COUNT(*) OVER w AS n, MIN(price) OVER w AS lo
        FROM bid WINDOW w AS (PARTITION BY bidder ORDER BY `dateTime`
        RANGE BETWEEN INTERVAL '10' SECOND PRECEDING AND CURRENT ROW);""",
    "join": """SELECT B.auction, B.bidder, B.price, A.itemName, A.category
        FROM bid B JOIN auction A ON B.auction = A.id;""",
    "join (full rows)": """SELECT * FROM bid B JOIN auction A ON B.auction = A.id;""",
    "join (retracting)": """SELECT M.auction, M.hi, A.seller FROM
        (SELECT auction, MAX(price) AS hi FROM bid GROUP BY auction) M
        JOIN auction A ON M.auction = A.id;""",
    "interval_join": """SELECT B.auction, B.price, A.seller FROM bid B, auction A
        WHERE B.auction = A.id
          AND B.`dateTime` BETWEEN A.`dateTime` AND A.`dateTime` + INTERVAL '20' SECOND;""",
    "interval_join (full rows)": """SELECT * FROM bid B, auction A WHERE B.auction = A.id
          AND B.`dateTime` BETWEEN A.`dateTime` AND A.`dateTime` + INTERVAL '20' SECOND;""",
    "rank": """SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction
        ORDER BY price DESC) AS rn FROM bid) WHERE rn <= 10;""",
    "rank (retracting)": """SELECT * FROM (SELECT auction, hi, ROW_NUMBER() OVER (
        PARTITION BY hi % 7 ORDER BY hi DESC) AS rn FROM
        (SELECT auction, MAX(price) AS hi FROM bid GROUP BY auction)) WHERE rn <= 3;""",
    "deduplicate": """SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction
        ORDER BY `dateTime` DESC) AS rn FROM bid) WHERE rn = 1;""",
    "window_agg": """SELECT auction, COUNT(*) AS n, MAX(price) AS hi, window_start
        FROM TABLE(HOP(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '2' SECOND,
        INTERVAL '10' SECOND)) GROUP BY auction, window_start, window_end;""",
    "window_agg (stddev, first, list aggs)": """SELECT auction,
        STDDEV_POP(price) AS sd, VAR_SAMP(price) AS v, FIRST_VALUE(bidder) AS b0,
        LAST_VALUE(channel) AS c1, LISTAGG(channel, ';') AS cs, ARRAY_AGG(bidder) AS bs,
        window_start FROM TABLE(HOP(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '2' SECOND,
        INTERVAL '10' SECOND)) GROUP BY auction, window_start, window_end;""",
    "window_rank": """SELECT * FROM (SELECT auction, bidder, price, window_start, window_end,
        ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY price DESC) AS rn
        FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND)))
        WHERE rn <= 3;""",
    "window_join": """SELECT B.auction, B.price, A.seller, B.window_start FROM
        (SELECT * FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND))) B
        JOIN (SELECT * FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(`dateTime`),
        INTERVAL '10' SECOND))) A ON B.auction = A.id AND B.window_start = A.window_start
        AND B.window_end = A.window_end;""",
    "window_agg (session)": """SELECT bidder, COUNT(*) AS n, SESSION_START(`dateTime`,
        INTERVAL '10' SECOND) AS s FROM bid GROUP BY bidder, SESSION(`dateTime`,
        INTERVAL '10' SECOND);""",
    "temporal_join": """SELECT B.auction, B.price, P.name, P.state FROM bid B
        JOIN person_versions FOR SYSTEM_TIME AS OF B.`dateTime` AS P ON B.bidder = P.id;""",
}
VERSIONS_DDL = """
CREATE TABLE person_versions (id BIGINT, name STRING, state STRING, extra STRING,
  updated TIMESTAMP(3), PRIMARY KEY (id) NOT ENFORCED, WATERMARK FOR updated AS updated)
WITH ('connector' = 'upsert-kafka', 'topic' = 'p', 'key.format' = 'json',
  'value.format' = 'json');
"""


def person_versions(data: Path) -> pa.Table:
    """Every person of the generated events with three versions (name changes), as an upsert
    table for the temporal join."""
    import json

    rows = []
    with open(next(data.iterdir())) as f:
        for line in f:
            e = json.loads(line)
            p = e.get("person")
            if not p:
                continue
            t = dt.datetime.fromisoformat(p["dateTime"].replace(" ", "T"))
            for v in range(3):
                rows.append(
                    {
                        "id": p["id"],
                        "name": f"{p['name']} v{v}",
                        "state": p["state"],
                        "extra": p["extra"],
                        "updated": t + dt.timedelta(seconds=5 * v),
                    }
                )
    rows.sort(key=lambda r: r["updated"])
    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("name", pa.string()),
            ("state", pa.string()),
            ("extra", pa.string()),
            ("updated", pa.timestamp("ms")),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def kept_arrow_bytes(op: Any) -> int:
    """The Arrow size of the rows the operator keeps (the reference of the 2x target)."""
    fn = getattr(op, "state_arrow_bytes", None)
    return int(fn()) if fn is not None else 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--batch-size", type=int, default=1000)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--only", default="")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    data = args.data
    if data is None:
        data = Path(tempfile.mkdtemp()) / "nexmark"
        nrtg = str(Path(sys.executable).parent / "nrtg")
        cmd = [nrtg, "nexmark", "generate", "--events", str(args.events), "--seed", "7"]
        subprocess.run([*cmd, "--rate", "1000", "--out", str(data)], check=True)
    catalog = (ROOT / "catalogs" / "nexmark.sql").read_text().replace("${NEXMARK_PATH}", str(data))
    tables = {"person_versions": person_versions(data)}
    steps = max(1, int(args.events / args.batch_size * 0.9))
    print(
        f"{'operator':38} {'rows':>8} {'state bytes':>12} {'arrow bytes':>12} {'ratio':>6} "
        f"{'ev/cpu-s':>9}"
    )
    for name, query in QUERIES.items():
        if args.only and args.only not in name:
            continue
        job = compile_sql(catalog + VERSIONS_DDL + query)
        plans = tuple(r.input if isinstance(r, n.Sink) else r for r in job.optimized)
        graph = lower_to_stream(plans)
        rates = []
        for _ in range(args.repeat):
            ex = Executor(graph, tables=tables, batch_size=args.batch_size)
            start = time.process_time()
            ex.run(max_steps=steps)
            rates.append(min(steps * args.batch_size, args.events) / (time.process_time() - start))
            if len(rates) < args.repeat:
                ex.close()
        rate = statistics.median(rates)
        kind = name.split()[0]
        for op_id, op in ex.operators.items():
            if graph.operator(op_id).kind != kind:
                continue
            m = op.metrics()
            arrow = kept_arrow_bytes(op)
            ratio = m["state_bytes"] / arrow if arrow else float("nan")
            print(
                f"{name:38} {m['state_rows']:>8,} {m['state_bytes']:>12,} {arrow:>12,} "
                f"{ratio:>6.2f} {rate:>9,.0f}"
            )
        ex.close()


if __name__ == "__main__":
    main()
