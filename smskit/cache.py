"""The on-disk cache of start-up data that smskit derives from its libraries.

Some tables cost more to derive than a whole check of one file: CLDR's month and weekday names
through Babel (its locale data is a chain of pickles merged on load) and the parsed rule packs.
They change only when Babel or a pack does, so the first run writes what it derived here and
later runs read it back in a fraction of a millisecond. The libraries and packs stay the source
of truth: every entry carries the key it was derived under (Babel's version and install, a
pack's content hash …) and an entry whose key does not match is rebuilt.

The folder is ``$SMSKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/smskit``, else ``~/.cache/smskit``.
Each entry is one small JSON file. The cache is an optimisation only: an entry that cannot be
read or parsed (corrupt, truncated, another version's format) is rebuilt, and a folder that
cannot be written is silently left alone — smskit then derives the data on every run.

Lint results are never cached: every run checks every file.
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# Bumped when the layout of entries changes, so that old files are simply not found.
FORMAT = 1


# JSON keeps only string keys; a mapping with other keys (YAML's 1: or true:) is stored as
# {PAIRS: [[key, value], ...]}.
PAIRS = "\u0000pairs"


def to_json(value: Any) -> Any:
    """YAML-style data (mappings with any scalar keys, lists, scalars) as JSON data.

    TypeError for anything else (a date, say): such a value is not cached.
    """
    if isinstance(value, dict):
        if all(type(k) is str for k in value) and PAIRS not in value:
            return {k: to_json(v) for k, v in value.items()}
        return {PAIRS: [[_json_key(k), to_json(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if value is None or type(value) in (str, int, float, bool):
        return value
    raise TypeError(f"not cacheable: {type(value).__name__}")


def _json_key(key: Any) -> Any:
    if key is None or type(key) in (str, int, float, bool):
        return key
    raise TypeError(f"not cacheable key: {type(key).__name__}")


def from_json(value: Any) -> Any:
    """The inverse of :func:`to_json`."""
    if isinstance(value, dict):
        if PAIRS in value:
            return {k: from_json(v) for k, v in value[PAIRS]}
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    return value


def cache_dir() -> Path:
    """Where entries live: $SMSKIT_CACHE_DIR, $XDG_CACHE_HOME/smskit or ~/.cache/smskit."""
    explicit = os.environ.get("SMSKIT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec: a relative path in the variable is invalid and is ignored.
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "smskit"
    return Path.home() / ".cache" / "smskit"


def entry_path(kind: str, key: str) -> Path:
    """The file of one entry; the key's checksum in its name keeps different keys apart."""
    return cache_dir() / f"{kind}-{zlib.crc32(key.encode('utf-8', 'surrogatepass')):08x}.json"


def load(kind: str, key: str) -> Any | None:
    """The value stored under ``key``, or None if there is none (or it cannot be read)."""
    try:
        with open(entry_path(kind, key), encoding="utf-8") as fh:
            entry = json.load(fh)
    except (OSError, ValueError, RuntimeError):  # missing, unreadable, corrupt, too deep
        return None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
        return None
    return entry.get("value")


def store(kind: str, key: str, value: Any) -> None:
    """Write an entry; any failure (read-only home, full disk …) is ignored."""
    path = entry_path(kind, key)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"format": FORMAT, "key": key, "value": value}, fh, ensure_ascii=False)
        # Readers see the old entry or the new one, never half of one (runs may overlap).
        os.replace(tmp, path)
    except (OSError, ValueError, TypeError):
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def cached(
    kind: str,
    key: str | None,
    build: Callable[[], T],
    *,
    decode: Callable[[Any], T] = lambda v: v,
    encode: Callable[[T], Any] = lambda v: v,
) -> T:
    """``build()``'s result, read from the cache when an entry for ``key`` is there.

    ``encode`` turns the result into JSON data and ``decode`` back (JSON has no integer keys
    or tuples). A stored value that ``decode`` rejects is rebuilt. With ``key`` None (the
    source's version cannot be told) nothing is read or written.
    """
    if key is None:
        return build()
    raw = load(kind, key)
    if raw is not None:
        try:
            return decode(raw)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            pass  # an entry of the right key but the wrong shape: rebuild it
    value = build()
    try:
        data = encode(value)
    except (TypeError, ValueError):  # not JSON data (a date in a rule pack): just not cached
        return value
    store(kind, key, data)
    return value
