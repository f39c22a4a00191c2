"""`nrtg nexmark`: seeded, reproducible Nexmark data (see nrtg.runtime.nexmark)."""

from __future__ import annotations

import time

import click

from nrtg.catalog.errors import NrtgError


@click.group(name="nexmark")
def nexmark_group() -> None:
    """Generate seeded Nexmark data."""


@nexmark_group.command(name="generate")
@click.option("--events", type=click.IntRange(min=0), required=True, help="Number of events.")
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Same seed and parameters give the same bytes.",
)
@click.option(
    "--out",
    "out",
    required=True,
    metavar="DIR|kafka://HOST:PORT/TOPIC",
    help="A directory (events.jsonl / events.parquet, or events-NNNNN.* with --files), "
    "or an existing (or broker-auto-created) Kafka topic, written as JSON.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "parquet"]),
    default="json",
    show_default=True,
    help="File format (Kafka is always JSON).",
)
@click.option(
    "--rate",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Events per second of event time: event n is at base + n*1000/rate ms.",
)
@click.option(
    "--out-of-order-ms",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Move each event time back by a seeded 0..N-1 ms; a watermark of "
    "dateTime - N ms then never makes a row late.",
)
@click.option(
    "--files",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Split a directory output into K files of contiguous event ranges.",
)
def generate_cmd(
    events: int, seed: int, out: str, fmt: str, rate: int, out_of_order_ms: int, files: int
) -> None:
    """Generate Nexmark events: 1 person, 3 auctions, 46 bids in every 50, in the Flink one-table
    layout (event_type, person, auction, bid) that golden/catalogs/nexmark.sql declares."""
    from nrtg.runtime.nexmark import NexmarkConfig, generate

    started = time.perf_counter()
    try:
        config = NexmarkConfig(events=events, seed=seed, rate=rate, out_of_order_ms=out_of_order_ms)
        if out.startswith("kafka://") and files != 1:
            raise click.UsageError("--files applies to directory output only")
        written = generate(config, out, fmt="parquet" if fmt == "parquet" else "json", files=files)
    except NrtgError as e:
        click.echo(e.render(), err=True)
        raise SystemExit(e.exit_code) from e
    elapsed = time.perf_counter() - started
    for item in written:
        click.echo(item)
    per_second = f"{events / elapsed:,.0f}" if elapsed > 0 else "-"
    click.echo(f"{events} events in {elapsed:.2f} s ({per_second} events/s)", err=True)
