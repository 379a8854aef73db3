"""Context.memo: what the rules keep for one run."""

from __future__ import annotations

from smskit.rules.base import Context


def test_memo_builds_once_per_key_and_keeps_none() -> None:
    ctx = Context()
    calls: list[str] = []

    def build(value: object, name: str):
        def run() -> object:
            calls.append(name)
            return value

        return run

    assert ctx.memo("a", build([1], "a")) == [1]
    assert ctx.memo("a", build([2], "a again")) == [1]  # the first value stays
    assert ctx.memo(("b", 1), build(None, "b")) is None
    assert ctx.memo(("b", 1), build("x", "b again")) is None  # a None result is kept too
    assert calls == ["a", "b"]
    # A new run gets a new Context, and builds afresh.
    assert Context().memo("a", build([3], "new run")) == [3]
