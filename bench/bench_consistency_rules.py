"""The sign-off, reply, opt-out and burst rules on 1,000 campaigns, in-process.

Measures only the rules (campaigns loaded once beforehand), CPU time, median of several rounds,
against yamllint linting the same 1,000 files in-process (its whole job: read, parse, check).
Goal (issue 3): these six rules together take well under a second, a small share of the check.
Half of the corpus is marketing (OPT001 works) and every tenth campaign is sent at once (BUR001).
"""

from __future__ import annotations

import importlib.util
import statistics
import tempfile
import time
from pathlib import Path

from bench.corpus import write_corpus
from smskit.config import load_config
from smskit.lint import _Collector, check_files, run_rules

RULES = ["SIG001", "SIG002", "SIG003", "SND001", "OPT001", "BUR001"]
ROUNDS = 5


def _corpus(folder: Path) -> list[Path]:
    paths = write_corpus(folder, 1000)
    for i, p in enumerate(paths):
        text = p.read_text(encoding="utf-8")
        if i % 2:
            text = text.replace("purpose: transactional", "purpose: marketing")
        if i % 10 == 0:
            text = text.replace("interval: 1d", "interval: 30s")
        p.write_text(text, encoding="utf-8")
    return paths


def _median_cpu(fn, rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    from yamllint import linter
    from yamllint.config import YamlLintConfig

    rules = RULES if importlib.util.find_spec("smskit.encoding") else RULES[:-1]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / ".git").mkdir()
        paths = _corpus(folder / "campaigns")
        config = load_config(cwd=folder)
        campaigns = check_files(paths, config.with_selection(["CMP"], None)).campaigns
        selected = config.with_selection(rules, None)

        def ours() -> None:
            run_rules(campaigns, selected, _Collector())

        yaml_conf = YamlLintConfig("extends: default")
        texts = [p.read_text(encoding="utf-8") for p in paths]

        def peer() -> None:
            for text in texts:
                list(linter.run(text, yaml_conf))

        ours()  # warm regex and phrase caches, as a real run's first file does
        a, b = _median_cpu(ours), _median_cpu(peer)
        print(
            f"rules {', '.join(rules)} on 1,000 campaigns: median {a * 1000:.0f} ms CPU; "
            f"yamllint (in-process, same files) median {b * 1000:.0f} ms; ratio {a / b:.2f}x "
            f"({'meets' if a < 1.0 else 'MISSES'} goal: well under 1 s)"
        )


if __name__ == "__main__":
    main()
