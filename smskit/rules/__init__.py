"""The rule registry: an explicit list, so adding a rule is a reviewed one-line change."""

from __future__ import annotations

import importlib
from functools import cache

from smskit.rules.base import Rule, rule_from_module

# Loader rules first (they have no check function: the loader emits them), then by code.
RULE_MODULES: tuple[str, ...] = (
    "cmp001_not_yaml",
    "cmp002_invalid_campaign",
    "cmp003_unreadable",
    "cmp004_duplicate_campaign",
    "sup001_unknown_suppression",
    "sup002_unused_suppression",
    "dat001_date_format_mixed",
    "dat002_date_format_house_style",
    "dat003_date_impossible",
    "dat004_weekday_mismatch",
    "dat005_date_in_past",
    "enc001_diacritics_lost",
    "enc002_mojibake",
    "enc003_ucs2_forced",
    "enc004_invisible_character",
    "len001_segments_over_budget",
    "len002_body_over_limit",
    "snd002_invalid_sender",
    # Sign-offs, replies, opt-outs and bursts (consistency rules).
    "sig001_signature_mismatch",
    "sig002_signature_missing",
    "sig003_signature_brand",
    "snd001_reply_to_one_way_sender",
    "opt001_opt_out_missing",
    "bur001_message_burst",
    # Audience pre-flight (scope "audience": smskit check --audience).
    "var001_placeholder_undefined",
    "var002_value_empty",
    "var003_value_forces_ucs2",
    "var004_over_budget_for_some",
    "var005_shouting_value",
    "aud001_invalid_number",
    "aud002_duplicate_recipient",
    "aud003_audience_encoding",
    "aud004_opted_out_in_audience",
    "aud005_audience_format",
)


@cache
def all_rules() -> dict[str, Rule]:
    """Every registered rule by code, in registry order."""
    rules = {}
    for name in RULE_MODULES:
        rule = rule_from_module(importlib.import_module(f"smskit.rules.{name}"))
        rules[rule.code] = rule
    return rules


def by_code_or_name(key: str) -> Rule | None:
    rules = all_rules()
    if key.upper() in rules:
        return rules[key.upper()]
    for rule in rules.values():
        if rule.name == key:
            return rule
    return None
