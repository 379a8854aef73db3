"""Audiences: CSV files of recipients, read streamed and checked as they are read.

What real exports look like, and what this module accepts:

- UTF-8 with or without a BOM (Excel's "CSV UTF-8"), UTF-16 with a BOM (Excel's "Unicode
  text"; without a BOM it is recognised by its zero bytes);
- comma, semicolon (Excel in Finnish and most European locales) or tab delimiters, decided from
  the header line;
- quoted fields, doubled quotes and line breaks inside quoted fields;
- a phone column (``phone`` unless told otherwise; the header match ignores case);
- the Windows-1252/Latin-1 that Excel's plain "CSV" writes, and mojibake (UTF-8 read as
  Windows-1252 and saved again: "MÃ¤kinen"), are refused with how to export UTF-8 from Excel.

The file is never loaded whole: it is read in pieces of about a megabyte. A piece without
quotes is split as UTF-8 bytes with one ``bytes.split`` (which gives exactly what ``csv.reader``
gives for such text, at a fraction of the cost, and makes no per-row list); only the lines
around quotes go through ``csv.reader``. Rows come out in batches with the file line each starts
on (counted as ``csv.reader`` counts them), which is what every problem names. A hypothesis
property in the tests checks rows and line numbers against ``csv.reader`` for random files.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from smskit.phones import PhoneNormalizer

EXCEL_HINT = (
    'in Excel use File → Save As → "CSV UTF-8 (Comma delimited) (*.csv)" '
    "(in LibreOffice: Save As → Text CSV, character set Unicode (UTF-8))"
)
# 256 KiB: the fields made of a piece are still in the CPU caches when the checks read them
# (measured ~8% faster than 1 MiB pieces on a million rows).
PIECE_BYTES = 1 << 18
_SAMPLE_BYTES = 1 << 16
_DELIMITERS = (",", ";", "\t")
_MAX_CARRY = 8 << 20

# UTF-8 bytes of mojibake: a lead byte of a UTF-8 sequence read as Windows-1252 (Â..ô, which
# UTF-8 writes as C3 82..C3 B4) followed by a continuation byte read the same way (U+0080..U+00BF
# as C2 xx, or one of Windows-1252's letters and punctuation in 0x80..0x9F). Candidates are
# confirmed by re-encoding before anything is refused.
_MOJIBAKE = re.compile(
    rb"\xc3[\x82-\xb4](?:\xc2[\x80-\xbf]|\xe2\x80[\x93-\xba]|\xe2\x82\xac|\xe2\x84\xa2"
    rb"|\xc5[\x92\x93\xa0\xa1\xb8\xbd\xbe]|\xc6\x92|\xcb[\x86\x9c])"
)


@dataclass(frozen=True, slots=True)
class AudienceProblem:
    """A problem with an audience file or one of its rows.

    ``code``: AUD001 invalid number, AUD003 encoding (the file is refused), AUD005 format
    (the file or a row cannot be read as an audience). ``row`` is the file's line number.
    """

    code: str
    message: str
    row: int | None = None
    extra: dict = field(default_factory=dict)


class AudienceError(Exception):
    """The audience file is refused as a whole (AUD003, AUD005)."""

    def __init__(self, problem: AudienceProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Recipient:
    """One data row. ``e164`` is ``None`` when the number is not valid (``problem`` says why)."""

    row: int
    phone_raw: str
    e164: str | None
    values: dict[str, str]
    problem: AudienceProblem | None = None


class RowBatch:
    """Data rows that have exactly the header's number of fields, with their line numbers.

    Rows of a quote-free piece are kept as one flat list of fields, as UTF-8 bytes: a column is
    then a slice, and no per-row list or string is made unless asked for. ``problems`` holds the
    rows left out (wrong number of fields); blank lines are dropped.
    """

    __slots__ = ("_cols", "_flat", "_raw", "_rows", "lines", "ncols", "phone_index", "problems")

    def __init__(
        self,
        ncols: int,
        phone_index: int,
        lines: Sequence[int],
        *,
        flat: list | None = None,
        rows: list[list[str]] | None = None,
        problems: list[AudienceProblem] | None = None,
    ) -> None:
        self.ncols = ncols
        self.phone_index = phone_index
        self.lines = lines
        self._flat = flat  # bytes; a mark field follows each row but the last
        self._rows = rows
        self._raw: dict[int, list] = {}
        self._cols: dict[int, list[str]] = {}
        self.problems = problems or []

    def __len__(self) -> int:
        return len(self.lines)

    def raw_column(self, index: int) -> list:
        """One column as stored: UTF-8 bytes for the fast path, text otherwise."""
        col = self._raw.get(index)
        if col is None:
            if self._flat is not None:
                col = self._flat[index :: self.ncols + 1]
            else:
                col = list(map(itemgetter(index), self._rows or ()))
            self._raw[index] = col
        return col

    def column(self, index: int) -> list[str]:
        """The values of one column, in row order."""
        col = self._cols.get(index)
        if col is None:
            col = self.raw_column(index)
            if col and isinstance(col[0], bytes):
                col = [b.decode("utf-8") for b in col]
            self._cols[index] = col
        return col

    def value(self, index: int, row: int) -> str:
        """One value, decoded (without decoding the whole column)."""
        cached = self._cols.get(index)
        if cached is not None:
            return cached[row]
        v = self.raw_column(index)[row]
        return v.decode("utf-8") if isinstance(v, bytes) else v

    def values(self, index: int) -> Sequence[str]:
        """One column as a sequence that decodes a value when it is read."""
        col = self.raw_column(index)
        return Decoding(col) if col and isinstance(col[0], bytes) else col

    def joined(self, index: int) -> bytes:
        """One column's values as UTF-8, joined by line feeds (a value may hold one itself)."""
        col = self.raw_column(index)
        if col and isinstance(col[0], bytes):
            return b"\n".join(col)
        return "\n".join(col).encode("utf-8")

    @property
    def flat(self) -> list | None:
        """Every field of a quote-free stretch as UTF-8 bytes (a mark after each row), or None."""
        return self._flat

    def raw_row(self, i: int) -> Sequence:
        """Row ``i``'s fields as stored (bytes on the fast path)."""
        if self._flat is not None:
            start = i * (self.ncols + 1)
            return self._flat[start : start + self.ncols]
        return self.rows[i]

    @property
    def phones(self) -> list[str]:
        return self.column(self.phone_index)

    @property
    def rows(self) -> list[list[str]]:
        if self._rows is None:
            cols = [self.column(j) for j in range(self.ncols)]
            self._rows = [list(r) for r in zip(*cols, strict=False)]
        return self._rows


class Decoding(Sequence[str]):
    """A list of UTF-8 bytes seen as text, decoded item by item."""

    def __init__(self, items: list[bytes]) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [b.decode("utf-8") for b in self._items[i]]
        return self._items[i].decode("utf-8")


@dataclass(frozen=True, slots=True)
class _Format:
    encoding: str  # utf-8, utf-8-sig, utf-16, utf-16-le, utf-16-be
    bom: int  # bytes to skip
    newline: str  # "\n", "\r\n" or "\r"


class Audience:
    """An opened audience file: its format and header; iterate it for recipients.

    Every iteration reads the file again from the start, in pieces.
    """

    def __init__(
        self,
        path: Path,
        display: str,
        fmt: _Format,
        delimiter: str,
        columns: tuple[str, ...],
        phone_index: int,
        data_line: int,
        normalizer: PhoneNormalizer,
        what: str = "audience file",
    ) -> None:
        self.path = path
        self.display = display
        self._fmt = fmt
        self.encoding = fmt.encoding
        self.delimiter = delimiter
        self.columns = columns
        self.phone_index = phone_index
        self.phone_column = columns[phone_index]
        self._data_line = data_line  # the file line the data rows start from
        self._what = what
        self.normalizer = normalizer

    # -- recipients ------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Recipient]:
        """Every data row in file order; malformed rows come with ``problem`` set and no values."""
        cols = self.columns
        for batch in self.batches():
            out = [Recipient(p.row or 0, "", None, {}, p) for p in batch.problems]
            e164s = self.normalizer.normalize_many(batch.phones)
            for row, line, raw, e164 in zip(
                batch.rows, batch.lines, batch.phones, e164s, strict=False
            ):
                problem = None
                if e164 is None:
                    problem = AudienceProblem(
                        "AUD001",
                        f"{self.display}:{line}: {raw!r} is not a valid phone number "
                        f"({self.normalizer.reason(raw)})",
                        line,
                    )
                out.append(Recipient(line, raw, e164, dict(zip(cols, row, strict=False)), problem))
            if batch.problems:
                out.sort(key=lambda r: r.row)
            yield from out

    def batches(self) -> Iterator[RowBatch]:
        """The data rows, a piece of the file (about a megabyte) at a time."""
        ncols, pi = len(self.columns), self.phone_index
        start = self._data_line
        for flat, rows, lines in _records(
            self.path, self._fmt, self.delimiter, self.display, ncols, self._what
        ):
            if lines and lines[0] < start:  # the header record (and lines skipped before it)
                k = bisect_left(lines, start)
                if flat is not None:
                    flat = flat[k * (ncols + 1) :]
                else:
                    rows = rows[k:]
                lines = lines[k:]
            if flat is not None:
                batch = RowBatch(ncols, pi, lines, flat=flat)
            else:
                problems: list[AudienceProblem] = []
                if set(map(len, rows)) != {ncols}:
                    rows, lines, problems = self._shape(rows, lines, ncols)
                batch = RowBatch(ncols, pi, lines, rows=rows, problems=problems)
            phones = batch.raw_column(pi)
            empty = b"" if phones and isinstance(phones[0], bytes) else ""
            if empty in phones:  # rows of empty fields (";;;;") are blank lines too
                batch = _drop_blank(batch)
            if len(batch) or batch.problems:
                yield batch

    def _shape(
        self, rows: list[list[str]], lines: Sequence[int], ncols: int
    ) -> tuple[list[list[str]], list[int], list[AudienceProblem]]:
        good_rows, good_lines, problems = [], [], []
        for row, line in zip(rows, lines, strict=False):
            n = len(row)
            if n == ncols:
                pass
            elif n == 0 or (n == 1 and not row[0]):
                continue  # a blank line
            elif n > ncols and not any(row[ncols:]):
                row = row[:ncols]  # trailing empty fields, as some exports write
            else:
                what = "more" if n > ncols else "fewer"
                problems.append(
                    AudienceProblem(
                        "AUD005",
                        f"{self.display}:{line}: {n} fields, {what} than the header's {ncols}: "
                        f"a {_name(self.delimiter)} inside a value that is not quoted?",
                        line,
                        {"fields": n, "expected": ncols},
                    )
                )
                continue
            good_rows.append(row)
            good_lines.append(line)
        return good_rows, good_lines, problems


def _drop_blank(batch: RowBatch) -> RowBatch:
    """The batch without rows that are empty in every field (";;;;"), looking only at the rows
    whose phone is empty; unchanged (still bytes) when there is none."""
    phones = batch.raw_column(batch.phone_index)
    empty = phones[0][:0] if phones else ""
    blank: list[int] = []
    i = -1
    while (i := _find(phones, empty, i + 1)) >= 0:
        if not any(batch.raw_row(i)):
            blank.append(i)
    if not blank:
        return batch
    gone = set(blank)
    keep = [i for i in range(len(batch)) if i not in gone]
    lines = [batch.lines[i] for i in keep]
    flat = batch.flat
    if flat is not None:
        width = batch.ncols + 1
        kept: list = []
        start = 0
        for i in blank:
            kept += flat[start : i * width]
            start = (i + 1) * width
        kept += flat[start:]
        return RowBatch(batch.ncols, batch.phone_index, lines, flat=kept, problems=batch.problems)
    rows = batch.rows
    return RowBatch(
        batch.ncols,
        batch.phone_index,
        lines,
        rows=[rows[i] for i in keep],
        problems=batch.problems,
    )


def _find(seq: list, value: object, start: int) -> int:
    try:
        return seq.index(value, start)
    except ValueError:
        return -1


def _name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab"}.get(delimiter, repr(delimiter))


# -- opening -------------------------------------------------------------------------------------


def open_audience(
    path: str | Path,
    *,
    phone_column: str = "phone",
    region: str = "FI",
    display: str | None = None,
) -> Audience:
    """Open an audience CSV: detect encoding and delimiter, read the header, find the phone column.

    Raises :class:`AudienceError` (AUD003 encoding, AUD005 format) when the file cannot be used;
    problems further down the file are raised while iterating.
    """
    path = Path(path)
    display = display or str(path)
    fmt = _sniff(path, display)
    return _open(path, display, fmt, phone_column, PhoneNormalizer(region))


def _open(
    path: Path,
    display: str,
    fmt: _Format,
    phone_column: str,
    normalizer: PhoneNormalizer,
    skip: int = 0,
    what: str = "audience file",
) -> Audience:
    """open_audience after sniffing; the header is on line ``skip + 1``."""
    header, header_lines, delimiter = _header(path, fmt, display, skip, what)
    columns = tuple(h.strip().removeprefix("\ufeff").strip() for h in header)
    seen: dict[str, int] = {}
    for i, name in enumerate(columns):
        if name and name in seen:
            _refuse(
                "AUD005",
                f"{display}: column '{name}' appears twice in the header "
                f"(columns {seen[name] + 1} and {i + 1}); rename one",
                1,
            )
        seen[name] = i
    index = seen.get(phone_column)
    if index is None:
        folded = [c.casefold() for c in columns]
        if phone_column.casefold() in folded:
            index = folded.index(phone_column.casefold())
    if index is None:
        listed = ", ".join(f"'{c}'" for c in columns if c) or "none"
        hint = ""
        if len(columns) == 1 and any(d in columns[0] for d in ",;\t"):
            hint = "; the header has a single column: is the delimiter unusual?"
        _refuse(
            "AUD005",
            f"{display}: no '{phone_column}' column; the header has: {listed}{hint}",
            1,
        )
    data_line = skip + header_lines + 1
    return Audience(path, display, fmt, delimiter, columns, index, data_line, normalizer, what)


def _refuse(code: str, message: str, row: int | None, **extra: object) -> None:
    raise AudienceError(AudienceProblem(code, message, row, dict(extra)))


def _sniff(
    path: Path, display: str, what: str = "audience file", empty_ok: bool = False
) -> _Format:
    try:
        with path.open("rb") as f:
            head = f.read(_SAMPLE_BYTES)
    except OSError as e:
        _refuse("AUD005", f"{display}: cannot read the {what}: {e.strerror or e}", None)
    if not empty_ok and not head.strip(b"\xef\xbb\xbf\xff\xfe\r\n\t ;,"):
        _refuse("AUD005", f"{display}: the {what} is empty; it needs a header line", 1)
    if head.startswith(codecs.BOM_UTF8):
        enc, bom = "utf-8-sig", 3
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        enc, bom = ("utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"), 2
    elif b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) // 4 and even == 0:
            enc, bom = "utf-16-le", 0
        elif even > len(head) // 4 and odd == 0:
            enc, bom = "utf-16-be", 0
        else:
            line = head.count(b"\n", 0, head.index(b"\x00")) + 1
            _refuse(
                "AUD003",
                f"{display}:{line}: the file contains NUL bytes: it is not a CSV text file "
                f"(an .xlsx workbook?); {EXCEL_HINT}",
                line,
                kind="binary",
            )
    else:
        enc, bom = "utf-8", 0
    text = head[bom:].decode(enc.removesuffix("-sig"), errors="replace")
    newline = "\r\n" if "\r\n" in text else "\n" if "\n" in text else "\r" if "\r" in text else "\n"
    return _Format(enc, bom, newline)


def _header(
    path: Path, fmt: _Format, display: str, skip: int = 0, what: str = "audience file"
) -> tuple[list[str], int, str]:
    """The header record (after ``skip`` lines), how many lines it spans, and its delimiter."""
    for _raw, text, _ in _pieces(path, fmt, display, limit=1, what=what):
        if skip:
            text = text.split(fmt.newline, skip)[-1]
        first_line = text.split(fmt.newline, 1)[0]
        delimiter = _delimiter(first_line)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        try:
            header = next(reader)
        except (StopIteration, csv.Error):
            _refuse(
                "AUD005", f"{display}:{skip + 1}: the header line cannot be read as CSV", skip + 1
            )
        return header, reader.line_num, delimiter
    _refuse("AUD005", f"{display}: the {what} is empty; it needs a header line", 1)
    raise AssertionError  # unreachable


def _delimiter(line: str) -> str:
    """The delimiter that occurs most often in the header line outside quotes (comma on a tie)."""
    unquoted = re.sub(r'"[^"]*"', "", line)
    counts = {d: unquoted.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


# -- reading pieces ------------------------------------------------------------------------------


def _pieces(
    path: Path, fmt: _Format, display: str, limit: int | None = None, what: str = "audience file"
) -> Iterator[tuple[bytes, str, int]]:
    """The file a piece at a time, each ending at a line break: (UTF-8 bytes, text, first line).

    Checks each piece for Windows-1252, mojibake and NUL bytes before handing it on.
    """
    nl_text = fmt.newline
    nl_bytes = nl_text[-1].encode()
    utf16 = fmt.encoding.startswith("utf-16")
    decoder = codecs.getincrementaldecoder(fmt.encoding)("strict") if utf16 else None
    line = 1
    carry_b, carry_t = b"", ""
    count = 0
    try:
        f = path.open("rb")
    except OSError as e:
        _refuse("AUD005", f"{display}: cannot read the {what}: {e.strerror or e}", None)
    with f:
        f.seek(fmt.bom)
        while True:
            data = f.read(PIECE_BYTES)
            last = not data
            if decoder is not None:
                try:
                    text = carry_t + decoder.decode(data, final=last)
                except UnicodeDecodeError:
                    _refuse(
                        "AUD003",
                        f"{display}:{line}: the file starts as UTF-16 but is not valid UTF-16 "
                        f"after this line; {EXCEL_HINT}",
                        line,
                        kind="utf-16",
                    )
                cut = len(text) if last else text.rfind(nl_text[-1]) + 1
                if cut <= 0 and not last:
                    carry_t = text
                    continue
                text, carry_t = text[:cut], text[cut:]
                raw = text.encode("utf-8", "surrogatepass")
            else:
                data = carry_b + data
                cut = len(data) if last else data.rfind(nl_bytes) + 1
                if cut <= 0 and not last:
                    carry_b = data
                    continue
                raw, carry_b = data[:cut], data[cut:]
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as e:
                    _refuse_not_utf8(raw, e, line, nl_text, display)
            _check_mojibake(raw, line, nl_text, display)
            if b"\x00" in raw:
                at = line + raw.count(nl_text.encode(), 0, raw.index(b"\x00"))
                _refuse(
                    "AUD003",
                    f"{display}:{at}: the file contains NUL bytes: it is not a CSV text file; "
                    f"{EXCEL_HINT}",
                    at,
                    kind="binary",
                )
            if raw:
                yield raw, text, line
                line += raw.count(nl_text.encode()) if len(nl_text) == 1 else raw.count(b"\n")
                count += 1
            if last or (limit is not None and count >= limit):
                return


def _refuse_not_utf8(
    raw: bytes, e: UnicodeDecodeError, line0: int, newline: str, display: str
) -> None:
    nl = newline.encode()
    line = line0 + raw.count(nl, 0, e.start)
    start = raw.rfind(nl, 0, e.start) + len(nl) if raw.rfind(nl, 0, e.start) >= 0 else 0
    end = raw.find(nl[-1:], e.start)
    text_line = raw[start : end if end >= 0 else len(raw)].decode("cp1252", errors="replace")
    word = _word_at(text_line, e.start - start)
    bad = raw[e.start]
    latin = 0xA0 <= bad <= 0xFF or bad in b"\x80\x8a\x8e\x96\x97\x9a\x9e"
    if latin:
        msg = (
            f"{display}:{line}: the file is not UTF-8 but Windows-1252/Latin-1 "
            f"(byte 0x{bad:02X} in “{word}”), as Excel's plain “CSV” format writes it; "
            f"save it as UTF-8: {EXCEL_HINT}"
        )
    else:
        msg = (
            f"{display}:{line}: byte 0x{bad:02X} is not valid UTF-8; save the file as UTF-8: "
            f"{EXCEL_HINT}"
        )
    _refuse("AUD003", msg, line, kind="cp1252" if latin else "not-utf-8", sample=word)


def _word_at(text: str, index: int, through: int | None = None) -> str:
    """The word around ``index`` (at least up to ``through``): what to show and to judge."""
    index = max(0, min(index, len(text) - 1))
    start = index
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in ',;\t"':
        start -= 1
    end = max(index, through or 0)
    while end < len(text) and not text[end].isspace() and text[end] not in ',;\t"':
        end += 1
    return text[start:end][:40]


def _check_mojibake(raw: bytes, line0: int, newline: str, display: str) -> None:
    pos = 0
    while (m := _MOJIBAKE.search(raw, pos)) is not None:
        pos = m.end()
        nl = newline.encode()
        start = raw.rfind(nl[-1:], 0, m.start()) + 1
        end = raw.find(nl[-1:], m.start())
        text_line = raw[start : end if end >= 0 else len(raw)].decode("utf-8", errors="replace")
        at = len(raw[start : m.start()].decode("utf-8", errors="replace"))
        word = _word_at(text_line, at, at + len(m[0].decode("utf-8", errors="replace")))
        fixed = _unmojibake(word)
        if fixed is None:
            continue
        line = line0 + raw.count(nl, 0, m.start())
        _refuse(
            "AUD003",
            f"{display}:{line}: “{word}” is garbled text (mojibake) for “{fixed}”: the file was "
            f"read as Windows-1252 and saved again somewhere on its way; export it again from "
            f"the original as UTF-8: {EXCEL_HINT}",
            line,
            kind="mojibake",
            sample=word,
            fixed=fixed,
        )


def _unmojibake(word: str) -> str | None:
    """The repaired word when ftfy agrees that ``word`` is mojibake, else ``None``."""
    import ftfy

    fixed = ftfy.fix_encoding(word)
    return fixed if fixed != word else None


# -- pieces to records ---------------------------------------------------------------------------


def _records(
    path: Path, fmt: _Format, delimiter: str, display: str, ncols: int, what: str = "audience file"
) -> Iterator[tuple[list | None, list[list[str]], Sequence[int]]]:
    """Records of the file, a stretch of lines at a time: ``(flat, rows, lines)``.

    ``flat`` is every field of a quote-free stretch, as UTF-8 bytes, in one list when each of its
    lines has exactly ``ncols`` fields (``rows`` is then empty); otherwise ``rows`` holds the
    records as text. ``lines`` is the file line each record starts on, counted as csv.reader
    counts them. Only the lines around quotes go through ``csv.reader``; a piece with many
    quotes goes through it whole.
    """
    nl = fmt.newline.encode()
    delim = delimiter.encode()
    carry = b""
    line = 1
    for raw, _text, _line in _pieces(path, fmt, display, what=what):
        if carry:
            raw, carry = carry + raw, b""
        if b'"' not in raw:
            batch, line = _plain_records(raw, line, nl, delim, ncols)
            yield batch
            continue
        if raw.count(b'"') > 400:  # quotes everywhere: csv.reader over the whole piece
            step = yield from _csv_whole(raw, line, delimiter, display)
        else:
            step = yield from _piece_records(raw, line, nl, delim, display, ncols)
        if isinstance(step, tuple):  # the piece ended inside a quoted field
            carry, line = step
            if len(carry) > _MAX_CARRY:
                _refuse(
                    "AUD005",
                    f"{display}:{line}: a quoted field opened on this line does not "
                    'close within 8 MiB; add the closing quote (")',
                    line,
                )
        else:
            line = step
    if carry:
        _refuse(
            "AUD005",
            f"{display}:{line}: a quoted field opened on this line is never closed; "
            'add the closing quote (")',
            line,
        )


def _piece_records(raw: bytes, line: int, nl: bytes, delim: bytes, display: str, ncols: int):
    """Yield the records of one piece with a few quotes: quote-free stretches the fast way,
    the lines around quotes through csv.reader. Returns the next line's number, or (unfinished
    bytes, their first line) when the piece ends inside a quoted field."""
    end = nl[-1:]
    pos = 0
    while pos < len(raw):
        q = raw.find(b'"', pos)
        if q < 0:
            cut = len(raw)
        else:
            k = raw.rfind(end, pos, q)
            cut = k + 1 if k >= 0 else pos
        if cut > pos:
            batch, line = _plain_records(raw[pos:cut], line, nl, delim, ncols)
            yield batch
            pos = cut
        if q < 0:
            return line
        step = yield from _csv_stretch(raw, pos, line, end, delim.decode(), display)
        if isinstance(step[0], bytes):
            return step
        pos, line = step
    return line


def _plain_records(chunk: bytes, line: int, nl: bytes, delim: bytes, ncols: int):
    """A quote-free stretch split with ``bytes.split``: what csv.reader gives for it.

    Each line break becomes a field of its own holding a mark (the break's first byte, CR or
    LF), so that one split gives every field: row i's fields are ``flat[i*(ncols+1):][:ncols]``.
    The marks show whether each line had exactly ``ncols`` fields: every mark is in a mark slot
    and there are no others. A lone CR or LF elsewhere (csv.reader's line breaks too) sends the
    stretch to csv.reader. Returns the batch and the next line's number.
    """
    mark = nl[:1]
    other = b"\n" if mark == b"\r" else b"\r"
    closed = chunk.endswith(nl)
    body = chunk[: -len(nl)] if closed else chunk
    r = body.replace(nl, delim + mark + delim)
    if other not in r:
        flat = r.split(delim)
        nlines, extra = divmod(len(flat) + 1, ncols + 1)
        breaks = nlines - 1
        if not extra and flat[ncols :: ncols + 1].count(mark) == breaks == r.count(mark):
            return (flat, [], range(line, line + nlines)), line + nlines
    # Mixed line ends or ragged lines: csv.reader decides what a line is.
    text = body.decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim.decode(), strict=True)
    rows = list(reader)
    return (None, rows, _row_lines(rows, line, delim.decode())), line + reader.line_num


def _row_lines(rows: list[list[str]], line: int, delimiter: str) -> list[int]:
    """Start line of each record, counting the line breaks inside quoted fields."""
    out = []
    for row in rows:
        out.append(line)
        text = delimiter.join(row)
        line += 1 + text.count("\n") + text.count("\r") - text.count("\r\n")
    return out


def _csv_stretch(
    raw: bytes, pos: int, line: int, end: bytes, delimiter: str, display: str, to_end: bool = False
):
    """csv.reader from byte ``pos`` until a record ends before a quote-free line (or, with
    ``to_end``, to the end of the piece). ``end`` is the byte lines are cut at for the reader.

    Yields one batch; returns the (byte pos, line) to go on from, or (unfinished bytes, line).
    """
    at = [pos]  # where the next line starts

    def lines() -> Iterator[str]:
        p = at[0]
        while p < len(raw):
            e = raw.find(end, p)
            e = len(raw) if e < 0 else e + 1
            yield from _sublines(raw, p, e, at)
            p = e

    reader = csv.reader(lines(), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    starts: list[int] = []
    while True:
        record_pos, record_line = at[0], line + reader.line_num
        try:
            row = next(reader)
        except StopIteration:
            if rows:
                yield None, rows, starts
            return len(raw), line + reader.line_num
        except csv.Error as e:
            if "unexpected end of data" in str(e):
                if rows:
                    yield None, rows, starts
                return raw[record_pos:], record_line
            _bad_csv(e, line + reader.line_num - 1, display)
        rows.append(row)
        starts.append(record_line)
        if to_end:
            continue
        here = at[0]
        eol = raw.find(end, here)
        if raw.find(b'"', here, len(raw) if eol < 0 else eol) < 0:
            yield None, rows, starts
            return here, line + reader.line_num


def _sublines(raw: bytes, p: int, e: int, at: list[int]) -> Iterator[str]:
    """The text of ``raw[p:e]`` as csv.reader sees lines in a file (a lone CR ends one too),
    keeping ``at[0]`` at the byte offset just past the line handed out."""
    for sub in io.StringIO(raw[p:e].decode("utf-8"), newline=""):
        p += len(sub.encode("utf-8"))
        at[0] = p
        yield sub


def _csv_whole(raw: bytes, line: int, delimiter: str, display: str):
    """csv.reader over a whole piece; returns (unfinished bytes, line) when cut in a quote."""
    text = raw.decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows = list(reader)
    except csv.Error as e:
        if "unexpected end of data" not in str(e):
            _bad_csv(e, line + reader.line_num - 1, display)
        # The piece ends inside a quoted field: take it record by record to find where.
        end = b"\n" if b"\n" in raw else b"\r"
        step = yield from _csv_stretch(raw, 0, line, end, delimiter, display, to_end=True)
        return step if isinstance(step[0], bytes) else step[1]
    linear = reader.line_num == len(rows)
    yield None, rows, range(line, line + len(rows)) if linear else _row_lines(rows, line, delimiter)
    return line + reader.line_num


def _bad_csv(e: csv.Error, at: int, display: str) -> None:
    _refuse(
        "AUD005",
        f'{display}:{at}: not valid CSV ({e}); a quote inside a quoted value must be doubled ("")',
        at,
    )


# -- opt-out lists -------------------------------------------------------------------------------


@dataclass(slots=True)
class OptOut:
    """Numbers never to message, as E.164 strings, and the entries that could not be read."""

    path: Path
    numbers: set[str]
    problems: list[AudienceProblem]


def load_opt_out(
    path: str | Path,
    *,
    region: str = "FI",
    phone_column: str = "phone",
    display: str | None = None,
    normalizer: PhoneNormalizer | None = None,
) -> OptOut:
    """Read an opt-out file: one number a line, or a CSV with a phone column.

    Blank lines and ``#`` comments are skipped; the file is a CSV when its first other line is a
    header naming the phone column. An empty file lists no numbers. Numbers are normalized like
    the audience's (pass its ``normalizer`` to share it). An entry that is not a valid number
    cannot be honoured, so it is reported (AUD001) rather than skipped quietly.
    """
    path = Path(path)
    display = display or str(path)
    what = "opt-out list"
    fmt = _sniff(path, display, what, empty_ok=True)
    normalizer = normalizer or PhoneNormalizer(region)
    numbers: set[str] = set()
    problems: list[AudienceProblem] = []
    header = _first_entry(path, fmt, display, what)
    if header is not None and _names_column(header[1], phone_column):
        audience = _open(path, display, fmt, phone_column, normalizer, header[0] - 1, what)
        for batch in audience.batches():
            problems.extend(batch.problems)
            for raw, e164, line in zip(
                batch.phones, normalizer.normalize_many(batch.phones), batch.lines, strict=False
            ):
                _opt_out_entry(raw, e164, line, numbers, problems, normalizer, display)
        return OptOut(path, numbers, problems)
    for _raw, text, line0 in _pieces(path, fmt, display, what=what):
        for offset, raw in enumerate(text.split(fmt.newline)):
            entry = raw.strip().removeprefix("\ufeff")
            if not entry or entry.startswith("#"):
                continue
            e164 = normalizer.normalize(entry)
            _opt_out_entry(entry, e164, line0 + offset, numbers, problems, normalizer, display)
    return OptOut(path, numbers, problems)


def _first_entry(path: Path, fmt: _Format, display: str, what: str) -> tuple[int, str] | None:
    """The first line that is neither blank nor a ``#`` comment: (line number, text)."""
    for _raw, text, line0 in _pieces(path, fmt, display, what=what):
        for offset, raw in enumerate(text.split(fmt.newline)):
            entry = raw.strip().removeprefix("\ufeff")
            if entry and not entry.startswith("#"):
                return line0 + offset, entry
    return None


def _names_column(line: str, column: str) -> bool:
    """Is ``line`` a CSV header with ``column`` among its names (case ignored)?"""
    try:
        names = next(csv.reader([line], delimiter=_delimiter(line)))
    except csv.Error:
        return False
    return column.casefold() in (n.strip().casefold() for n in names)


def _opt_out_entry(
    raw: str,
    e164: str | None,
    line: int,
    numbers: set[str],
    problems: list[AudienceProblem],
    normalizer: PhoneNormalizer,
    display: str,
) -> None:
    if e164 is not None:
        numbers.add(e164)
    elif raw.strip():
        problems.append(
            AudienceProblem(
                "AUD001",
                f"{display}:{line}: opt-out entry {raw!r} is not a valid phone number "
                f"({normalizer.reason(raw)}); it cannot be honoured: correct it",
                line,
                {"file": display, "opt_out": True},
            )
        )
