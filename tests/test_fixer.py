"""--fix and --diff: only the fixed characters change; everything else in the file stays."""

from __future__ import annotations

import dataclasses
import difflib
import os
from pathlib import Path

import pytest

from smskit import fixer
from smskit.autofix import run_fixes
from smskit.check_command import run_check
from smskit.findings import Edit, Fix
from smskit.fixer import FixFailed, fixed_source
from smskit.loader import load
from tests.helpers import CORE, HAS_ENGINE, check, codes, run_cli, snapshot, write_campaign

ZWSP, NBSP, SHY = "\u200b", "\u00a0", "\u00ad"

HEAD = (
    "# Spring campaign: comments, quoting and key order must survive a fix.\n"
    "campaign: spring   # the slug\n"
    "brand: 'Elisa'\n"
    'locale: "fi-FI"\n'
    "sender: Elisa\n"
    "messages:\n"
    "  # first message\n"
    "  - id: intro\n"
    "    body: Hei kaikki\n"
)

STYLES = {
    "plain": f"    body: Tervetuloa{ZWSP} asiakkaaksi   # greeting\n",
    "plain multi-line": f"    body: Tervetuloa{ZWSP}\n      asiakkaaksi{SHY} Elisaan\n",
    "single-quoted": f"    body: 'It''s{ZWSP} here: 50% off'\n",
    "double-quoted with escapes": f'    body: "Hei{ZWSP} \\"sinä\\"\\nja \\u00e4iti\\\\"\n',
    "literal block": (
        f"    body: |\n      Hei{ZWSP} kaikki\n        sisennetty{NBSP}rivi\n\n      loppu{ZWSP}\n"
    ),
    "folded block": (
        f"    body: >-\n      Hei{ZWSP} kaikki\n      toinen{NBSP}rivi\n\n      loppu\n"
    ),
    "flow mapping": f'  - {{id: flow, body: "Hei{ZWSP} sinä", suppress: {{SND002: x}}}}\n',
}
TAIL = "  - id: last\n    body: 'Kiitos'  # the end\n"


def file_for(style: str) -> str:
    body = STYLES[style]
    entry = body if body.startswith("  - ") else "  - id: second\n" + body
    return HEAD + entry + TAIL


@pytest.mark.parametrize("style", list(STYLES))
def test_fix_removes_only_the_invisible_characters(project: Path, style: str) -> None:
    text = file_for(style)
    path = write_campaign(project, "spring.yml", text=text)
    before = load(path).campaign
    result = check([path], project, select=["ENC004"])
    assert codes(result) and set(codes(result)) == {"ENC004"}
    result, summary, _ = run_fixes(result, [path], result_config(project), unsafe=False, write=True)
    after_text = path.read_text(encoding="utf-8")
    expected = text.replace(ZWSP, "").replace(SHY, "").replace(NBSP, " ")
    # Every line but the fixed ones is byte for byte the same; here even the fixed lines
    # keep their style, so the whole file is the original minus the invisible characters.
    assert after_text == expected
    assert result.findings == []
    assert summary.startswith("Fixed ")
    after = load(path).campaign
    for old, new in zip(before.messages, after.messages, strict=True):
        assert new.body == old.body.replace(ZWSP, "").replace(SHY, "").replace(NBSP, " ")
        assert new.body_node.style == old.body_node.style


def result_config(project: Path):
    from smskit.config import load_config

    return load_config(cwd=project).with_selection(["ENC004"], None)


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    a, b = before.splitlines(), after.splitlines()
    assert len(a) == len(b), "the fix changed the number of lines"
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


def test_escaped_invisible_character_rewrites_only_that_scalar(project: Path) -> None:
    # Written as an escape the character is not in the file as such: the one scalar is
    # written again (as double-quoted), and nothing else moves.
    text = HEAD + '  - id: esc\n    body: "Hei\\u200b \\"x\\"\\tja ä"   # keep me\n' + TAIL
    path = write_campaign(project, "esc.yml", text=text)
    proc = run_cli("check", "--select", "ENC004", "--fix", "esc.yml", cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = path.read_text(encoding="utf-8")
    assert changed_lines(text, after) == [
        (
            '    body: "Hei\\u200b \\"x\\"\\tja ä"   # keep me',
            '    body: "Hei \\"x\\" ja ä"   # keep me',
        )
    ]
    assert load(path).campaign.messages[1].body == 'Hei "x" ja ä'


def test_fix_that_needs_a_new_style_is_verified(project: Path) -> None:
    # A no-break space at the end of a plain line would be folded away if replaced in
    # place; the fixer notices (the re-parsed value differs) and re-renders the scalar.
    text = HEAD + f"  - id: fold\n    body: Hei{NBSP}\n      toinen\n" + TAIL
    path = write_campaign(project, "fold.yml", text=text)
    proc = run_cli("check", "--select", "ENC004", "--fix", "fold.yml", cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert load(path).campaign.messages[1].body == "Hei  toinen"
    after = path.read_text(encoding="utf-8")
    assert after.startswith(HEAD) and after.endswith(TAIL)


def test_fix_keeps_crlf_bom_and_file_mode(project: Path) -> None:
    text = file_for("literal block").replace("\n", "\r\n")
    path = project / "crlf.yml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    path.chmod(0o640)
    proc = run_cli("check", "--select", "ENC004", "--fix", "crlf.yml", cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = text.replace(ZWSP, "").replace(NBSP, " ")
    assert path.read_bytes() == b"\xef\xbb\xbf" + expected.encode()
    assert path.stat().st_mode & 0o777 == 0o640
    assert not [p for p in os.listdir(project) if p.endswith(".tmp")]


def test_diff_writes_nothing_and_exits_1(project: Path) -> None:
    originals = {
        "a.yml": file_for("literal block"),
        "b.yml": file_for("plain").replace("spring", "b"),
        "clean.yml": HEAD.replace("spring", "clean"),
    }
    for name, text in originals.items():
        write_campaign(project, name, text=text)
    before = snapshot(project)
    proc = run_cli("check", *CORE, "--diff", ".", cwd=project)
    assert snapshot(project) == before
    assert proc.returncode == 1
    diff = proc.stdout
    assert "clean.yml" not in diff
    # The diff is exactly what --fix then does.
    assert run_cli("check", *CORE, "--fix", ".", cwd=project).returncode == 0
    for name in ("a.yml", "b.yml"):
        new = (project / name).read_text(encoding="utf-8")
        assert new != originals[name]
        want = difflib.unified_diff(
            originals[name].splitlines(keepends=True),
            new.splitlines(keepends=True),
            f"a/{name}",
            f"b/{name}",
        )
        assert "".join(want) in diff
    # Nothing left to change: --diff prints nothing and exits 0.
    proc = run_cli("check", *CORE, "--diff", ".", cwd=project)
    assert (proc.returncode, proc.stdout) == (0, "")


def test_unsafe_fixes_only_with_unsafe_fixes(project: Path) -> None:
    path = write_campaign(project, "u.yml", text=file_for("plain"))
    text = path.read_text(encoding="utf-8")
    config = result_config(project)

    def unsafe_result():
        result = check([path], project, select=["ENC004"])
        for f in result.findings:
            f.fix = dataclasses.replace(f.fix, safe=False)
        return result

    result, summary, _ = run_fixes(unsafe_result(), [path], config, unsafe=False, write=True)
    assert path.read_text(encoding="utf-8") == text and summary == ""
    assert [f.code for f in result.findings] == ["ENC004"]
    result, summary, _ = run_fixes(unsafe_result(), [path], config, unsafe=True, write=True)
    assert path.read_text(encoding="utf-8") == text.replace(ZWSP, "")
    assert result.findings == [] and summary == "Fixed 1 finding(s)."


def test_a_fix_that_cannot_be_verified_writes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stand in for a renderer bug: the escaped character forces a re-render, and the
    # re-rendered scalar comes out broken. Verification must catch it and write nothing.
    text = HEAD + '  - id: esc\n    body: "Hei\\u200b"\n' + TAIL
    path = write_campaign(project, "v.yml", text=text)
    monkeypatch.setattr(
        fixer,
        "_rerender",
        lambda source, node, value: [
            fixer.FileEdit(node.start.index, node.end.index - node.start.index, '"Hei')
        ],
    )
    result = check([path], project, select=["ENC004"])
    result, summary, failures = run_fixes(
        result, [path], result_config(project), unsafe=False, write=True
    )
    assert path.read_text(encoding="utf-8") == text
    [failure] = failures
    assert "v.yml: could not apply fixes: fixed file would not parse" in failure
    assert summary == ""
    assert [f.code for f in result.findings] == ["ENC004"]


def test_diff_reports_a_fix_it_could_not_apply(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = HEAD + '  - id: esc\n    body: "Hei\\u200b"\n' + TAIL
    write_campaign(project, "v.yml", text=text)
    monkeypatch.setattr(fixer, "_rerender", lambda source, node, value: [
        fixer.FileEdit(node.start.index, node.end.index - node.start.index, '"Hei')
    ])  # fmt: skip
    monkeypatch.chdir(project)
    status = run_check(["v.yml"], select=["ENC004"], diff=True)
    out, err = capsys.readouterr()
    assert (status, out) == (0, "")  # nothing would change...
    assert "v.yml: could not apply fixes: fixed file would not parse" in err  # ...and why


def test_a_fix_for_a_node_from_another_file_is_refused(project: Path) -> None:
    a = load(write_campaign(project, "a.yml", text=file_for("plain"))).campaign
    b = load(write_campaign(project, "b.yml", text=file_for("plain"))).campaign
    foreign = Fix("remove", b.messages[1].body_node, (Edit(10, 11, ""),))
    with pytest.raises(FixFailed, match="not part of this file"):
        fixed_source(a, [foreign])


def test_several_fixes_in_one_scalar_and_overlapping_edits(project: Path) -> None:
    c = load(write_campaign(project, "m.yml", text=file_for("plain"))).campaign
    node = c.messages[1].body_node
    body = c.messages[1].body
    i = body.index(ZWSP)
    fixes = [
        Fix("a", node, (Edit(i, i + 1, ""),)),
        Fix("b", node, (Edit(0, 1, "t"),)),
        Fix("overlaps a: waits for the next pass", node, (Edit(i, i + 2, "X"),)),
    ]
    new = fixed_source(c, fixes)
    assert load(c.path, text=new).campaign.messages[1].body == "t" + body[1:i] + body[i + 1 :]


def test_fix_and_recheck_until_clean(project: Path) -> None:
    # Two runs of invisible characters in one body, a comment after it: one --fix does all.
    text = HEAD + f"  - id: two\n    body: a{ZWSP}{SHY}b{NBSP}{NBSP}c{ZWSP}  # x\n" + TAIL
    path = write_campaign(project, "r.yml", text=text)
    proc = run_cli("check", "--select", "ENC004", "--fix", "r.yml", cwd=project)
    assert proc.returncode == 0
    assert "Fixed 3 finding(s)." in proc.stderr
    assert changed_lines(text, path.read_text(encoding="utf-8")) == [
        (f"    body: a{ZWSP}{SHY}b{NBSP}{NBSP}c{ZWSP}  # x", "    body: ab c  # x")
    ]


def test_a_literal_block_that_starts_with_a_blank_line_is_rewritten_at_its_indent(
    project: Path,
) -> None:
    # YAML takes a block's indentation from its first non-blank line, not its first line.
    text = HEAD + "  - id: blank\n    body: |\n\n      Tervetuloa asiakkaaksi!\n" + TAIL
    path = write_campaign(project, "b.yml", text=text)
    proc = run_cli("check", "--select", "SIG002", "--fix", "--unsafe-fixes", "b.yml", cwd=project)
    assert "would not parse" not in proc.stderr and "Traceback" not in proc.stderr
    fixed = load(path).campaign
    assert fixed is not None
    body = next(m.body for m in fixed.messages if m.id == "blank")
    assert body.startswith("\nTervetuloa asiakkaaksi!") and "Elisa" in body


@pytest.mark.skipif(not HAS_ENGINE, reason="smskit.encoding (engine branch) not merged yet")
def test_enc003_fix_replaces_punctuation_with_gsm(project: Path) -> None:
    text = HEAD + "  - id: dash\n    body: 'Tervetuloa – lue lisää: “elisa.fi”'  # c\n" + TAIL
    path = write_campaign(project, "d.yml", text=text)
    proc = run_cli("check", "--select", "ENC003", "--fix", "d.yml", cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert changed_lines(text, path.read_text(encoding="utf-8")) == [
        (
            "    body: 'Tervetuloa – lue lisää: “elisa.fi”'  # c",
            "    body: 'Tervetuloa - lue lisää: \"elisa.fi\"'  # c",
        )
    ]


def test_fix_through_a_symlink_keeps_the_link(project: Path) -> None:
    target = write_campaign(project, "real/spring.yml", text=file_for("plain"))
    (project / "link.yml").symlink_to("real/spring.yml")
    proc = run_cli("check", "--select", "ENC004", "--fix", "link.yml", cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (project / "link.yml").is_symlink()
    assert target.read_text(encoding="utf-8") == file_for("plain").replace(ZWSP, "")
