"""The `smskit segments` views: the human report and the JSON-lines record."""

from __future__ import annotations

import json

from smskit.encoding import analyze
from smskit.segments_report import jsonl_record, render_text


def test_gsm7_body_report():
    out = render_text(analyze("Hei Matti, tarjous {15 €} voimassa!"))
    lines = out.splitlines()
    assert lines[0] == "GSM-7: 1 segment, 38 septets"  # 35 characters, 3 of them two septets
    assert lines[1] == "  1. (38 septets) Hei Matti, tarjous {15 €} voimassa!"
    assert len(lines) == 2  # nothing forced UCS-2, so no causes and no suggestion


def test_multipart_report_lists_each_segment_with_its_size():
    text = "a" * 150 + "\n" + "b" * 20
    lines = render_text(analyze(text)).splitlines()
    assert lines[0] == "GSM-7: 2 segments, 171 septets"
    assert lines[1] == f"  1. (153 septets) {'a' * 150}\\nbb"
    assert lines[2] == f"  2. (18 septets) {'b' * 18}"


def test_ucs2_causes_with_code_points_positions_and_a_gsm7_version():
    text = "Hei “Matti” – tervetuloa"
    out = render_text(analyze(text))
    assert out.splitlines()[0] == "UCS-2: 1 segment, 24 UTF-16 units"
    assert "  “  U+201C  at 5" in out
    assert "  ”  U+201D  at 11" in out
    assert "  –  U+2013  at 13" in out
    assert out.splitlines()[-1] == 'GSM-7 version (1 segment): Hei "Matti" - tervetuloa'


def test_gsm7_version_that_saves_segments_is_shown_with_its_count():
    text = "Tervetuloa “Kesäpäiville” " * 4  # 104 characters: 2 UCS-2 segments, 1 in GSM-7
    a = analyze(text)
    assert (a.encoding, a.segments) == ("UCS-2", 2)
    assert render_text(a).splitlines()[-1].startswith("GSM-7 version (1 segment): Tervetuloa")


def test_characters_without_gsm7_equivalent_are_named():
    out = render_text(analyze("Kiitos 😀 ja “moi” Šárka"))
    assert "  😀  U+1F600  at 8" in out
    assert "  Š  U+0160  at 19" in out
    assert out.splitlines()[-1] == (
        "No GSM-7 version: 😀 Š á cannot be written in GSM-7; replacing the rest gives 1 segment"
    )


def test_repeated_characters_are_grouped_with_their_positions():
    out = render_text(analyze("š" * 8))
    assert "  š  U+0161  at 1, 2, 3, 4, 5 and 3 more" in out


def test_multi_code_point_clusters_show_every_code_point():
    out = render_text(analyze("Kiitos 👍🏽 e\u0301"))
    assert "  👍🏽  U+1F44D U+1F3FD  at 8" in out
    assert "  e\u0301  U+0065 U+0301  at 11" in out


def test_color_only_when_asked():
    a = analyze("Kiitos “moi”")
    assert "\x1b[" not in render_text(a)
    colored = render_text(a, color=True)
    assert "\x1b[1m" in colored and "\x1b[33m“\x1b[0m" in colored


def test_jsonl_record():
    record = jsonl_record("Hei “Matti”")
    assert json.loads(json.dumps(record)) == record
    assert record["encoding"] == "UCS-2"
    assert record["segments"] == 1
    assert record["characters"] == 11
    assert record["units"] == 11
    assert record["parts"] == ["Hei “Matti”"]
    assert record["ucs2_chars"] == [
        {"char": "“", "codepoints": ["U+201C"], "offset": 4},
        {"char": "”", "codepoints": ["U+201D"], "offset": 10},
    ]
    assert record["suggestion"] == {"text": 'Hei "Matti"', "encoding": "GSM-7", "segments": 1}
    assert "sent_text" not in record


def test_jsonl_record_with_smart_encoding_shows_what_is_sent():
    record = jsonl_record("Hei “Matti”\u00a0!", smart_encoding=True)
    assert record["encoding"] == "GSM-7"
    assert record["sent_text"] == 'Hei "Matti"  !'  # Twilio turns a no-break space into two
    assert record["ucs2_chars"] == []


def test_jsonl_record_for_plain_gsm7_has_no_suggestion():
    record = jsonl_record("Hei Matti")
    assert (record["encoding"], record["segments"], record["suggestion"]) == ("GSM-7", 1, None)
