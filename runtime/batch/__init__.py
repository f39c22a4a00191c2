"""The batch runtime: lowered DuckDB queries run in-process over bounded sources."""

from __future__ import annotations

from .executor import BatchResult, BatchSession, run_plan, run_query, run_statement_set

__all__ = ["BatchResult", "BatchSession", "run_plan", "run_query", "run_statement_set"]
