"""Invariants of the encoding engine (hypothesis) and hand-worked boundary cases."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from smskit.encoding import (
    GSM7,
    UCS2,
    analyze,
    encoding_and_segments,
    encoding_of,
    gsm7_septets,
    gsm_suggestion,
    is_gsm7,
    segment_count,
    smart_encode,
)
from smskit.encoding.graphemes import (
    boundary_at_or_before,
    certain_boundary,
    cluster_at,
    graphemes,
)
from smskit.encoding.gsm7 import ALPHABET, BASIC, EXTENSION
from smskit.encoding.replay import replay as _replay
from smskit.encoding.smart_map import SMART_ENCODING_MAP

SINGLE = {GSM7: 160, UCS2: 70}
MULTI = {GSM7: 153, UCS2: 67}

NON_GSM_BMP = "šžçαЖ“”–…«»‹›\u00a0\t`"
JOINERS = [
    "\u0301",  # combining acute
    "\u0308",  # combining diaeresis
    "\u200d",  # ZWJ
    "\ufe0f",  # variation selector 16
    "\u20e3",  # combining keycap
    "\U0001f3fd",  # skin tone
    "\U000e0067",  # tag letter g
    "\u094d",  # Devanagari virama
    "\u0903",  # Devanagari visarga (SpacingMark)
]
PIECES = [
    "😀",
    "👍🏽",
    "👨\u200d👩\u200d👧",
    "🏳️\u200d🌈",
    "❤️\u200d🔥",
    "🇫🇮",
    "🇸",
    "1️⃣",
    "e\u0301",
    "क्ष",
    "\u1100\u1161\u11a8",
    "한",
    "\u0600",  # Prepend
    "\r\n",
    "\u2764",
    "©",
]


def _texts(max_size: int = 400):
    ch = st.one_of(
        st.sampled_from(BASIC),
        st.sampled_from(EXTENSION),
        st.sampled_from(NON_GSM_BMP),
        st.sampled_from(JOINERS),
        st.sampled_from(PIECES),
        st.characters(codec="utf-8"),
    )
    return st.lists(ch, max_size=max_size).map("".join)


gsm_texts = st.text(alphabet=BASIC + EXTENSION, max_size=400)
rich_texts = _texts()


def _units(cluster: str, encoding: str) -> int:
    if encoding == GSM7:
        return gsm7_septets(cluster)
    return len(cluster.encode("utf-16-le", "surrogatepass")) // 2


def _boundaries(text: str) -> set[int]:
    out, pos = {0}, 0
    for g in graphemes(text):
        pos += len(g)
        out.add(pos)
    return out


def _small_clusters(text: str) -> bool:
    """Every cluster under 33 units: the calculator then never overfills a part."""
    return all(_units(g, UCS2) < 33 for g in graphemes(text))


@settings(max_examples=120, deadline=None)
@given(rich_texts)
def test_parts_join_back_and_add_up(text):
    a = analyze(text)
    assert "".join(a.parts) == a.text == text
    assert len(a.parts) == len(a.part_units) == a.segments >= 1
    assert sum(a.part_units) == a.units
    assert [sum(_units(g, a.encoding) for g in graphemes(p)) for p in a.parts] == list(a.part_units)


@settings(max_examples=120, deadline=None)
@given(rich_texts)
def test_units_are_septets_or_utf16_units(text):
    a = analyze(text)
    if a.encoding == GSM7:
        assert a.units == sum(gsm7_septets(ch) for ch in text)
    else:
        assert a.units == len(text.encode("utf-16-le", "surrogatepass")) // 2


@settings(max_examples=120, deadline=None)
@given(rich_texts)
def test_segment_sizes_never_exceed_the_limits(text):
    assume(_small_clusters(text))
    a = analyze(text)
    if a.segments == 1:
        assert a.units <= SINGLE[a.encoding]
    else:
        assert a.units > SINGLE[a.encoding]
        assert all(0 < u <= MULTI[a.encoding] for u in a.part_units)


@settings(max_examples=120, deadline=None)
@given(rich_texts)
def test_parts_are_filled_greedily(text):
    """A part ends only where the next cluster would not fit."""
    assume(_small_clusters(text))
    a = analyze(text)
    if a.segments > 1:
        for part, size, following in zip(a.parts, a.part_units, a.parts[1:], strict=False):
            nxt = graphemes(following)[0]
            assert size + _units(nxt, a.encoding) > MULTI[a.encoding], (part, following)


@settings(max_examples=120, deadline=None)
@given(rich_texts)
def test_no_grapheme_cluster_is_ever_split(text):
    a = analyze(text)
    cuts, pos = set(), 0
    for part in a.parts:
        pos += len(part)
        cuts.add(pos)
    assert cuts <= _boundaries(text)
    assert [g for p in a.parts for g in graphemes(p)] == graphemes(text)


@settings(max_examples=120, deadline=None)
@given(rich_texts)
def test_fast_path_equals_the_step_by_step_replay(text):
    """The engine's arithmetic cuts give exactly the parts of the calculator's own procedure."""
    a = analyze(text)
    parts, units = _replay(text, a.encoding)
    assert (list(a.parts), list(a.part_units)) == (parts, units)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["a", "😀", "e" + "\u0301" * 20, "x" * 9, "b" + "\u0308" * 40])))
def test_replay_with_clusters_longer_than_a_part(pieces):
    text = "".join(pieces)
    a = analyze(text)
    assert (list(a.parts), list(a.part_units)) == _replay(text, a.encoding)
    assert segment_count(text) == a.segments


# Clusters of 60-70 units: the second cut can fall within the first 70 units, where the
# calculator's first part may overflow into the second (segmenter: _first_part_moves_cleanly).
_NEAR_A_PART = ["a", "😀", "Ж", *("e" + "\u0301" * k for k in (59, 64, 65, 66, 67, 69))]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_NEAR_A_PART), min_size=1, max_size=8))
def test_clusters_near_a_whole_part_follow_the_replay(pieces):
    text = "".join(pieces)
    a = analyze(text)
    assert (list(a.parts), list(a.part_units)) == _replay(text, a.encoding)
    assert segment_count(text) == a.segments


@settings(max_examples=120, deadline=None)
@given(rich_texts)
def test_the_entry_points_agree(text):
    a = analyze(text)
    assert encoding_and_segments(text) == (a.encoding, a.segments)
    assert segment_count(text) == a.segments
    assert encoding_of(text) == a.encoding
    assert is_gsm7(text) == (a.encoding == GSM7)


@settings(max_examples=120, deadline=None)
@given(rich_texts)
def test_the_entry_points_agree_with_smart_encoding(text):
    # ENC003 and LEN001 ask encoding_of/segment_count first and analyze only when needed.
    a = analyze(text, smart_encoding=True)
    assert encoding_and_segments(text, True) == (a.encoding, a.segments)
    assert segment_count(text, True) == a.segments
    assert encoding_of(text, True) == a.encoding


@settings(max_examples=80, deadline=None)
@given(gsm_texts)
def test_gsm7_text_is_one_segment_up_to_160_septets(text):
    septets = sum(gsm7_septets(ch) for ch in text)
    expected = 1 if septets <= 160 else None
    assert encoding_of(text) == GSM7
    if expected:
        assert segment_count(text) == 1
    else:
        assert segment_count(text) >= math.ceil(septets / 153)


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=BASIC, min_size=0, max_size=600))
def test_basic_set_segments_are_arithmetic(text):
    n = len(text)
    assert segment_count(text) == (1 if n <= 160 else math.ceil(n / 153))


@settings(max_examples=80, deadline=None)
@given(gsm_texts, st.sampled_from(NON_GSM_BMP + "😀\u0301"), st.data())
def test_adding_a_non_gsm_character_switches_to_ucs2(text, extra, data):
    at = data.draw(st.integers(0, len(text)))
    changed = text[:at] + extra + text[at:]
    assert encoding_of(text) == GSM7
    assert encoding_of(changed) == UCS2
    a = analyze(changed)
    assert a.ucs2_chars and all(extra in g for _, g in a.ucs2_chars)


@settings(max_examples=120, deadline=None)
@given(rich_texts)
def test_ucs2_chars_are_the_clusters_that_are_not_gsm7(text):
    a = analyze(text)
    expected, pos = [], 0
    for g in graphemes(text):
        if not (len(g) == 1 and g in ALPHABET):
            expected.append((pos, g))
        pos += len(g)
    assert list(a.ucs2_chars) == (expected if a.encoding == UCS2 else [])


@settings(max_examples=120, deadline=None)
@given(rich_texts)
def test_boundary_helpers_agree_with_the_clusters(text):
    bounds = _boundaries(text)
    for i in range(len(text) + 1):
        if certain_boundary(text, i):
            assert i in bounds
        assert boundary_at_or_before(text, i) == max(b for b in bounds if b <= i)
    for i in range(len(text)):
        start, end = cluster_at(text, i)
        assert start <= i < end and start in bounds and end in bounds
        assert not any(start < b < end for b in bounds)


@settings(max_examples=120, deadline=None)
@given(rich_texts)
def test_gsm_suggestion_keeps_every_gsm7_character_in_order(text):
    out = gsm_suggestion(text)
    kept = iter(out)
    assert all(ch in kept for ch in text if ch in ALPHABET)  # a subsequence, in order
    assert set(out) - ALPHABET <= set(text) - ALPHABET  # adds nothing that is not GSM-7
    assert gsm_suggestion(out) == out


@settings(max_examples=120, deadline=None)
@given(rich_texts)
def test_smart_encoding(text):
    out = smart_encode(text)
    assert not set(out) & {chr(cp) for cp in SMART_ENCODING_MAP}
    assert smart_encode(out) == out
    assert analyze(text, smart_encoding=True) == analyze(out)


def test_the_empty_body_is_one_gsm7_segment():
    a = analyze("")
    assert (a.encoding, a.segments, a.units, a.parts) == (GSM7, 1, 0, ("",))
    assert segment_count("") == 1


SEPTETS = {"a": 1, "@": 1, "Ç": 1, "ç": None, "é": 1, "É": 1, "á": None, "Ω": 1, "ω": None}
SEPTETS |= dict.fromkeys("€\f^{}\\[~]|", 2)
SEPTETS |= {"\x1b": None, "`": None, "\r\n": None, "": None, "\x00": None}


@pytest.mark.parametrize(("ch", "septets"), SEPTETS.items())
def test_gsm7_septets(ch, septets):
    assert gsm7_septets(ch) == septets


def test_escape_pair_is_never_split():
    text = "a" * 152 + "€" + "b" * 10  # 164 septets: the euro would end at septet 154
    a = analyze(text)
    assert a.part_units == (152, 12)
    assert a.parts[1].startswith("€")


def test_surrogate_pair_is_never_split():
    text = "a" * 66 + "😀" + "b" * 10  # 78 units: the emoji would straddle unit 67
    assert analyze(text).part_units == (66, 12)


@pytest.mark.parametrize(
    "cluster",
    ["👨\u200d👩\u200d👧", "🇫🇮", "👍🏽", "e\u0301\u0301", "🏳️\u200d🌈", "❤️\u200d🔥", "क्ष"],
)
def test_multi_character_clusters_move_whole_to_the_next_part(cluster):
    size = len(cluster.encode("utf-16-le")) // 2
    text = "a" * 66 + cluster + "b" * 20
    a = analyze(text)
    assert a.parts == ("a" * 66, cluster + "b" * 20)
    assert a.part_units == (66, size + 20)


def test_smart_encoding_quirks_of_calculator_1_2_0_are_kept():
    assert smart_encode("‹›") == "><"  # asserted by the calculator's tests
    assert smart_encode("\u200c") == "\u200c"  # 1.3.0 removes it
    assert gsm_suggestion("‹x›\u200c") == "<x>"  # the suggestion uses the corrected map


def test_lone_surrogates_are_counted_like_the_calculator_would():
    text = "a" * 60 + "\ud83d" + "b" * 20  # not encodable as UTF-16: one unit each, replayed
    a = analyze(text)
    assert (a.encoding, a.segments, a.units) == (UCS2, 2, 81)
    assert "".join(a.parts) == text
    assert encoding_and_segments(text) == (UCS2, 2)


def test_the_character_memo_stays_bounded_and_correct():
    from smskit.encoding import graphemes as memo

    flood = "".join(map(chr, range(0x4E00, 0x4E00 + memo.CACHE_LIMIT + 100)))  # CJK, all plain
    assert analyze(flood).segments == math.ceil(len(flood) / 67)
    assert len(memo.CLASSES) <= memo.CACHE_LIMIT + 1
    text = "Hei 👨\u200d👩\u200d👧 " * 20
    assert (list(analyze(text).parts), list(analyze(text).part_units)) == _replay(text, UCS2)


def test_gsm_suggestion_leaves_letters_without_gsm7_equivalent():
    assert gsm_suggestion("šžç ÄÖÅäöåéü") == "šžç ÄÖÅäöåéü"
    assert gsm_suggestion("ＡＢＣ ᴀ “x” – y…\u00a0z\tw") == 'ABC A "x" - y... z w'
    assert gsm_suggestion("n\u0303") == "n\u0303"  # a mark stays with its letter


# --- plain characters: clusters without the `regex` module ------------------------------------


def _regex_bits(ch: str) -> int:
    from smskit.encoding.graphemes import _matchers

    bits = 0
    for bit, pattern in _matchers():
        if pattern.match(ch):
            bits |= bit
    return bits


def test_every_plain_character_has_no_cluster_role_in_regexs_data():
    # Exhaustive over the BMP: plain() is a promise that `regex` would find no bit.
    from smskit.encoding.graphemes import plain

    admitted = [chr(cp) for cp in range(0x10000) if plain(chr(cp))]
    assert len(admitted) > 2000  # Latin, Greek, Cyrillic, punctuation …
    assert [f"U+{ord(ch):04X}" for ch in admitted if _regex_bits(ch)] == []
    for ch in "aäÅ–—“”«»…€°ΩЖ\u00a0\u202f":
        assert ch in admitted or ch in ALPHABET
    for ch in "\u0301\u200d\u00ad\ufe0f©™\u2194한\u0915\u0e33\u2028\t😀":
        assert not plain(ch)


def _clusters_by_regex(text: str) -> list[str]:
    """The reference: the regex module's \\X, CR LF split in two as the calculator counts it."""
    import regex

    out: list[str] = []
    for g in regex.findall(r"\X", text):
        out += ["\r", "\n"] if g == "\r\n" else [g]
    return out


plain_texts = st.lists(
    st.one_of(
        st.sampled_from(BASIC + EXTENSION),
        st.sampled_from(NON_GSM_BMP),
        st.sampled_from(["\r\n", "\r", "\n", "\u2028"]),
        st.characters(min_codepoint=0x20, max_codepoint=0x22FF),
    ),
    max_size=200,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(plain_texts, rich_texts))
def test_graphemes_equal_regexs_clusters(text):
    assert graphemes(text) == _clusters_by_regex(text)


@settings(max_examples=200, deadline=None)
@given(plain_texts)
def test_plain_text_is_one_cluster_per_code_point_but_for_its_joiners(text):
    from smskit.encoding.graphemes import plain

    clusters = _clusters_by_regex(text)
    if all(plain(ch) or ch in ALPHABET for ch in text):
        assert clusters == list(text)
    bounds = {0}
    for g in clusters:
        bounds.add(max(bounds) + len(g))
    for i in range(len(text) + 1):
        assert boundary_at_or_before(text, i) == max(b for b in bounds if b <= i)


def test_european_text_is_segmented_without_the_regex_module():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from smskit.encoding import analyze, segment_count\n"
        "text = 'Lisätietoja arkisin klo 8.00–18.00 “Αθήνα” «Москва» … ' * 4\n"
        "a = analyze(text)\n"
        "print(a.encoding, a.segments == segment_count(text), a.characters == len(text))\n"
        "print('regex' in sys.modules)\n"
        "analyze('Hei 👍🏽')\n"
        "print('regex' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["UCS-2", "True", "True", "False", "True"]
