"""Configuration: which rule packs to use, and what they say about each rule, locale and brand.

A pack is a YAML file (built-in packs live in the top-level ``rules/`` folder and ship in the
wheel)::

    rules:
      LEN001: {severity: warning, budget: 2}   # by code or name; options by field name
      BUR001: {enabled: false}
    locales:
      fi: {date_format: d.M.yyyy, ...}
    brands:
      Elisa: {signoff: "Terveisin Elisa"}

The project's configuration is ``smskit.yml`` (or ``[tool.smskit]`` in ``pyproject.toml``) at the
repository root::

    packs: [default, fi, sv, en, ./rules/our-brand.yml]
    select: [ALL]
    ignore: [BUR001]

Anything unknown (a rule, an option, a locale key) is a ``ConfigError``: exit status 2.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from smskit.findings import Severity
from smskit.rules import all_rules, by_code_or_name
from smskit.rules.base import Rule, coerce_option

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

CONFIG_NAMES = ("smskit.yml", ".smskit.yml")
DEFAULT_PACKS = ("default", "fi", "sv", "en")

# Keys a locale block in a pack may hold; rules that read locale data add theirs here.
LOCALE_KEYS: set[str] = {
    "date_format",
    "months",
    "weekdays",
    "diacritic_words",  # ENC001: words with ä/ö/å, so their stripped forms are recognised
    "no_diacritics_words",  # ENC001: words right without ä/ö/å (loanwords, names)
}
BRAND_KEYS: set[str] = {"signoff", "aliases"}
# Sign-offs, replies and opt-outs (SIG001-SIG003, SND001, OPT001).
LOCALE_KEYS |= {
    "signoffs",
    "reply_phrases",
    "reply_exceptions",
    "opt_out_phrases",
    "opt_out_link_patterns",
    "opt_out_example",
}
BRAND_KEYS |= {"opt_out"}
# Keys whose value must be a list of strings, and those whose strings are regular expressions.
LIST_KEYS: set[str] = {
    "aliases",
    "signoffs",
    "reply_phrases",
    "reply_exceptions",
    "opt_out_phrases",
    "opt_out_link_patterns",
}
REGEX_KEYS: set[str] = {"opt_out_link_patterns"}
RULE_KEYS = {"enabled", "severity"}


class ConfigError(Exception):
    """A configuration or rule pack problem: one line naming the file and what to do."""


@dataclass
class RuleSetting:
    rule: Rule
    enabled: bool
    severity: Severity
    options: Any


@dataclass
class Config:
    settings: dict[str, RuleSetting]
    locales: dict[str, dict[str, Any]] = field(default_factory=dict)
    brands: dict[str, dict[str, Any]] = field(default_factory=dict)
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    source: Path | None = None  # the config file, if any
    packs: tuple[Path, ...] = ()

    def active(self) -> list[RuleSetting]:
        """Rules that are enabled in the packs and pass --select/--ignore."""
        return [s for s in self.settings.values() if s.enabled and self.selected(s.rule)]

    def selected(self, rule: Rule) -> bool:
        def hit(keys: tuple[str, ...]) -> int:
            # Longest matching selector wins, as in ruff: ENC003 beats ENC beats ALL.
            best = -1
            for k in keys:
                if k == "ALL":
                    best = max(best, 0)
                elif k == rule.name:
                    best = max(best, len(rule.code))  # a name is as specific as its code
                elif rule.code.startswith(k.upper()):
                    best = max(best, len(k))
            return best

        s, i = hit(self.select), hit(self.ignore)
        return s >= 0 and s > i

    def with_selection(self, select: list[str] | None, ignore: list[str] | None) -> Config:
        for key in [*(select or []), *(ignore or [])]:
            _check_selector(key, "--select/--ignore")
        return replace(
            self,
            select=tuple(select) if select else self.select,
            ignore=(*self.ignore, *(ignore or ())),
        )


def _check_selector(key: str, where: str) -> None:
    if key == "ALL" or by_code_or_name(key):
        return
    if any(code.startswith(key.upper()) for code in all_rules()) and key[:1].isalpha():
        return
    raise ConfigError(f"{where}: unknown rule or prefix '{key}'; `smskit rules` lists them")


def builtin_packs_dir() -> Path:
    """``smskit/packs`` in an installed wheel, the repository's ``rules/`` in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "packs", here.parent / "rules"):
        if (candidate / "default.yml").is_file():
            return candidate
    raise ConfigError("built-in rule packs are missing from the installation; reinstall smskit")


def find_config(start: Path) -> Path | None:
    """Walk up from ``start`` to the repository root looking for the project's configuration."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.smskit]" in pyproject.read_text(errors="replace"):
            return pyproject
        if (folder / ".git").exists():
            return None
    return None


def _read_yaml(path: Path) -> Any:
    return _parse_yaml(_read_bytes(path), path)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None


def _parse_yaml(data: bytes, path: Path) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8; save it as UTF-8") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML: {getattr(e, 'problem', e)}") from None


def _read_pack(path: Path) -> Any:
    """A rule pack's data; parsed once per content and then read from the disk cache.

    Parsing the packs' YAML is most of loading the configuration, and the packs rarely change.
    The entry is keyed by the file's content (its length and two checksums) and PyYAML's
    version; errors are not cached, so a broken pack is reported on every run.
    """
    from smskit.cache import cached, from_json, to_json

    data = _read_bytes(path)
    key = f"pyyaml {yaml.__version__} {len(data)} {zlib.crc32(data):08x} {zlib.adler32(data):08x}"
    return cached("pack", key, lambda: _parse_yaml(data, path), decode=from_json, encode=to_json)


def _raw_config(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    if path.name == "pyproject.toml":
        import tomllib  # only for this file: most projects configure smskit in smskit.yml

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("smskit", {})
        except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"{path}: cannot read [tool.smskit]: {e}") from None
    else:
        data = _read_yaml(path) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: configuration must be a mapping (packs, select, ignore)")
    unknown = set(data) - {"packs", "select", "ignore"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown key(s) {', '.join(sorted(unknown))}; allowed: packs, select, ignore"
        )
    return data


def _resolve_pack(ref: str, base: Path) -> Path:
    if "/" in ref or ref.endswith((".yml", ".yaml")):
        try:
            path = (base / ref).resolve()
        except (OSError, RuntimeError):  # a symlink loop
            raise ConfigError(f"rule pack {ref} is a symbolic link loop; fix the link") from None
    else:
        path = builtin_packs_dir() / f"{ref}.yml"
        if not path.is_file():
            known = sorted(p.stem for p in builtin_packs_dir().glob("*.yml"))
            raise ConfigError(f"unknown built-in pack '{ref}'; built-in packs: {', '.join(known)}")
    if not path.is_file():
        raise ConfigError(f"rule pack {ref} not found (looked for {path})")
    return path


def load_config(config_path: Path | None = None, cwd: Path | None = None) -> Config:
    """The effective configuration: built-in defaults, then the packs the project names."""
    path = config_path if config_path is not None else find_config(cwd or Path.cwd())
    if config_path is not None and not config_path.is_file():
        raise ConfigError(f"{config_path}: configuration file not found")
    raw = _raw_config(path)
    base = path.parent if path else Path.cwd()
    refs = raw.get("packs", list(DEFAULT_PACKS))
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        raise ConfigError(f"{path}: 'packs' must be a list of pack names or paths")
    settings = {
        code: RuleSetting(rule, True, rule.severity, rule.default_options())
        for code, rule in all_rules().items()
    }
    config = Config(settings=settings, source=path)
    try:
        packs = [_resolve_pack(r, base) for r in refs]
    except ConfigError as e:
        raise ConfigError(f"{path}: {e}" if path else str(e)) from None
    for pack in packs:
        apply_pack(config, pack)
    config.packs = tuple(packs)
    for key in ("select", "ignore"):
        if key in raw:
            value = raw[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{path}: '{key}' must be a list of rule codes or prefixes")
            for v in value:
                _check_selector(v, str(path))
            setattr(config, key, tuple(value))
    return config


def apply_pack(config: Config, path: Path) -> None:
    data = _read_pack(path) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a rule pack must be a mapping (rules, locales, brands)")
    unknown = set(data) - {"rules", "locales", "brands", "description"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown key(s) {', '.join(sorted(unknown))}; allowed: rules, locales, brands"
        )
    for section in ("rules", "locales", "brands"):
        if not isinstance(data.get(section) or {}, dict):
            raise ConfigError(
                f"{path}: '{section}' must be a mapping, e.g. "
                + {
                    "rules": "rules: {LEN001: {budget: 3}}",
                    "locales": "locales: {fi: {date_format: d.M.yyyy}}",
                    "brands": 'brands: {Elisa: {signoff: "Terveisin Elisa"}}',
                }[section]
            )
    for key, entry in (data.get("rules") or {}).items():
        rule = by_code_or_name(str(key))
        if rule is None:
            raise ConfigError(f"{path}: unknown rule '{key}'; `smskit rules` lists them")
        _apply_rule(config.settings[rule.code], entry if entry is not None else {}, path)
    for lang, block in (data.get("locales") or {}).items():
        _merge_block(config.locales, str(lang), block, LOCALE_KEYS, path, "locale")
    for brand, block in (data.get("brands") or {}).items():
        _merge_block(config.brands, str(brand), block, BRAND_KEYS, path, "brand")


def _apply_rule(setting: RuleSetting, entry: Any, path: Path) -> None:
    rule = setting.rule
    if not isinstance(entry, dict):
        raise ConfigError(
            f"{path}: rule {rule.code} must map to settings, e.g. {{severity: warning}}"
        )
    fields = rule.option_fields()
    opts = {}
    for key, value in entry.items():
        if key == "enabled":
            if not isinstance(value, bool):
                raise ConfigError(f"{path}: {rule.code} 'enabled' must be true or false")
            setting.enabled = value
        elif key == "severity":
            try:
                setting.severity = Severity(value)
            except ValueError:
                raise ConfigError(
                    f"{path}: {rule.code} severity '{value}'; use error, warning or info"
                ) from None
        elif key in fields:
            try:
                opts[key] = coerce_option(rule, key, value)
            except ValueError as e:
                raise ConfigError(f"{path}: {e}") from None
        else:
            known = ", ".join(sorted(RULE_KEYS | set(fields)))
            raise ConfigError(f"{path}: unknown option '{key}' for {rule.code}; known: {known}")
    if opts:
        setting.options = replace(setting.options, **opts)


def _check_value(key: str, value: Any, path: Path, where: str) -> None:
    if key in LIST_KEYS and (
        not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise ConfigError(f"{path}: '{key}' of {where} must be a list of non-empty strings")
    for pattern in value if key in REGEX_KEYS else ():
        try:
            # With the flag the matchers use, so that theirs comes from re's cache.
            re.compile(pattern, re.IGNORECASE)
        except re.error as e:
            raise ConfigError(
                f"{path}: '{key}' of {where}: {pattern!r} is not a regular expression ({e})"
            ) from None


def _merge_block(
    into: dict[str, dict[str, Any]], name: str, block: Any, allowed: set[str], path: Path, what: str
) -> None:
    if not isinstance(block, dict):
        raise ConfigError(f"{path}: {what} '{name}' must be a mapping")
    unknown = set(block) - allowed
    if unknown:
        raise ConfigError(
            f"{path}: unknown {what} key(s) {', '.join(sorted(unknown))} in '{name}'; "
            f"known: {', '.join(sorted(allowed))}"
        )
    for key, value in block.items():
        _check_value(key, value, path, f"{what} '{name}'")
    if what == "locale":
        from smskit.text.date_names import DatePackError, check_pack

        try:
            check_pack(name, block)
        except DatePackError as e:
            raise ConfigError(f"{path}: {e}") from None
    _merge_into(into.setdefault(name, {}), block)


def _merge_into(target: dict[str, Any], block: dict[str, Any]) -> None:
    for key, value in block.items():
        # Lists extend (a team adds its phrases), mappings merge key by key (a team adds the
        # forms of one month), everything else replaces.
        if isinstance(value, list) and isinstance(target.get(key), list):
            target[key] = [*target[key], *(v for v in value if v not in target[key])]
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            merged = dict(target[key])
            _merge_into(merged, value)
            target[key] = merged
        else:
            target[key] = value
