"""The loader: file positions of keys, values and body characters, and every schema error."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smskit.loader import LoadResult, load
from smskit.model import Campaign, Mark
from tests.helpers import VALID_CAMPAIGN, write_campaign

HEAD = "campaign: c\nbrand: Elisa\nlocale: fi-FI\nsender: Elisa\n"


def loaded(tmp_path: Path, text: str) -> Campaign:
    result = load(write_campaign(tmp_path, "c.yml", text=text))
    assert result.problems == [], result.problems
    assert result.campaign is not None
    return result.campaign


def refused(tmp_path: Path, text: str) -> LoadResult:
    result = load(write_campaign(tmp_path, "c.yml", text=text))
    assert result.campaign is None
    assert len(result.problems) == 1
    return result


def lc(mark: Mark) -> tuple[int, int]:
    return (mark.line, mark.column)


def char_at(text: str, mark: Mark) -> str:
    """The character a 1-based line/column points at, counted independently of the loader."""
    line = text.split("\n")[mark.line - 1]
    return line[mark.column - 1]


# -- positions ----------------------------------------------------------------------------


def test_values_and_keys_carry_line_and_column(tmp_path: Path) -> None:
    text = (
        "# a comment line\n"
        "campaign: spring\n"
        "brand:   'Elisa'\n"
        "locale: fi-FI\n"
        "sender: Elisa\n"
        "messages:\n"
        "  - id: intro\n"
        '    body: "Hei"\n'
    )
    c = loaded(tmp_path, text)
    assert c.node("campaign").start == Mark(2, 11, text.index("spring"))
    # A quoted value starts at its opening quote.
    assert c.node("brand").start == Mark(3, 10, text.index("'Elisa'"))
    assert c.root.keys["brand"].start == Mark(3, 1, text.index("brand"))
    msg = c.messages[0]
    assert msg.node.value["id"].start == Mark(7, 9, text.index("intro"))
    assert msg.body_node.start == Mark(8, 11, text.index('"Hei"'))
    assert msg.node.keys["body"].start == Mark(8, 5, text.index("body"))


STYLES = {
    "plain": "    body: Hei @ ja @\n",
    "plain multi-line": "    body: Hei @\n      toinen @ rivi\n\n      kolmas @\n",
    "single-quoted": "    body: 'It''s @ ja ''@'''\n",
    "single-quoted multi-line": "    body: 'Hei @\n      toinen ''@'''\n",
    "double-quoted": '    body: "a\\t@ \\u00e4\\x41 \\"@\\" \\\\ @"\n',
    "double-quoted escaped line break": '    body: "Hei @ \\\n      jatkuu @\\nuusi @"\n',
    "literal": "    body: |\n      Hei @\n        sisennetty @\n\n      viimeinen @\n",
    "literal keep, explicit indent": "    body: |+2\n        Hei @\n\n",
    "literal with header comment": "    body: |-  # note\n      Hei @\n      toinen @\n",
    "folded": "    body: >\n      Hei @\n      toinen @\n\n      kolmas @\n",
    "folded strip": "    body: >-\n      Hei @\n        sisennetty @\n      loppu @\n",
    "flow mapping": '  - {id: two, body: "x @"}\n',
}


@pytest.mark.parametrize("style", list(STYLES))
def test_mark_at_points_at_the_character_in_every_scalar_style(tmp_path: Path, style: str) -> None:
    body = STYLES[style]
    first = (
        "  - id: one\n" + body
        if not body.startswith("  - ")
        else "  - id: one\n    body: x\n" + body
    )
    text = HEAD + "messages:\n" + first + "  - id: after\n    body: '@ not this one'\n"
    c = loaded(tmp_path, text)
    msg = c.messages[-2]
    offsets = [i for i, ch in enumerate(msg.body) if ch == "@"]
    assert offsets, msg.body
    expected = [i for i, ch in enumerate(text) if ch == "@"][: len(offsets)]
    marks = [msg.mark_at(i) for i in offsets]
    # Each '@' of the value maps onto its own '@' in the file, by line/column and by index.
    assert [m.index for m in marks] == expected
    assert all(char_at(text, m) == "@" for m in marks)


def test_mark_at_exact_values_for_a_literal_block(tmp_path: Path) -> None:
    text = HEAD + "messages:\n  - id: a\n    body: |\n      Hei\n        X\n"
    msg = loaded(tmp_path, text).messages[0]
    assert msg.body == "Hei\n  X\n"
    # 'X' is on line 9, after 8 columns of indentation.
    assert lc(msg.mark_at(msg.body.index("X"))) == (9, 9)
    assert lc(msg.mark_at(0)) == (8, 7)


def test_mark_at_end_of_a_quoted_body_is_the_closing_quote(tmp_path: Path) -> None:
    text = HEAD + "messages:\n  - id: a\n    body: 'Hei'\n"
    msg = loaded(tmp_path, text).messages[0]
    assert char_at(text, msg.mark_at(len(msg.body))) == "'"
    assert msg.mark_at(10_000) == msg.mark_at(len(msg.body))  # clamped, never an IndexError


def test_mark_at_with_crlf_line_ends_and_wide_characters(tmp_path: Path) -> None:
    text = (HEAD + "messages:\n  - id: a\n    body: |\n      😀😀 ä @\n      @\n").replace(
        "\n", "\r\n"
    )
    msg = loaded(tmp_path, text).messages[0]
    marks = [msg.mark_at(i) for i, ch in enumerate(msg.body) if ch == "@"]
    assert [char_at(text.replace("\r\n", "\n"), m) for m in marks] == ["@", "@"]
    assert lc(marks[0]) == (8, 12)  # an emoji is one column, as editors count characters


def test_bom_is_accepted_and_positions_do_not_shift(tmp_path: Path) -> None:
    path = tmp_path / "bom.yml"
    text = VALID_CAMPAIGN.replace("{slug}", "bom")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    result = load(path)
    assert result.problems == []
    assert result.campaign is not None
    assert lc(result.campaign.node("brand").start) == (3, 8)


# -- values -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("+358401234567", "+358401234567"),
        ("0401234567", "0401234567"),  # YAML 1.1 would read an octal number
        ("12345", "12345"),
        ("1_000", "1_000"),
        ("'+358401234567'", "+358401234567"),
    ],
)
def test_a_plain_number_as_sender_is_kept_as_written(
    tmp_path: Path, written: str, kept: str
) -> None:
    text = HEAD.replace("sender: Elisa", f"sender: {written}") + "messages: [{id: a, body: x}]\n"
    assert loaded(tmp_path, text).sender == kept


def test_optional_fields_are_typed(tmp_path: Path) -> None:
    text = HEAD + (
        "purpose: marketing\n"
        "smart_encoding: true\n"
        "send_at: 2017-05-29T10:02:00+03:00\n"
        "interval: 10m\n"
        "messaging_service: MG0123456789abcdef0123456789abcdef\n"
        "suppress: {SND002: 'the operator allows this sender'}\n"
        "messages:\n  - {id: 1, body: 42, suppress: {ENC004: 'on purpose'}}\n"
    )
    c = loaded(tmp_path, text)
    assert c.purpose == "marketing"
    assert c.smart_encoding is True
    assert c.send_at is not None and c.send_at.utcoffset() == timedelta(hours=3)
    assert c.interval == timedelta(minutes=10)
    assert c.suppress["SND002"].reason == "the operator allows this sender"
    assert (c.messages[0].id, c.messages[0].body) == ("1", "42")
    assert c.messages[0].suppress["ENC004"].reason == "on purpose"
    assert c.language == "fi"


@pytest.mark.parametrize(
    ("written", "seconds"), [("0s", 0), ("30s", 30), ("2h", 7200), ("1d", 86400), ("45", 45)]
)
def test_intervals(tmp_path: Path, written: str, seconds: int) -> None:
    text = HEAD + f"interval: {written}\nmessages: [{{id: a, body: x}}]\n"
    assert loaded(tmp_path, text).interval == timedelta(seconds=seconds)


# -- schema errors --------------------------------------------------------------------------

MSG = "messages:\n  - id: a\n    body: x\n"

SCHEMA_ERRORS = {
    # name: (file text, code, words the message must hold, line, column)
    "unknown key, did you mean": (
        HEAD + "brnad: Elisa\n" + MSG,
        "CMP002",
        ["'brnad'", "did you mean 'brand'"],
        5,
        1,
    ),
    "unknown key, no close match": (
        HEAD + "colour: red\n" + MSG,
        "CMP002",
        ["'colour'", "allowed:", "messages"],
        5,
        1,
    ),
    "unknown message key": (
        HEAD + MSG + "    suprss: {}\n",
        "CMP002",
        ["'suprss'", "message 1", "'suppress'"],
        8,
        5,
    ),
    "missing brand": (
        HEAD.replace("brand: Elisa\n", "") + MSG,
        "CMP002",
        ["missing", "'brand'"],
        1,
        1,
    ),
    "missing messages": (HEAD, "CMP002", ["missing", "'messages'"], 1, 1),
    "missing body": (HEAD + "messages:\n  - id: a\n", "CMP002", ["message 1", "'body'"], 6, 5),
    "empty messages": (HEAD + "messages: []\n", "CMP002", ["'messages'", "at least one"], 5, 11),
    "messages not a list": (HEAD + "messages: hello\n", "CMP002", ["'messages'", "list"], 5, 11),
    "message not a mapping": (
        HEAD + "messages:\n  - hello\n",
        "CMP002",
        ["message 1", "mapping"],
        6,
        5,
    ),
    "sender is a list": (
        HEAD.replace("sender: Elisa", "sender: [Elisa]") + MSG,
        "CMP002",
        ["'sender'", "string"],
        4,
        9,
    ),
    "sender is a boolean": (
        HEAD.replace("sender: Elisa", "sender: yes") + MSG,
        "CMP002",
        ["'sender'", "quote it"],
        4,
        9,
    ),
    "body is null": (
        HEAD + "messages:\n  - id: a\n    body:\n",
        "CMP002",
        ["'body'", "string"],
        7,
        10,
    ),
    "empty body": (
        HEAD + "messages:\n  - id: a\n    body: ''\n",
        "CMP002",
        ["'body'", "empty"],
        7,
        11,
    ),
    "smart_encoding string": (
        HEAD + "smart_encoding: 'yes'\n" + MSG,
        "CMP002",
        ["smart_encoding", "true or false"],
        5,
        17,
    ),
    "purpose not allowed": (
        HEAD + "purpose: promo\n" + MSG,
        "CMP002",
        ["'promo'", "transactional", "marketing"],
        5,
        10,
    ),
    "duplicate key": (
        HEAD + "brand: Other\n" + MSG,
        "CMP002",
        ["duplicate key 'brand'", "line 2"],
        5,
        1,
    ),
    "duplicate message id": (
        HEAD + MSG + "  - id: a\n    body: y\n",
        "CMP002",
        ["duplicate message id 'a'", "line 6"],
        8,
        9,
    ),
    "anchor": (
        HEAD + "messages:\n  - &m {id: a, body: x}\n",
        "CMP002",
        ["anchors and aliases"],
        6,
        5,
    ),
    "alias": (
        HEAD.replace("sender: Elisa", "sender: *s") + MSG,
        "CMP002",
        ["anchors and aliases"],
        4,
        9,
    ),
    "custom tag": (
        HEAD.replace("brand: Elisa", "brand: !brand Elisa") + MSG,
        "CMP002",
        ["tag !brand"],
        2,
        8,
    ),
    "python tag": (HEAD + "messages: !!python/object:os.system {}\n", "CMP002", [], None, None),
    "two documents": (
        HEAD + MSG + "---\n" + HEAD + MSG,
        "CMP002",
        ["more than one YAML document"],
        8,
        1,
    ),
    "empty file": ("", "CMP002", ["empty"], 1, 1),
    "comments only": ("# nothing here\n\n", "CMP002", ["empty"], 1, 1),
    "top level list": ("- a\n- b\n", "CMP002", ["mapping"], 1, 1),
    "top level scalar": ("hello\n", "CMP002", ["mapping"], 1, 1),
    "suppress without reason": (
        HEAD + "suppress: {ENC003: ''}\n" + MSG,
        "CMP002",
        ["ENC003", "reason"],
        5,
        12,
    ),
    "suppress with null reason": (
        HEAD + MSG + "    suppress: {ENC003}\n",
        "CMP002",
        ["ENC003", "reason"],
        8,
        16,
    ),
    "suppress not a mapping": (
        HEAD + "suppress: [ENC003]\n" + MSG,
        "CMP002",
        ["'suppress'", "mapping"],
        5,
        11,
    ),
    "suppress bad code": (
        HEAD + "suppress: {enc003: 'x'}\n" + MSG,
        "CMP002",
        ["'enc003'", "rule code"],
        5,
        12,
    ),
    "send_at without offset": (
        HEAD + "send_at: 2017-05-29T10:02:00\n" + MSG,
        "CMP002",
        ["send_at", "UTC offset"],
        5,
        10,
    ),
    "send_at a date": (
        HEAD + "send_at: 2017-05-29\n" + MSG,
        "CMP002",
        ["send_at", "ISO 8601"],
        5,
        10,
    ),
    "send_at text": (HEAD + "send_at: tomorrow\n" + MSG, "CMP002", ["send_at", "ISO 8601"], 5, 10),
    "bad interval": (HEAD + "interval: 1.5h\n" + MSG, "CMP002", ["interval", "30s, 10m"], 5, 11),
    "negative interval": (HEAD + "interval: -5m\n" + MSG, "CMP002", ["interval"], 5, 11),
    "bad locale": (
        HEAD.replace("fi-FI", "fi_FI") + MSG,
        "CMP002",
        ["'fi_FI'", "BCP 47", "fi-FI"],
        3,
        9,
    ),
    "bad slug": (
        HEAD.replace("campaign: c", "campaign: Spring Sale") + MSG,
        "CMP002",
        ["'Spring Sale'", "lower-case", "hyphens"],
        1,
        11,
    ),
    "bad messaging service": (
        HEAD + "messaging_service: MG123\n" + MSG,
        "CMP002",
        ["'MG123'", "32 hex"],
        5,
        20,
    ),
    "complex key": (HEAD + "? [a, b]\n: c\n" + MSG, "CMP002", ["keys"], 5, 3),
    "broken YAML": (
        HEAD + 'messages:\n  - id: a\n    body: "open\n',
        "CMP001",
        ["not valid YAML"],
        8,
        1,
    ),
    "bad indentation": (
        HEAD + "messages:\n  - id: a\n   body: x\n",
        "CMP001",
        ["not valid YAML"],
        7,
        4,
    ),
    "tab indentation": (HEAD + "messages:\n\t- id: a\n", "CMP001", ["not valid YAML"], 6, 1),
}


@pytest.mark.parametrize("case", list(SCHEMA_ERRORS))
def test_schema_error(tmp_path: Path, case: str) -> None:
    text, code, words, line, column = SCHEMA_ERRORS[case]
    problem = refused(tmp_path, text).problems[0]
    assert problem.code == code
    for word in words:
        assert word in problem.message, problem.message
    if line is not None:
        assert (problem.at.line, problem.at.column) == (line, column), problem


def test_the_first_missing_key_in_schema_order_is_named(tmp_path: Path) -> None:
    problem = refused(tmp_path, "brand: Elisa\n").problems[0]
    assert "'campaign'" in problem.message


def test_the_loader_never_raises_on_text(tmp_path: Path) -> None:
    # A few hostile texts straight to load(text=...): each is a problem, not an exception.
    for text in ["[" * 5000, "{a: " * 3000, "a: b: c", "\x85", "? ? ?", "!!binary AAA", "*x"]:
        result = load(tmp_path / "t.yml", text=text)
        assert result.campaign is None and result.problems, text


def test_nesting_limit() -> None:
    from smskit.loader import MAX_DEPTH, _Refused, compose

    assert compose("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(_Refused) as err:
        compose("[" * 300_000)
    assert err.value.problem.code == "CMP002"
    # The first bracket past the limit is where the finding points.
    assert (err.value.problem.at.line, err.value.problem.at.column) == (1, MAX_DEPTH + 1)


# Plain scalars of every kind YAML types, and words around them.
_PLAIN_WORDS = st.sampled_from(
    ["true", "False", "yes", "Off", "null", "~", "", "12", "-3", "+4", "0x1F", "0o17", "1_000",
     "1.5", ".5", "-.inf", ".NaN", "1e3", "2017-06-01", "2017-06-01T10:00:00+03:00",
     "2017-6-1 10:00", "10:30", "1d", "fi-FI", "Elisa", "t. Elisa", "<<", "=", "ä", "_x"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.one_of(_PLAIN_WORDS, st.text(alphabet="0123456789.-+:eEx_~ aTtnfyYNo", max_size=12)))
def test_plain_scalars_are_typed_as_yaml_types_them(word):
    # The loader reads most plain scalars as strings without asking YAML's resolver; what it
    # reads must be what yaml.safe_load reads (a value YAML cannot construct stays text).
    import yaml

    text = f"k: {word}\n"
    try:
        expected = yaml.safe_load(text)["k"]
    except (yaml.YAMLError, ValueError, OverflowError, TypeError):
        return
    from smskit.loader import _Refused, compose

    try:
        root = compose(text)
    except _Refused:
        return
    got = root.value["k"].value
    assert got == expected or (isinstance(expected, float) and expected != expected), word
    assert type(got) is type(expected), word


_STYLES = st.sampled_from([None, "'", '"', "|", ">"])
_BODY_CHARS = st.sampled_from([*"ab ä'\"\\\n\t#:-€–", "  ", "\n\n", "'x'"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_BODY_CHARS, max_size=40).map("".join), _STYLES, st.sampled_from([20, 80]))
def test_verbatim_positions_equal_the_walks(value, style, width):
    # source_index takes a shortcut where the value stands verbatim in the source; wherever it
    # does, it must land where the character-by-character walk lands.
    import yaml

    from smskit import positions
    from smskit.loader import _Refused, compose

    text = yaml.safe_dump({"body": value}, default_style=style, width=width, allow_unicode=True)
    try:
        node = compose(text).value["body"]
    except _Refused:
        return
    if node.value != value:
        return
    args = (text, node.start.index, node.end.index, node.style, value)
    fast = [positions.source_index(*args, i) for i in range(len(value) + 1)]
    verbatim, positions._verbatim_index = positions._verbatim_index, lambda *a: None
    try:
        slow = [positions.source_index(*args, i) for i in range(len(value) + 1)]
    finally:
        positions._verbatim_index = verbatim
    assert fast == slow


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    st.sampled_from(["", "Z", "+00:00", "-00:00", "+03:00", "-05:30", "+14:00"]),
    st.sampled_from(["", ".5", ".123", ".123456"]),
)
def test_iso_datetimes_are_read_as_yaml_reads_them(when, zone, fraction):
    import yaml

    from smskit.loader import compose

    text = when.strftime("%Y-%m-%dT%H:%M:%S") + fraction + zone
    expected = yaml.safe_load(f"k: {text}\n")["k"]
    got = compose(f"k: {text}\n").value["k"].value
    assert got == expected and type(got) is type(expected)
    assert got.utcoffset() == expected.utcoffset() and got.tzinfo == expected.tzinfo
