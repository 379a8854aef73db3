"""Fixing never removes or alters a GSM-7 character: the opposite of an ASCII transliteration.

Whatever a body holds, the safe fixes that ``smskit check --fix`` applies (GSM-7 punctuation for
ENC003, invisible characters for ENC004) keep every GSM-7 character — ä, ö, å, é, ü, Ä, €… —
in order. The property runs the real path: YAML file → loader → rules → fixer → file.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smskit.config import load_config
from smskit.encoding import gsm7_septets
from smskit.fixer import eligible, fixed_source
from smskit.lint import check_files
from smskit.loader import load

# GSM-7 letters that an ASCII transliteration would destroy, punctuation Twilio would replace,
# invisible characters, emoji and letters with no GSM-7 form.
ALPHABET = st.sampled_from(
    [
        *"aäöåÄÖÅéüÜñÑæøÆØß€{}[]~^|\\ ,.!?-",
        *("’", "‘", "“", "”", "–", "—", "…", "«", "»", "\u00a0", "\u200b", "\u00ad"),
        *("😀", "š", "ž", "ç", "€"),
    ]
)


def gsm7_chars(text: str) -> list[str]:
    return [c for c in text if gsm7_septets(c) is not None]


def is_subsequence(needle: list[str], haystack: str) -> bool:
    rest = iter(haystack)
    return all(c in rest for c in needle)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.text(alphabet=ALPHABET, min_size=1, max_size=60).filter(lambda s: s.strip()))
def test_safe_fixes_keep_every_gsm7_character_in_order(body: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()
        path = root / "c.yml"
        path.write_text(
            "campaign: prop\nbrand: Elisa\nlocale: en-GB\nsender: Elisa\nmessages:\n"
            f"  - id: m\n    body: {json.dumps(body, ensure_ascii=False)}\n",
            encoding="utf-8",
        )
        config = load_config(cwd=root).with_selection(["ENC003", "ENC004"], None)
        result = check_files([path], config)
        fixes = [f.fix for f in eligible(result.findings, unsafe=False) if f.fix is not None]
        if not fixes:
            return
        path.write_text(fixed_source(result.campaigns[0], fixes), encoding="utf-8")
        fixed = load(path).campaign
        assert fixed is not None
        after = fixed.messages[0].body
    # Replacements may add GSM-7 characters (a no-break space becomes a space); every original
    # GSM-7 character must still be there, unchanged and in order.
    assert is_subsequence(gsm7_chars(body), after), (body, after)
