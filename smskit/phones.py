"""Phone numbers to E.164, fast: number classes learnt from phonenumbers' own metadata.

``phonenumbers.parse`` + ``is_valid_number`` costs about 50 µs a number: a minute for a
million-row audience. Most rows hold a number in E.164 (``+358401234567``) or in the region's
national format (``040 123 4567``), and whether such a number is valid depends on its length and
first few digits only: every Finnish 9-digit number starting 40 is a valid mobile number.

So the validity rules that ``is_valid_number`` applies (general pattern, each type's pattern and
possible lengths, which region of a shared country code a number belongs to) are read from the
phonenumbers metadata and evaluated, for a *class* of numbers "prefix p, length L", over every
completion at once: each pattern becomes a small automaton over the digits (:class:`_Nfa`), and a
class is valid when every completion is. Classes seen in the data are learnt as they come and
compiled into one regular expression that checks a whole batch of numbers in one pass; a number
outside the learnt classes is looked at alone, and anything the fast path cannot vouch for goes to
phonenumbers itself. The fast path only ever says "valid, and this is the E.164"; a hypothesis
property in the tests checks it against phonenumbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache

_SLOW_CACHE_MAX = 100_000
_MAX_PREFIX = 7  # digits of a class prefix; deeper classes are checked number by number
_MAX_CLASSES = 4_000
_DIGITS = "0123456789"

TRUE, FALSE, MIXED = 1, 0, 2  # "for every completion", "for none", "depends"


# -- patterns as automata over the digits -------------------------------------------------------


class _Unsupported(Exception):
    pass


class _Nfa:
    """A Thompson NFA over 0-9 for the regex subset libphonenumber's patterns use."""

    def __init__(self, pattern: str) -> None:
        from re import _constants as c  # type: ignore[attr-defined]
        from re import _parser  # type: ignore[attr-defined]

        self._c = c
        self.edges: list[list[tuple[frozenset[str] | None, int]]] = []
        start, self.end = self._seq(_parser.parse(pattern, re.ASCII))
        self.start = self.closure({start})

    def _state(self) -> int:
        self.edges.append([])
        return len(self.edges) - 1

    def _eps(self, a: int, b: int) -> None:
        self.edges[a].append((None, b))

    def _seq(self, items) -> tuple[int, int]:
        start = cur = self._state()
        for op, av in items:
            a, b = self._item(op, av)
            self._eps(cur, a)
            cur = b
        return start, cur

    def _chars(self, a: int, chars: set[str]) -> tuple[int, int]:
        b = self._state()
        self.edges[a].append((frozenset(chars), b))
        return a, b

    def _item(self, op, av) -> tuple[int, int]:
        c = self._c
        if op is c.LITERAL:
            return self._chars(self._state(), {chr(av)} & set(_DIGITS))
        if op is c.ANY:
            return self._chars(self._state(), set(_DIGITS))
        if op is c.IN:
            return self._chars(self._state(), _class_digits(c, av))
        if op is c.BRANCH:
            s, e = self._state(), self._state()
            for alt in av[1]:
                a, b = self._seq(alt)
                self._eps(s, a)
                self._eps(b, e)
            return s, e
        if op is c.SUBPATTERN:
            return self._seq(av[-1])
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            lo, hi, sub = av
            s = cur = self._state()
            for _ in range(lo):
                a, b = self._seq(sub)
                self._eps(cur, a)
                cur = b
            e = self._state()
            if hi is c.MAXREPEAT:
                a, b = self._seq(sub)
                self._eps(cur, a)
                self._eps(b, a)
                self._eps(b, e)
            else:
                for _ in range(hi - lo):
                    a, b = self._seq(sub)
                    self._eps(cur, e)
                    self._eps(cur, a)
                    cur = b
            self._eps(cur, e)
            return s, e
        raise _Unsupported(str(op))

    def closure(self, states: set[int]) -> frozenset[int]:
        todo, seen = list(states), set(states)
        while todo:
            for chars, t in self.edges[todo.pop()]:
                if chars is None and t not in seen:
                    seen.add(t)
                    todo.append(t)
        return frozenset(seen)

    def step(self, states: frozenset[int], digit: str) -> frozenset[int]:
        nxt = {t for s in states for chars, t in self.edges[s] if chars and digit in chars}
        return self.closure(nxt) if nxt else frozenset()

    def run(self, digits: str) -> frozenset[int]:
        states = self.start
        for d in digits:
            if not states:
                break
            states = self.step(states, d)
        return states

    def verdict(self, prefix: str, remaining: int) -> int:
        """TRUE if every ``prefix`` + ``remaining`` digits fullmatches, FALSE if none does."""
        frontier = {self.run(prefix)}
        for _ in range(remaining):
            frontier = {self.step(t, d) for t in frontier for d in _DIGITS}
        hits = {self.end in t for t in frontier}
        return TRUE if hits == {True} else FALSE if hits == {False} else MIXED


def _class_digits(c, items) -> set[str]:
    out: set[str] = set()
    negate = False
    for op, av in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            out.add(chr(av))
        elif op is c.RANGE:
            out.update(chr(x) for x in range(av[0], av[1] + 1))
        elif op is c.CATEGORY and av is c.CATEGORY_DIGIT:
            out.update(_DIGITS)
        else:
            raise _Unsupported(str(op))
    digits = out & set(_DIGITS)
    return set(_DIGITS) - digits if negate else digits


def _and(*vs: int) -> int:
    return FALSE if FALSE in vs else TRUE if all(v == TRUE for v in vs) else MIXED


def _or(*vs: int) -> int:
    return TRUE if TRUE in vs else FALSE if all(v == FALSE for v in vs) else MIXED


def _not(v: int) -> int:
    return MIXED if v == MIXED else TRUE - v


# -- is_valid_number, mirrored ----------------------------------------------------------------

# "Any of these types" is a disjunction, so the order is free: the common ones go first.
_TYPES = (
    "mobile",
    "fixed_line",
    "toll_free",
    "uan",
    "premium_rate",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "voicemail",
)


class _Desc:
    """One PhoneNumberDesc: ``_is_number_matching_desc`` for a single number or a class."""

    def __init__(self, desc: object) -> None:
        self.pattern: str | None = getattr(desc, "national_number_pattern", None) or None
        declared = tuple(getattr(desc, "possible_length", None) or ())
        self.lengths = frozenset(n for n in declared if n > 0) if declared else None
        if declared and not self.lengths:  # (-1,): no numbers of this type
            self.pattern = None
        self._re = re.compile(self.pattern, re.ASCII) if self.pattern else None
        self._nfa: _Nfa | None = None

    def match(self, nsn: str) -> bool:
        if self._re is None or (self.lengths is not None and len(nsn) not in self.lengths):
            return False
        return self._re.fullmatch(nsn) is not None

    def verdict(self, prefix: str, length: int) -> int:
        if self.pattern is None or (self.lengths is not None and length not in self.lengths):
            return FALSE
        if self._nfa is None:
            self._nfa = _Nfa(self.pattern)
        return self._nfa.verdict(prefix, length - len(prefix))


class _Region:
    def __init__(self, md: object) -> None:
        self.general = _Desc(md.general_desc)  # type: ignore[attr-defined]
        self.types = [_Desc(getattr(md, t, None)) for t in _TYPES]
        self.types = [d for d in self.types if d.pattern]
        lead = md.leading_digits  # type: ignore[attr-defined]
        self.leading = re.compile(lead, re.ASCII) if lead is not None else None
        self._leading_nfa = _Nfa(f"(?:{lead})[0-9]*") if lead is not None else None

    def ok(self, nsn: str) -> bool:
        return self.general.match(nsn) and any(t.match(nsn) for t in self.types)

    def ok_verdict(self, prefix: str, length: int) -> int:
        return _and(
            self.general.verdict(prefix, length),
            _or(*(t.verdict(prefix, length) for t in self.types)) if self.types else FALSE,
        )

    def selects(self, nsn: str) -> bool:
        return self.leading.match(nsn) is not None if self.leading else self.ok(nsn)

    def selects_verdict(self, prefix: str, length: int) -> int:
        if self._leading_nfa is not None:
            return self._leading_nfa.verdict(prefix, length - len(prefix))
        return self.ok_verdict(prefix, length)


class _CountryRules:
    """``is_valid_number`` for the numbers of one country calling code."""

    def __init__(self, country_code: int) -> None:
        import phonenumbers
        from phonenumbers import PhoneMetadata

        self.regions: list[_Region] = []
        for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ()):
            if region == "001":
                md = PhoneMetadata.metadata_for_nongeo_region(country_code, None)
            else:
                md = PhoneMetadata.metadata_for_region(region, None)
            if md is not None:
                self.regions.append(_Region(md))

    def valid(self, nsn: str) -> bool:
        if len(self.regions) == 1:
            return self.regions[0].ok(nsn)
        for r in self.regions:  # _region_code_for_number_from_list
            if r.selects(nsn):
                return r.ok(nsn)
        return False

    def verdict(self, prefix: str, length: int) -> int:
        """Is every number with this prefix and length valid (TRUE), none (FALSE), or some?"""
        try:
            if len(self.regions) == 1:
                return self.regions[0].ok_verdict(prefix, length)
            terms, earlier = [], []
            for r in self.regions:
                sel = r.selects_verdict(prefix, length)
                terms.append(_and(*(_not(e) for e in earlier), sel, r.ok_verdict(prefix, length)))
                earlier.append(sel)
            return _or(*terms) if terms else FALSE
        except _Unsupported:
            return MIXED


@cache
def _rules(country_code: int) -> _CountryRules:
    return _CountryRules(country_code)


def _trie_regex(classes: set[tuple[str, int]]) -> str:
    """One regex for the classes {(prefix, length)}: a digit trie of prefixes, then digit counts."""
    root: dict = {}
    for prefix, length in classes:
        node = root
        for d in prefix:
            node = node.setdefault(d, {})
        node.setdefault("", set()).add(length - len(prefix))

    def emit(node: dict) -> str:
        alts = [d + emit(child) for d, child in sorted(node.items()) if d]
        alts += [f"[0-9]{{{n}}}" for n in sorted(node.get("", ()))]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(root) if root else "(?!)"


class PhoneNormalizer:
    """Normalizes numbers to E.164 for one default region ("FI": national numbers are Finnish).

    ``normalize(raw)`` → E.164 or ``None`` (not a valid number); ``normalize_many(raws)`` does a
    batch with a few passes over one joined string, which is what makes a million rows cheap.
    ``reason(raw)`` says why a number is not valid, for the examples in a finding.
    """

    def __init__(self, region: str = "FI") -> None:
        import phonenumbers
        from phonenumbers import PhoneMetadata

        self.region = region.upper()
        md = PhoneMetadata.metadata_for_region(self.region, None)
        if md is None:
            raise ValueError(f"unknown phone region {region!r} (use a country code such as FI)")
        self._pn = phonenumbers
        self.country_code: int = md.country_code
        self._rules = _rules(self.country_code)
        self._plus_cc = f"+{self.country_code}"
        self._shape = re.compile(rf"\+{self.country_code}([1-9][0-9]{{1,16}})", re.ASCII)
        prefix = md.national_prefix_for_parsing
        # National format: phonenumbers strips the prefix whenever what is left is viable, and a
        # valid NSN always is (_maybe_strip_national_prefix_and_carrier_code). Only for a plain
        # prefix ("0"), not for regions whose parsing rule is a pattern or a transform.
        self._national: str | None = (
            prefix
            if prefix is not None
            and prefix.isdigit()
            and prefix == md.national_prefix
            and md.national_prefix_transform_rule is None
            else None
        )
        self._classes: set[tuple[str, int]] = set()
        self._verdicts: dict[tuple[str, int], int] = {}
        self._fast_bad: tuple[re.Pattern[str], re.Pattern[bytes]] | None = None
        self._compiled_for = -1
        self._slow: dict[str, str | None] = {}

    # -- one number ------------------------------------------------------------------------

    def normalize(self, raw: str) -> str | None:
        """E.164 for ``raw``, or ``None`` when it is not a valid phone number."""
        s = raw.replace(" ", "").replace("-", "") if (" " in raw or "-" in raw) else raw
        if self._national is not None and s.startswith(self._national):
            s = self._plus_cc + s[len(self._national) :]
        e164 = self._fast_one(s)
        return e164 if e164 is not None else self.slow(raw)

    def _fast_one(self, s: str) -> str | None:
        m = self._shape.fullmatch(s)
        if m is None:
            return None
        nsn = m[1]
        length = len(nsn)
        for k in range(1, min(length, _MAX_PREFIX) + 1):
            key = (nsn[:k], length)
            v = self._verdicts.get(key)
            if v is None:
                v = self._rules.verdict(*key)
                if len(self._verdicts) < 50 * _MAX_CLASSES:
                    self._verdicts[key] = v
            if v == TRUE:
                if len(self._classes) < _MAX_CLASSES:
                    self._classes.add(key)
                return s
            if v == FALSE:
                return None
        return s if self._rules.valid(nsn) else None

    def slow(self, raw: str) -> str | None:
        """phonenumbers' own answer (cached)."""
        try:
            return self._slow[raw]
        except KeyError:
            pass
        pn = self._pn
        try:
            num = pn.parse(raw, self.region)
            out = (
                pn.format_number(num, pn.PhoneNumberFormat.E164)
                if pn.is_valid_number(num)
                else None
            )
        except pn.NumberParseException:
            out = None
        if len(self._slow) >= _SLOW_CACHE_MAX:
            self._slow.clear()
        self._slow[raw] = out
        return out

    # -- a batch ---------------------------------------------------------------------------

    def _bad_finder(self, kind: type) -> re.Pattern:
        if self._compiled_for != len(self._classes):
            alts = _trie_regex(self._classes)
            text = rf"\n(?!\+{self.country_code}{alts}\n)[^\n]*"
            self._fast_bad = (re.compile(text, re.ASCII), re.compile(text.encode(), re.ASCII))
            self._compiled_for = len(self._classes)
        return self._fast_bad[kind is bytes]

    def normalize_many(self, raws: Sequence[str]) -> list[str | None]:
        """``[normalize(r) for r in raws]``, with the learnt classes checked in one regex pass."""
        if not raws:
            return []
        return self.normalize_joined("\n".join(raws), len(raws), lambda: raws)

    def normalize_joined(self, joined, count: int, raws: Callable[[], Sequence[str]]) -> list:
        """As :meth:`normalize_many` for ``count`` numbers given joined by line feeds.

        ``joined`` is text or UTF-8 bytes; the E.164 numbers come back the same way (bytes are
        the cheaper: no decoding, and half the memory in a set of a million of them).
        ``raws()`` gives the numbers as a list of text; it is called only when some number
        needs a closer look (or holds a line break itself).
        """
        if not count:
            return []
        binary = isinstance(joined, bytes)
        lit = (lambda t: t.encode()) if binary else (lambda t: t)
        nl = lit("\n")
        if joined.count(nl) != count - 1 or lit("\r") in joined:
            # a number with a line break in it
            return [self._as(self.normalize(r), binary) for r in raws()]
        if not self._classes:  # learn the common classes first, or every line is looked at alone
            for raw in joined.split(nl, 256)[:256]:
                self.normalize(raw.decode("utf-8", "replace") if binary else raw)
        s = nl + joined + nl
        for sep in (" ", "-"):
            if lit(sep) in s:
                s = s.replace(lit(sep), lit(""))
        if self._national is not None:
            s = s.replace(nl + lit(self._national), nl + lit(self._plus_cc))
        out: list = s[1:-1].split(nl)
        pos, index, last = 0, -1, len(s) - 1
        originals: Sequence[str] | None = None
        for m in self._bad_finder(type(s)).finditer(s):
            if m.start() == last:
                break  # the closing line feed
            # Matches are anchored at the line feed before a line; count lines up to it.
            index += s.count(nl, pos, m.start() + 1)
            pos = m.start() + 1
            line = m[0][1:]
            e164 = self._fast_one(line.decode("utf-8", "replace") if binary else line)
            if e164 is None:
                if originals is None:
                    originals = raws()
                e164 = self.slow(originals[index])
            out[index] = self._as(e164, binary)
        return out

    @staticmethod
    def _as(e164: str | None, binary: bool):
        return e164.encode() if binary and e164 is not None else e164

    # -- explanations ----------------------------------------------------------------------

    def reason(self, raw: str) -> str:
        """Why ``raw`` is not a valid number, in a few words."""
        pn = self._pn
        if not raw.strip():
            return "no number"
        try:
            num = pn.parse(raw, self.region)
        except pn.NumberParseException:
            return "not a phone number"
        why = pn.is_possible_number_with_reason(num)
        words = {
            pn.ValidationResult.TOO_SHORT: "too short",
            pn.ValidationResult.TOO_LONG: "too long",
            pn.ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
            pn.ValidationResult.INVALID_LENGTH: "wrong length",
        }
        if why in words:
            return words[why]
        region = pn.region_code_for_country_code(num.country_code)
        return f"not a number in use in {region}" if region != "ZZ" else "not a valid number"


def region_for_locale(locale: str, default: str = "FI") -> str:
    """The phone region for a campaign locale: fi-FI → FI, sv-FI → FI, en-GB → GB, fi → FI."""
    parts = locale.replace("_", "-").split("-")
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            return part.upper()
    try:
        from babel.core import get_global

        likely = get_global("likely_subtags").get(parts[0].lower())
    except Exception:  # pragma: no cover - babel data missing
        likely = None
    if likely:
        for part in likely.split("_")[1:]:
            if len(part) == 2 and part.isalpha():
                return part.upper()
    return default
