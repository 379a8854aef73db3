"""Which Babel (and so which CLDR) is installed, told without importing it.

Reading CLDR through Babel costs tens of milliseconds on first use (importing Babel, then
unpickling and merging a locale's data), more than checking a campaign file. What smskit reads
of it is small and fixed per Babel release, so it is kept in the on-disk cache
(:mod:`smskit.cache`) under a key naming the installed Babel: its version and where its files
are, with their modification time, so that an upgrade, a reinstall or another virtualenv never
reads another Babel's tables.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from functools import cache
from importlib.machinery import PathFinder
from typing import Any, TypeVar

from smskit.cache import cached

T = TypeVar("T")

_VERSION = re.compile(r"""^__version__\s*=\s*['"]([^'"]+)['"]""", re.M)


@cache
def babel_key() -> str | None:
    """The installed Babel as "babel <version> <path> <mtime>"; None if it cannot be found."""
    module = sys.modules.get("babel")
    origin = getattr(module, "__file__", None)
    if origin is None:
        # Locates the package on sys.path as the import system would, without importing it.
        spec = PathFinder.find_spec("babel")
        origin = spec.origin if spec is not None else None
    if not origin:
        return None
    try:
        with open(origin, encoding="utf-8") as fh:
            source = fh.read()
        mtime = os.stat(origin).st_mtime_ns
    except (OSError, ValueError):
        return None
    version = _VERSION.search(source)
    if version is None:
        return None
    return f"babel {version.group(1)} {origin} {mtime}"


def cached_cldr(
    what: str,
    build: Callable[[], T],
    *,
    decode: Callable[[Any], T] = lambda v: v,
    encode: Callable[[T], Any] = lambda v: v,
) -> T:
    """``build()`` (which reads CLDR through Babel), cached on disk under Babel's key."""
    key = babel_key()
    return cached("cldr", f"{key} {what}" if key else None, build, decode=decode, encode=encode)
