"""Regular expressions compiled on first use.

Compiling is much of what importing a text module or building a phrase matcher costs, and
many patterns serve texts a run never meets: English month-first dates, Smart Encoding, a
reply phrase's exceptions, an opt-out link. :func:`compile` returns a stand-in that compiles
the pattern the first time it is used and from then on hands out the compiled pattern's own
methods, so later calls cost what calls on the pattern itself cost.
"""

from __future__ import annotations

import re
from typing import Any, cast

# What the stand-in forwards once compiled (set on the instance, so __getattr__ is not asked).
_FORWARDED = (
    "match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split",
    "pattern", "flags", "groups", "groupindex",
)  # fmt: skip


class _Lazy:
    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self._args = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        # Called only for attributes not yet on the instance: the first use.
        compiled = re.compile(*self._args)
        for attr in _FORWARDED:
            setattr(self, attr, getattr(compiled, attr))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_re.compile({self._args[0]!r}, {self._args[1]!r})"


def compile(pattern: str | bytes, flags: int = 0) -> re.Pattern[Any]:
    """Like :func:`re.compile`, compiled when first used."""
    return cast(re.Pattern[Any], _Lazy(pattern, flags))
