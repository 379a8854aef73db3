"""smskit's encoding engine against Twilio's segment calculator (recorded in /work/shared).

cases.json is the calculator's own test suite (597 cases; every field a case asserts is checked
here, plus what the library computed for it); random_strings.json holds 3,000 bodies with the
calculator's encoding and segment count.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smskit.encoding import (
    GSM7,
    UCS2,
    analyze,
    encoding_and_segments,
    encoding_of,
    gsm7_septets,
    segment_count,
)
from smskit.encoding.graphemes import graphemes
from smskit.encoding.smart_map import SMART_ENCODING_MAP

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "conformance" / "twilio-segment-calculator"

if not DATA.is_dir():
    pytest.skip(
        f"shared conformance data not found at {DATA} (it sits beside the repository)",
        allow_module_level=True,
    )

CASES = json.loads((DATA / "cases.json").read_text(encoding="utf-8"))
RANDOM = json.loads((DATA / "random_strings.json").read_text(encoding="utf-8"))
UDH_ITEMS = 6  # the calculator counts the 6 header octets as items of a segment


def _case_id(case: dict) -> str:
    return f"{case['id']}-{case['suite']}-{case['test']}"[:80]


def _bits(a) -> tuple[int, int]:
    """(messageSize, totalSize) in bits: 7 per septet or 16 per unit, 48 per header."""
    message = a.units * (7 if a.encoding == GSM7 else 16)
    return message, message + (48 * a.segments if a.segments > 1 else 0)


def test_the_data_is_what_the_readme_describes():
    assert len(CASES) == 597
    assert len(RANDOM) == 3000
    assert sum("graphemes_joined" in c["expected_asserted_by_test"] for c in CASES) == 541


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_every_asserted_field(case):
    a = analyze(case["input"], case["smart_encoding"])
    assert case["encoding_arg"] == "auto"
    message_bits, total_bits = _bits(a)
    for field, expected in case["expected_asserted_by_test"].items():
        if field == "encoding":
            assert a.encoding == expected
        elif field == "segments":
            assert a.segments == expected
        elif field == "characters":
            assert a.characters == expected
        elif field == "unicodeScalars":
            assert len(a.text) == expected
        elif field == "messageSize_bits":
            assert message_bits == expected
        elif field == "totalSize_bits":
            assert total_bits == expected
        elif field == "graphemes_joined":
            assert a.text == expected
        elif field == "every_char_isGSM7":
            assert all((gsm7_septets(g) is not None) == expected for g in graphemes(a.text))
        elif field == "nonGsmCharacters":
            assert [g for _, g in a.ucs2_chars] == expected
        elif field == "segments_0_to_2_first_6_items_are_UDH":
            # every part of a multipart message carries the header, so parts 1-3 exist and do
            assert expected and a.segments >= 3
        elif field == "last_segment_items_incl_6_udh":
            assert UDH_ITEMS + len(graphemes(a.parts[-1])) == expected
        elif field == "last_segment_char":
            assert a.parts[-1] == expected
        else:
            pytest.fail(f"unmodelled asserted field {field!r}")


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_agrees_with_the_reference_output(case):
    text, smart = case["input"], case["smart_encoding"]
    ref = case["reference_output_v1_2_0"]
    a = analyze(text, smart)
    assert (a.encoding, a.segments, a.characters) == (
        ref["encoding"],
        ref["segments"],
        ref["characters"],
    )
    assert (len(a.text), *_bits(a)) == (
        ref["unicodeScalars"],
        ref["messageSize_bits"],
        ref["totalSize_bits"],
    )
    assert a.text == ref["graphemes_joined"]
    per_segment = [
        {"udh_octets": 6 if a.segments > 1 else 0, "graphemes": len(graphemes(p)), "units": u}
        for p, u in zip(a.parts, a.part_units, strict=True)
    ]
    assert per_segment == ref["per_segment"]
    assert encoding_and_segments(text, smart) == (a.encoding, a.segments)
    assert segment_count(text, smart) == a.segments
    assert encoding_of(text, smart) == a.encoding


@pytest.mark.parametrize("mode", [0, 1, 2, 3])
def test_random_strings(mode):
    cases = [c for c in RANDOM if c["mode"] == mode]
    assert len(cases) == 750
    wrong = []
    for c in cases:
        a = analyze(c["input"])
        got = {
            "analyze": (a.encoding, a.segments),
            "encoding_and_segments": encoding_and_segments(c["input"]),
            "segment_count/encoding_of": (encoding_of(c["input"]), segment_count(c["input"])),
        }
        for how, answer in got.items():
            if answer != (c["encoding"], c["segments"]):
                wrong.append((how, answer, c["encoding"], c["segments"], c["input"][:40]))
        assert "".join(a.parts) == c["input"]
    assert wrong == []


def test_random_strings_cover_both_encodings_and_many_segment_counts():
    assert {c["encoding"] for c in RANDOM} == {GSM7, UCS2}
    assert len({c["segments"] for c in RANDOM}) >= 6


def test_embedded_smart_encoding_map_is_the_shared_one():
    shared = json.loads((DATA / "smart_encoding_map.json").read_text(encoding="utf-8"))
    assert {int(k[2:], 16): v["replacement"] for k, v in shared.items()} == SMART_ENCODING_MAP
    assert all(chr(int(k[2:], 16)) == v["char"] for k, v in shared.items())
