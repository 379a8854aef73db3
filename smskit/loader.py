"""Campaign file → Campaign, keeping the file position of every value.

Built on libyaml's event stream (the pure-Python parser where libyaml is missing) rather than
``yaml.load`` so that positions survive, duplicate keys are caught and anchors and aliases are
refused before anything could expand them.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from smskit.model import Campaign, Mark, Message, Node, Suppression, parse_duration
from smskit.positions import content_indent
from smskit.schema import CAMPAIGN_FIELDS, CODE, MESSAGE_FIELDS, PLACEHOLDER_CASES, Field

try:
    # The event parser alone: a CSafeLoader would also set up a constructor and a resolver.
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

MAX_BYTES = 1024 * 1024
_NONBLOCKING = getattr(os, "O_NONBLOCK", 0)  # (Windows has no named pipes in folders)
# A campaign nests a handful of levels. libyaml's scanner slows down quadratically with flow
# nesting depth (300 KB of "[" took minutes), so deeper files are refused as they stream in.
MAX_DEPTH = 64

_resolver = Resolver()
_constructor = SafeConstructor()
_ORIGIN = Mark(1, 1, 0)


class LoadProblem(NamedTuple):  # quicker to define and to make than a frozen dataclass
    code: str  # CMP001 not valid YAML, CMP002 not a valid campaign, CMP003 unreadable
    message: str
    at: Mark


@dataclass(slots=True)
class LoadResult:
    path: Path
    display: str
    campaign: Campaign | None
    problems: list[LoadProblem]


class _Refused(Exception):
    def __init__(self, code: str, message: str, at: Mark) -> None:
        super().__init__(message)
        self.problem = LoadProblem(code, message, at)


# Two marks and a node are made for every YAML value, the bulk of loading: tuple.__new__ makes
# a Mark without the named tuple's own __new__ (half the time), and Node is given every field
# by position (keyword arguments cost the dataclass's __init__ as much again).
_new_tuple = tuple.__new__


def _mark(m: yaml.Mark) -> Mark:
    return _new_tuple(Mark, (m.line + 1, m.column + 1, m.index))


def read_text(path: Path) -> str:
    """The file's text, or ``_Refused`` (CMP003) naming what is wrong with its bytes."""
    try:
        # os-level calls: a thousand files are read per run, and Path.stat plus read_bytes
        # cost twice as much. Opened without blocking, so that a named pipe is reported
        # rather than waited on (fstat tells it).
        fd = os.open(path, os.O_RDONLY | _NONBLOCKING)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                # A named pipe or a device would block the read or never end.
                raise _Refused(
                    "CMP003", "not a regular file (a named pipe or a device?); remove it", _ORIGIN
                )
            size = info.st_size
            if size > MAX_BYTES:
                raise _Refused(
                    "CMP003",
                    f"file is {size / 1048576:.1f} MiB; campaign files are limited to 1 MiB "
                    "(split it, or move audiences to a CSV file)",
                    _ORIGIN,
                )
            data = _read_all(fd, size)
        finally:
            os.close(fd)
    except OSError as e:
        raise _Refused("CMP003", f"cannot read file: {e.strerror or e}", _ORIGIN) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data):
        raise _Refused("CMP003", "file is UTF-16; save it as UTF-8", _ORIGIN)
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise _Refused(
            "CMP003",
            "file contains NUL bytes (binary?); campaigns are UTF-8 text",
            Mark(line, 1, 0),
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        hint = (
            "; it looks like Latin-1/cp1252: re-save as UTF-8"
            if _looks_latin1(data[e.start : e.start + 4])
            else ""
        )
        raise _Refused(
            "CMP003",
            f"byte 0x{data[e.start]:02x} at byte {e.start} is not valid UTF-8{hint}",
            Mark(line, col, 0),
        ) from None
    return text.removeprefix("\ufeff")


def _read_all(fd: int, size: int) -> bytes:
    """Everything there is to read (the file may have grown since fstat)."""
    chunks = []
    want = size + 1  # a byte more than fstat said, so that one read takes it all
    while chunk := os.read(fd, want):
        chunks.append(chunk)
        want = 65536
    return b"".join(chunks)


def _looks_utf16(data: bytes) -> bool:
    # UTF-16 text without a byte-order mark: ASCII characters leave every other byte NUL.
    half = len(data[:4096]) // 2
    return half >= 4 and max(data[0:8192:2].count(0), data[1:8192:2].count(0)) > half * 0.9


def _looks_latin1(chunk: bytes) -> bool:
    return bool(chunk) and 0xA0 <= chunk[0] <= 0xFF


# The parser's event classes, compared by identity in the loop below (the hot loop of loading).
_SCALAR = yaml.ScalarEvent
_MAPPING_START, _SEQUENCE_START = yaml.MappingStartEvent, yaml.SequenceStartEvent
_MAPPING_END, _SEQUENCE_END = yaml.MappingEndEvent, yaml.SequenceEndEvent
_ALIAS, _DOCUMENT_START = yaml.AliasEvent, yaml.DocumentStartEvent


def compose(text: str) -> Node | None:
    """Build the node tree from libyaml events; ``None`` for an empty document stream."""
    stack: list[Node] = []
    pending_key: list[Node | None] = []
    root: Node | None = None
    documents = 0
    parser = _Parser(text)
    next_event = parser.get_event
    try:
        # yaml.parse without a generator between, and one call per event: get_event gives
        # None after the stream's end (libyaml's parser and the pure-Python one alike).
        while (ev := next_event()) is not None:
            kind = type(ev)
            if kind is _SCALAR:
                if ev.anchor is not None:
                    raise _anchor_refused(ev)
                node = _scalar(ev)
                if node.style in ("|", ">"):
                    node.indent = content_indent(
                        text, text.find("\n", ev.start_mark.index) + 1 or len(text), len(text)
                    )
            elif kind is _MAPPING_START or kind is _SEQUENCE_START:
                if ev.anchor is not None:
                    raise _anchor_refused(ev)
                if len(stack) >= MAX_DEPTH:
                    raise _Refused(
                        "CMP002",
                        f"nested more than {MAX_DEPTH} levels deep; a campaign needs only a few "
                        "(check for unclosed or stray brackets)",
                        _mark(ev.start_mark),
                    )
                start, end = _mark(ev.start_mark), _mark(ev.end_mark)
                if kind is _MAPPING_START:
                    node = Node({}, start, end, "mapping", None, ev.tag, {}, None)
                else:
                    node = Node([], start, end, "sequence", None, ev.tag, {}, None)
                _check_tag(ev)
                stack.append(node)
                pending_key.append(None)
                continue
            elif kind is _MAPPING_END or kind is _SEQUENCE_END:
                node = stack.pop()
                pending_key.pop()
                node.end = _mark(ev.end_mark)
            elif kind is _ALIAS:
                raise _anchor_refused(ev)
            elif kind is _DOCUMENT_START:
                documents += 1
                if documents > 1:
                    raise _Refused(
                        "CMP002",
                        "more than one YAML document; a campaign file holds exactly one",
                        _mark(ev.start_mark),
                    )
                continue
            else:
                continue
            if not stack:
                root = node
                continue
            parent = stack[-1]
            if parent.kind == "sequence":
                parent.value.append(node)
            elif pending_key[-1] is None:
                if node.kind != "scalar" or not isinstance(node.value, (str, int, bool)):
                    raise _Refused("CMP002", "mapping keys must be plain words", node.start)
                pending_key[-1] = node
            else:
                key_node = pending_key[-1]
                key = key_node.raw if key_node.raw is not None else str(key_node.value)
                if key in parent.value:
                    first = parent.keys[key].start
                    raise _Refused(
                        "CMP002",
                        f"duplicate key '{key}' (first at line {first.line}); "
                        "keep one, YAML silently keeps the last",
                        key_node.start,
                    )
                parent.value[key] = node
                parent.keys[key] = key_node
                pending_key[-1] = None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        at = _mark(mark) if mark else _ORIGIN
        what = e.problem or str(e)
        if e.context:
            what = f"{what} ({e.context})"
        raise _Refused("CMP001", f"not valid YAML: {what}", at) from None
    except yaml.YAMLError as e:
        raise _Refused("CMP001", f"not valid YAML: {e}", _ORIGIN) from None
    finally:
        parser.dispose()
    return root


def _anchor_refused(ev: yaml.Event) -> _Refused:
    return _Refused(
        "CMP002",
        "anchors and aliases (&, *) are not allowed in campaign files; write the value out",
        _mark(ev.start_mark),
    )


def _check_tag(ev: yaml.NodeEvent) -> None:
    tag = getattr(ev, "tag", None)
    if tag and not tag.startswith("tag:yaml.org,2002:") and tag != "!":
        raise _Refused(
            "CMP002", f"YAML tag {tag} is not allowed in campaign files", _mark(ev.start_mark)
        )


# First characters of the plain scalars that YAML may read as something other than a string
# (true, null, 12, -1.5, 2017-06-01, ~ …); any other plain scalar is a string without asking
# the resolver, which spares most keys and values a round of regular expressions.
_TYPED_FIRST = frozenset(Resolver.yaml_implicit_resolvers)
_ANY_FIRST = None in _TYPED_FIRST  # a resolver for every first character: always ask
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_ISO_DATETIME = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)?", re.ASCII
)


def _scalar(ev: yaml.ScalarEvent) -> Node:
    value, tag = ev.value, ev.tag
    style = ev.style or None
    if tag and tag != "!":
        _check_tag(ev)
    typed = style is None and not ((tag == "!" or not ev.implicit[0]) and tag in (None, "!"))
    if typed and (tag is not None or _ANY_FIRST or value[:1] in _TYPED_FIRST):
        resolved = tag or _resolver.resolve(yaml.ScalarNode, value, ev.implicit)
        if resolved == _TIMESTAMP and _ISO_DATETIME.fullmatch(value):
            # send_at in its usual form: what PyYAML's constructor builds, in a tenth of the time.
            value = datetime.fromisoformat(value)
        elif resolved != "tag:yaml.org,2002:str":
            try:
                value = _constructor.construct_object(yaml.ScalarNode(resolved, value))
            except (yaml.YAMLError, ValueError, OverflowError):
                value = ev.value
    start, end = ev.start_mark, ev.end_mark
    return Node(  # value, start, end, kind, style, tag, keys, raw (see _new_tuple)
        value,
        _new_tuple(Mark, (start.line + 1, start.column + 1, start.index)),
        _new_tuple(Mark, (end.line + 1, end.column + 1, end.index)),
        "scalar",
        style,
        tag,
        {},
        ev.value,
    )


# -- schema validation --------------------------------------------------------------------

_TYPE_WORDS = {
    "string": "a string",
    "boolean": "true or false",
    "datetime": "an ISO 8601 date-time with a UTC offset",
    "duration": "a duration such as 30s, 10m, 2h or 1d",
    "suppress": "a mapping of rule code to reason",
    "string-map": "a mapping of names to strings",
    "placeholder-map": "a mapping of placeholder names to options",
    "messages": "a list of messages",
}


def _unknown_key(key: str, node: Node, fields: tuple[Field, ...], where: str) -> _Refused:
    names = [f.name for f in fields]
    import difflib  # only for this message: spares every run its import

    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(names)}"
    return _Refused("CMP002", f"unknown key '{key}' in {where}{hint}", node.start)


def _string(node: Node, f: Field, where: str) -> str:
    if node.kind != "scalar" or node.value is None:
        raise _Refused(
            "CMP002", f"'{f.name}' in {where} must be {_TYPE_WORDS['string']}", node.start
        )
    if isinstance(node.value, str):
        value = node.value
    elif node.style is None and node.raw is not None and not isinstance(node.value, bool):
        # A plain number such as +358401234567 or 12345: keep it exactly as written.
        value = node.raw
    else:
        raise _Refused(
            "CMP002",
            f"'{f.name}' in {where} must be {_TYPE_WORDS['string']}, not {node.raw!r}; quote it",
            node.start,
        )
    if f.non_empty and not value.strip():
        raise _Refused("CMP002", f"'{f.name}' in {where} must not be empty", node.start)
    if f.pattern and not re.match(f.pattern, value):
        raise _Refused(
            "CMP002",
            f"'{f.name}' in {where} is {value!r}; {f.hint or f'it must match {f.pattern}'}",
            node.start,
        )
    if f.enum and value not in f.enum:
        raise _Refused(
            "CMP002",
            f"'{f.name}' in {where} is {value!r}; use one of: {', '.join(f.enum)}",
            node.start,
        )
    return value


def _suppress(node: Node, where: str) -> dict[str, Suppression]:
    if node.kind != "mapping":
        raise _Refused(
            "CMP002", f"'suppress' in {where} must be {_TYPE_WORDS['suppress']}", node.start
        )
    out = {}
    for code, reason in node.value.items():
        key_node = node.keys[code]
        if not re.match(CODE, code):
            raise _Refused(
                "CMP002",
                f"'{code}' is not a rule code (like ENC003) in {where}.suppress",
                key_node.start,
            )
        if reason.kind != "scalar" or not isinstance(reason.value, str) or not reason.value.strip():
            raise _Refused(
                "CMP002",
                f'suppressing {code} needs a reason: write {code}: "why this is fine"',
                key_node.start,
            )
        out[code] = Suppression(code, reason.value, key_node)
    return out


# The schema's fields by name (looked up for every campaign and message).
_CAMPAIGN_FIELD = {f.name: f for f in CAMPAIGN_FIELDS}
_MESSAGE_FIELD = {f.name: f for f in MESSAGE_FIELDS}
_CAMPAIGN_REQUIRED = tuple(f.name for f in CAMPAIGN_FIELDS if f.required)
_MESSAGE_REQUIRED = tuple(f.name for f in MESSAGE_FIELDS if f.required)


def _check_fields(
    node: Node, known: dict[str, Field], required: tuple[str, ...], where: str
) -> None:
    if node.kind != "mapping":
        raise _Refused("CMP002", f"{where} must be a mapping of keys to values", node.start)
    for key in node.value:
        if key not in known:
            raise _unknown_key(key, node.keys[key], tuple(known.values()), where)
    for name in required:
        if name not in node.value:
            raise _Refused("CMP002", f"{where} is missing required key '{name}'", node.start)


def build_campaign(root: Node, path: Path, display: str, text: str) -> Campaign:
    _check_fields(root, _CAMPAIGN_FIELD, _CAMPAIGN_REQUIRED, "the campaign")
    v = root.value
    get = _CAMPAIGN_FIELD
    kw: dict = {}
    for name in (
        *("campaign", "brand", "locale", "purpose", "sender", "messaging_service"),
        *("audience", "opt_out"),
    ):
        if name in v:
            kw[name] = _string(v[name], get[name], "the campaign")
    if "smart_encoding" in v:
        n = v["smart_encoding"]
        if not isinstance(n.value, bool):
            raise _Refused("CMP002", "'smart_encoding' must be true or false", n.start)
        kw["smart_encoding"] = n.value
    if "send_at" in v:
        kw["send_at"] = _send_at(v["send_at"])
    if "interval" in v:
        n = v["interval"]
        raw = n.raw if n.kind == "scalar" and n.raw is not None else ""
        d = parse_duration(raw)
        if d is None:
            raise _Refused("CMP002", f"'interval' must be {_TYPE_WORDS['duration']}", n.start)
        kw["interval"] = d
    if "defaults" in v:
        n = v["defaults"]
        if n.kind != "mapping" or any(
            c.kind != "scalar" or c.value is None or isinstance(c.value, bool)
            for c in n.value.values()
        ):
            raise _Refused("CMP002", "'defaults' must map column names to text", n.start)
        kw["defaults"] = {
            k: (c.value if isinstance(c.value, str) else c.raw) for k, c in n.value.items()
        }
    if "placeholders" in v:
        kw["extra"] = {"placeholders": _placeholders(v["placeholders"])}
    if "suppress" in v:
        kw["suppress"] = _suppress(v["suppress"], "the campaign")
    messages = _messages(v["messages"], text)
    return Campaign(
        path=path,
        display=display,
        source=text,
        root=root,
        slug=kw.pop("campaign"),
        purpose=kw.pop("purpose", "transactional"),
        messages=messages,
        **kw,
    )


def _placeholders(node: Node) -> dict[str, dict[str, str]]:

    if node.kind != "mapping":
        raise _Refused("CMP002", "'placeholders' must map placeholder names to options", node.start)
    out = {}
    for name, opts in node.value.items():
        if opts.kind != "mapping" or set(opts.value) - {"case"}:
            raise _Refused(
                "CMP002", f"placeholder '{name}' options: only 'case' is known", opts.start
            )
        case = opts.value.get("case")
        if case is not None and case.value not in PLACEHOLDER_CASES:
            raise _Refused(
                "CMP002", f"case must be one of {', '.join(PLACEHOLDER_CASES)}", case.start
            )
        out[name] = {"case": case.value if case is not None else "as-is"}
    return out


def _send_at(n: Node) -> datetime:
    value = n.value
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        raise _Refused("CMP002", f"'send_at' must be {_TYPE_WORDS['datetime']}", n.start)
    if value.tzinfo is None:
        raise _Refused(
            "CMP002", "'send_at' needs a UTC offset, e.g. 2017-05-29T10:02:00+03:00", n.start
        )
    return value


def _messages(node: Node, text: str) -> list[Message]:
    if node.kind != "sequence" or not node.value:
        raise _Refused("CMP002", "'messages' must be a list with at least one message", node.start)
    out: list[Message] = []
    seen: dict[str, Node] = {}
    get = _MESSAGE_FIELD
    for i, m in enumerate(node.value):
        where = f"message {i + 1}"
        _check_fields(m, _MESSAGE_FIELD, _MESSAGE_REQUIRED, where)
        mid = _string(m.value["id"], get["id"], where)
        if mid in seen:
            raise _Refused(
                "CMP002",
                f"duplicate message id '{mid}' (first at line {seen[mid].start.line}); "
                "ids must be unique",
                m.value["id"].start,
            )
        seen[mid] = m.value["id"]
        body_node = m.value["body"]
        body = _string(body_node, get["body"], f"message '{mid}'")
        sup = {}
        if "suppress" in m.value:
            sup = _suppress(m.value["suppress"], f"message '{mid}'")
        out.append(Message(mid, body, i, m, body_node, sup, source=text))
    return out


def load(path: Path, display: str | None = None, text: str | None = None) -> LoadResult:
    """Load one campaign file (or ``text`` standing in for its content).

    Problems come back as CMP findings, never as exceptions.
    """
    display = display or str(path)
    try:
        if text is None:
            text = read_text(path)
        root = compose(text)
        if root is None:
            raise _Refused("CMP002", "file is empty; a campaign needs campaign, brand, …", _ORIGIN)
        campaign = build_campaign(root, path, display, text)
    except _Refused as r:
        return LoadResult(path, display, None, [r.problem])
    except RecursionError:
        return LoadResult(
            path,
            display,
            None,
            [LoadProblem("CMP001", "not valid YAML: nested too deeply", _ORIGIN)],
        )
    return LoadResult(path, display, campaign, [])
