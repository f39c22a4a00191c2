"""Value tables of the generator: word lists, character pools, channel urls and price tables.

Everything here is a pure function of the seed (or of nothing), built without libm so that the same
seed gives the same bytes on every platform.
"""

from __future__ import annotations

import random
from decimal import Context, Decimal
from functools import cache

from nrtg.runtime.nexmark.config import CHANNEL_ID_PERCENT

# Our own word lists (upstream's lists are not reproduced); only `state` values matter to queries.
FIRST_NAMES = (
    "Ada",
    "Bruno",
    "Chen",
    "Dana",
    "Elif",
    "Farid",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mira",
    "Nils",
)
LAST_NAMES = (
    "Abara",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lind",
)
CITIES = (
    "Phoenix",
    "Tucson",
    "Los Angeles",
    "San Francisco",
    "Sacramento",
    "Boise",
    "Portland",
    "Bend",
    "Eugene",
    "Seattle",
    "Spokane",
    "Cheyenne",
    "Laramie",
)

POOL_SIZE = 1 << 16
LETTERS = "abcdefghijklmnopqrstuvwxyz"
URL_PREFIX = "https://www.nexmark.com/"
URL_SUFFIX = "/item.htm?query=1"
PRICE_BITS = 36


def letter_pool(rng: random.Random) -> str:
    """POOL_SIZE random lowercase letters: `extra`, e-mail parts."""
    r = rng.random
    return "".join([LETTERS[int(r() * 26)] for _ in range(POOL_SIZE)])


def text_pool(rng: random.Random) -> str:
    """POOL_SIZE chars of free text: lowercase letters, 1 char in 13 a space (as upstream)."""
    r = rng.random
    return "".join([" " if r() * 13 < 1 else LETTERS[int(r() * 26)] for _ in range(POOL_SIZE)])


def channel_id(number: int) -> int:
    """abs() of the 32-bit reversal of the channel number read as a signed int (as upstream)."""
    reversed_bits = int(f"{number:032b}"[::-1], 2)
    return abs(reversed_bits - (1 << 32) if reversed_bits >= 1 << 31 else reversed_bits)


def channel_url(seed: int, number: int | None, hot_index: int = 0) -> str:
    """`https://www.nexmark.com/<d1>/<d2>/<d3>/item.htm?query=1`, each <d> 3-4 chars of [a-z_].

    Cold channel `number` adds `&channel_id=<id>` 90 % of the time; a hot channel (number None,
    `hot_index` 0-3) never does. A pure function of its arguments.
    """
    name = f"hot:{hot_index}" if number is None else f"cold:{number}"
    rng = random.Random(f"nexmark-channel:{seed}:{name}")
    r = rng.random
    parts = []
    for _ in range(3):
        size = 3 + int(r() * 2)
        chars = ["_" if r() * 13 < 1 else LETTERS[int(r() * 26)] for _ in range(size)]
        parts.append("".join(chars))
    url = URL_PREFIX + "/".join(parts) + URL_SUFFIX
    if number is not None and r() * 100 < CHANNEL_ID_PERCENT:
        url += f"&channel_id={channel_id(number)}"
    return url


@cache
def price_tables() -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
    """Tables for a log-uniform price `round(100 * 10^(6U))` with U = m / 2^36, m a 36-bit draw.

    With m = h * 2^24 + j * 2^12 + k (12-bit digits), `100 * 10^(6U)` is the product
    `T0[h] * T1[j] * T2[k]` of `T0[h] = 100 * 10^(6h / 2^12)`, `T1[j] = 10^(6j / 2^24)` and
    `T2[k] = 10^(6k / 2^36)`. The tables are built with Decimal (exact, platform independent) and
    rounded once to float, and the product uses IEEE `*` only, so no libm `pow` is involved.
    """
    ctx = Context(prec=34)
    ten = Decimal(10)

    def table(unit_exponent: int, scale: Decimal) -> tuple[float, ...]:
        values = [scale]
        for b in range(12):  # 10^(6 i / 2^unit) for i < 4096 as products of 10^(6 * 2^b / 2^unit)
            root = ctx.power(ten, ctx.divide(Decimal(6 << b), Decimal(1 << unit_exponent)))
            values += [ctx.multiply(v, root) for v in values]
        return tuple(float(v) for v in values)

    return table(12, Decimal(100)), table(24, Decimal(1)), table(36, Decimal(1))


def price(m: int) -> int:
    """The price of a PRICE_BITS-bit draw `m`: round(100 * 10^(6 m / 2^36)), 100 .. 10^8."""
    high, middle, low = price_tables()
    return round(high[m >> 24] * middle[m >> 12 & 4095] * low[m & 4095])
