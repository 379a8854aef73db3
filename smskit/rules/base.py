"""What every rule module provides, and the context the runner hands it."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from smskit.findings import Severity

_T = TypeVar("_T")
_MISSING = object()


@dataclass(frozen=True)
class Rule:
    """A rule module seen through its metadata: code, name, default severity, docs, options."""

    code: str
    name: str
    severity: Severity
    scope: str
    module: types.ModuleType
    options_type: type

    @property
    def doc(self) -> str:
        return (self.module.__doc__ or "").strip()

    @property
    def summary(self) -> str:
        first = self.doc.splitlines()[0] if self.doc else ""
        return first.split(":", 1)[1].strip() if ":" in first else first

    def default_options(self) -> Any:
        return self.options_type()

    def option_fields(self) -> dict[str, dataclasses.Field]:
        return {f.name: f for f in dataclasses.fields(self.options_type)}


@dataclass(frozen=True)
class NoOptions:
    pass


def rule_from_module(module: types.ModuleType) -> Rule:
    return Rule(
        code=module.CODE,
        name=module.NAME,
        severity=module.SEVERITY,
        scope=getattr(module, "SCOPE", "campaign"),
        module=module,
        options_type=getattr(module, "Options", NoOptions),
    )


def coerce_option(rule: Rule, name: str, value: Any) -> Any:
    """Check ``value`` against the option's declared type; ValueError says what is wanted."""
    f = rule.option_fields()[name]
    hints = typing.get_type_hints(rule.options_type)
    want = hints[name]
    origin = typing.get_origin(want)
    if origin is typing.Literal:
        if value not in typing.get_args(want):
            allowed = ", ".join(map(str, typing.get_args(want)))
            raise ValueError(f"{rule.code} option '{f.name}' must be one of: {allowed}")
        return value
    if origin in (tuple, list):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{rule.code} option '{f.name}' must be a list of strings")
        return tuple(value)
    if want is timedelta:
        from smskit.model import parse_duration

        text = value if isinstance(value, str) else None
        if isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        duration = parse_duration(text) if text is not None else None
        if duration is None:
            raise ValueError(
                f"{rule.code} option '{f.name}' must be a duration such as 30s, 10m, 2h or 1d"
            )
        return duration
    if want is bool:
        ok = isinstance(value, bool)
    elif want is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif want is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif want is str:
        ok = isinstance(value, str)
    else:
        ok = True
    if not ok:
        raise ValueError(f"{rule.code} option '{f.name}' must be of type {want.__name__}")
    return value


@dataclass
class Context:
    """What a rule may consult besides its campaign: the merged packs and a per-run cache.

    The runner makes a new Context for every run, so what is kept in ``cache`` is never stale.
    """

    locales: dict[str, dict[str, Any]] = field(default_factory=dict)
    brands: dict[str, dict[str, Any]] = field(default_factory=dict)
    cache: dict[Hashable, Any] = field(default_factory=dict)
    campaigns: list = field(default_factory=list)  # every campaign checked in this run

    def memo(self, key: Hashable, build: Callable[[], _T]) -> _T:
        """``build()`` the first time ``key`` is asked for in this run, the same value after."""
        value = self.cache.get(key, _MISSING)
        if value is _MISSING:
            value = self.cache[key] = build()
        return value

    def locale(self, language: str) -> dict[str, Any]:
        return self.locales.get(language, {})
