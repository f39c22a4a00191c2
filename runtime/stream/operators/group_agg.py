"""group_agg: GROUP BY over a changelog with retraction-aware accumulators.

Per key: the accumulators and the number of rows folded into them. Changes of one batch are
applied first and the result is emitted once per touched key (Flink's mini-batch): +I for a
new group, -U/+U when its result changed, -D when its last row was retracted. When every
aggregate has one (COUNT, SUM, AVG, MIN/MAX, STDDEV/VAR, LISTAGG with a literal separator,
ARRAY_AGG, FIRST/LAST_VALUE: `_groups.supports`) the state is columnar (`_groups`); otherwise
per-key Python accumulators (`_accumulators`: COLLECT, DISTINCT STDDEV/VAR/LISTAGG/ARRAY_AGG,
DECIMAL FIRST/LAST_VALUE without retractions, ...)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan import traits

from ..api import Output
from ._accumulators import add, agg_fns, new_acc, result
from ._base import BaseOperator
from ._groups import ColumnarGroups, ops_array, supports
from ._partials import listagg_separators
from ._rows import (
    DELETE,
    INSERT,
    UPDATE_AFTER,
    UPDATE_BEFORE,
    Row,
    arrow_schema,
    is_retract,
    rows_of,
    to_batch,
)
from ._sizing import arrow_size

Key = tuple[Any, ...]


class GroupAgg(BaseOperator):
    def __init__(self, spec: OperatorSpec) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.Aggregate)
        self.group = node.group
        types = [f.type for f in node.input.schema.fields]
        # Over an insert-only input MIN/MAX/FIRST_VALUE/LAST_VALUE keep one value, not all.
        self.fns = agg_fns(node.aggs, types, not traits.is_insert_only(node.input.changelog))
        in_schema = arrow_schema(node.input.schema)
        arg_types = [in_schema.field(fn.args[0]).type if fn.args else None for fn in self.fns]
        key_types = [in_schema.field(i).type for i in self.group]
        self.columnar: ColumnarGroups | None = None
        seps = listagg_separators(node)
        if supports(self.fns, arg_types, key_types, seps):
            self.columnar = ColumnarGroups(self.group, self.fns, in_schema, self.out_schema, seps)
        # otherwise key -> [row count, accumulators]
        self.groups: dict[Key, list[Any]] = {}

    def _result(self, key: Key) -> Row | None:
        entry = self.groups.get(key)
        if entry is None or entry[0] <= 0:
            return None
        return (*key, *(result(fn, acc) for fn, acc in zip(self.fns, entry[1], strict=True)))

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        if self.columnar is not None:
            out = self.columnar.apply(batch, ops_array(batch))
            return self.emit([out] if out is not None else [])
        ops, rows = rows_of(batch)
        before: dict[Key, Row | None] = {}
        fns = self.fns
        group = self.group
        for op, row in zip(ops, rows, strict=True):
            key = tuple(row[i] for i in group)
            if key not in before:
                before[key] = self._result(key)
            entry = self.groups.get(key)
            sign = -1 if is_retract(op) else 1
            if entry is None:
                if sign < 0:
                    continue  # retraction of a row never seen (state lost): ignore
                entry = self.groups[key] = [0, [new_acc() for _ in fns]]
            entry[0] += sign
            for fn, acc in zip(fns, entry[1], strict=True):
                add(fn, acc, row, sign)
        out_rows: list[Row] = []
        out_ops: list[int] = []
        for key, old in before.items():
            new = self._result(key)
            if new is None:
                self.groups.pop(key, None)
            if old == new:
                continue
            if old is None:
                out_rows.append(new)  # type: ignore[arg-type]
                out_ops.append(INSERT)
            elif new is None:
                out_rows.append(old)
                out_ops.append(DELETE)
            else:
                out_rows += [old, new]
                out_ops += [UPDATE_BEFORE, UPDATE_AFTER]
        batches = [to_batch(self.out_schema, out_rows, out_ops)] if out_rows else []
        return self.emit(batches)

    def state_rows(self) -> int:
        if self.columnar is not None:
            return self.columnar.rows()
        return len(self.groups)

    def state_bytes(self) -> int:
        if self.columnar is not None:
            return self.columnar.nbytes()
        return super().state_bytes()

    def state_arrow_bytes(self) -> int:
        """The Arrow size of one result row per group (what the state stands for; columnar:
        with the values the DISTINCT and retracting MIN/MAX aggregates keep)."""
        if self.columnar is not None:
            return self.columnar.kept_arrow_bytes()
        return arrow_size(self.out_schema, [r for k in self.groups if (r := self._result(k))])

    def snapshot(self) -> Any:
        return self.columnar.snapshot() if self.columnar is not None else self.groups

    def restore(self, state: Any) -> None:
        if self.columnar is not None:
            self.columnar.restore(state)
        else:
            self.groups = state
