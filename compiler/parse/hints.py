"""Flink SQL hints: `/*+ name[(options)][, ...] */` comments with a meaning.

Two places take them (Calcite's grammar, as Flink uses it):

- right after a table name, table hints: `t /*+ OPTIONS('k' = 'v') */ [AS] alias` in FROM and
  `INSERT INTO t /*+ OPTIONS(...) */`: dynamic table options, merged over the table's own
  options for that one reference (the catalog is not changed);
- right after SELECT, query hints: the join strategies BROADCAST, SHUFFLE_HASH, SHUFFLE_MERGE
  and NEST_LOOP, and LOOKUP without retry options (they change no result: nrtg accepts and
  ignores them); STATE_TTL and LOOKUP's retries (they do, and nrtg does not implement them:
  refused).

A hint's text is parsed here (sqlglot reads a query hint leniently and a table hint not at all),
so a malformed or unknown hint is an error that points into it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nrtg.compiler.errors import ParseError, Span, UnsupportedError

__all__ = [
    "Hint",
    "check_query_hints",
    "hint_options",
    "hint_tables",
    "hints_sql",
    "parse_hints",
]

# Join strategies: a plan choice, never a different result.
_JOIN_HINTS = frozenset({"BROADCAST", "SHUFFLE_HASH", "SHUFFLE_MERGE", "NEST_LOOP"})
# STATE_TTL expires state, which changes results; nrtg's operators keep theirs.
_STATE_TTL = (
    "STATE_TTL hints are not supported: nrtg keeps operator state without a time-to-live; "
    "remove the hint (nrtg advises where state grows without bound)"
)
# LOOKUP's options (Flink's LookupJoinHintOptions): how a lookup runs (asynchronously, in
# which order, how many at once) changes no result, and nrtg ignores it; retrying a missed
# key does, and nrtg's lookup joins never retry.
_LOOKUP_OPTIONS = frozenset({"table", "async", "output-mode", "capacity", "timeout"})
_LOOKUP_RETRY = frozenset({"retry-predicate", "retry-strategy", "fixed-delay", "max-attempts"})
_QUERY_HINTS = _JOIN_HINTS | {"LOOKUP", "STATE_TTL"}

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>'(?:[^']|'')*')
    | (?P<name>`(?:[^`]|``)*`|[A-Za-z_][A-Za-z0-9_$]*)
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<op>[(),=.])
    | (?P<bad>\S)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Hint:
    """One hint: `name` upper-cased; `values` a list of names or literals, or `options` the
    key = value pairs (at most one of them is non-empty)."""

    name: str
    values: tuple[str, ...]
    options: tuple[tuple[str, str], ...]
    span: Span
    key_spans: tuple[Span, ...] = ()  # where each option's key is, in `options`' order


@dataclass(frozen=True)
class _Tok:
    kind: str  # str, name, num, op
    text: str  # a literal's or quoted name's value; an operator itself
    start: int
    end: int


def _tokens(sql: str, start: int, end: int, stmt: int) -> list[_Tok]:
    out: list[_Tok] = []
    pos = start
    while True:
        m = _TOKEN.match(sql, pos, end)
        if m is None or m.end() == pos:
            break
        kind = m.lastgroup or ""
        s, e = m.start(kind), m.end(kind)
        text = m.group(kind)
        if kind == "bad":
            raise ParseError(f"unexpected {text!r} in a hint", Span(s, e, stmt))
        if kind == "str":
            text = text[1:-1].replace("''", "'")
        elif kind == "name" and text.startswith("`"):
            text = text[1:-1].replace("``", "`")
        out.append(_Tok(kind, text, s, e))
        pos = m.end()
    return out


def parse_hints(sql: str, start: int, end: int, stmt: int) -> tuple[Hint, ...]:
    """The hints in sql[start:end] (the text between `/*+` and `*/`)."""
    return _Reader(_tokens(sql, start, end, stmt), start, end, stmt).hints()


@dataclass
class _Reader:
    toks: list[_Tok]
    start: int
    end: int
    stmt: int
    i: int = 0

    def fail(self, message: str, at: int | None = None) -> ParseError:
        at = self.i if at is None else at
        tok = self.toks[at] if at < len(self.toks) else None
        if tok is None:
            span = Span(self.end, self.end + 2, self.stmt)  # the closing */
            return ParseError(f"unexpected end of the hint; {message}", span)
        return ParseError(
            f"unexpected {tok.text!r}; {message}", Span(tok.start, tok.end, self.stmt)
        )

    def text(self, at: int) -> str | None:
        return self.toks[at].text if at < len(self.toks) else None

    def hints(self) -> tuple[Hint, ...]:
        toks = self.toks
        if not toks:
            raise ParseError(
                "an empty hint: write e.g. /*+ OPTIONS('k' = 'v') */",
                Span(self.start - 3, self.end + 2, self.stmt),
            )
        out: list[Hint] = []
        while True:
            if self.i >= len(toks) or toks[self.i].kind != "name":
                raise self.fail("expected a hint name, e.g. OPTIONS or BROADCAST")
            first = last = toks[self.i]
            self.i += 1
            values: list[str] = []
            options: list[tuple[str, str]] = []
            keys: list[Span] = []
            if self.text(self.i) == "(":
                self.i += 1
                last = self._options(values, options, keys)
            span = Span(first.start, last.end, self.stmt)
            out.append(Hint(first.text.upper(), tuple(values), tuple(options), span, tuple(keys)))
            if self.i >= len(toks):
                return tuple(out)
            if self.text(self.i) != ",":
                raise self.fail("expected ',' between hints or the end of the hint (*/)")
            self.i += 1

    def _options(self, values: list[str], options: list[tuple[str, str]], keys: list[Span]) -> _Tok:
        """Reads `a, b` / `'x', 1` / `k = 'v', ...` up to `)`, which it returns; `keys` gets
        where each option's key is."""
        toks = self.toks
        if self.text(self.i) == ")":
            self.i += 1
            return toks[self.i - 1]
        kv = self.text(self.i + 1) == "=" and toks[self.i].kind in ("str", "name")
        seen: set[str] = set()
        while True:
            if self.i >= len(toks):
                raise self.fail("expected ')' to close the hint's options")
            tok = toks[self.i]
            if kv:
                if tok.kind not in ("str", "name"):
                    raise self.fail("expected an option key ('key' = 'value')")
                value = self.i + 2
                if self.text(self.i + 1) != "=" or value >= len(toks) or toks[value].kind != "str":
                    at = self.i + (2 if self.text(self.i + 1) == "=" else 1)
                    raise self.fail("expected 'key' = 'value' (the value a quoted string)", at)
                if tok.text in seen:
                    raise self.fail(f"option '{tok.text}' is given twice")
                seen.add(tok.text)
                options.append((tok.text, toks[value].text))
                keys.append(Span(tok.start, tok.end, self.stmt))
                self.i += 3
            elif tok.kind == "name":
                name = tok.text
                self.i += 1
                while (
                    self.text(self.i) == "."
                    and self.i + 1 < len(toks)
                    and toks[self.i + 1].kind == "name"
                ):
                    name += "." + toks[self.i + 1].text
                    self.i += 2
                values.append(name)
            elif tok.kind in ("str", "num"):
                values.append(tok.text)
                self.i += 1
            else:
                raise self.fail("expected a name, a literal or 'key' = 'value'")
            after = self.text(self.i)
            self.i += 1
            if after == ")":
                return toks[self.i - 1]
            if after != ",":
                raise self.fail("expected ',' or ')' in the hint's options", self.i - 1)


def hint_options(
    hints: tuple[Hint, ...],
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, Span], ...]]:
    """The dynamic options of a table hint (its OPTIONS, merged in order) and where each key
    is written (the last time); anything else in the place of a table hint is an error."""
    merged: dict[str, str] = {}
    keys: dict[str, Span] = {}
    for hint in hints:
        if hint.name != "OPTIONS":
            raise ParseError(
                f"unknown table hint {hint.name}: a table takes OPTIONS('key' = 'value', ...); "
                "join hints go after SELECT",
                hint.span,
            )
        if not hint.options:
            raise ParseError(
                "OPTIONS needs 'key' = 'value' pairs, e.g. OPTIONS('scan.startup.mode' = "
                "'earliest-offset')",
                hint.span,
            )
        merged.update(hint.options)
        keys.update(zip((k for k, _ in hint.options), hint.key_spans, strict=True))
    return tuple(merged.items()), tuple(keys.items())


def check_query_hints(hints: tuple[Hint, ...]) -> None:
    """Query hints after SELECT: join strategies (a list of table names) and LOOKUP without
    retries are accepted, STATE_TTL and LOOKUP's retries refused, anything else an error."""
    for hint in hints:
        if hint.name not in _QUERY_HINTS:
            message = (
                "OPTIONS is a table hint: put it right after the table name, "
                "FROM t /*+ OPTIONS(...) */"
                if hint.name == "OPTIONS"
                else f"unknown query hint {hint.name}: Flink's are "
                + ", ".join(sorted(_QUERY_HINTS))
            )
            raise ParseError(message, hint.span)
        if hint.name == "STATE_TTL":
            raise UnsupportedError(_STATE_TTL, hint.span)
        if hint.name == "LOOKUP":
            _check_lookup(hint)
        elif not hint.values or hint.options:
            raise ParseError(
                f"{hint.name} takes the names of the tables it applies to, e.g. "
                f"{hint.name}(orders)",
                hint.span,
            )


def _check_lookup(hint: Hint) -> None:
    keys = [k for k, _ in hint.options]
    if "table" not in keys:
        raise ParseError(
            "LOOKUP takes 'key' = 'value' options, 'table' among them: "
            "LOOKUP('table' = 'customers', 'async' = 'true')",
            hint.span,
        )
    retry = [k for k in keys if k in _LOOKUP_RETRY]
    if retry:
        raise UnsupportedError(
            f"LOOKUP option '{retry[0]}' is not supported: nrtg's lookup joins never retry a "
            "missed key; remove the retry options",
            hint.span,
        )
    unknown = [k for k in keys if k not in _LOOKUP_OPTIONS]
    if unknown:
        known = ", ".join(sorted(_LOOKUP_OPTIONS | _LOOKUP_RETRY))
        raise ParseError(f"unknown LOOKUP option '{unknown[0]}' (options: {known})", hint.span)


def hint_tables(hint: Hint) -> tuple[str, ...]:
    """The tables (names or aliases) a query hint applies to."""
    if hint.name == "LOOKUP":
        return tuple(v for k, v in hint.options if k == "table")
    return hint.values


def hints_sql(options: tuple[tuple[str, str], ...]) -> str:
    """A table hint printed back: ` /*+ OPTIONS('k' = 'v') */` ('' for none)."""
    if not options:
        return ""

    def q(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    pairs = ", ".join(f"{q(k)} = {q(v)}" for k, v in options)
    return f" /*+ OPTIONS({pairs}) */"
