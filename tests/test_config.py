"""Configuration discovery, rule packs, --select/--ignore, suppressions and duplicate slugs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smskit.config import ConfigError, builtin_packs_dir, find_config, load_config
from smskit.findings import Severity
from smskit.rules import all_rules
from tests.helpers import check, codes, run_cli, write_campaign

ZWSP = "\u200b"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- discovery ------------------------------------------------------------------------------


def test_config_is_found_walking_up_to_the_repository_root(project: Path) -> None:
    cfg = write(project / "smskit.yml", "packs: [default]\n")
    deep = project / "campaigns" / "2024" / "spring"
    deep.mkdir(parents=True)
    assert find_config(deep) == cfg
    assert load_config(cwd=deep).source == cfg


def test_the_git_folder_stops_the_walk(tmp_path: Path) -> None:
    write(tmp_path / "smskit.yml", "packs: [nope]\n")  # outside the repository: never read
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub").mkdir()
    assert find_config(repo / "sub") is None
    assert load_config(cwd=repo / "sub").source is None


def test_hidden_config_name_and_pyproject(project: Path) -> None:
    write(project / "pyproject.toml", "[project]\nname = 'x'\n")  # no [tool.smskit]: skipped
    hidden = write(project / ".smskit.yml", "packs: [default]\n")
    assert find_config(project) == hidden
    hidden.unlink()
    pyproject = write(
        project / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.smskit]\npacks = ["default"]\nignore = ["SND002"]\n',
    )
    config = load_config(cwd=project)
    assert config.source == pyproject
    assert "SND002" not in {s.rule.code for s in config.active()}


def test_smskit_yml_wins_over_pyproject_in_the_same_folder(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.smskit]\nignore = ["ENC004"]\n')
    cfg = write(project / "smskit.yml", "ignore: [SND002]\n")
    config = load_config(cwd=project)
    assert config.source == cfg
    active = {s.rule.code for s in config.active()}
    assert "ENC004" in active and "SND002" not in active


def test_without_config_the_builtin_packs_apply(project: Path) -> None:
    config = load_config(cwd=project)
    assert [p.stem for p in config.packs] == ["default", "fi", "sv", "en"]
    assert all(p.parent == builtin_packs_dir() for p in config.packs)
    assert {s.rule.code for s in config.active()} == set(all_rules())
    assert config.settings["LEN001"].options.budget == 2


# -- packs ----------------------------------------------------------------------------------


def test_packs_by_name_and_path_later_overrides_earlier_lists_extend(project: Path) -> None:
    write(project / "smskit.yml", "packs: [default, ./policy/base.yml, policy/team.yml]\n")
    write(
        project / "policy" / "base.yml",
        "rules:\n"
        "  ENC004: {severity: warning}\n"
        "  segments-over-budget: {budget: 3, severity: error}\n"
        "brands:\n"
        "  Elisa: {signoff: 't. Elisa', aliases: [Elisa Oyj, Elisa Oy]}\n",
    )
    write(
        project / "policy" / "team.yml",
        "rules:\n"
        "  ENC004: {severity: info}\n"
        "  LEN001: {budget: 4}\n"
        "  SND002: {enabled: false}\n"
        "brands:\n"
        "  Elisa: {signoff: Terveisin Elisa, aliases: [Elisa Oy, Elisa Suomi]}\n",
    )
    config = load_config(cwd=project)
    assert [p.name for p in config.packs] == ["default.yml", "base.yml", "team.yml"]
    assert config.settings["ENC004"].severity is Severity.INFO
    assert config.settings["LEN001"].options.budget == 4
    assert config.settings["LEN001"].severity is Severity.ERROR  # kept from base.yml
    assert config.settings["SND002"].enabled is False
    assert "SND002" not in {s.rule.code for s in config.active()}
    assert config.brands["Elisa"] == {
        "signoff": "Terveisin Elisa",
        "aliases": ["Elisa Oyj", "Elisa Oy", "Elisa Suomi"],
    }


def test_a_pack_severity_reaches_the_findings(project: Path) -> None:
    write(project / "smskit.yml", "packs: [default, ./p.yml]\n")
    write(project / "p.yml", "rules:\n  ENC004: {severity: warning}\n")
    path = write_campaign(project, "a.yml", messages=[{"id": "a", "body": f"Hei{ZWSP}"}])
    result = check([path], project)
    assert [(f.code, f.severity) for f in result.findings] == [("ENC004", Severity.WARNING)]
    assert result.errors == 0 and result.warnings == 1


@pytest.mark.parametrize(
    ("pack", "words"),
    [
        ("rules:\n  ENC999: {}\n", ["unknown rule 'ENC999'"]),
        ("rules:\n  LEN001: {budgett: 3}\n", ["unknown option 'budgett' for LEN001", "budget"]),
        ("rules:\n  LEN001: {budget: '3'}\n", ["LEN001 option 'budget'", "int"]),
        ("rules:\n  LEN001: {budget: true}\n", ["LEN001 option 'budget'", "int"]),
        ("rules:\n  ENC004: {severity: high}\n", ["'high'", "error, warning or info"]),
        ("rules:\n  ENC004: error\n", ["ENC004 must map to settings"]),
        ("locales:\n  fi: {datefmt: x}\n", ["unknown locale key(s) datefmt", "date_format"]),
        ("brands:\n  Elisa: {sign_off: x}\n", ["unknown brand key(s) sign_off", "signoff"]),
        ("brands: [Elisa]\n", ["'brands' must be a mapping"]),
        ("rulez: {}\n", ["unknown key(s) rulez", "rules, locales, brands"]),
        ("rules: {ENC004: {severity: error}\n", ["p.yml:2", "not valid YAML"]),
    ],
)
def test_pack_errors(project: Path, pack: str, words: list[str]) -> None:
    write(project / "smskit.yml", "packs: [default, ./p.yml]\n")
    write(project / "p.yml", pack)
    with pytest.raises(ConfigError) as err:
        load_config(cwd=project)
    message = str(err.value)
    assert "p.yml" in message
    for w in words:
        assert w in message


def test_config_error_exits_2_with_one_line(project: Path) -> None:
    write(project / "smskit.yml", "packs: [default, ./p.yml]\n")
    write(project / "p.yml", "rules:\n  LEN001: {budget: many}\n")
    write_campaign(project, "a.yml")
    proc = run_cli("check", "a.yml", cwd=project)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == (
        f"smskit: error: {project / 'p.yml'}: LEN001 option 'budget' must be of type int\n"
    )


# -- --select / --ignore ---------------------------------------------------------------------


def active(project: Path, select=None, ignore=None) -> set[str]:
    config = load_config(cwd=project).with_selection(select, ignore)
    return {s.rule.code for s in config.active()}


ALL = set(all_rules())
ENC = {c for c in ALL if c.startswith("ENC")}
SND = {c for c in ALL if c.startswith("SND")}


@pytest.mark.parametrize(
    ("select", "ignore", "want"),
    [
        (None, None, ALL),
        (["ALL"], None, ALL),
        (["ENC004"], None, {"ENC004"}),
        (["invisible-or-control-character"], None, {"ENC004"}),
        (["ENC"], None, ENC),
        (["enc"], None, ENC),  # prefixes are not case-sensitive
        (["E"], None, ENC),
        (["ALL"], ["ENC"], ALL - ENC),
        (["ENC"], ["ENC004"], ENC - {"ENC004"}),
        (["ENC004"], ["ENC"], {"ENC004"}),  # longest match wins
        (["ENC004"], ["ALL"], {"ENC004"}),
        (["ENC004"], ["ENC004"], set()),  # a tie goes to --ignore
        (["ucs2-forced"], ["ENC003"], set()),  # a name is as specific as its code
        (["ENC003"], ["ucs2-forced"], set()),
        (["ENC", "SND002"], ["invisible-or-control-character"], (ENC - {"ENC004"}) | {"SND002"}),
    ],
)
def test_select_and_ignore(project: Path, select, ignore, want: set[str]) -> None:
    assert active(project, select, ignore) == want


def test_config_select_and_cli_selection_combine(project: Path) -> None:
    write(project / "smskit.yml", "select: [ENC, SND]\nignore: [ENC003]\n")
    assert active(project) == (ENC | SND) - {"ENC003"}
    # --select replaces the configured selection; --ignore adds to the configured one.
    assert active(project, ["SUP"], None) == {"SUP001", "SUP002"}
    assert active(project, None, ["SND"]) == ENC - {"ENC003"}


@pytest.mark.parametrize("selector", ["ENC999", "XYZ", "no-such-rule", "3", "ALL_"])
def test_unknown_selectors_are_errors(project: Path, selector: str) -> None:
    with pytest.raises(ConfigError, match="smskit rules"):
        load_config(cwd=project).with_selection([selector], None)
    with pytest.raises(ConfigError, match="smskit rules"):
        load_config(cwd=project).with_selection(None, [selector])


# -- suppressions -----------------------------------------------------------------------------


def campaign_with(project: Path, name: str = "s.yml", **parts: str) -> Path:
    text = (
        f"campaign: {Path(name).stem}\nbrand: Elisa\nlocale: fi-FI\nsender: Elisa\n"
        + parts.get("top", "")
        + "messages:\n"
        + f"  - id: dirty\n    body: 'Hei{ZWSP} kaikki'\n"
        + parts.get("dirty", "")
        + "  - id: clean\n    body: Hei kaikki\n"
        + parts.get("clean", "")
    )
    return write_campaign(project, name, text=text)


def test_campaign_level_suppression(project: Path) -> None:
    path = campaign_with(project, top="suppress: {ENC004: 'the ZWSP is wanted here'}\n")
    assert codes(check([path], project)) == []


def test_message_level_suppression_and_unused_one(project: Path) -> None:
    path = campaign_with(
        project,
        dirty="    suppress: {ENC004: 'wanted'}\n",
        clean="    suppress: {ENC004: 'left over'}\n",
    )
    result = check([path], project)
    assert [(f.code, f.line, f.column, f.message_id) for f in result.findings] == [
        ("SUP002", 11, 16, "clean")
    ]
    assert "message 'clean'" in result.findings[0].message
    assert result.findings[0].severity is Severity.WARNING


def test_message_level_suppression_does_not_reach_other_messages(project: Path) -> None:
    path = campaign_with(project, clean="    suppress: {ENC004: 'wrong message'}\n")
    assert sorted(codes(check([path], project))) == ["ENC004", "SUP002"]


def test_unused_campaign_level_suppression(project: Path) -> None:
    path = campaign_with(project, top="suppress: {SND002: 'the sender is fine'}\n")
    result = check([path], project)
    assert sorted(codes(result)) == ["ENC004", "SUP002"]
    sup = next(f for f in result.findings if f.code == "SUP002")
    assert (sup.line, sup.column) == (5, 12) and "the campaign" in sup.message


def test_unknown_suppression_code(project: Path) -> None:
    path = campaign_with(project, top="suppress: {ENC033: 'typo for ENC003'}\n")
    result = check([path], project)
    sup = next(f for f in result.findings if f.code == "SUP001")
    assert (sup.line, sup.column) == (5, 12) and "ENC033" in sup.message
    assert sup.severity is Severity.ERROR
    assert "SUP002" not in codes(result)


def test_suppression_needs_a_reason(project: Path) -> None:
    path = campaign_with(project, top="suppress: {ENC004: ''}\n")
    result = check([path], project)
    assert codes(result) == ["CMP002"]
    assert "needs a reason" in result.findings[0].message


@pytest.mark.parametrize(
    ("config", "selection"),
    [
        ("packs: [default, ./off.yml]\n", {}),  # disabled in a pack
        ("", {"ignore": ["ENC004"]}),  # ignored on the command line
        ("", {"select": ["SND", "SUP"]}),  # not selected
        ("ignore: [invisible-or-control-character]\n", {}),  # ignored in the configuration
    ],
)
def test_unused_suppression_not_reported_for_rules_that_did_not_run(
    project: Path, config: str, selection: dict
) -> None:
    write(project / "off.yml", "rules:\n  ENC004: {enabled: false}\n")
    if config:
        write(project / "smskit.yml", config)
    path = campaign_with(project, clean="    suppress: {ENC004: 'left over'}\n")
    assert codes(check([path], project, **selection)) == []


def test_sup002_can_be_switched_off(project: Path) -> None:
    path = campaign_with(project, clean="    suppress: {ENC004: 'left over'}\n")
    assert codes(check([path], project, ignore=["SUP002"])) == ["ENC004"]


# -- duplicate slugs ---------------------------------------------------------------------------


def test_duplicate_slug_across_files(project: Path) -> None:
    a = write_campaign(project, "a/spring.yml")
    b = write_campaign(project, "b/spring.yml")
    c = write_campaign(project, "c/other.yml")
    result = check([a, b, c], project)
    assert [(f.code, Path(f.file).as_posix(), f.line, f.column) for f in result.findings] == [
        ("CMP004", "b/spring.yml", 1, 11)
    ]
    assert "a/spring.yml" in result.findings[0].message
    assert result.errors == 1
    # Checked one at a time, neither file has a problem.
    assert codes(check([a], project)) == codes(check([b], project)) == []


def test_duplicate_slug_can_be_ignored(project: Path) -> None:
    a = write_campaign(project, "a/spring.yml")
    b = write_campaign(project, "b/spring.yml")
    assert codes(check([a, b], project, ignore=["CMP004"])) == []


def test_folder_walk_skips_rule_packs_but_not_campaigns(tmp_path):
    from smskit.lint import discover

    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "ours.yml").write_text("rules:\n  LEN001: {budget: 3}\n")
    (tmp_path / "broken.yml").write_text("campaign: x\nrules: 1\n")
    (tmp_path / "c.yml").write_text("campaign: y\n")
    found = sorted(p.name for p in discover([str(tmp_path)]))
    assert found == ["broken.yml", "c.yml"]
    # named explicitly, a pack is still checked (and reported as not a campaign)
    assert [p.name for p in discover([str(tmp_path / "rules" / "ours.yml")])] == ["ours.yml"]


def _discover_by_os_walk(paths: list[str]) -> list[str]:
    """The reference for discover(): os.walk and Path.resolve, as the first version did it."""
    import os

    found = []
    for p in paths:
        if not Path(p).is_dir():
            found.append(Path(p))
            continue
        for root, dirs, files in os.walk(p):
            dirs[:] = sorted(d for d in dirs if d not in {".git", "node_modules"} and d[0] != ".")
            found += [Path(root) / f for f in sorted(files) if f.endswith((".yml", ".yaml"))]
    seen, out = set(), []
    for f in found:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            out.append(str(f))
    return out


def test_folder_walk_order_links_and_duplicates(tmp_path):
    import os

    from smskit.lint import discover

    for rel in ["b/z.yml", "b/a.yaml", "a/deep/er/x.yml", "a/y.yml", "top.yml", "Top2.yml"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("campaign: x\n")
    (tmp_path / "a" / "notes.txt").write_text("not a campaign")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "h.yml").write_text("campaign: h\n")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "n.yml").write_text("campaign: n\n")
    os.symlink("b", tmp_path / "linked-folder")  # listed by the walk but not entered
    os.symlink("a/y.yml", tmp_path / "c-link.yml")  # the same file as a/y.yml: checked once
    os.symlink("missing.yml", tmp_path / "dangling.yml")  # kept: the loader reports it
    os.mkfifo(tmp_path / "a" / "pipe.yml")  # kept, and not read (it would block)
    args = [str(tmp_path), str(tmp_path / "a" / "y.yml"), str(tmp_path / "b" / "z.yml")]
    got = [str(p) for p in discover(args)]
    assert got == _discover_by_os_walk(args)
    assert [os.path.relpath(p, tmp_path) for p in got] == [
        "Top2.yml", "c-link.yml", "dangling.yml", "top.yml",
        "a/pipe.yml", "a/deep/er/x.yml", "b/a.yaml", "b/z.yml",
    ]  # fmt: skip


_PARTS = st.sampled_from(["a", "b.yml", "..", ".", "", "c d", "wt-perf", "work", "ä"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PARTS, max_size=6), st.booleans(), st.sampled_from(["/work/wt-perf", "/", "/a"]))
def test_display_path_is_relpath_below_the_folder_and_the_path_elsewhere(parts, absolute, cwd):
    import os

    from smskit.lint import display_path

    raw = os.path.join(*parts) if parts else "."
    path = Path("/" + raw if absolute else raw)
    rel = os.path.relpath(os.path.join(cwd, path), cwd)  # what it was: relpath from cwd
    assert display_path(path, cwd) == (str(path) if rel.startswith("..") else rel)
