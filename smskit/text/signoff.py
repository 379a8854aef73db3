"""Find a message's sign-off: the closing phrase that names the brand or sender.

A sign-off is a locale phrase ("Terveisin", "t.", "Med vänliga hälsningar", "Regards", a dash
or a slash) followed by a name ("Elisa", "Elisan asiakaspalvelu"), or a known name alone on the
last line. It stands at the end of the message, but only *before* the tails that often follow
it: an opt-out line ("Peru: elisa.fi/stop", "STOP numeroon 16400") or a link ("Lue lisää:
elisa.fi/x"). Plain text after a candidate means it is not a sign-off.

Sign-offs are compared by ``normalise`` (case, spacing and punctuation do not matter, dashes
and slashes do) but reported and replaced with their exact text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from smskit import lazy_re

# A link as people write them in SMS: with or without a scheme, lowercase top-level domain.
URL = lazy_re.compile(
    r"(?<![\w@])(?:https?://\S+|www\.\S+|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,24}(?:/\S*)?)(?![\w@])"
)
# Pieces of the text after a sign-off candidate: lines and sentences (a one-letter word before
# the full stop, as in "t.", is an abbreviation, not a sentence end).
_PIECES = re.compile(r"\n|(?<=[^\W\d_]{2}[.!?])\s+|(?<=[!?])\s+")
_WORD = r"(?:-?[^\W\d_][\w'’-]*(?::[^\W\d_]+)?|&)"  # "Elisa", "-tiimi", "DNA:n", "&"
_NAME = re.compile(rf"{_WORD}(?:[ \t]+{_WORD}){{0,3}}")
_WORD_RE = re.compile(_WORD)
_CONNECTORS = frozenset({"ja", "och", "and", "from", "från", "at", "&", "/"})
_NAME_END = re.compile(r"[ \t]*[.!,;]*")
_DASHES = re.compile(r"[-‐‑‒–—―]+")
_NON_WORD = re.compile(r"[^\w/-]+")
_NAME_SEP = re.compile(r"[\W_]+")
# Where a line or a sentence begins (the match ends there).
_SENTENCE_END = lazy_re.compile(r"(?:^|\n|(?<=[.!?])[ \t])[ \t]*")
_SEP_AFTER_WORD = re.compile(r"[ \t]*[,:]?\s*")  # "Terveisin, Elisa", "Terveisin\nElisa"
_SEP_AFTER_MARK = lazy_re.compile(r"[ \t]*")  # "/Elisa", "— Elisa"
# Finnish case endings a brand name may carry: Elisan, Elisalta, DNA:n, Telialle.
CASE_ENDING = r"(?::?(?:n|a|ä|na|nä|ssa|ssä|sta|stä|lla|llä|lta|ltä|lle|ksi|han|hen|in|kin))?"
_MAX_NAME_CHARS = 40
_MAX_LINK_WORDS = 4  # "Lue lisää: elisa.fi/x" is a tail; a sentence around a link is not


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """The comparison key of a sign-off: "Terveisin,\\nElisa." and "terveisin Elisa" are equal."""
    text = _DASHES.sub(" - ", text.casefold())
    text = text.replace("/", " / ")
    return " ".join(_NON_WORD.sub(" ", text).split())


class Signoff(NamedTuple):
    """A sign-off found in a body; offsets are in the body's coordinates (end exclusive).

    (A named tuple: one is made for every message of a run, in a third of the time a frozen
    dataclass takes.)
    """

    start: int
    end: int
    text: str  # exactly as written, e.g. "t. Elisa"
    phrase: str  # the closing phrase as written ("t."), "" for a bare name
    name: str  # the named party as written ("Elisa")
    name_start: int

    @property
    def key(self) -> str:
        return normalise(self.text)  # memoised: the same few sign-offs recur in every file


def _phrase_body(phrase: str) -> str:
    body = r"\s+".join(re.escape(part) for part in phrase.split())
    return body + (r"(?!\w)" if phrase[-1:].isalnum() else "")


def _alternatives(phrases: list[str], before: str) -> str:
    # A first-character check up front lets the scan skip most positions cheaply.
    first = "".join(sorted({c for p in phrases for c in (p[0].lower(), p[0].upper())}))
    alts = "|".join(_phrase_body(p) for p in phrases)
    return f"(?=[{re.escape(first)}]){before}(?:{alts})"


def phrase_regex(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive regex matching any of ``phrases`` as whole words, longest first.

    A phrase that starts with a letter must start a word (and not follow "." or "/", so that
    "t." in "elisa.fi/t." is no phrase); one that starts with a mark ("-", "/") must not follow a
    word character or a slash.
    """
    unique = sorted({p.strip() for p in phrases if p and p.strip()}, key=len, reverse=True)
    words = [p for p in unique if p[:1].isalnum()]
    marks = [p for p in unique if not p[:1].isalnum()]
    groups = []
    if words:
        groups.append(_alternatives(words, r"(?<![\w./])"))
    if marks:
        groups.append(_alternatives(marks, r"(?<![\w/])"))
    # Compiled on first use: a finder's opt-out phrases, say, are needed only when a message
    # has text after its sign-off, and a long case-insensitive alternation is slow to compile.
    return lazy_re.compile("|".join(groups), re.IGNORECASE) if groups else None


def name_key(text: str) -> str:
    """How names compare: case and punctuation do not matter (\"Elisa Oyj\" = \"elisa oyj.\")."""
    return " ".join(_NAME_SEP.sub(" ", text.casefold()).split())


def mentions(name: str, brand: str) -> bool:
    """Does ``name`` ("Elisan asiakaspalvelu", "DNA:n tiimi") mention ``brand``?

    A brand counts as whole words, with a Finnish case ending allowed (Elisan, Elisalta,
    DNA:n); "Elisabet" does not mention Elisa.
    """
    key = name_key(brand)
    if not key:
        return False
    pattern = _mention_regex(key)
    return pattern.search(name.casefold()) is not None


@lru_cache(maxsize=1024)
def _mention_regex(key: str) -> re.Pattern[str]:
    return mention_regex((key,))


def mention_regex(keys: Iterable[str]) -> re.Pattern[str]:
    """Any of the names ``keys`` (as :func:`name_key` gives them) in casefolded text, as whole
    words with a Finnish case ending allowed; group 1 is the name as written."""
    alts = "|".join(r"[\W_]+".join(re.escape(w) for w in k.split()) for k in keys)
    return re.compile(rf"(?<!\w)({alts}){CASE_ENDING}(?!\w)")


class SignoffFinder:
    """Sign-off extraction for one set of locale phrases; build it once with ``finder()``."""

    def __init__(
        self,
        signoffs: tuple[str, ...],
        opt_out_phrases: tuple[str, ...],
        opt_out_links: tuple[str, ...],
    ) -> None:
        self.phrases = phrase_regex(signoffs)
        self.opt_out = phrase_regex(opt_out_phrases)
        self.links = tuple(lazy_re.compile(p, re.IGNORECASE) for p in opt_out_links)
        # What follows a phrase decides alone whether it starts the sign-off, and the same
        # few sign-offs close most messages of a run: their readings are kept, with offsets
        # from the phrase. (text from the phrase on, phrase length, names) -> Signoff | None
        self._tails: dict[tuple[str, int, tuple[str, ...]], Signoff | None] = {}

    def find(self, body: str, names: Iterable[str] = ()) -> Signoff | None:
        """The message's sign-off, or None. ``names`` are known brands/senders (any case)."""
        known = _known_keys(tuple(names))
        if self.phrases is not None:
            for m in reversed(list(self.phrases.finditer(body))):
                found = self._after_phrase_seen(body, m, known)
                if found is not None:
                    return found
        return self._bare_name(body, known) if known else None

    def _after_phrase_seen(
        self, body: str, m: re.Match[str], known: tuple[str, ...]
    ) -> Signoff | None:
        start = m.start()
        key = (body[start:], m.end() - start, known)
        if key in self._tails:
            relative = self._tails[key]
        else:
            found = self._after_phrase(body, m, known)
            relative = None if found is None else _shifted(found, -start)
            if len(self._tails) >= _MAX_TAILS:
                self._tails.clear()
            self._tails[key] = relative
        return None if relative is None else _shifted(relative, start)

    def tail_start(self, body: str) -> int:
        """Where the trailing opt-out lines and links begin (``len(body)`` without any)."""
        end = len(body.rstrip())
        starts = {m.end() for m in _SENTENCE_END.finditer(body, 0, end)}
        starts.update(m.start() for m in URL.finditer(body, 0, end))
        if self.opt_out is not None:
            starts.update(m.start() for m in self.opt_out.finditer(body, 0, end))
        for s in sorted(starts):
            if s < end and self.is_tail(body[s:end]):
                return len(body[:s].rstrip())
        return end

    def is_tail(self, rest: str) -> bool:
        """Is ``rest`` only links, opt-out instructions, punctuation and emoji?"""
        for piece in _PIECES.split(rest):
            p = piece.strip(" \t\r,;:.!?-–—")
            if not p or not any(c.isalnum() for c in p):
                continue
            if self.opt_out is not None and self.opt_out.search(p):
                continue
            if any(link.search(p) for link in self.links):
                continue
            if URL.search(p) and len(URL.sub(" ", p).split()) <= _MAX_LINK_WORDS:
                continue
            return False
        return True

    def _after_phrase(self, body: str, m: re.Match[str], known: tuple[str, ...]) -> Signoff | None:
        pos = m.end()
        sep = (
            _SEP_AFTER_MARK if _DASHES.fullmatch(m.group()) or m.group() == "/" else _SEP_AFTER_WORD
        )
        pos = sep.match(body, pos).end()
        nm = _NAME.match(body, pos)
        if nm is None:
            return None
        words = list(_WORD_RE.finditer(body, nm.start(), nm.end()))
        for k in range(len(words), 0, -1):
            name_end = words[k - 1].end()
            name = body[pos:name_end]
            if not self._plausible_name(name, [w.group() for w in words[:k]], known):
                continue
            after = _NAME_END.match(body, name_end)
            rest = body[after.end() :]
            if rest.lstrip(" \t").startswith(":"):
                continue  # "Elisa Peru: …": "Peru" labels the tail, it is not part of the name
            if self.is_tail(rest):
                return Signoff(
                    m.start(), name_end, body[m.start() : name_end], m.group(), name, pos
                )
        return None

    def _plausible_name(self, name: str, words: list[str], known: tuple[str, ...]) -> bool:
        if len(name) > _MAX_NAME_CHARS:
            return False
        if self.phrases is not None and self.phrases.match(name):
            return False  # "Kiitos, Terveisin Elisa": the later phrase starts the sign-off
        if self.opt_out is not None and self.opt_out.match(name):
            return False
        first = words[0]
        if first.casefold() == "the" and len(words) > 1:
            words = words[1:]  # "— the Elisa team"
            first = words[0]
        if not (first[:1].isupper() or any(mentions(first, k.split()[0]) for k in known)):
            return False
        # Later words are names too ("Elisa Oyj", "Anna ja Elisa", "Elisa Viihde -tiimi"); one
        # lowercase word may close it ("Elisan asiakaspalvelu"), a lowercase phrase may not.
        for i, w in enumerate(words[1:], start=1):
            last = i == len(words) - 1
            if w[:1].isupper() or w.startswith("-") or w == "&":
                continue
            if w.casefold() in _CONNECTORS and not last:
                continue
            if last and len(words) <= 3:
                continue
            return False
        return True

    def _bare_name(self, body: str, known: tuple[str, ...]) -> Signoff | None:
        # A known name alone after a line break or a finished sentence: "…\nElisa".
        for s in reversed([m.end() for m in _SENTENCE_END.finditer(body)]):
            if not body[:s].strip():
                continue  # the whole message is not its own sign-off
            nm = _NAME.match(body, s)
            if nm is None:
                continue
            words = list(_WORD_RE.finditer(body, nm.start(), nm.end()))
            for k in range(len(words), 0, -1):
                name_end = words[k - 1].end()
                name = body[s:name_end]
                if name_key(name) in known and self.is_tail(body[name_end:]):
                    return Signoff(s, name_end, name, "", name, s)
        return None


_MAX_TAILS = 4096


def _shifted(s: Signoff, by: int) -> Signoff:
    return Signoff(s.start + by, s.end + by, s.text, s.phrase, s.name, s.name_start + by)


@lru_cache(maxsize=256)
def _known_keys(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for k in map(name_key, names) if k))


@lru_cache(maxsize=64)
def finder(
    signoffs: tuple[str, ...],
    opt_out_phrases: tuple[str, ...] = (),
    opt_out_links: tuple[str, ...] = (),
) -> SignoffFinder:
    """A compiled finder, shared by every message with the same locale data."""
    return SignoffFinder(signoffs, opt_out_phrases, opt_out_links)
