"""Pre-flight: every recipient's messages checked, aggregated so a million rows give a few lines.

What it finds (the rule modules VAR001-VAR005 and AUD001-AUD005 document each): placeholders
with no column and no default, empty values, values that switch a message to UCS-2, messages
over the segment budget or the 1,600-character limit for some recipients, ALL-CAPS values,
invalid, duplicate and opted-out numbers, and files that cannot be used.

The fast path. Rendering every message in full and running the encoding engine on it costs
tens of microseconds a message; a million rows with two messages would take over a minute.
But what the engine answers (encoding, segments, units) depends on a value only through what
each of its characters *is* to the engine: a GSM-7 character (one septet), a GSM-7 extension
character (two septets, never split from its escape), or something else (UCS-2, one UTF-16
unit) — as long as the character is a "plain" one: in the BMP, grapheme-cluster class Other and
not one of the characters that join only after others (emoji, Indic consonants). Such a
character never joins its neighbours into a cluster, whatever they are, and behaves exactly like
any other plain character of the same kind. So each distinct value is reduced once to a
*signature*: its text after Smart Encoding (which is applied character by character) with every
plain character replaced by a stand-in of its kind (``a``, ``^`` or ``Ж``); a value with any
other character (an emoji, a combining mark, a line break …) keeps its actual text. A message's
answer for a row is then the engine's answer for its static chunks joined with the row's
signatures: the engine itself decides, near segment boundaries, with extension characters and
with clusters alike, so there is no arithmetic of ours to get wrong.

Most values are *pure*: plain, and either GSM-7 basic or outside GSM-7 (no extension
characters). Within a run of pure text, where a character sits does not matter, so such a value
is coded as one int (its length, plus small fields: empty, shouting, outside GSM-7, how much
longer its GSM-7 spelling is), and a row's key for a message is the sum of its slots' codes —
one sum per run of slots between static chunks that are not pure themselves (a "€" between two
placeholders starts a new run). Rows are counted per key with ``Counter``, and the engine runs
once per distinct key (a few hundred for a million rows), on the static chunks with stand-ins.
A row with a value that is not pure gets an exact key (its slots' codes) instead.

Per row only C-level work remains: slices of the rows' columns (:mod:`smskit.audience` keeps a
quote-free piece as one flat list of fields), a dictionary lookup per value, ``map(add)`` for
the sums, ``Counter``, the batch phone pass of :mod:`smskit.phones` and a set for duplicates.
A large audience has its phone column (AUD001, AUD002, AUD004: normalizing, the set of numbers
seen, the opt-out list) checked in a forked worker process (:mod:`smskit.worker`) where that is
safe, while this one reads the file and checks the messages; the two share no state.

The hypothesis property in ``tests/test_preflight.py`` checks every count, outcome and example
row against rendering every row in full and running the engine on it.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress, islice, repeat
from operator import add, ge
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from smskit.audience import (
    Audience,
    AudienceError,
    AudienceProblem,
    Decoding,
    Recipient,
    load_opt_out,
    open_audience,
)
from smskit.findings import Problem
from smskit.gc_pause import collector_paused
from smskit.model import Campaign, Mark, Message
from smskit.phones import PhoneNormalizer, region_for_locale
from smskit.render import (
    BoundTemplate,
    Template,
    compile_template,
    fill,
    placeholder_cases,
)

if TYPE_CHECKING:
    from smskit.worker import ForkedConsumer

MAX_BODY_CHARS = 1600  # Twilio refuses longer bodies (error 21617); LEN002 checks templates
EXAMPLES = 5
SHOUT_MIN_LETTERS = 3
_CACHE_MAX = 200_000  # distinct raw values remembered per column

# A value's code (see _Spec.code): a pure value's length, flags, whether it is outside GSM-7
# and how much longer its GSM-7 spelling is, each in a field wide enough for a message's sum
# over all its slots (at most _MAX_SUMMED of them); from BIG on, a value that is not pure.
LEN_MASK = (1 << 24) - 1
EMPTY_BIT = 1 << 24
SHOUT_BIT = 1 << 32
NONGSM_BIT = 1 << 40
ALT_BIT = 1 << 48
_FIELD = 255
BIG = 1 << 60
_MAX_SUMMED = 250

_FILL_GSM, _FILL_EXT, _FILL_UCS2 = "a", "^", "Ж"


class ValueInfo(NamedTuple):
    """What the engine and the VAR rules need to know of one value, once per distinct value."""

    sig: str  # stand-ins for plain characters, or the text itself when not all plain
    length: int  # characters of the filled value (towards the 1,600 limit)
    empty: bool  # empty and no default: VAR002
    shout: bool  # ALL CAPS and case as-is: VAR005
    nongsm: bool  # a character outside GSM-7 after Smart Encoding: VAR003
    alt_sig: str  # the signature of the value spelt in GSM-7 (same as sig when nongsm is false)
    alt_length: int


class Outcome(NamedTuple):
    encoding: str
    segments: int
    units: int
    chars: int


@dataclass
class Example:
    row: int
    text: str  # what to show: a value, a number, a rendered length…

    def __str__(self) -> str:
        return f"row {self.row}: {self.text}"


@dataclass
class Tally:
    """One aggregated line: how many rows, the first few as examples, and details."""

    count: int = 0
    examples: list[Example] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def add(self, n: int = 1) -> None:
        self.count += n

    @property
    def full(self) -> bool:
        return len(self.examples) >= EXAMPLES

    def example(self, row: int, text: str) -> None:
        if len(self.examples) < EXAMPLES:
            self.examples.append(Example(row, text))


@dataclass
class MessageStats:
    """Per message: the outcome of every row (as counts per outcome) and its VAR tallies."""

    message: Message
    template: Template
    static_encoding: str  # the body's encoding with every value in GSM-7 (empty)
    outcomes: Counter = field(default_factory=Counter)  # Outcome → rows
    ucs2: Tally = field(default_factory=Tally)  # VAR003; extra["extra_segments"]
    buckets: dict[tuple[int, bool], Tally] = field(default_factory=dict)  # (segments, >1600)
    worst: tuple[Outcome, int] | None = None  # the worst outcome and its first row


@dataclass
class ValueStats:
    """Per placeholder (and case): VAR002 empty values and VAR005 shouting ones."""

    name: str
    messages: list[str]  # ids of the messages that use it
    empty: Tally = field(default_factory=Tally)
    shout: Tally = field(default_factory=Tally)


@dataclass
class PreflightResult:
    campaign: Campaign
    audience_path: Path | None = None
    audience: Audience | None = None
    refused: AudienceProblem | None = None  # AUD003/AUD005: the file cannot be used
    rows: int = 0  # well-formed data rows
    undefined: list[tuple[Message, str, int, int, str]] = field(default_factory=list)  # VAR001
    messages: dict[str, MessageStats] = field(default_factory=dict)
    values: dict[str, ValueStats] = field(default_factory=dict)
    invalid: Tally = field(default_factory=Tally)  # AUD001
    invalid_opt_out: list[AudienceProblem] = field(default_factory=list)  # AUD001 (opt-out file)
    duplicates: Tally = field(default_factory=Tally)  # AUD002
    opted_out: Tally = field(default_factory=Tally)  # AUD004
    malformed: Tally = field(default_factory=Tally)  # AUD005 rows


# -- characters and values -----------------------------------------------------------------------

_plain_cache: dict[str, str | None] = {}


def _plain_kind(ch: str) -> str | None:
    """The stand-in for a plain character (see the module docstring), or None."""
    try:
        return _plain_cache[ch]
    except KeyError:
        pass
    import regex

    from smskit.encoding.gsm7 import BASIC, EXTENSION

    kind: str | None = None
    if ord(ch) < 0x10000 and regex.match(
        r"[\p{GCB=Other}--[\p{Extended_Pictographic}\p{InCB=Consonant}]]", ch, flags=regex.V1
    ):
        kind = _FILL_GSM if ch in BASIC else _FILL_EXT if ch in EXTENSION else _FILL_UCS2
    if len(_plain_cache) > 65536:
        _plain_cache.clear()
    _plain_cache[ch] = kind
    return kind


def signature(text: str) -> tuple[str, bool]:
    """(signature, nongsm) of text that has been through Smart Encoding already."""
    kinds = [_plain_kind(ch) for ch in text]
    nongsm = any(k == _FILL_UCS2 for k in kinds)
    if None in kinds:
        from smskit.encoding import is_gsm7

        return text, nongsm or not is_gsm7(text)
    return "".join(kinds), nongsm  # type: ignore[arg-type]


def gsm_spelling(text: str) -> str:
    """The closest GSM-7 spelling: Twilio-style replacements, then accents dropped.

    "Šarlota" → "Sarlota", "François" → "Francois", "Zoë" → "Zoe"; GSM-7 letters (ä, ö, å, é, ü …)
    are kept. Characters with no Latin base letter stay as they are.
    """
    from smskit.encoding import gsm_suggestion
    from smskit.encoding.gsm7 import ALPHABET

    out = []
    for ch in gsm_suggestion(text):
        if ch in ALPHABET:
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base and all(c in ALPHABET for c in base):
            out.append(base)
            continue
        from unidecode import unidecode

        ascii_ = unidecode(ch)
        out.append(ascii_ if ascii_ and all(c in ALPHABET for c in ascii_) else ch)
    return "".join(out)


def is_shouting(raw: str) -> bool:
    """An ALL-CAPS name-like value: at least 3 letters, all upper case, nothing but letters,
    spaces, hyphens, apostrophes and dots ("JARI", "ANNA-LIISA"; not "JP", not "ABC123")."""
    value = raw.strip()
    letters = sum(c.isalpha() for c in value)
    return (
        letters >= SHOUT_MIN_LETTERS
        and value.isupper()
        and all(c.isalpha() or c in " -'.’" for c in value)
    )


class _Spec:
    """How one column fills its slots (default, case), with the per-value cache of codes."""

    def __init__(
        self, stats: ValueStats, column: int | None, default: str | None, case: str, smart: bool
    ) -> None:
        self.stats = stats
        self.name = stats.name
        self.column = column
        self.default = default
        self.case = case
        self.smart = smart
        self.cache: dict[str | bytes, int] = {}
        self.flagged: set[int] = set()  # codes of empty or shouting values

    def info(self, raw: str | bytes) -> ValueInfo:
        from smskit.encoding import smart_encode

        if isinstance(raw, bytes):
            raw = raw.decode("utf-8")
        filled = fill(raw, self.default, self.case)
        sent = smart_encode(filled) if self.smart else filled
        sig, nongsm = signature(sent)
        alt_sig, alt_length = sig, len(filled)
        if nongsm:
            alt = gsm_spelling(filled)
            alt_sig, _ = signature(smart_encode(alt) if self.smart else alt)
            alt_length = len(alt)
        return ValueInfo(
            sig,
            len(filled),
            not filled and self.default is None,
            self.case == "as-is" and is_shouting(raw),
            nongsm,
            alt_sig,
            alt_length,
        )

    def code(self, raw: str | bytes, interner: _Interner) -> int:
        """A pure value's code (length, flags, outside GSM-7, GSM-7 spelling's extra length),
        or BIG + the id of its ValueInfo.

        Pure: every character plain and either in GSM-7's basic set or outside GSM-7 (no
        extension characters), the length unchanged by Smart Encoding, and a GSM-7 spelling
        that is all basic set. For the engine such a value is its length and whether it forces
        UCS-2; where in a run of pure text it sits does not matter.
        """
        info = self.info(raw)
        delta = info.alt_length - info.length
        if (
            len(info.sig) == info.length
            and not info.sig.strip(_FILL_GSM + _FILL_UCS2)
            and info.alt_sig == _FILL_GSM * info.alt_length
            and 0 <= delta <= _FIELD
        ):
            code = (
                info.length
                + EMPTY_BIT * info.empty
                + SHOUT_BIT * info.shout
                + NONGSM_BIT * (_FILL_UCS2 in info.sig)
                + ALT_BIT * delta
            )
        else:
            code = BIG + interner.id(info)
        if info.empty or info.shout:
            self.flagged.add(code)
        return code

    def codes(self, batch, interner: _Interner) -> list[int] | int:
        """Each row's code (an int when it is the same for every row)."""
        if self.column is None:
            return self.code("", interner)
        vals = batch.raw_column(self.column)
        cache = self.cache
        try:
            return list(map(cache.__getitem__, vals))
        except KeyError:  # values not seen before: rare after the first batches
            if len(cache) > _CACHE_MAX:
                cache.clear()
            for v in set(vals).difference(cache):
                cache[v] = self.code(v, interner)
            return list(map(cache.__getitem__, vals))

    def tally_flags(
        self, codes: list[int] | int, batch, interner: _Interner, n: int, counted: dict
    ) -> None:
        """VAR002/VAR005 counts and examples for this placeholder in one batch.

        ``counted`` memoizes ``Counter(list)`` by list identity for the batch: a message with
        this placeholder alone keys its rows by the very same list.
        """
        if not self.flagged:
            return
        flagged = self.flagged
        if isinstance(codes, int):
            present = Counter({codes: n} if codes in flagged else {})
        elif flagged.isdisjoint(codes):
            return
        else:
            present = _counter(codes, counted)
        stats = self.stats
        for code in flagged.intersection(present):
            count = present[code]
            info = interner.info(code)
            if info.empty:
                stats.empty.add(count)
            if info.shout:
                stats.shout.add(count)
        for kind, tally in (("empty", stats.empty), ("shout", stats.shout)):
            if tally.full:
                continue
            wanted = {c for c in present if getattr(interner.info(c), kind)}
            if not wanted:
                continue
            rows = (
                range(n)
                if isinstance(codes, int)
                else (i for i, c in enumerate(codes) if c in wanted)
            )
            for i in islice(rows, EXAMPLES - len(tally.examples)):
                raw = batch.value(self.column, i) if self.column is not None else ""
                tally.example(batch.lines[i], repr(raw))
                tally.extra.setdefault("sample", raw.strip())


class _Interner:
    """ValueInfos of values that are not pure, by id (codes BIG + id)."""

    def __init__(self) -> None:
        self.ids: dict[ValueInfo, int] = {}
        self.infos: list[ValueInfo] = []

    def id(self, info: ValueInfo) -> int:
        i = self.ids.get(info)
        if i is None:
            i = self.ids[info] = len(self.infos)
            self.infos.append(info)
        return i

    def info(self, code: int) -> ValueInfo:
        if code >= BIG:
            return self.infos[code - BIG]
        return _pure_info(code)


def _field(code: int, bit: int) -> int:
    return (code // bit) & _FIELD


def _pure_info(code: int) -> ValueInfo:
    """The ValueInfo of a pure value (or of a run of them) from its code: the stand-ins."""
    length = code & LEN_MASK
    nongsm = bool(_field(code, NONGSM_BIT))
    sig = (_FILL_UCS2 + _FILL_GSM * (length - 1)) if nongsm else _FILL_GSM * length
    alt_length = length + _field(code, ALT_BIT)
    return ValueInfo(
        sig,
        length,
        bool(_field(code, EMPTY_BIT)),
        bool(_field(code, SHOUT_BIT)),
        nongsm,
        _FILL_GSM * alt_length,
        alt_length,
    )


# -- the run -------------------------------------------------------------------------------------


def _pure_text(text: str, smart: bool) -> bool:
    """Every character plain and in GSM-7's basic set (after Smart Encoding, same length)."""
    from smskit.encoding import smart_encode

    sent = smart_encode(text) if smart else text
    return len(sent) == len(text) and signature(sent)[0] == _FILL_GSM * len(text)


class _MessagePlan:
    """A message's template and slots, and what is known of each key seen so far.

    Per row, a message is keyed by its slots' codes. When every value is pure, what matters to
    the engine is only how long the values are, and only up to the next static chunk that is
    not pure itself (a "€", say: its position decides where a segment may be cut). So the slots
    are grouped at such chunks and the key is the running sum of codes at the end of each group:
    one int for most messages, whatever the number of placeholders. A row with a value that is
    not pure gets an exact key instead: ("x", code, code, …).
    """

    def __init__(self, stats: MessageStats, specs: list[_Spec], smart: bool) -> None:
        self.stats = stats
        self.specs = specs
        self.smart = smart
        self.chunks = stats.template.chunks
        self.static_chars = sum(map(len, self.chunks))
        self.groups: list[list[int]] = []
        group: list[int] = []
        for i in range(len(specs)):
            group.append(i)
            if i == len(specs) - 1 or not _pure_text(self.chunks[i + 1], smart):
                self.groups.append(group)
                group = []
        self.exact = len(specs) > _MAX_SUMMED  # sums of codes could overflow their fields
        self.known: dict[object, tuple[tuple[ValueInfo, ...], Outcome, Outcome | None]] = {}
        self.cats: dict[tuple, set] = {}  # category → keys in it

    def infos(self, key, interner: _Interner) -> tuple[ValueInfo, ...]:
        if isinstance(key, tuple) and key and key[0] == "x":
            return tuple(interner.info(c) for c in key[1:])
        sums = key if isinstance(key, tuple) else (key,)
        out: list[ValueInfo] = []
        before = 0
        for group, total in zip(self.groups, sums, strict=False):
            out.extend(_pure_info(0) for _ in group[:-1])
            out.append(_pure_info(total - before))  # a group's run of pure text, as one value
            before = total
        return tuple(out)


def _outcome(chunks: Sequence[str], sigs: Sequence[str], chars: int, smart: bool) -> Outcome:
    from smskit.encoding import analyze

    parts = [chunks[0]]
    for sig, chunk in zip(sigs, chunks[1:], strict=False):
        parts.append(sig)
        parts.append(chunk)
    a = analyze("".join(parts), smart_encoding=smart)
    return Outcome(a.encoding, a.segments, a.units, chars)


def audience_paths(
    campaign: Campaign, audience: str | Path | None = None
) -> tuple[Path | None, Path | None]:
    """The audience and opt-out files the campaign uses, relative to the campaign file;
    ``audience`` (``--audience``) overrides its ``audience:`` key."""
    base = Path(campaign.path).parent
    if audience is not None:
        path: Path | None = Path(audience)
    else:
        path = base / campaign.audience if campaign.audience else None
    return path, (base / campaign.opt_out if campaign.opt_out else None)


def run(campaign: Campaign, *, audience: str | Path | None = None) -> PreflightResult:
    """Check every row of the campaign's audience (or ``audience``) and aggregate what is found.

    A file that cannot be used comes back as ``result.refused``, never as an exception.
    """
    result = PreflightResult(campaign)
    path, opt_out = audience_paths(campaign, audience)
    region = region_for_locale(campaign.locale)
    result.audience_path = path
    templates = {m.id: compile_template(m.body) for m in campaign.messages}
    cases = placeholder_cases(campaign.extra)
    defaults = campaign.defaults

    columns: tuple[str, ...] = ()
    aud: Audience | None = None
    if path is not None:
        try:
            aud = open_audience(path, region=region, display=str(path))
            columns = aud.columns
        except AudienceError as e:
            result.refused = e.problem
    result.audience = aud
    _undefined(result, templates, columns, defaults, have_audience=aud is not None or path is None)
    if aud is None:
        return result

    optset: set[bytes] = set()
    if opt_out is not None:
        try:
            oo = load_opt_out(opt_out, display=str(opt_out), normalizer=aud.normalizer)
            optset = {n.encode() for n in oo.numbers}
            result.invalid_opt_out = oo.problems
        except AudienceError as e:
            result.refused = e.problem
            return result

    index = {c: i for i, c in enumerate(columns)}
    smart = campaign.smart_encoding
    specs: dict[tuple[str, str], _Spec] = {}
    plans = []
    for m in campaign.messages:
        t = templates[m.id]
        slot_specs = []
        for slot in t.slots:
            key = (slot.name, cases.get(slot.name, "as-is"))
            if key not in specs:
                stats = result.values.setdefault(slot.name, ValueStats(slot.name, []))
                specs[key] = _Spec(
                    stats, index.get(slot.name), defaults.get(slot.name), key[1], smart
                )
            if m.id not in specs[key].stats.messages:
                specs[key].stats.messages.append(m.id)
            slot_specs.append(specs[key])
        static = _outcome(t.chunks, [""] * len(t.slots), 0, smart).encoding
        mstats = MessageStats(m, t, static)
        result.messages[m.id] = mstats
        plans.append(_MessagePlan(mstats, slot_specs, smart))
    interner = _Interner()
    try:
        with collector_paused():
            _scan(result, aud, optset, list(specs.values()), plans, interner)
    except AudienceError as e:
        result.refused = e.problem
    except OSError as e:  # the disk or share failed while reading
        result.refused = AudienceProblem(
            "AUD005", f"{path}: cannot read the audience file: {e.strerror or e}", None
        )
    return result


def _undefined(
    result: PreflightResult,
    templates: dict[str, Template],
    columns: Sequence[str],
    defaults: dict[str, str],
    have_audience: bool,
) -> None:
    import difflib

    known = set(columns) | set(defaults)
    for m in result.campaign.messages:
        t = templates[m.id]
        for err in t.errors:
            result.undefined.append((m, err.text, err.start, err.end, str(err)))
        if not have_audience:
            continue  # the audience could not be read: its own finding says why
        for slot in t.slots:
            if slot.name in known:
                continue
            if not columns:
                why = "the campaign has no audience and no default for it"
            else:
                folded = [c for c in known if c.casefold() == slot.name.casefold()]
                hint = folded or difflib.get_close_matches(slot.name, list(known), n=1, cutoff=0.6)
                why = "no such column in the audience and no default" + (
                    f"; did you mean {{{hint[0]}}}?" if hint else ""
                )
            result.undefined.append((m, f"{{{slot.name}}}", slot.start, slot.end, why))


WORKER_MIN_BYTES = 8 << 20  # below this an audience is checked faster than a fork is made


class _PhoneChecks:
    """AUD001, AUD002 and AUD004 over the phone column, a batch at a time.

    Independent of the message checks, so a large audience has them done in a worker process
    (:mod:`smskit.worker`) while this one reads the file and checks the messages; ``add``
    takes only picklable things for that reason: the column's UTF-8 values joined by line
    feeds, the row count, the rows' line numbers, and the values as text when one of them
    holds a line feed itself (else they are split from ``joined`` if an example needs them).
    """

    def __init__(self, normalizer: PhoneNormalizer, optset: set[bytes]) -> None:
        self.normalizer = normalizer
        self.optset = optset
        self.seen: set[bytes] = set()  # E.164 as bytes: a million of them in under 80 MB
        self.invalid, self.duplicates, self.opted_out = Tally(), Tally(), Tally()

    def add(self, joined: bytes, n: int, lines: Sequence[int], raws: list[str] | None) -> None:
        if raws is None:
            raws = _LazyValues(joined)
        normalizer, seen = self.normalizer, self.seen
        e164s = normalizer.normalize_joined(joined, n, lambda: raws)
        valid: list[bytes] = list(filter(None, e164s))  # type: ignore[arg-type]
        bad = n - len(valid)
        if bad:
            self.invalid.add(bad)
            i = -1
            while not self.invalid.full and (i := _index(e164s, None, i + 1)) >= 0:
                raw = raws[i]
                self.invalid.example(lines[i], f"{raw!r} ({normalizer.reason(raw)})")
        before = len(seen)
        if self.duplicates.full:
            seen.update(valid)
        else:
            earlier = seen.intersection(valid)
            seen.update(valid)
            for i in islice(_duplicate_rows(e164s, earlier), EXAMPLES):
                self.duplicates.example(lines[i], e164s[i].decode())
        # Rows that are not the first of their number: all but the new numbers.
        self.duplicates.add(len(valid) - (len(seen) - before))
        optset = self.optset
        if optset and not optset.isdisjoint(valid):
            hits = optset.intersection(valid)
            self.opted_out.add(sum(map(hits.__contains__, valid)))
            if not self.opted_out.full:
                for i in islice((i for i, e in enumerate(e164s) if e in hits), EXAMPLES):
                    self.opted_out.example(lines[i], e164s[i].decode())

    def result(self) -> tuple[Tally, Tally, Tally]:
        return self.invalid, self.duplicates, self.opted_out

    def close(self) -> None:
        """Nothing to stop here (a ForkedConsumer stops its process)."""


class _LazyValues(Sequence[str]):
    """The values of a joined column (none holding a line feed), split only if asked for."""

    def __init__(self, joined: bytes) -> None:
        self._joined = joined
        self._values: Decoding | None = None

    def _split(self) -> Decoding:
        if self._values is None:
            self._values = Decoding(self._joined.split(b"\n"))
        return self._values

    def __len__(self) -> int:
        return len(self._split())

    def __getitem__(self, i):  # type: ignore[override]
        return self._split()[i]


def _phone_checks(aud: Audience, optset: set[bytes]) -> _PhoneChecks | ForkedConsumer:
    checks = _PhoneChecks(aud.normalizer, optset)
    try:
        size = aud.path.stat().st_size
    except OSError:
        size = 0
    if size < WORKER_MIN_BYTES:
        return checks
    from smskit.worker import ForkedConsumer, can_fork  # multiprocessing: only when worth it

    return ForkedConsumer(checks) if can_fork() else checks


def _scan(
    result: PreflightResult,
    aud: Audience,
    optset: set[bytes],
    specs: list[_Spec],
    plans: list[_MessagePlan],
    interner: _Interner,
) -> None:
    pi = aud.phone_index
    phones = _phone_checks(aud, optset)
    try:
        for batch in aud.batches():
            for p in batch.problems:
                result.malformed.add()
                result.malformed.example(p.row or 0, p.message)
            n = len(batch)
            if not n:
                continue
            result.rows += n
            joined = batch.joined(pi)
            # a value with a line feed in it: the values themselves, as joining lost them
            raws = list(batch.values(pi)) if joined.count(b"\n") != n - 1 else None
            phones.add(joined, n, batch.lines, raws)
            codes = {}
            counted: dict = {}
            for spec in specs:
                codes[id(spec)] = c = spec.codes(batch, interner)
                spec.tally_flags(c, batch, interner, n, counted)
            for plan in plans:
                _tally_message(
                    plan, [codes[id(s)] for s in plan.specs], batch, interner, n, counted
                )
        result.invalid, result.duplicates, result.opted_out = phones.result()
    finally:
        phones.close()  # stops a worker still running (an error, Ctrl-C)


def _counter(keys: list, counted: dict) -> Counter:
    c = counted.get(id(keys))
    if c is None or c[0] is not keys:
        c = counted[id(keys)] = (keys, Counter(keys))
    return c[1]


def _index(seq: list, value: object, start: int) -> int:
    try:
        return seq.index(value, start)
    except ValueError:
        return -1


def _duplicate_rows(e164s: Sequence[bytes | None], earlier: set[bytes]) -> Iterator[int]:
    """Rows (batch indices) whose number appeared before: in an earlier batch or above."""
    here: set[bytes] = set()
    for i, e in enumerate(e164s):
        if e is None:
            continue
        if e in earlier or e in here:
            yield i
        here.add(e)


def _add(a: list[int] | int, b: list[int] | int) -> list[int] | int:
    if isinstance(a, int):
        if isinstance(b, int):
            return a + b
        if a == 0:
            return b
        a, b = b, a
    elif b == 0:
        return a
    return list(map(add, a, b if isinstance(b, list) else repeat(b)))


def _col(c: list[int] | int, n: int) -> list[int]:
    return c if isinstance(c, list) else [c] * n


def _tally_message(
    plan: _MessagePlan,
    codes: list[list[int] | int],
    batch,
    interner: _Interner,
    n: int,
    counted: dict,
) -> None:
    if plan.exact:
        cols = [_col(c, n) for c in codes]
        xkeys = [("x", *key) for key in zip(*cols, strict=True)]
        _add_examples(plan, _merge(plan, Counter(xkeys), xkeys, None, batch, interner), batch)
        return
    sums: list[list[int] | int] = []
    acc: list[int] | int = 0
    for group in plan.groups:
        for i in group:
            acc = _add(acc, codes[i])
        sums.append(acc)
    total = sums[-1] if sums else 0
    if isinstance(total, int):  # the same for every row
        key = (tuple(sums) if len(sums) > 1 else total) if total < BIG else ("x", *codes)
        _add_examples(plan, _merge(plan, Counter({key: n}), None, None, batch, interner), batch)
        return
    keys: list = total if len(sums) == 1 else list(zip(*(_col(c, n) for c in sums), strict=False))
    counts = _counter(keys, counted)
    odd = [k for k in counts if (k if isinstance(k, int) else k[-1]) >= BIG]
    if odd:  # rows with a value that is not pure get exact keys
        counts = Counter(counts)
        for k in odd:
            del counts[k]
        rows = list(compress(range(n), map(ge, total, repeat(BIG))))
        cols = [_col(c, n) for c in codes]
        xkeys = [("x", *[c[i] for c in cols]) for i in rows]
        pending = _merge(plan, Counter(xkeys), xkeys, rows, batch, interner)
        pending += _merge(plan, counts, keys, None, batch, interner)
    else:
        pending = _merge(plan, counts, keys, None, batch, interner)
    _add_examples(plan, pending, batch)


def _add_examples(plan: _MessagePlan, pending: list, batch) -> None:
    """Examples in row order, however the batch's rows were split between key kinds."""
    for i, tally, cat, key in sorted(pending, key=lambda p: p[0]):
        if not tally.full:
            tally.example(batch.lines[i], _describe(plan, cat, batch, i, key))


def _merge(
    plan: _MessagePlan,
    counts: Counter,
    keys: list | None,
    rows: list[int] | None,
    batch,
    interner: _Interner,
) -> None:
    """Add a batch's key counts to the message; ``keys[j]`` is the key of batch row ``rows[j]``
    (of row j when ``rows`` is None; of every row when ``keys`` is None). Returns candidate
    examples (batch row, tally, category, key)."""
    known = plan.known
    outcomes = plan.stats.outcomes
    for key, count in counts.items():
        entry = known.get(key)
        if entry is None:
            entry = known[key] = _classify(plan, key, interner)
        outcomes[entry[1]] += count
    return _examples(plan, keys, rows, counts, batch)


def _classify(plan: _MessagePlan, key, interner: _Interner):
    stats = plan.stats
    infos = plan.infos(key, interner)
    chars = plan.static_chars + sum(i.length for i in infos)
    outcome = _outcome(plan.chunks, [i.sig for i in infos], chars, plan.smart)
    alt = None
    cats = plan.cats
    if (
        stats.static_encoding == "GSM-7"
        and outcome.encoding == "UCS-2"
        and any(i.nongsm for i in infos)
    ):
        alt_chars = plan.static_chars + sum(i.alt_length for i in infos)
        alt = _outcome(plan.chunks, [i.alt_sig for i in infos], alt_chars, plan.smart)
        cats.setdefault(("ucs2",), set()).add(key)
    bucket = (outcome.segments, outcome.chars > MAX_BODY_CHARS)
    stats.buckets.setdefault(bucket, Tally())
    cats.setdefault(("bucket", bucket), set()).add(key)
    return infos, outcome, alt


def _examples(plan: _MessagePlan, keys, rows, counts: Counter, batch) -> list:
    """Counts per category, and the first rows of each as candidate examples."""
    pending: list = []
    stats = plan.stats
    present = counts.keys()
    lines = batch.lines
    known = plan.known
    for cat, cat_keys in plan.cats.items():
        hit = cat_keys & present if len(cat_keys) < len(present) else present & cat_keys
        if not hit:
            continue
        tally = stats.ucs2 if cat[0] == "ucs2" else stats.buckets[cat[1]]
        tally.add(sum(counts[k] for k in hit))
        if cat[0] == "ucs2":
            extra = 0
            for k in hit:
                _infos, out, alt = known[k]
                extra += counts[k] * (out.segments - (alt.segments if alt else out.segments))
            tally.extra["extra_segments"] = tally.extra.get("extra_segments", 0) + extra
        else:
            worst_key = max(hit, key=lambda k: (known[k][1].segments, known[k][1].chars))
            worst = known[worst_key][1]
            if stats.worst is None or (worst.segments, worst.chars) > (
                stats.worst[0].segments,
                stats.worst[0].chars,
            ):
                j = 0 if keys is None else keys.index(worst_key)
                stats.worst = (worst, lines[j if rows is None else rows[j]])
        if tally.full:
            continue
        need = EXAMPLES - len(tally.examples)
        if keys is None:
            found = list(range(min(need, len(lines))))
        else:
            found = list(islice((j for j, k in enumerate(keys) if k in hit), need))
        for j in found:
            i = j if rows is None else rows[j]
            key = keys[j] if keys is not None else next(iter(counts))
            pending.append((i, tally, cat, key))
    return pending


def _describe(plan: _MessagePlan, cat: tuple, batch, i: int, key) -> str:
    _infos, out, alt = plan.known[key]
    if cat[0] == "ucs2":
        from smskit.encoding import is_gsm7, smart_encode

        shown = []
        for spec in plan.specs:  # the row's own values: a key may stand for a run of them
            raw = batch.value(spec.column, i) if spec.column is not None else ""
            filled = fill(raw, spec.default, spec.case)
            if is_gsm7(smart_encode(filled) if plan.smart else filled):
                continue
            spelt = gsm_spelling(filled)
            shown.append(
                f"{{{spec.name}}} {filled!r}"
                + (f" (GSM-7: {spelt!r})" if is_gsm7(spelt) else " (no GSM-7 spelling)")
            )
        more = f", {out.segments} segments instead of {alt.segments}" if alt else ""
        return "; ".join(dict.fromkeys(shown)) + more
    plural = "s" if out.segments != 1 else ""
    return f"{out.segments} segment{plural} of {out.encoding}, {out.chars} characters"


# -- the naive way (reference for tests and the benchmark) --------------------------------------


def naive_outcomes(
    campaign: Campaign, audience: Audience, limit: int | None = None
) -> dict[str, Counter]:
    """Each message's Counter of Outcome over all well-formed rows (the first ``limit`` of
    them), by full render + engine."""
    from smskit.encoding import analyze

    cases = placeholder_cases(campaign.extra)
    bound = {
        m.id: compile_template(m.body).bind(audience.columns, campaign.defaults, cases)
        for m in campaign.messages
    }
    out: dict[str, Counter] = {m.id: Counter() for m in campaign.messages}
    left = limit
    for batch in audience.batches():
        rows = batch.rows if left is None else batch.rows[:left]
        for row in rows:
            for mid, b in bound.items():
                text = b.render_row(row)
                a = analyze(text, smart_encoding=campaign.smart_encoding)
                out[mid][Outcome(a.encoding, a.segments, a.units, len(text))] += 1
        if left is not None:
            left -= len(rows)
            if not left:
                break
    return out


# -- the send plan -------------------------------------------------------------------------------


def send_plan(
    campaign: Campaign,
    *,
    audience: str | Path | None = None,
    opt_out: str | Path | None = None,
) -> Iterator[tuple[Recipient, tuple[str, ...]]]:
    """(recipient, rendered bodies in message order) for every row that is to be messaged.

    Rows with an invalid number or the wrong number of fields, second and later occurrences of
    a number, and opted-out numbers are skipped. Raises :class:`AudienceError` for a file that
    cannot be used (a pre-flight reports it first). ``opt_out`` overrides the campaign's.
    """
    path, own_opt_out = audience_paths(campaign, audience)
    if opt_out is None:
        opt_out = own_opt_out
    if path is None:
        raise AudienceError(
            AudienceProblem("AUD005", f"campaign '{campaign.slug}' has no audience", None)
        )
    aud = open_audience(path, region=region_for_locale(campaign.locale))
    optset = (
        load_opt_out(opt_out, normalizer=aud.normalizer).numbers if opt_out is not None else set()
    )
    cases = placeholder_cases(campaign.extra)
    bound: list[BoundTemplate] = [
        compile_template(m.body).bind(aud.columns, campaign.defaults, cases)
        for m in campaign.messages
    ]
    cols = aud.columns
    seen: set[str] = set()
    for batch in aud.batches():  # rows with the wrong number of fields are not in batch.rows
        phones = batch.phones
        e164s = aud.normalizer.normalize_many(phones)
        for row, line, raw, e164 in zip(batch.rows, batch.lines, phones, e164s, strict=True):
            if e164 is None or e164 in seen or e164 in optset:
                continue
            seen.add(e164)
            recipient = Recipient(line, raw, e164, dict(zip(cols, row, strict=True)))
            yield recipient, tuple(b.render_row(row) for b in bound)


# -- what the rule modules use -------------------------------------------------------------------


def result_for(campaign: Campaign, ctx: object) -> PreflightResult:
    """The pre-flight of ``campaign``, run once per check and shared by the VAR/AUD rules.

    ``ctx.cache["audience"]`` (set from ``--audience``) overrides the campaign's audience key.
    """
    cache: dict = getattr(ctx, "cache", {})
    store = cache.setdefault("preflight", {})
    key = id(campaign)
    entry = store.get(key)
    if entry is None:
        try:
            entry = run(campaign, audience=cache.get("audience"))
        except Exception as e:  # a bug, or the phone worker died: the same for every rule
            entry = (e, e.__traceback__)
        store[key] = entry
    if isinstance(entry, tuple):  # the scan failed: raise what it raised, without rescanning
        raise entry[0].with_traceback(entry[1])
    return entry


def audience_mark(campaign: Campaign) -> Mark:
    """Where audience findings point: the ``audience:`` key, else the top of the file."""
    node = campaign.root.value.get("audience") if campaign.root.kind == "mapping" else None
    return node.start if node is not None else Mark(1, 1, 0)


def row_problem(campaign: Campaign, result: PreflightResult, tally: Tally, what: str) -> Problem:
    """One aggregated finding for rows of the audience: ``"{count} rows of {file} " + what``."""
    return Problem(
        f"{tally.count:,} rows of {audience_name(result)} {what}: {examples_text(tally)}",
        at=audience_mark(campaign),
        extra=examples_extra(tally),
    )


def refused_problem(campaign: Campaign, result: PreflightResult, code: str) -> Problem | None:
    """The finding for a file refused as a whole with ``code`` (AUD003, AUD005), if it was."""
    refused = result.refused
    if refused is None or refused.code != code:
        return None
    return Problem(
        refused.message, at=audience_mark(campaign), extra=dict(refused.extra, row=refused.row)
    )


def examples_text(tally: Tally, more: bool = True) -> str:
    shown = ", ".join(str(e) for e in tally.examples)
    if more and tally.count > len(tally.examples):
        shown += ", …"
    return shown


def examples_extra(tally: Tally) -> dict:
    return {
        "count": tally.count,
        "examples": [{"row": e.row, "detail": e.text} for e in tally.examples],
        **tally.extra,
    }


def audience_name(result: PreflightResult) -> str:
    return str(result.audience_path) if result.audience_path is not None else "the audience"


def slot_context(result: PreflightResult, stats: ValueStats):
    """(message, slot, text before, text after) for the first use of a placeholder."""
    mid = stats.messages[0]
    ms = result.messages[mid]
    slot = next(s for s in ms.template.slots if s.name == stats.name)
    i = ms.template.slots.index(slot)
    before = ms.template.chunks[i][-16:]
    after = ms.template.chunks[i + 1][:16]
    if len(ms.template.chunks[i]) > 16:
        before = "…" + before
    if len(ms.template.chunks[i + 1]) > 16:
        after += "…"
    return ms.message, slot, before, after
