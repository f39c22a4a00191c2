"""A `CheckpointStore` on a directory (runtime/stream/api.py).

Checkpoint N is the file `chk-<N, 12 digits>.pickle`: the payload is pickled to a temporary
file in the same directory, flushed and fsynced, renamed over the final name (atomic on POSIX)
and the directory is fsynced, so a crash leaves either the old set of checkpoints or the new
one, never a torn file. Temporary files of a crashed writer are removed on open. The newest
`retain` checkpoints are kept (at least 2: restart may need N-1 when checkpoint N was written
but its Kafka transaction never committed, see job.py).
"""

from __future__ import annotations

import os
import pickle
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nrtg.catalog.errors import ExecutionError

_NAME = re.compile(r"^chk-(\d{12})\.pickle$")


class DirectoryCheckpointStore:
    def __init__(self, directory: str | os.PathLike[str], retain: int = 3) -> None:
        self.directory = Path(directory)
        self.retain = max(2, retain)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ExecutionError(f"cannot create checkpoint directory {directory}: {e}") from e
        for stale in self.directory.glob(".chk-*.tmp"):
            stale.unlink(missing_ok=True)

    def _path(self, checkpoint_id: int) -> Path:
        return self.directory / f"chk-{checkpoint_id:012d}.pickle"

    def ids(self) -> list[int]:
        """Stored checkpoint ids, ascending."""
        found = []
        for entry in os.listdir(self.directory):
            m = _NAME.match(entry)
            if m:
                found.append(int(m.group(1)))
        return sorted(found)

    def save(self, checkpoint_id: int, payload: Mapping[str, Any]) -> None:
        final = self._path(checkpoint_id)
        tmp = self.directory / f".chk-{checkpoint_id:012d}.{os.getpid()}.tmp"
        data = pickle.dumps(dict(payload), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, final)
            self._sync_dir()
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise ExecutionError(
                f"writing checkpoint {checkpoint_id} to {final} failed: {e}"
            ) from e
        self.last_size = len(data)
        for old in self.ids()[: -self.retain]:
            if old < checkpoint_id:
                self._path(old).unlink(missing_ok=True)

    last_size: int = 0

    def _sync_dir(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def load(self, checkpoint_id: int) -> Mapping[str, Any] | None:
        path = self._path(checkpoint_id)
        try:
            with open(path, "rb") as f:
                payload: Mapping[str, Any] = pickle.load(f)
        except FileNotFoundError:
            return None
        except (OSError, pickle.UnpicklingError, EOFError) as e:
            raise ExecutionError(f"checkpoint {path} is unreadable: {e}") from e
        return payload

    def latest(self) -> tuple[int, Mapping[str, Any]] | None:
        for checkpoint_id in reversed(self.ids()):
            payload = self.load(checkpoint_id)
            if payload is not None:
                return checkpoint_id, payload
        return None

    def discard_after(self, checkpoint_id: int) -> None:
        """Delete checkpoints newer than `checkpoint_id` (written, never committed)."""
        for newer in self.ids():
            if newer > checkpoint_id:
                self._path(newer).unlink(missing_ok=True)
