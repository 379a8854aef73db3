"""Summary and status tables for people: rich on a terminal, aligned plain text elsewhere."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO


def print_table(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    stream: IO[str] | None = None,
) -> None:
    stream = stream or sys.stdout
    if stream.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title)
        for h in headers:
            table.add_column(h, justify="right" if h in ("count", "segments") else "left")
        for row in rows:
            table.add_row(*(str(c) for c in row))
        Console(file=stream).print(table)
        return
    cells = [list(map(str, headers))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    stream.write(f"{title}\n")
    for n, row in enumerate(cells):
        stream.write(
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n"
        )
        if n == 0:
            stream.write("  ".join("-" * w for w in widths) + "\n")
