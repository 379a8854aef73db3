"""Message templates: ``{column_name}`` placeholders filled from an audience row.

The syntax is deliberately tiny, because a message body is data, not code:

- ``{name}`` is a placeholder: a column of the audience (or a key of ``defaults:``). A name is
  letters, digits, ``_`` and ``-``, starting with a letter or ``_`` (``{first_name}``,
  ``{etunimi}``, ``{customer-id}``). Nothing else is evaluated: no attribute access
  (``{user.name}``), no indexing, no expressions, no format specs (``{x:>10}``), no conversions
  (``{x!r}``).
- ``{{`` and ``}}`` are a literal ``{`` and ``}``.
- Any other brace (``{user.name}``, ``{ x }``, a lone ``{`` or ``}``) is a template error: it is
  reported (VAR001) rather than guessed at, so that no text is sent with a half-filled or
  mistyped placeholder in it.

Values are used with surrounding whitespace removed. An empty value takes the placeholder's
default from ``defaults:`` when there is one (the default is used exactly as written). The
``placeholders:`` campaign key sets a case per placeholder, applied to audience values:
``title`` ("JARI" → "Jari", "anna-liisa" → "Anna-Liisa"), ``lower``, ``upper`` or ``as-is``
(the default).

A :class:`Template` is compiled once per message into static chunks and placeholder slots, so
rendering a recipient is a join; :meth:`Template.bind` fixes the column positions for an
audience so that a row (a list of fields) renders without a dictionary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

NAME = r"[^\W\d][\w-]*"
_TOKEN = re.compile(rf"\{{\{{|\}}\}}|\{{({NAME})\}}|\{{[^{{}}]*\}}?|\}}")


class TemplateError(ValueError):
    """A brace that is neither a placeholder nor an escaped brace; ``start``/``end`` in the body."""

    def __init__(self, message: str, start: int, end: int, text: str) -> None:
        super().__init__(message)
        self.start, self.end, self.text = start, end, text


@dataclass(frozen=True, slots=True)
class Slot:
    """One placeholder occurrence: its name and where it sits in the body."""

    name: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Template:
    """A body split into ``chunks`` (static text, one more than ``slots``) and ``slots``."""

    body: str
    chunks: tuple[str, ...]
    slots: tuple[Slot, ...]
    errors: tuple[TemplateError, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Placeholder names in order of first use."""
        return tuple(dict.fromkeys(s.name for s in self.slots))

    def render(
        self,
        values: Mapping[str, str],
        defaults: Mapping[str, str] | None = None,
        cases: Mapping[str, str] | None = None,
    ) -> str:
        """The message for one recipient; a placeholder with no value and no default is empty."""
        defaults = defaults or {}
        cases = cases or {}
        out = [self.chunks[0]]
        for slot, chunk in zip(self.slots, self.chunks[1:], strict=False):
            out.append(
                fill(values.get(slot.name, ""), defaults.get(slot.name), cases.get(slot.name))
            )
            out.append(chunk)
        return "".join(out)

    def bind(
        self,
        columns: Sequence[str],
        defaults: Mapping[str, str] | None = None,
        cases: Mapping[str, str] | None = None,
    ) -> BoundTemplate:
        """Fix column positions (and defaults and cases) for rendering rows of one audience."""
        defaults = defaults or {}
        cases = cases or {}
        index = {c: i for i, c in enumerate(columns)}
        return BoundTemplate(
            self,
            tuple(
                SlotFill(
                    s.name,
                    index.get(s.name),
                    defaults.get(s.name),
                    cases.get(s.name, "as-is"),
                )
                for s in self.slots
            ),
        )


@dataclass(frozen=True, slots=True)
class SlotFill:
    """How a slot is filled for one audience: column position, default, case."""

    name: str
    column: int | None  # None: not a column (only the default can fill it)
    default: str | None
    case: str = "as-is"

    def value(self, raw: str) -> str:
        return fill(raw, self.default, self.case)


@dataclass(frozen=True, slots=True)
class BoundTemplate:
    template: Template
    fills: tuple[SlotFill, ...]

    def render_row(self, row: Sequence[str]) -> str:
        chunks = self.template.chunks
        out = [chunks[0]]
        for f, chunk in zip(self.fills, chunks[1:], strict=False):
            out.append(f.value(row[f.column] if f.column is not None else ""))
            out.append(chunk)
        return "".join(out)


def compile_template(body: str) -> Template:
    """Split ``body`` into chunks and slots; brace errors are collected, not raised."""
    chunks: list[str] = []
    slots: list[Slot] = []
    errors: list[TemplateError] = []
    buf: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(body):
        buf.append(body[pos : m.start()])
        pos = m.end()
        tok = m[0]
        if tok == "{{":
            buf.append("{")
        elif tok == "}}":
            buf.append("}")
        elif m[1] is not None:
            chunks.append("".join(buf))
            buf = []
            slots.append(Slot(m[1], m.start(), m.end()))
        else:
            buf.append(tok)  # kept as written; the error stops the campaign anyway
            errors.append(_brace_error(tok, m.start(), m.end()))
    buf.append(body[pos:])
    chunks.append("".join(buf))
    return Template(body, tuple(chunks), tuple(slots), tuple(errors))


def _brace_error(tok: str, start: int, end: int) -> TemplateError:
    if tok == "}":
        msg = "a lone '}' : write '}}' for a literal brace"
    elif not tok.endswith("}"):
        msg = f"'{tok}' is not closed: write '{{{{' for a literal brace"
    else:
        inner = tok[1:-1]
        what = "is not a placeholder"
        if re.fullmatch(rf"\s*{NAME}\s*", inner):
            what = "has spaces inside the braces"
        elif any(c in inner for c in ".[(!:"):
            what = "is not a placeholder (no attribute access, indexing or formatting)"
        msg = f"'{tok}' {what}: placeholders are {{column_name}}; write '{{{{' for a literal brace"
    return TemplateError(msg, start, end, tok)


# -- values -------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")


def title_case(text: str) -> str:
    """Each word capitalised: "JARI" → "Jari", "anna-liisa" → "Anna-Liisa", "o'neil" → "O'Neil"."""
    return _WORD.sub(lambda m: m[0][:1].upper() + m[0][1:].lower(), text)


_CASE: dict[str, Callable[[str], str]] = {
    "title": title_case,
    "lower": str.lower,
    "upper": str.upper,
    "as-is": lambda s: s,
}


def fill(raw: str, default: str | None, case: str | None) -> str:
    """A slot's text for one raw value: stripped, the default when empty, the case applied."""
    value = raw.strip()
    if not value:
        return default if default is not None else ""
    return _CASE[case or "as-is"](value)


def placeholder_cases(extra: Mapping[str, object]) -> dict[str, str]:
    """The ``case`` per placeholder from a campaign's ``extra["placeholders"]``."""
    out: dict[str, str] = {}
    for name, opts in dict(extra.get("placeholders") or {}).items():
        if isinstance(opts, Mapping):
            out[name] = str(opts.get("case", "as-is"))
    return out
