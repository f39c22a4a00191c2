"""HMS-style table locks for the embedded server (`lock`, `check_lock`, `unlock`).

Clients such as pyiceberg lock a table around a commit. Locks live in the server process:
SHARED_READ locks share, anything else on the same table (or its database) excludes. A lock not
checked for `ttl_s` seconds expires, so a crashed client cannot block a table forever.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass

from .hms_thrift.ttypes import (
    CheckLockRequest,
    LockRequest,
    LockResponse,
    LockState,
    LockType,
    NoSuchLockException,
    UnlockRequest,
)


@dataclass
class _Lock:
    keys: frozenset[tuple[str, str]]  # (database, table or "")
    shared: bool
    acquired: bool
    touched: float


class LockManager:
    def __init__(self, ttl_s: float = 300.0) -> None:
        self._ttl = ttl_s
        self._mutex = threading.Lock()
        self._ids = itertools.count(1)
        self._locks: dict[int, _Lock] = {}

    def lock(self, rqst: LockRequest) -> LockResponse:
        keys = frozenset(
            ((c.dbname or "").lower(), (c.tablename or "").lower()) for c in rqst.component or []
        )
        shared = all(c.type == LockType.SHARED_READ for c in rqst.component or [])
        with self._mutex:
            lock_id = next(self._ids)
            lock = _Lock(keys, shared, False, time.monotonic())
            self._locks[lock_id] = lock
            return self._try(lock_id, lock)

    def check_lock(self, rqst: CheckLockRequest) -> LockResponse:
        with self._mutex:
            lock = self._locks.get(rqst.lockid)
            if lock is None:
                raise NoSuchLockException(f"No such lock: {rqst.lockid}")
            lock.touched = time.monotonic()
            return self._try(rqst.lockid, lock)

    def unlock(self, rqst: UnlockRequest) -> None:
        with self._mutex:
            if self._locks.pop(rqst.lockid, None) is None:
                raise NoSuchLockException(f"No such lock: {rqst.lockid}")

    def _try(self, lock_id: int, lock: _Lock) -> LockResponse:
        if not lock.acquired:
            now = time.monotonic()
            for other_id in [i for i, o in self._locks.items() if now - o.touched > self._ttl]:
                del self._locks[other_id]
            self._locks[lock_id] = lock
            lock.acquired = not any(
                other.acquired and _conflict(lock, other)
                for i, other in self._locks.items()
                if i != lock_id
            )
        state = LockState.ACQUIRED if lock.acquired else LockState.WAITING
        return LockResponse(lockid=lock_id, state=state)


def _conflict(a: _Lock, b: _Lock) -> bool:
    if a.shared and b.shared:
        return False
    for db, table in a.keys:
        for other_db, other_table in b.keys:
            if db == other_db and (not table or not other_table or table == other_table):
                return True
    return False
