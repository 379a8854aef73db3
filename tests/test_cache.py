"""The on-disk start-up cache: where it lives, hits, misses, corrupt or unwritable folders, keys."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import babel
import pytest
from babel.dates import get_date_format, get_day_names, get_month_names
from hypothesis import given, settings
from hypothesis import strategies as st

from smskit import cache, config
from smskit.text import cldr, date_format, date_names


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SMSKIT_CACHE_DIR", str(folder))
    return folder


class Builder:
    """A build function that counts its calls."""

    def __init__(self, value: object) -> None:
        self.value, self.calls = value, 0

    def __call__(self) -> object:
        self.calls += 1
        return self.value


# --- where ------------------------------------------------------------------------------------


def test_cache_dir_prefers_smskit_then_xdg_then_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SMSKIT_CACHE_DIR", str(tmp_path / "own"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "own"
    monkeypatch.delenv("SMSKIT_CACHE_DIR")
    assert cache.cache_dir() == tmp_path / "xdg" / "smskit"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # invalid by the XDG spec: ignored
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "smskit"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "smskit"


# --- the generic entry ------------------------------------------------------------------------


def test_miss_builds_and_stores_then_hit_reads(cache_dir):
    build = Builder({"a": [1, 2]})
    assert cache.cached("t", "k1", build) == {"a": [1, 2]}
    assert build.calls == 1
    assert len(list(cache_dir.glob("t-*.json"))) == 1
    again = Builder({"a": "different"})
    assert cache.cached("t", "k1", again) == {"a": [1, 2]}  # read back, not rebuilt
    assert again.calls == 0


def test_another_key_is_a_miss(cache_dir):
    cache.cached("t", "version 1", Builder("old"))
    build = Builder("new")
    assert cache.cached("t", "version 2", build) == "new"
    assert build.calls == 1


def test_a_key_is_checked_not_only_its_checksum(cache_dir):
    cache.cached("t", "k1", Builder("one"))
    # An entry under k1's file name that was written for another key (a checksum collision).
    path = cache.entry_path("t", "k1")
    path.write_text(json.dumps({"format": cache.FORMAT, "key": "other", "value": "x"}))
    build = Builder("rebuilt")
    assert cache.cached("t", "k1", build) == "rebuilt"
    assert build.calls == 1


@pytest.mark.parametrize(
    "content",
    [b"", b"{not json", b"\xff\xfe\x00garbage", b'{"format": 1, "key": "k1"', b"[1, 2, 3]"],
    ids=["empty", "broken", "binary", "truncated", "not-an-entry"],
)
def test_corrupt_entry_is_rebuilt_and_rewritten(cache_dir, content):
    cache.cached("t", "k1", Builder("good"))
    path = cache.entry_path("t", "k1")
    path.write_bytes(content)
    build = Builder("good")
    assert cache.cached("t", "k1", build) == "good"
    assert build.calls == 1
    assert json.loads(path.read_text())["value"] == "good"  # repaired for the next run


def test_entry_of_the_wrong_shape_is_rebuilt(cache_dir):
    def decode(value):
        return tuple(value["items"])

    cache.cached("t", "k1", Builder({"oops": 1}))  # stored by an older, different layout
    build = Builder(("x", "y"))
    got = cache.cached("t", "k1", build, decode=decode, encode=lambda v: {"items": list(v)})
    assert got == ("x", "y") and build.calls == 1
    assert cache.cached("t", "k1", Builder(None), decode=decode) == ("x", "y")


def test_unwritable_cache_folder_is_ignored(tmp_path, monkeypatch):
    # A folder that cannot be created (its parent is a file): works as root too.
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SMSKIT_CACHE_DIR", str(blocker / "cache"))
    build = Builder([1])
    assert cache.cached("t", "k1", build) == [1]
    assert cache.cached("t", "k1", build) == [1]
    assert build.calls == 2  # nothing could be stored, so each call builds
    assert blocker.read_text() == "not a folder"


def test_no_key_means_no_cache(cache_dir):
    build = Builder(7)
    assert cache.cached("t", None, build) == 7
    assert cache.cached("t", None, build) == 7
    assert build.calls == 2 and not cache_dir.exists()


def test_no_temporary_files_are_left_behind(cache_dir):
    for i in range(5):
        cache.cached("t", f"k{i}", Builder(i))
    assert sorted(p.suffix for p in cache_dir.iterdir()) == [".json"] * 5


# --- CLDR through Babel -----------------------------------------------------------------------


@pytest.fixture
def fresh_cldr(cache_dir, monkeypatch):
    """Empty in-process memos, so that each lookup goes to the disk cache or Babel."""
    memos = (date_names.cldr_names, date_format.cldr_short_pattern, cldr.babel_key)
    for fn in memos:
        fn.cache_clear()
    calls = {"names": 0, "pattern": 0}
    names_from_babel = date_names._cldr_names_from_babel
    pattern_from_babel = date_format._short_pattern

    def counting_names(language):
        calls["names"] += 1
        return names_from_babel(language)

    def counting_pattern(locale):
        calls["pattern"] += 1
        return pattern_from_babel(locale)

    monkeypatch.setattr(date_names, "_cldr_names_from_babel", counting_names)
    monkeypatch.setattr(date_format, "_short_pattern", counting_pattern)
    yield calls
    for fn in memos:
        fn.cache_clear()


def _clear_memos():
    date_names.cldr_names.cache_clear()
    date_format.cldr_short_pattern.cache_clear()


def _babel_tables(language):
    months, days = {}, {}
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            months[f"{context}-{width}"] = dict(get_month_names(width, context, language))
            days[f"{context}-{width}"] = dict(get_day_names(width, context, language))
    return {"months": months, "days": days}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_cldr_names_from_the_cache_equal_babels(fresh_cldr, language):
    first = date_names.cldr_names(language)
    _clear_memos()
    second = date_names.cldr_names(language)
    assert fresh_cldr["names"] == 1  # the second came from disk
    assert first == second == _babel_tables(language)


@pytest.mark.parametrize("locale", ["fi-FI", "sv-FI", "en-GB", "en-US", "xx-YY"])
def test_short_pattern_from_the_cache_equals_babels(fresh_cldr, locale):
    first = date_format.cldr_short_pattern(locale)
    _clear_memos()
    assert date_format.cldr_short_pattern(locale) == first
    assert fresh_cldr["pattern"] == 1
    if locale != "xx-YY":
        language, region = locale.split("-")
        assert first == get_date_format("short", locale=f"{language}_{region}").pattern


def test_another_babel_version_rebuilds(fresh_cldr, monkeypatch):
    date_names.cldr_names("fi")
    _clear_memos()
    monkeypatch.setattr(cldr, "babel_key", lambda: "babel 99.0 /elsewhere/babel/__init__.py 1")
    assert date_names.cldr_names("fi") == _babel_tables("fi")
    assert fresh_cldr["names"] == 2  # the entry of the installed Babel does not serve another


def test_babel_key_names_the_installed_babel(fresh_cldr):
    key = cldr.babel_key()
    assert key is not None
    assert key.split()[:2] == ["babel", babel.__version__]
    assert str(Path(babel.__file__)) in key


def test_corrupt_cldr_entry_is_rebuilt_from_babel(fresh_cldr, cache_dir):
    date_names.cldr_names("fi")
    _clear_memos()
    (entry,) = [p for p in cache_dir.glob("cldr-*.json") if "names fi" in p.read_text()]
    data = json.loads(entry.read_text())
    del data["value"]["months"]["format-wide"]["12"]  # a table short of December
    entry.write_text(json.dumps(data))
    assert date_names.cldr_names("fi") == _babel_tables("fi")
    assert fresh_cldr["names"] == 2


def test_warm_start_does_not_import_babel(tmp_path):
    code = (
        "import sys\n"
        "from smskit.text.dates import find_dates\n"
        "found = find_dates('Tervetuloa maanantaina 5. kesäkuuta 2017', 'fi-FI')\n"
        "print(len(found), found[0].weekday is not None, 'babel' in sys.modules)\n"
    )
    env = {"SMSKIT_CACHE_DIR": str(tmp_path / "c"), "PATH": "/usr/bin:/bin"}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs == [["1", "True", "True"], ["1", "True", "False"]]


# --- rule packs -------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.text(max_size=5) | st.integers() | st.booleans(), inner, max_size=4
            )
        ),
        max_leaves=20,
    )
)
def test_yaml_data_survives_the_json_entry(value):
    stored = json.loads(json.dumps(cache.to_json(value)))
    back = cache.from_json(stored)
    assert back == value
    assert repr(back) == repr(value)  # the same key types (1 stays 1, True stays True)


def test_dates_are_not_cached():
    with pytest.raises(TypeError):
        cache.to_json({"when": datetime.date(2017, 6, 1)})


@pytest.fixture
def counted_parses(cache_dir, monkeypatch):
    calls = []
    parse = config._parse_yaml

    def counting(data, path):
        calls.append(path.name)
        return parse(data, path)

    monkeypatch.setattr(config, "_parse_yaml", counting)
    return calls


def _settings(cfg):
    return {c: (s.enabled, s.severity, s.options) for c, s in cfg.settings.items()}


def test_packs_are_parsed_once_then_read_from_the_cache(counted_parses, project):
    first = config.load_config(cwd=project)
    assert sorted(counted_parses) == ["default.yml", "en.yml", "fi.yml", "sv.yml"]
    second = config.load_config(cwd=project)
    assert sorted(counted_parses) == ["default.yml", "en.yml", "fi.yml", "sv.yml"]  # no more
    assert (second.locales, second.brands) == (first.locales, first.brands)
    assert _settings(second) == _settings(first)
    # The month forms are keyed by number in the pack: they must stay numbers.
    assert 6 in second.locales["fi"]["months"]["forms"]


def test_a_changed_pack_is_parsed_again(counted_parses, project):
    pack = project / "ours.yml"
    (project / "smskit.yml").write_text("packs: [default, ./ours.yml]\n")
    pack.write_text("rules:\n  LEN001: {budget: 3}\n")
    assert config.load_config(cwd=project).settings["LEN001"].options.budget == 3
    pack.write_text("rules:\n  LEN001: {budget: 4}\n")  # same length: the content decides
    assert config.load_config(cwd=project).settings["LEN001"].options.budget == 4
    assert counted_parses.count("ours.yml") == 2


def test_a_broken_pack_is_reported_every_time(counted_parses, project):
    (project / "smskit.yml").write_text("packs: [./ours.yml]\n")
    (project / "ours.yml").write_text("rules: [unclosed\n")
    for _ in range(2):
        with pytest.raises(config.ConfigError, match="not valid YAML"):
            config.load_config(cwd=project)
    assert counted_parses.count("ours.yml") == 2


def test_a_pack_still_validated_when_read_from_the_cache(counted_parses, project):
    (project / "smskit.yml").write_text("packs: [./ours.yml]\n")
    (project / "ours.yml").write_text("rules:\n  LEN001: {budgte: 3}\n")
    for _ in range(2):
        with pytest.raises(config.ConfigError, match="unknown option 'budgte'"):
            config.load_config(cwd=project)
    assert counted_parses.count("ours.yml") == 1  # parsed once; checked twice


def test_corrupt_pack_entries_are_rebuilt(counted_parses, cache_dir, project):
    config.load_config(cwd=project)
    for entry in cache_dir.glob("pack-*.json"):
        entry.write_text('{"format": 1, "key": "x"')
    again = config.load_config(cwd=project)
    assert 6 in again.locales["fi"]["months"]["forms"]
    assert len(counted_parses) == 8


def test_packs_load_with_an_unwritable_cache(tmp_path, monkeypatch, project):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("SMSKIT_CACHE_DIR", str(blocker / "cache"))
    cfg = config.load_config(cwd=project)
    assert cfg.settings["LEN001"].options.budget == 2 and "fi" in cfg.locales


def test_a_pack_holding_a_date_is_used_but_not_cached(counted_parses, cache_dir, project):
    (project / "smskit.yml").write_text("packs: [default, ./ours.yml]\n")
    (project / "ours.yml").write_text("rules:\n  LEN001: {budget: 3}\nreviewed: 2024-01-01\n")
    for _ in range(2):
        try:
            cfg = config.load_config(cwd=project)
        except config.ConfigError as e:  # what the pack's own checks say of the key, not a crash
            assert "reviewed" in str(e)
        else:
            assert cfg.settings["LEN001"].options.budget == 3
    assert counted_parses.count("ours.yml") == 2  # not cached: parsed each time
