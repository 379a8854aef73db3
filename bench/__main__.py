"""Run every bench/bench_*.py module's main(), or only those named: ``python -m bench engine``."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    found = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    wanted = [a if a.startswith("bench_") else f"bench_{a}" for a in argv]
    unknown = [w for w in wanted if w not in found]
    if unknown:
        names = ", ".join(n.removeprefix("bench_") for n in found)
        print(f"error: no benchmark {', '.join(unknown)}; available: {names}", file=sys.stderr)
        return 2
    for name in wanted or found:
        print(f"== {name}", flush=True)
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
