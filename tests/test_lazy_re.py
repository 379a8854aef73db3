"""lazy_re: patterns compiled on first use behave as re's own."""

from __future__ import annotations

import re

import pytest

from smskit import lazy_re


def test_a_lazy_pattern_answers_as_the_compiled_one():
    lazy = lazy_re.compile(r"(?P<d>\d+)\.(?P<m>\d+)\.", re.IGNORECASE)
    eager = re.compile(r"(?P<d>\d+)\.(?P<m>\d+)\.", re.IGNORECASE)
    text = "1.6. ja 30.6.2017"
    assert lazy.search(text).groupdict() == eager.search(text).groupdict()
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in eager.finditer(text)]
    assert lazy.sub("<>", text) == eager.sub("<>", text)
    assert lazy.split(text) == eager.split(text)
    assert lazy.match(text, 8).group() == "30.6."
    assert (lazy.pattern, lazy.flags, lazy.groups) == (eager.pattern, eager.flags, eager.groups)


def test_compiled_only_when_first_used():
    broken = lazy_re.compile("(unclosed")  # no error yet: nothing compiled
    with pytest.raises(re.error):
        broken.search("x")


def test_after_first_use_calls_go_straight_to_the_pattern():
    lazy = lazy_re.compile("a+")
    lazy.search("caa")
    assert lazy.search.__self__ is lazy.match.__self__  # bound to the one compiled pattern
    assert isinstance(lazy.search.__self__, re.Pattern)


def test_bytes_patterns():
    lazy = lazy_re.compile(rb"^rules:", re.M)
    assert lazy.search(b"x: 1\nrules:\n") is not None
