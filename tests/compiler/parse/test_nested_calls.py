"""Calls with their own argument syntax (CAST, TRY_CAST, TIMESTAMPADD/DIFF) nested as the last
argument of another call: each must leave the enclosing call's `)` alone."""

from __future__ import annotations

import pytest

from nrtg.compiler.errors import ParseError
from nrtg.compiler.parse.parse import parse_expression, to_flink_sql

NESTED = [
    "COALESCE(a, CAST(a AS INT))",
    "LOWER(CAST(a AS STRING))",
    "CONCAT(TRY_CAST(a AS STRING), CAST(b AS STRING))",
    "TIMESTAMPDIFF(MINUTE, ts, TIMESTAMPADD(DAY, 1, ts))",
    "CAST(CAST(a AS BIGINT) AS STRING)",
    "IF(a > 1, CAST(a AS DOUBLE), CAST(TIMESTAMPDIFF(SECOND, ts, ts) AS DOUBLE))",
]


@pytest.mark.parametrize("text", NESTED)
def test_nested_special_calls_parse_and_print_back(text: str) -> None:
    node = parse_expression(text)
    assert parse_expression(to_flink_sql(node)) == node


@pytest.mark.parametrize(
    "text", ["CAST(a AS INT", "LOWER(CAST(a AS INT)", "TIMESTAMPADD(DAY, 1, ts"]
)
def test_a_missing_parenthesis_is_still_an_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_expression(text)
