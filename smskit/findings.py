"""The findings model: what every rule produces and every output format renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from smskit.model import Mark, Node


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``value[start:end]`` with ``text``, in the coordinates of a scalar's value."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A change to one YAML scalar (a message body, usually).

    ``safe`` fixes are applied by ``--fix``; unsafe ones only with ``--unsafe-fixes``.
    """

    description: str
    target: Node
    edits: tuple[Edit, ...]
    safe: bool = True

    def apply_to(self, value: str) -> str:
        out, pos = [], 0
        for e in sorted(self.edits, key=lambda e: e.start):
            out.append(value[pos : e.start])
            out.append(e.text)
            pos = e.end
        out.append(value[pos:])
        return "".join(out)


@dataclass(slots=True)
class Problem:
    """What a rule yields: the runner adds code, name, severity and file.

    ``message_id`` ties the problem to one message so message-level suppressions apply.
    """

    message: str
    at: Mark | None = None
    end: Mark | None = None
    fix: Fix | None = None
    message_id: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass(slots=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    file: str
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    fix: Fix | None = None
    message_id: str | None = None
    campaign: str | None = None
    extra: dict = field(default_factory=dict)

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.code)

    def to_dict(self) -> dict:
        d = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "campaign": self.campaign,
            "message_id": self.message_id,
            "fix": None,
        }
        if self.fix is not None:
            d["fix"] = {
                "description": self.fix.description,
                "applicability": "safe" if self.fix.safe else "unsafe",
                "edits": [{"start": e.start, "end": e.end, "text": e.text} for e in self.fix.edits],
            }
        if self.extra:
            d["details"] = self.extra
        return d
