"""`open_catalog(uri)`: pick the backend from a URI.

- `thrift://host:port[,thrift://host2:port2]`: a Hive Metastore (or `nrtg catalog serve`)
- `sqlite:///abs/path.db`, `sqlite://rel/path.db` or a plain file path: the embedded store
- `memory://`: an empty in-memory catalog (tests)
- nothing: `$NRTG_CATALOG`, else the embedded store at `.nrtg/catalog.db` under the current dir
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from .errors import CatalogError

if TYPE_CHECKING:
    from .base import Catalog
    from .hms_catalog import HmsCatalog

# Backends are imported when a catalog is opened: the Thrift stubs alone cost ~60 ms, and
# `nrtg compile` without a catalog must not pay for them.

ENV_VAR = "NRTG_CATALOG"
DEFAULT_PATH = Path(".nrtg") / "catalog.db"


def resolve_uri(uri: str | None = None) -> str:
    """The catalog URI in effect: the argument, else $NRTG_CATALOG, else the default file."""
    if uri:
        return uri
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env
    return "sqlite:///" + str((Path.cwd() / DEFAULT_PATH).resolve()).lstrip("/")


def sqlite_path(uri: str) -> str | None:
    """The file path of an embedded-store URI, or None for other schemes."""
    if uri.startswith("sqlite://"):
        rest = uri[len("sqlite://") :]
        return rest if rest.startswith("/") else rest or str(DEFAULT_PATH)
    if "://" in uri:
        return None
    return uri


def open_catalog(uri: str | None = None) -> Catalog:
    from .hms_catalog import HmsCatalog
    from .memory import MemoryCatalog
    from .sqlite_store import SqliteStore

    target = resolve_uri(uri)
    if target.startswith("memory://"):
        return MemoryCatalog(uri=target)
    if target.startswith("thrift://"):
        return open_thrift(target)
    path = sqlite_path(target)
    if path is None:
        raise CatalogError(
            f"unknown catalog URI {target!r}: use thrift://host:port, sqlite:///path, "
            "a file path or memory://"
        )
    store = SqliteStore(path)
    display = f"sqlite://{path}"
    return HmsCatalog(store, display, on_close=store.close)


def open_thrift(uri: str) -> HmsCatalog:
    """The first reachable metastore of a comma-separated `thrift://` list."""
    from .hms_catalog import HmsCatalog
    from .hms_client import DEFAULT_PORT, HmsClient

    errors = []
    for part in [p.strip() for p in uri.split(",") if p.strip()]:
        parsed = urlparse(part)
        if parsed.scheme != "thrift" or not parsed.hostname:
            raise CatalogError(f"bad metastore URI {part!r}: expected thrift://host:port")
        client = HmsClient(parsed.hostname, parsed.port or DEFAULT_PORT)
        try:
            client.get_all_databases()
        except OSError as e:
            errors.append(f"{part}: {e}")
            client.close()
            continue
        except Exception as e:  # TTransportException and friends
            errors.append(f"{part}: {e}")
            client.close()
            continue
        return HmsCatalog(client, part, on_close=client.close)  # type: ignore[arg-type]
    raise CatalogError(f"cannot reach Hive Metastore {uri}: {'; '.join(errors)}")
