"""Templates: {column} placeholders only, {{ }} escapes, defaults and per-placeholder case."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smskit.render import compile_template, fill, placeholder_cases, title_case


def test_chunks_and_slots() -> None:
    t = compile_template("Hei {first_name}! Tilauksesi {order-id} on valmis, {etunimi}.")
    assert t.chunks == ("Hei ", "! Tilauksesi ", " on valmis, ", ".")
    assert [s.name for s in t.slots] == ["first_name", "order-id", "etunimi"]
    assert t.names == ("first_name", "order-id", "etunimi")
    s = t.slots[0]
    assert t.body[s.start : s.end] == "{first_name}"
    assert not t.errors


def test_doubled_braces_are_literal_braces() -> None:
    t = compile_template("Koodi {{ALE}} ja {{{code}}}")
    assert t.chunks == ("Koodi {ALE} ja {", "}")
    assert [s.name for s in t.slots] == ["code"]
    assert t.render({"code": "X1"}) == "Koodi {ALE} ja {X1}"


@pytest.mark.parametrize(
    ("body", "bad", "words"),
    [
        ("Hei {user.name}!", "{user.name}", "no attribute access"),
        ("Hei {names[0]}!", "{names[0]}", "no attribute access"),
        ("Hinta {price:>8}", "{price:>8}", "formatting"),
        ("Hei {name!r}", "{name!r}", "formatting"),
        ("Hei { name }!", "{ name }", "spaces inside"),
        ("Hei {}!", "{}", "not a placeholder"),
        ("Hei {name", "{name", "not closed"),
        ("a } b", "}", "lone"),
    ],
)
def test_anything_else_in_braces_is_an_error_not_code(body: str, bad: str, words: str) -> None:
    t = compile_template(body)
    assert [e.text for e in t.errors] == [bad]
    err = t.errors[0]
    assert body[err.start : err.end] == bad
    assert words in str(err)
    assert not t.slots  # nothing in it is ever evaluated or filled


def test_render_strips_values_and_uses_defaults_for_empty_ones() -> None:
    t = compile_template("Hei {first_name}, {city}!")
    defaults = {"first_name": "asiakas"}
    assert t.render({"first_name": "  Jari ", "city": "Oulu"}, defaults) == "Hei Jari, Oulu!"
    assert t.render({"first_name": " ", "city": "Oulu"}, defaults) == "Hei asiakas, Oulu!"
    assert t.render({"city": "Oulu"}, defaults) == "Hei asiakas, Oulu!"  # no such column
    assert t.render({"first_name": "Jari"}) == "Hei Jari, !"  # no value, no default


@pytest.mark.parametrize(
    ("case", "raw", "out"),
    [
        ("title", "JARI", "Jari"),
        ("title", "anna-liisa", "Anna-Liisa"),
        ("title", "o'neil", "O'Neil"),
        ("title", "ÄIJÄLÄ", "Äijälä"),
        ("title", "2nd floor", "2nd Floor"),
        ("lower", "JARI", "jari"),
        ("upper", "Jari", "JARI"),
        ("as-is", "jARi", "jARi"),
    ],
)
def test_cases(case: str, raw: str, out: str) -> None:
    assert fill(raw, None, case) == out
    t = compile_template("{n}")
    assert t.render({"n": raw}, cases={"n": case}) == out


def test_the_default_is_used_as_written_whatever_the_case() -> None:
    assert fill("", "asiakas", "title") == "asiakas"
    assert fill("JARI", "asiakas", "title") == "Jari"


def test_values_are_data_never_expanded() -> None:
    t = compile_template("Hei {a}")
    assert t.render({"a": "{b} {{x}} {__class__}"}) == "Hei {b} {{x}} {__class__}"


def test_bound_template_renders_rows_like_render() -> None:
    t = compile_template("{first_name} / {city} / {missing}")
    columns = ["phone", "city", "first_name"]
    row = ["0401234567", "oulu", "JARI"]
    cases = {"first_name": "title", "city": "upper"}
    defaults = {"missing": "-"}
    bound = t.bind(columns, defaults, cases)
    expected = t.render(dict(zip(columns, row, strict=True)), defaults, cases)
    assert bound.render_row(row) == expected == "Jari / OULU / -"


def test_placeholder_cases_from_the_campaign_key() -> None:
    extra = {"placeholders": {"first_name": {"case": "title"}, "city": {"case": "upper"}}}
    assert placeholder_cases(extra) == {"first_name": "title", "city": "upper"}
    assert placeholder_cases({}) == {}


def test_title_case_words() -> None:
    assert title_case("MATTI MEIKÄLÄINEN") == "Matti Meikäläinen"


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(_text)
def test_escaped_text_is_static_and_round_trips(text: str) -> None:
    t = compile_template(text.replace("{", "{{").replace("}", "}}"))
    assert t.chunks == (text,) and not t.slots and not t.errors
    assert t.render({}) == text


@given(_text.filter(lambda s: "{" not in s and "}" not in s), st.lists(_text, max_size=4))
def test_render_is_a_join_of_chunks_and_values(static: str, values: list[str]) -> None:
    body = static + "".join(f"{{v{i}}}{static}" for i in range(len(values)))
    t = compile_template(body)
    got = t.render({f"v{i}": v for i, v in enumerate(values)})
    assert got == static + "".join(v.strip() + static for v in values)
