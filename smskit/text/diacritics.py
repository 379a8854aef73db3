"""Finnish and Swedish words that lost their ä, ö or å ("kaytossa", "K?ytt?j?tunnus").

Two kinds of loss are found: the dots dropped ("kaytossa" for "käytössä", which happens when
text passes through an ASCII-only system or is typed on a foreign keyboard) and the letters
replaced by "?" ("K?ytt?j?tunnus", the mark a Latin-1 or ASCII conversion leaves).

With Voikko (the Finnish spell-checker; Debian packages libvoikko1 and voikko-fi plus the
``libvoikko`` binding) a Finnish word is reported only when Voikko rejects it as written and
accepts a restoration: candidates turn a→ä and o→ö (fewest changes first), or fill each "?"
with ä, ö or å. A word Voikko accepts is never reported.

Without Voikko (not installed, or switched off with the environment variable
``SMSKIT_NO_VOIKKO=1`` or ``voikko=False``) and for Swedish, which has no Voikko dictionary,
the check falls back to (a) the same word written with its ä/ö/å elsewhere (the campaign, the
other campaigns checked together, or the locale pack's ``diacritic_words``) and (b) for Finnish,
vowel harmony: a Finnish word does not mix back vowels a/o/u with front y (or ä/ö) unless it is
a compound, so "hyvaa" or "tyossa" has lost something. Every result says whether Voikko
confirmed it.

Words that are never looked at: fewer than 3 letters, words already holding ä/ö/å or other
non-ASCII letters, capitalised words in mid-sentence (names: "Netflix", "Elisa"), words with
capitals inside ("iPhone"), words in capitals (codes and acronyms: "KESAALE", "STOP") unless
they contain "?", words touching digits or code characters, URLs, e-mail addresses,
placeholders ("{first_name}"), hashtags, and the caller's ``ignore`` words (brand, sender,
the pack's ``no_diacritics_words`` such as "sale" and "area").
"""

from __future__ import annotations

import _thread  # the C module: importing threading would cost a few ms at start-up
import itertools
import os
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

NO_VOIKKO_ENV = "SMSKIT_NO_VOIKKO"
LANGUAGES = ("fi", "sv")

# Bounds on candidate generation: a word with many a/o or "?" stops trying after this many.
MAX_SPELL_TRIES = 600
MAX_QUESTION_MARKS = 5

_STRIP = str.maketrans("äöåÄÖÅ", "aoaAOA")
_FRONT = {"a": "ä", "o": "ö", "A": "Ä", "O": "Ö"}
_SV_RING = {"a": "å", "A": "Å"}

# Hints of text that is not prose (URLs, domains, e-mail addresses, placeholders, hashtags,
# markup): the whitespace-delimited chunk around each hint is skipped.
_NOT_PROSE_HINT = re.compile(
    r"://|www\.|[@{}#<]|%\(|\$\{?\w"
    r"|\.(?:fi|se|ax|com|net|org|eu|io|ly|me|co|app|info|shop|link|to|gl)\b",
    re.I,
)
# Words that could have lost a diacritic: ASCII letters and "?", at least 3 long, not touching
# other letters or digits (so never a piece of "käytössä"); they also need an a, o or "?".
_CANDIDATE = re.compile(r"(?<![\w?])[A-Za-z?]{3,}(?!\w)")
_AO = frozenset("aoAO")
_TOUCHING_CODE = set("_@#/\\=&%$+*<>|~^")
_OPENERS = set(" \t\r\n\"'“”‘’«»([-–—•*")
_SENTENCE_END = set(".!?…")
_WORD = re.compile(r"[^\W\d_]+")
_DIACRITICS = frozenset("äöåÄÖÅ")


class LostDiacritic(NamedTuple):
    """A word that lost its ä/ö/å, at ``text[start:end]``.

    ``restored`` is the word to write (None when the "?" could not be resolved);
    ``method`` is how it was found: "voikko", "known" (the same word with its diacritics seen
    elsewhere), "harmony" (a vowel-harmony violation, the restoration is a guess) or
    "question-mark" (a "?" inside a word, letter unknown); ``voikko`` says whether Voikko
    confirmed it; ``alternatives`` lists other restorations Voikko accepts ("s??st?" is
    "säästä" or "säästö").
    """

    start: int
    end: int
    word: str
    restored: str | None
    method: str
    voikko: bool
    alternatives: tuple[str, ...] = ()  # other restorations as good as ``restored``

    @property
    def lost_letters(self) -> str:
        """The letters the restoration puts back, e.g. "ä/ö" (empty when unknown)."""
        if self.restored is None:
            return ""
        got = {c.lower() for c in self.restored if c in "äöåÄÖÅ"}
        return "/".join(c for c in "äöå" if c in got)


# --- Voikko, loaded lazily once per process -------------------------------------------------

_voikko: Any = None
_voikko_error: str | None = None
_voikko_loaded = False
_voikko_lock = _thread.allocate_lock()  # one Voikko handle must not be used concurrently


def voikko_disabled_by_env() -> bool:
    """True when ``SMSKIT_NO_VOIKKO`` is set to a true value (1, yes, true)."""
    return os.environ.get(NO_VOIKKO_ENV, "").strip().lower() in ("1", "yes", "true", "on")


def _load_voikko() -> None:
    global _voikko, _voikko_error, _voikko_loaded
    if _voikko_loaded:
        return
    with _voikko_lock:
        if _voikko_loaded:
            return
        try:
            import libvoikko

            _voikko = libvoikko.Voikko("fi")
        except ImportError:
            _voikko_error = "the libvoikko Python binding is not installed"
        except OSError:
            _voikko_error = "the Voikko library (libvoikko1) is not installed"
        except Exception as exc:  # libvoikko.VoikkoException: no Finnish dictionary
            _voikko_error = f"Voikko has no Finnish dictionary (voikko-fi): {exc}"
        _voikko_loaded = True


def voikko_available(voikko: bool = True) -> bool:
    """Whether Finnish Voikko can be used (loads it on first call).

    ``voikko=False`` or ``SMSKIT_NO_VOIKKO=1`` switch it off.
    """
    if not voikko or voikko_disabled_by_env():
        return False
    _load_voikko()
    return _voikko is not None


def voikko_unavailable_reason() -> str | None:
    """Why Voikko is not used, in one line, or None when it is available."""
    if voikko_disabled_by_env():
        return f"{NO_VOIKKO_ENV} is set"
    _load_voikko()
    return _voikko_error


# Words, exactly as matched in text, that can never be reported (nothing to restore, codes,
# "iPhone"), and those Voikko accepts or cannot restore: skipped at once the next time.
_INERT: set[str] = set()
_SETTLED: set[str] = set()


@lru_cache(maxsize=1 << 16)
def spell(word: str) -> bool:
    """Voikko's verdict on one word (cached); raises RuntimeError when Voikko is missing."""
    _load_voikko()
    if _voikko is None:
        raise RuntimeError(f"Voikko is not available: {_voikko_error}")
    with _voikko_lock:
        return bool(_voikko.spell(word))


# --- words and candidates --------------------------------------------------------------------


def strip_diacritics(word: str) -> str:
    """``käytössä`` → ``kaytossa``, ``Åbo`` → ``Abo``."""
    return word.translate(_STRIP)


def known_forms(texts: Iterable[str]) -> dict[str, str]:
    """Words written with ä/ö/å in ``texts``, keyed by their stripped lowercase form.

    ``{"kaytossa": "käytössä"}``; words with other non-ASCII letters are left out. When two
    spellings strip to the same key, the first in sorted order wins (stable across runs).
    """
    words: set[str] = set()
    for text in texts:
        words.update(_WORD.findall(text))
    forms: dict[str, str] = {}
    for word in sorted(w.lower() for w in words if not _DIACRITICS.isdisjoint(w)):
        key = strip_diacritics(word)
        if len(key) >= 3 and key.isascii():
            forms.setdefault(key, word)
    return forms


def with_case_of(word: str, model: str) -> str:
    """``word`` in the capitalisation of ``model`` (all caps, capitalised, or lowercase)."""
    if _is_all_caps(model):
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def diacritic_candidates(word: str, language: str) -> Iterator[tuple[int, str]]:
    """Restorations of ``word`` as (changes, candidate), fewest changes first.

    Finnish turns a→ä and o→ö; Swedish also a→å. A "?" is filled with each of ä, ö, å
    (every "?" counts as one change; more than ``MAX_QUESTION_MARKS`` give no candidates).
    """
    if "?" in word:
        marks = [i for i, c in enumerate(word) if c == "?"]
        if len(marks) > MAX_QUESTION_MARKS:
            return
        upper = _is_all_caps(word)
        letters = "ÄÖÅ" if upper else "äöå"
        chars = list(word)
        for fill in itertools.product(letters, repeat=len(marks)):
            for i, c in zip(marks, fill, strict=True):
                chars[i] = c
            yield len(marks), "".join(chars)
        return
    positions = [i for i, c in enumerate(word) if c in _FRONT]
    for k in range(1, len(positions) + 1):
        for combo in itertools.combinations(positions, k):
            options = [
                (_FRONT[word[i]], _SV_RING[word[i]])
                if language == "sv" and word[i] in _SV_RING
                else (_FRONT[word[i]],)
                for i in combo
            ]
            for choice in itertools.product(*options):
                chars = list(word)
                for i, c in zip(combo, choice, strict=True):
                    chars[i] = c
                yield k, "".join(chars)


@lru_cache(maxsize=1 << 15)
def _voikko_restorations(word: str) -> tuple[str, ...]:
    # Every Voikko-accepted restoration with the fewest changes (empty when there is none).
    if spell(word):
        return ()
    tries, best_k, found = 0, None, []
    for k, cand in diacritic_candidates(word, "fi"):
        if best_k is not None and k > best_k:
            break
        tries += 1
        if tries > MAX_SPELL_TRIES:
            break
        if spell(cand):
            best_k = k
            found.append(cand)
    if not found and tries > MAX_SPELL_TRIES and "?" not in word:
        # Too many a/o to try every mix: vowel harmony says a simple word changes all of them.
        front = "".join(_FRONT.get(c, c) for c in word)
        if spell(front):
            found.append(front)
    return tuple(found)


@lru_cache(maxsize=1 << 15)
def violates_vowel_harmony(word: str) -> bool:
    """True when a word without ä/ö mixes back vowels a/o/u with front y and cannot be split
    into harmonic parts the way compounds can ("yhteys|tiedot" is fine, "hyvaa" is not).

    Words that do not look Finnish (b, c, f, q, w, x, z, a g outside "ng", a final y after a
    back vowel or consonant as in "party", "today") are never reported.
    """
    w = word.lower()
    if not _harmony_mixed(w) or _looks_foreign(w):
        return False
    return not _splits_harmonically(w, parts_left=3)


def _harmony_mixed(w: str) -> bool:
    return any(c in "aou" for c in w) and any(c in "yäö" for c in w)


def _looks_foreign(w: str) -> bool:
    if any(c in "bcfqwxz" for c in w):
        return True
    if re.search(r"(?<!n)g", w):
        return True
    if w.endswith("y") and len(w) > 1 and w[-2] not in "eiyäö":
        return True
    return w[-1] not in "aeiouyäönstlrk"


def _splits_harmonically(w: str, parts_left: int) -> bool:
    if not _harmony_mixed(w):
        return True
    if parts_left <= 1:
        return False
    for i in range(3, len(w) - 2):
        head, tail = w[:i], w[i:]
        # Finnish words end in a vowel or one n/s/t/l/r/k and start with at most one consonant,
        # and only an s|s seam ("yhteys|sopimus") splits a double consonant; so
        # "olym|pialaiset", "paat|tyy" and "tyylikk|aat" are no compound seams.
        if head[-1] not in "aeiouyäönstlrk" or not (_is_vowel(tail[0]) or _is_vowel(tail[1])):
            continue
        if head[-1] == head[-2] and not _is_vowel(head[-1]):
            continue
        if head[-1] == tail[0] and head[-1] not in "aeiouyäös":
            continue
        if not _has_vowel(head) or not _has_vowel(tail) or _harmony_mixed(head):
            continue
        if _splits_harmonically(tail, parts_left - 1):
            return True
    return False


def _has_vowel(w: str) -> bool:
    return any(c in "aeiouyäö" for c in w)


def _is_vowel(c: str) -> bool:
    return c in "aeiouyäö"


def _is_all_caps(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


# --- finding them in text ------------------------------------------------------------------


class _Token:
    """A word worth a closer look (a plain class: cheaper to define than a dataclass)."""

    __slots__ = ("end", "start", "text", "trailing", "trailing_letters")

    def __init__(
        self, start: int, end: int, text: str, trailing: int, trailing_letters: bool
    ) -> None:
        self.start = start
        self.end = end
        self.text = text  # letters and "?" as written, without trailing "?"s
        self.trailing = trailing  # "?"s right after it (punctuation or lost letters)
        self.trailing_letters = trailing_letters  # try them as lost letters first


def _not_prose_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _NOT_PROSE_HINT.finditer(text):
        a, b = m.start(), m.end()
        if m.group() == "{":  # a placeholder may hold spaces: "{{ first_name }}"
            close = text.find("}", b)
            if close != -1 and "\n" not in text[b:close]:
                b = close + 1
        while a > 0 and not text[a - 1].isspace():
            a -= 1
        while b < len(text) and not text[b].isspace():
            b += 1
        spans.append((a, b))
    return spans


def _at_sentence_start(text: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and text[j] in _OPENERS:
        if text[j] == "\n":
            return True
        j -= 1
    return j < 0 or text[j] in _SENTENCE_END


def _tokens(
    text: str, ignore: Collection[str], settled: set[str] | None, use_voikko: bool
) -> Iterator[_Token]:
    # Cheap, context-free tests first; a word they rule out goes into ``settled`` (when
    # given), so the next message skips it at once.
    spans: list[tuple[int, int]] | None = None
    for m in _CANDIDATE.finditer(text):
        word = m.group()
        if word in _INERT or (settled is not None and word in settled):
            continue
        core = word.rstrip("?")
        letters = core.replace("?", "")
        inner_q = len(letters) < len(core)
        inert = (
            not letters
            or not (inner_q or word[-1] == "?" or _AO.intersection(word))  # nothing to restore
            or (letters.isupper() and not inner_q)  # codes and acronyms ("KESAALE", "STOP")
            or not (letters.islower() or letters.isupper() or letters[1:].islower())  # iPhone
        )
        if inert:
            _INERT.add(word)
            if settled is not None:
                settled.add(word)
            continue
        start, end = m.span()
        capitalised = letters[0].isupper() and not letters.isupper()
        plain = not inner_q and word[-1] != "?"
        if capitalised and use_voikko and settled is not None and plain and spell(word):
            settled.add(word)  # a Finnish word or a name Voikko knows
            continue
        if letters.lower() in ignore:
            continue
        if capitalised and not (inner_q or core[0] == "?" or _at_sentence_start(text, start)):
            continue  # a capitalised name in mid-sentence
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if before in _TOUCHING_CODE or after in _TOUCHING_CODE:
            continue
        if after == "." and end + 1 < len(text) and text[end + 1].isalnum():
            continue  # a dotted name ("tili.elisa") that is no known domain
        if spans is None:
            spans = _not_prose_spans(text)
        if any(a <= start < b for a, b in spans):
            continue
        trailing = len(word) - len(core)
        # "p?iv?n?." or "t?it? t?n??n": "?"s before punctuation or a lowercase word are
        # more likely lost letters than a question mark.
        rest = text[end : end + 3].lstrip(" ")
        letters_first = trailing > 0 and (after in ".,;:!" or rest[:1].islower())
        yield _Token(start, start + len(core), core, trailing, letters_first)


def find_lost_diacritics(
    text: str,
    language: str,
    *,
    known: Mapping[str, str] | None = None,
    ignore: Collection[str] = (),
    voikko: bool = True,
    settled: set[str] | None = None,
) -> list[LostDiacritic]:
    """Words in ``text`` that lost their ä/ö/å, in order.

    ``language`` is "fi" or "sv" (anything else gives nothing). ``known`` maps stripped
    lowercase words to their proper form (see ``known_forms``); ``ignore`` holds words never
    reported (a set of lowercase words is used as is). ``voikko=False`` (or
    ``SMSKIT_NO_VOIKKO=1``) runs the fallback. ``settled`` is a cache the caller keeps for
    one ``known`` mapping and language in the fallback: words that need nothing go in and are
    skipped next time (with Voikko a process-wide cache is used instead).
    """
    if language not in LANGUAGES:
        return []
    known = {} if known is None else known
    use_voikko = language == "fi" and voikko_available(voikko)
    if not isinstance(ignore, (set, frozenset)):
        ignore = {w.lower() for w in ignore}
    if use_voikko:
        settled = _SETTLED
    if settled is not None:
        # The usual case once the vocabulary is cached: every word settled or ignored.
        unsettled = set(_CANDIDATE.findall(text)).difference(settled, _INERT)
        if all(w.lower() in ignore for w in unsettled):
            return []
    found = []
    for tok in _tokens(text, ignore, settled, use_voikko):
        hit = _check_token(tok, language, known, use_voikko, settled)
        if hit is not None:
            found.append(hit)
    return found


def _check_token(
    tok: _Token,
    language: str,
    known: Mapping[str, str],
    use_voikko: bool,
    settled: set[str] | None,
) -> LostDiacritic | None:
    # Trailing "?"s are punctuation or lost letters: try the fewest lost letters first, unless
    # the text goes on as if they were letters.
    order = range(tok.trailing, -1, -1) if tok.trailing_letters else range(tok.trailing + 1)
    for j in order:
        word = tok.text + "?" * j
        if len(word) < 3:
            continue
        if use_voikko:
            if "?" not in word and spell(word):
                if not tok.trailing:
                    _SETTLED.add(word)
                return None  # a Finnish word as written
            candidates = _voikko_restorations(word)
            if not candidates and "?" not in word and not tok.trailing:
                _SETTLED.add(word)  # rejected, but nothing Voikko accepts either
            restored = _pick(candidates, known)
            if restored is not None:
                others = tuple(c for c in candidates if c != restored)
                return LostDiacritic(tok.start, tok.end + j, word, restored, "voikko", True, others)
            continue
        restored = _from_known(word, known, language)
        if restored is not None:
            return LostDiacritic(tok.start, tok.end + j, word, restored, "known", False)
        if language == "fi" and "?" not in word and violates_vowel_harmony(word):
            guess = with_case_of("".join(_FRONT.get(c, c) for c in word.lower()), word)
            return LostDiacritic(tok.start, tok.end + j, word, guess, "harmony", False)
        if settled is not None and "?" not in word and not tok.trailing:
            settled.add(word)  # neither known with dots nor against vowel harmony
    if "?" in tok.text:
        # A "?" inside a word stands for a lost letter even when we cannot tell which.
        return LostDiacritic(tok.start, tok.end, tok.text, None, "question-mark", use_voikko)
    return None


def _pick(candidates: tuple[str, ...], known: Mapping[str, str]) -> str | None:
    # Among equally good restorations, the one written so elsewhere wins; else Voikko's first.
    for cand in candidates:
        if known.get(strip_diacritics(cand).lower()) == cand.lower():
            return cand
    return candidates[0] if candidates else None


def _from_known(word: str, known: Mapping[str, str], language: str) -> str | None:
    if "?" not in word:
        proper = known.get(word.lower())
        return with_case_of(proper, word) if proper is not None else None
    for _, cand in diacritic_candidates(word, language):
        proper = known.get(strip_diacritics(cand).lower())
        if proper is not None and proper == cand.lower():
            return with_case_of(proper, word)
    return None
