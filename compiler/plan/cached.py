"""`cached`: a per-instance computed attribute, as functools.cached_property but lock-free.

Python 3.11's cached_property takes a re-entrant lock on every first read (3.12 dropped it).
Plan nodes and expressions are immutable and their facts (children, schema, column refs,
changelog) are first read hundreds of times per compile; the lock was most of that cost. Two
threads racing on a first read both compute the same value, which is harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")
R = TypeVar("R")


class cached(Generic[T, R]):
    def __init__(self, fn: Callable[[T], R]) -> None:
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> cached[T, R]: ...

    @overload
    def __get__(self, obj: T, owner: type | None = None) -> R: ...

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = self.fn(obj)
        # A non-data descriptor: once the instance dict holds the value, reads bypass this.
        obj.__dict__[self.name] = value
        return value
