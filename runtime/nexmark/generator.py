"""nrtg's seeded Nexmark event generator: the same config gives the same events on any machine.

The model follows the Nexmark generator that the Flink suite uses (see docs/NEXMARK.md):

- Event number `n` (0-based; it is also the event id) picks the type by `n mod 50`: offset 0 is a
  person, 1-3 are auctions, 4-49 are bids. Event time is `base + floor(n * 1000 / rate)` ms.
- Person ids and auction ids are dense and start at 1000: the person of epoch `e = n // 50` has id
  `1000 + e`, its auctions `1000 + 3e .. 1000 + 3e + 2`.
- A bid goes to the hot auction (the newest multiple of 100) with probability 1/2, otherwise to one
  of the last 100 in-flight auctions. Bidders (3/4) and sellers (3/4) are hot the same way,
  otherwise one of the last 1000 active people.
- `category` is 10-14; prices are log-uniform `round(10^(6U) * 100)`; `expires` is `dateTime + 1 +
  uniform(0, 2 * horizon)` where the horizon is the time 100 in-flight auctions take to generate;
  states are AZ/CA/ID/OR/WA/WY; half of the bids use one of 4 hot channels, the rest `channel-i` of
  10 000 whose url carries `&channel_id=` 90 % of the time; `extra` pads each row to about
  200/500/100 bytes (person/auction/bid), counted the way upstream counts (string lengths, 8 bytes
  a number), not as JSON length.

Deliberate differences from upstream:

- Everything is seeded (`random.Random`, Mersenne Twister; draws are `int(U * k)` or multiply-shift
  of random bits), and prices multiply Decimal-built tables with IEEE `*` only, never libm's `pow`,
  so the bytes do not depend on the platform's math library.
- Upstream's BidGenerator adds FIRST_PERSON_ID to `bidder` twice, so its bidders are offset by 1000
  from real person ids; here it is added once, and every bidder is a person id.
- Upstream lets a bid name one of the next 10 auctions and a bidder/seller one of the next 10 people
  (the "id lead"); here every reference points at a person or auction already generated (an
  earlier event), and the hot bidder (`block * 100 + 1`) falls back to the newest person while that
  person does not exist yet.
- Person names, cities and free text (item names, descriptions, e-mails, `extra`) come from our own
  word lists and from slices of seeded character pools, not from upstream's lists; a bid's `extra`
  is one of 4096 paddings pre-drawn per seed. This keeps a row at a few draws.
- Bounded out-of-orderness replaces upstream's out-of-order groups: with `out_of_order_ms = N > 0`
  every event time is moved back by a uniform 0..N-1 ms (`floor(32 random bits * N / 2^32)`)
  drawn from a separate seeded stream, so all other columns stay identical to the in-order run.
  An event's time is therefore always greater than `max(earlier event times) - N`: a watermark of
  `dateTime - N ms` never makes a row late, not even equal to the watermark. `expires` moves along
  with its auction's `dateTime`.
"""

from __future__ import annotations

import random
from typing import Any

from nrtg.runtime.nexmark.config import (
    AUCTION,
    AUCTION_PROPORTION,
    AVG_AUCTION_BYTES,
    AVG_BID_BYTES,
    AVG_PERSON_BYTES,
    BID,
    FIRST_AUCTION_ID,
    FIRST_CATEGORY_ID,
    FIRST_PERSON_ID,
    HOT_CHANNELS,
    HOT_ID_BLOCK,
    HOT_SELLER_RATIO,
    NUM_ACTIVE_PEOPLE,
    NUM_CATEGORIES,
    NUM_CHANNELS,
    NUM_IN_FLIGHT_AUCTIONS,
    PERSON,
    PERSON_PROPORTION,
    TOTAL_PROPORTION,
    US_STATES,
    Event,
    NexmarkConfig,
)
from nrtg.runtime.nexmark.jsonl import (
    BID_PREFIX,
    MILLIS,
    TimestampFormatter,
    auction_line,
    channel_fragment,
    extra_fragment,
    person_line,
)
from nrtg.runtime.nexmark.values import (
    CITIES,
    FIRST_NAMES,
    LAST_NAMES,
    POOL_SIZE,
    PRICE_BITS,
    channel_url,
    letter_pool,
    price,
    price_tables,
    text_pool,
)

# The number of events during which NUM_IN_FLIGHT_AUCTIONS auctions are generated.
_AUCTION_HORIZON_EVENTS = NUM_IN_FLIGHT_AUCTIONS * TOTAL_PROPORTION // AUCTION_PROPORTION

# A bid takes all its choices from one 128-bit draw (bit 0 is the lowest):
#   0       hot auction when set: 1/2 of the bids (HOT_AUCTION_RATIO = 2)
#   1-2     hot bidder unless both are clear: 3/4 (HOT_BIDDER_RATIO = 4)
#   3       hot channel when set: 1/2 (HOT_CHANNEL_RATIO = 2)
#   4-5     which hot channel (4 of them)
#   6-17    which of the 4096 pre-drawn `extra` paddings
#   18-37   cold auction: 20 bits scaled to the in-flight span by multiply-shift
#   38-57   cold bidder: 20 bits scaled to the active people
#   58-81   cold channel: 24 bits scaled to NUM_CHANNELS
#   82-91   unused
#   92-127  price: 36 bits, see values.price_tables
_BID_BITS = 128
_BID_EXTRAS = 4096
_MASK20 = (1 << 20) - 1
_MASK24 = (1 << 24) - 1


def last_person(n: int) -> int:
    """Base-0 id of the newest person generated at or before event n."""
    epoch, offset = divmod(n, TOTAL_PROPORTION)
    return epoch * PERSON_PROPORTION + min(offset, PERSON_PROPORTION - 1)


def last_auction(n: int) -> int:
    """Base-0 id of the newest auction generated at or before event n (-1 before the first)."""
    epoch, offset = divmod(n, TOTAL_PROPORTION)
    if offset < PERSON_PROPORTION:
        return epoch * AUCTION_PROPORTION - 1
    offset = min(offset - PERSON_PROPORTION, AUCTION_PROPORTION - 1)
    return epoch * AUCTION_PROPORTION + offset


class NexmarkGenerator:
    """A sequential stream of events: `take(k)` returns the next k as tuples, `take_json(k)` as
    JSON lines. Both consume the same stream, so they can be mixed; the result never depends on how
    the stream is cut into batches."""

    def __init__(self, config: NexmarkConfig) -> None:
        self.config = config
        self.position = 0
        seed = config.seed
        self._rng = random.Random(f"nexmark:{seed}")
        self._jitter = random.Random(f"nexmark-out-of-order:{seed}")
        pools = random.Random(f"nexmark-pools:{seed}")
        self._letters = letter_pool(pools)
        self._text = text_pool(pools)
        r = pools.random
        rest = AVG_BID_BYTES - 8 * 4
        delta = round(rest * 0.2)
        self._bid_extras = tuple(
            self._letters[at : at + rest - delta + int(r() * 2 * delta)]
            for at in [int(r() * (POOL_SIZE - rest - delta)) for _ in range(_BID_EXTRAS)]
        )
        self._bid_extra_json = tuple(extra_fragment(e) for e in self._bid_extras)
        self._hot = tuple(
            self._channel_entry(name, channel_url(seed, None, i))
            for i, name in enumerate(HOT_CHANNELS)
        )
        self._channels: list[tuple[str, str, str] | None] = [None] * NUM_CHANNELS
        self._prices = price_tables()
        self._timestamps = TimestampFormatter()

    @staticmethod
    def _channel_entry(name: str, url: str) -> tuple[str, str, str]:
        return (name, url, channel_fragment(name, url))

    def channel(self, number: int) -> tuple[str, str, str]:
        """(name, url, JSON fragment) of cold channel `number`: a function of (seed, number)."""
        found = self._channels[number]
        if found is None:
            found = self._channel_entry(f"channel-{number}", channel_url(self.config.seed, number))
            self._channels[number] = found
        return found

    def event_time(self, n: int) -> int:
        """In-order event time of event n, epoch milliseconds."""
        return self.config.base_time_ms + n * 1000 // self.config.rate

    def _slice(self, pool: str, size: int) -> str:
        start = int(self._rng.random() * (POOL_SIZE - size))
        return pool[start : start + size]

    def _extra(self, current_size: int, average: int) -> str:
        if current_size > average:
            return ""
        rest = average - current_size
        delta = round(rest * 0.2)
        return self._slice(self._letters, rest - delta + int(self._rng.random() * 2 * delta))

    def _someone(self, n: int, hot_ratio: int, hot_offset: int) -> int:
        """A person id for event n: hot with probability 1 - 1/hot_ratio, else an active one."""
        newest = last_person(n)
        if self._rng.random() * hot_ratio >= 1:
            return FIRST_PERSON_ID + min(newest // HOT_ID_BLOCK * HOT_ID_BLOCK + hot_offset, newest)
        active = min(newest + 1, NUM_ACTIVE_PEOPLE)
        return FIRST_PERSON_ID + newest + 1 - active + int(self._rng.random() * active)

    def _person(self, n: int, ts: int) -> Event:
        r = self._rng.random
        first = FIRST_NAMES[int(r() * len(FIRST_NAMES))]
        name = f"{first} {LAST_NAMES[int(r() * len(LAST_NAMES))]}"
        user = self._slice(self._letters, 3 + int(r() * 4))
        email = f"{user}@{self._slice(self._letters, 3 + int(r() * 2))}.com"
        a, b, c, d = int(r() * 1e4), int(r() * 1e4), int(r() * 1e4), int(r() * 1e4)
        card = f"{a:04d} {b:04d} {c:04d} {d:04d}"
        city = CITIES[int(r() * len(CITIES))]
        state = US_STATES[int(r() * len(US_STATES))]
        size = 8 + len(name) + len(email) + len(card) + len(city) + len(state)
        extra = self._extra(size, AVG_PERSON_BYTES)
        return (PERSON, FIRST_PERSON_ID + last_person(n), name, email, card, city, state, ts, extra)

    def _auction(self, n: int, ts: int) -> Event:
        r = self._rng.random
        bits = self._rng.getrandbits
        item = self._slice(self._text, 3 + int(r() * 17)).strip()
        description = self._slice(self._text, 3 + int(r() * 97)).strip()
        initial_bid = price(bits(PRICE_BITS))
        reserve = initial_bid + price(bits(PRICE_BITS))
        seller = self._someone(n, HOT_SELLER_RATIO, 0)
        category = FIRST_CATEGORY_ID + int(r() * NUM_CATEGORIES)
        horizon = self.event_time(n + _AUCTION_HORIZON_EVENTS) - self.event_time(n)
        expires = ts + 1 + int(r() * max(2 * horizon, 1))
        extra = self._extra(8 + len(item) + len(description) + 8 * 5, AVG_AUCTION_BYTES)
        return (
            AUCTION,
            FIRST_AUCTION_ID + last_auction(n),
            item,
            description,
            initial_bid,
            reserve,
            ts,
            expires,
            seller,
            category,
            extra,
        )

    def take(self, count: int) -> list[Event]:
        """The next `count` events as tuples (fewer at the end of the stream)."""
        return self._run(count, False)

    def take_json(self, count: int) -> list[str]:
        """The next `count` events as JSON lines (see jsonl), each ending in a newline."""
        return self._run(count, True)

    def _run(self, count: int, as_json: bool) -> list[Any]:
        start = self.position
        stop = min(start + count, self.config.events)
        self.position = stop
        out: list[Any] = []
        append = out.append
        jitter = self._jitter.getrandbits
        out_of_order = self.config.out_of_order_ms
        base = self.config.base_time_ms
        rate = self.config.rate
        price_high, price_middle, price_low = self._prices
        extras = self._bid_extra_json if as_json else self._bid_extras
        hot = self._hot
        channels = self._channels
        channel = self.channel
        bits = self._rng.getrandbits
        mask20 = _MASK20
        mask24 = _MASK24
        num_channels = NUM_CHANNELS
        bid = BID
        timestamps = self._timestamps
        second_text = timestamps.second
        millis = MILLIS
        prefix = BID_PREFIX
        last_ts = -1
        ts_texts: dict[int, str] = {}  # only a speed-up: the text of recent timestamps
        ts_text = ""
        for epoch in range(start // TOTAL_PROPORTION, (stop - 1) // TOTAL_PROPORTION + 1):
            first = epoch * TOTAL_PROPORTION
            first_bid = first + PERSON_PROPORTION + AUCTION_PROPORTION
            lo = max(start, first)
            hi = min(stop, first + TOTAL_PROPORTION)
            for n in range(lo, min(hi, first_bid)):
                ts = base + n * 1000 // rate
                if out_of_order:
                    ts -= jitter(32) * out_of_order >> 32
                if n - first < PERSON_PROPORTION:
                    event = self._person(n, ts)
                    append(person_line(event, timestamps) if as_json else event)
                else:
                    event = self._auction(n, ts)
                    append(auction_line(event, timestamps) if as_json else event)
            # Constants shared by the bids of an epoch: they all see the same newest ids.
            newest_auction = epoch * AUCTION_PROPORTION + AUCTION_PROPORTION - 1
            hot_auction = FIRST_AUCTION_ID + newest_auction // HOT_ID_BLOCK * HOT_ID_BLOCK
            low_auction = FIRST_AUCTION_ID + max(newest_auction - NUM_IN_FLIGHT_AUCTIONS, 0)
            auction_span = newest_auction + FIRST_AUCTION_ID - low_auction + 1
            newest_person = epoch * PERSON_PROPORTION + PERSON_PROPORTION - 1
            hot_bidder = FIRST_PERSON_ID + min(
                newest_person // HOT_ID_BLOCK * HOT_ID_BLOCK + 1, newest_person
            )
            active = min(newest_person + 1, NUM_ACTIVE_PEOPLE)
            low_person = FIRST_PERSON_ID + newest_person + 1 - active
            for n in range(max(lo, first_bid), hi):
                ts = base + n * 1000 // rate
                if out_of_order:
                    ts -= jitter(32) * out_of_order >> 32
                b = bits(128)  # all of a bid's choices, laid out as described at _BID_BITS
                if b & 1:
                    auction = hot_auction
                else:
                    auction = low_auction + ((b >> 18 & mask20) * auction_span >> 20)
                if b & 6:  # noqa: SIM108 (kept parallel to the auction choice above)
                    bidder = hot_bidder
                else:
                    bidder = low_person + ((b >> 38 & mask20) * active >> 20)
                if b & 8:
                    name, url, fragment = hot[b >> 4 & 3]
                else:
                    c = (b >> 58 & mask24) * num_channels >> 24
                    found = channels[c]
                    name, url, fragment = channel(c) if found is None else found
                m = b >> 92
                value = round(
                    price_high[m >> 24] * price_middle[m >> 12 & 4095] * price_low[m & 4095]
                )
                if as_json:  # must equal jsonl.bid_line of the tuple below
                    if ts != last_ts:
                        last_ts = ts
                        cached = ts_texts.get(ts)
                        if cached is None:
                            if len(ts_texts) >= 4096:
                                ts_texts.clear()
                            cached = ts_texts[ts] = second_text(ts // 1000) + millis[ts % 1000]
                        ts_text = cached
                    append(
                        f'{prefix}{auction},"bidder":{bidder},"price":{value},{fragment}'
                        f'"dateTime":"{ts_text}",{extras[b >> 6 & 4095]}'
                    )
                else:
                    append((bid, auction, bidder, value, name, url, ts, extras[b >> 6 & 4095]))
        return out
