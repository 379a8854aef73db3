"""Locale phrase lists from the rule packs, compiled once per run for the rules that use them.

A campaign whose language has no pack data falls back to every locale's phrases together, so
an ``de-DE`` campaign signed "— Elisa" is still understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from smskit.rules.base import Context
from smskit.text.signoff import SignoffFinder, finder, phrase_regex

_CACHE_KEY = "smskit.phrases"

# A number to text: a short code or phone number of at least four digits ("16400").
NUMBER = re.compile(r"(?<![\d.,])\+?\d(?:[ -]?\d){3,}(?![\d]|[.,]\d)")
_SENTENCE_BREAK = re.compile(r"\n|(?<=[.!?])\s+(?=\S)")


def sentence_around(text: str, start: int, end: int) -> str:
    """The line or sentence of ``text`` that holds ``text[start:end]``."""
    begin = 0
    for m in _SENTENCE_BREAK.finditer(text, 0, start):
        begin = m.end()
    stop = _SENTENCE_BREAK.search(text, end)
    return text[begin : stop.start() if stop else len(text)]


def phrases(ctx: Context, language: str, key: str) -> tuple[str, ...]:
    """The pack list ``key`` for ``language`` (all locales' lists when it has none)."""
    return ctx.memo((_CACHE_KEY, language, key), lambda: _phrases(ctx, language, key))


def _phrases(ctx: Context, language: str, key: str) -> tuple[str, ...]:
    own = ctx.locale(language).get(key)
    if own is None:
        merged: dict[str, None] = {}
        for data in ctx.locales.values():
            merged.update(dict.fromkeys(data.get(key) or ()))
        own = list(merged)
    return tuple(own)


def text_setting(ctx: Context, language: str, key: str) -> str | None:
    value = ctx.locale(language).get(key)
    return value if isinstance(value, str) else None


def signoff_finder(ctx: Context, language: str) -> SignoffFinder:
    return finder(
        phrases(ctx, language, "signoffs"),
        phrases(ctx, language, "opt_out_phrases"),
        phrases(ctx, language, "opt_out_link_patterns"),
    )


@dataclass(frozen=True)
class PhraseMatcher:
    """Find phrases as whole words, ignoring those inside an exception ("älä vastaa")."""

    pattern: re.Pattern[str] | None
    exceptions: re.Pattern[str] | None

    def finditer(self, text: str) -> list[re.Match[str]]:
        if self.pattern is None:
            return []
        found = list(self.pattern.finditer(text))
        if not found or self.exceptions is None:
            return found
        blocked = [m.span() for m in self.exceptions.finditer(text)]
        return [m for m in found if not any(s < m.end() and m.start() < e for s, e in blocked)]

    def search(self, text: str) -> re.Match[str] | None:
        found = self.finditer(text)
        return found[0] if found else None


@lru_cache(maxsize=64)
def _matcher(words: tuple[str, ...], exceptions: tuple[str, ...]) -> PhraseMatcher:
    return PhraseMatcher(phrase_regex(words), phrase_regex(exceptions))


def reply_matcher(ctx: Context, language: str) -> PhraseMatcher:
    """Phrases asking the recipient to reply, minus the pack's ``reply_exceptions``."""
    return _matcher(
        phrases(ctx, language, "reply_phrases"), phrases(ctx, language, "reply_exceptions")
    )


def opt_out_matcher(ctx: Context, language: str) -> PhraseMatcher:
    """The pack's opt-out phrases (the regex the sign-off finder already holds)."""
    return _opt_out_matcher(signoff_finder(ctx, language).opt_out)


@lru_cache(maxsize=64)
def _opt_out_matcher(pattern: re.Pattern[str] | None) -> PhraseMatcher:
    return PhraseMatcher(pattern, None)


def opt_out_links(ctx: Context, language: str) -> tuple[re.Pattern[str], ...]:
    """The pack's opt-out link patterns, compiled as the sign-off finder holds them."""
    return signoff_finder(ctx, language).links
