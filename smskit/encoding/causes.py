"""Which grapheme clusters force UCS-2: every one that is not a single GSM-7 character."""

from __future__ import annotations

import re

from smskit.encoding.graphemes import (
    all_standalone,
    boundary_at_or_before,
    certain_boundary,
    cluster_at,
    graphemes,
)
from smskit.encoding.gsm7 import ALPHABET, BASIC, EXTENSION

_NON_GSM_SPLIT = re.compile("([^" + re.escape(BASIC + EXTENSION) + "]+)")
_RUNS_FOR_WHOLE_TEXT = 12


def ucs2_chars(text: str) -> tuple[tuple[int, str], ...]:
    """(offset, cluster) for each cluster that is not a single GSM-7 character."""
    pieces = _NON_GSM_SPLIT.split(text)  # GSM-7 run, other run, GSM-7 run, …
    if all_standalone(set("".join(pieces[1::2]))):  # each such character is a cluster
        out: list[tuple[int, str]] = []
        pos = 0
        for k in range(1, len(pieces), 2):
            pos += len(pieces[k - 1])
            run = pieces[k]
            if len(run) == 1:
                out.append((pos, run))
            else:
                out.extend(zip(range(pos, pos + len(run)), run, strict=True))
            pos += len(run)
        return tuple(out)
    if len(pieces) > 2 * _RUNS_FOR_WHOLE_TEXT:  # one \X pass is cheaper than many local ones
        return _ucs2_clusters(text)
    out = []
    covered = pos = 0
    for k in range(1, len(pieces), 2):
        pos += len(pieces[k - 1])
        a, b = pos, pos + len(pieces[k])
        pos = b
        if b <= covered:
            continue
        # A run is followed by a GSM-7 character (or the end), which starts a cluster unless the
        # run ends in a Prepend; it may start inside a cluster (a combining mark after "e").
        a = boundary_at_or_before(text, max(a, covered), covered)
        if not certain_boundary(text, b):
            b = cluster_at(text, b - 1, a)[1]
        start = a
        for cluster in graphemes(text[a:b]):
            out.append((start, cluster))
            start += len(cluster)
        covered = b
    return tuple(out)


def _ucs2_clusters(text: str) -> tuple[tuple[int, str], ...]:
    """Like ucs2_chars, by walking every cluster of ``text``."""
    out: list[tuple[int, str]] = []
    pos = 0
    for cluster in graphemes(text):
        if cluster not in ALPHABET:
            out.append((pos, cluster))
        pos += len(cluster)
    return tuple(out)
