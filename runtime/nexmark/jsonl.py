"""Events as Flink JSON lines: one object per line in the one-table layout.

`{"event_type":2,"person":null,"auction":null,"bid":{"auction":1000,...,"dateTime":"2026-01-01
00:00:00.001","extra":"..."}}`: timestamps use the SQL standard format of Flink's JSON format
(`'json.timestamp-format.standard' = 'SQL'`, always with 3 fraction digits, UTC), absent ROWs are
`null`, keys follow the DDL order. Generated strings only hold letters, digits, spaces and url
punctuation, so they are written without escaping.

The bid line is also built inline by `NexmarkGenerator.take_json` (the hot path); `bid_line` here is
the reference it must agree with, which the tests check.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from nrtg.runtime.nexmark.config import AUCTION, BID, PERSON, Event

MILLIS = tuple(f".{ms:03d}" for ms in range(1000))
BID_PREFIX = '{"event_type":2,"person":null,"auction":null,"bid":{"auction":'


class TimestampFormatter:
    """Epoch ms -> `YYYY-MM-DD hh:mm:ss.fff` (UTC), caching the text of recent seconds."""

    def __init__(self) -> None:
        self.cache: dict[int, str] = {}

    def second(self, second: int) -> str:
        text = self.cache.get(second)
        if text is None:
            if len(self.cache) >= 4096:
                self.cache.clear()
            text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%d %H:%M:%S")
            self.cache[second] = text
        return text

    def __call__(self, ms: int) -> str:
        second, millis = divmod(ms, 1000)
        return self.second(second) + MILLIS[millis]


def channel_fragment(name: str, url: str) -> str:
    """The `"channel":...,"url":...,` part of a bid line."""
    return f'"channel":"{name}","url":"{url}",'


def extra_fragment(extra: str) -> str:
    """The `"extra":...` end of a bid line, with the closing braces and the newline."""
    return f'"extra":"{extra}"}}}}\n'


def bid_line(event: Event, timestamps: TimestampFormatter) -> str:
    _, auction, bidder, price, channel, url, ts, extra = event
    return (
        f'{BID_PREFIX}{auction},"bidder":{bidder},"price":{price},'
        f'{channel_fragment(channel, url)}"dateTime":"{timestamps(ts)}",{extra_fragment(extra)}'
    )


def auction_line(event: Event, timestamps: TimestampFormatter) -> str:
    _, aid, item, description, initial, reserve, ts, expires, seller, category, extra = event
    return (
        f'{{"event_type":1,"person":null,"auction":{{"id":{aid},"itemName":"{item}",'
        f'"description":"{description}","initialBid":{initial},"reserve":{reserve},'
        f'"dateTime":"{timestamps(ts)}","expires":"{timestamps(expires)}",'
        f'"seller":{seller},"category":{category},"extra":"{extra}"}},"bid":null}}\n'
    )


def person_line(event: Event, timestamps: TimestampFormatter) -> str:
    _, pid, name, email, card, city, state, ts, extra = event
    return (
        f'{{"event_type":0,"person":{{"id":{pid},"name":"{name}",'
        f'"emailAddress":"{email}","creditCard":"{card}","city":"{city}",'
        f'"state":"{state}","dateTime":"{timestamps(ts)}",'
        f'"extra":"{extra}"}},"auction":null,"bid":null}}\n'
    )


def event_line(event: Event, timestamps: TimestampFormatter) -> str:
    """One event as a JSON line, with its trailing newline."""
    kind = event[0]
    if kind == BID:
        return bid_line(event, timestamps)
    if kind == AUCTION:
        return auction_line(event, timestamps)
    assert kind == PERSON, kind
    return person_line(event, timestamps)


def encode_lines(events: Iterable[Event], timestamps: TimestampFormatter) -> list[str]:
    return [event_line(e, timestamps) for e in events]
