"""`frozen`: a frozen, keyword-only dataclass whose `__init__` writes the instance dict.

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__` (its own
`__setattr__` refuses), a call per field. Plan nodes and expressions are built by the thousand
per compile (every rule rewrite rebuilds the path to the root), and those calls were about
about 40% of their construction time. The replacement takes the same keyword arguments,
defaults and `__post_init__`; the class stays a frozen dataclass in every other respect
(`replace`, `fields`, equality, hashing, repr, refused assignment). dataclass() is told not to
generate its own `__init__`, which would only be replaced (one exec less per class at import).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from typing import Any, TypeVar

T = TypeVar("T")


def frozen(*, eq: bool = True) -> Callable[[type[T]], type[T]]:
    def wrap(cls: type[T]) -> type[T]:
        return _fast_init(dataclass(frozen=True, kw_only=True, eq=eq, init=False)(cls))

    return wrap


def _fast_init(cls: type[T]) -> type[T]:
    namespace: dict[str, Any] = {}
    params, body = [], []
    for f in fields(cls):  # type: ignore[arg-type]
        if f.default_factory is not MISSING or not f.init:
            raise TypeError(f"{cls.__name__}.{f.name}: only plain fields and defaults")
        if f.default is MISSING:
            params.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        body.append(f"    _values[{f.name!r}] = {f.name}")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    source = f"def __init__(self, *, {', '.join(params)}):\n    _values = self.__dict__\n"
    exec(source + "\n".join(body) + "\n", namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[misc]
    return cls
