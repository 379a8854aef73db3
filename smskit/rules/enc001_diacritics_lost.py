"""ENC001 diacritics-lost: a Finnish or Swedish word that lost its ä, ö or å.

Catches words written without their dots ("kaytossa" for "käytössä", "jalkeen" for "jälkeen")
or with the letters turned into "?" ("K?ytt?j?tunnus" for "Käyttäjätunnus"), in campaigns
whose locale is Finnish or Swedish. This happens when text passes through a system or keyboard
that only knows English letters. To a customer the message looks careless, or like a scam.

How it decides: Finnish words are checked with Voikko, the Finnish spell-checker. A word is
reported only when Voikko rejects it as written and accepts it with ä/ö put back (the fewest
letters changed wins), so correct Finnish is never reported. Without Voikko (not installed, or
``SMSKIT_NO_VOIKKO=1``), and always for Swedish (Voikko has no Swedish), the rule falls back
to the same word written with its ä/ö/å elsewhere in the campaign, in the other campaigns
checked together or in the locale pack's ``diacritic_words``, and for Finnish to vowel harmony
(a Finnish word does not mix a/o/u with y, so "hyvaa" has lost its dots); such findings say
they were made without Voikko. Install Voikko with ``make voikko`` (Debian packages
libvoikko1 and voikko-fi).

Never reported: names and brands (capitalised words in mid-sentence, the campaign's brand and
sender), words in capitals (codes such as KESAALE), URLs, e-mail addresses, placeholders such
as {first_name}, and words listed in the locale pack's ``no_diacritics_words`` (loanwords like
"sale" or "area") or in the ``allow`` option.

Bad::

    body: "Palvelu on kaytossa paivityksen jalkeen."

Good::

    body: "Palvelu on käytössä päivityksen jälkeen."

The fix writes the restored word. It is unsafe (applied only with ``--unsafe-fixes``): a word
can have more than one restoration, so read it before you send.

Options: ``allow`` (list of words never reported, e.g. product names written in lowercase).
"""

from __future__ import annotations

import re
from collections import ChainMap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from smskit.findings import Edit, Fix, Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context
from smskit.text.diacritics import (
    LANGUAGES,
    LostDiacritic,
    find_lost_diacritics,
    known_forms,
    voikko_unavailable_reason,
)

CODE = "ENC001"
NAME = "diacritics-lost"
SEVERITY = Severity.ERROR
SCOPE = "campaign"

_WORDS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Options:
    allow: tuple[str, ...] = ()


def check(campaign: Campaign, options: Options, ctx: Context) -> Iterator[Problem]:
    language = campaign.language
    if language not in LANGUAGES:
        return
    locale = ctx.locale(language)
    ignore = _ignored_words(campaign, options, locale)
    project = _project(ctx, language, locale)
    if campaign in project.campaigns:
        known: Mapping[str, str] = project.forms  # its own words are in there already
        settled = project.settled
    else:  # checked on its own, outside this run's campaigns
        known = _LazyForms(lambda: ChainMap(_campaign_forms(campaign), project.forms))
        settled = None
    for msg in campaign.messages:
        for hit in find_lost_diacritics(
            msg.body, language, known=known, ignore=ignore, settled=settled
        ):
            fix = None
            if hit.restored is not None:
                fix = Fix(
                    f"write '{hit.restored}'",
                    msg.body_node,
                    (Edit(hit.start, hit.end, hit.restored),),
                    safe=False,
                )
            yield Problem(
                _message(hit, language),
                at=msg.mark_at(hit.start),
                end=msg.mark_at(hit.end),
                message_id=msg.id,
                fix=fix,
                extra={
                    "word": hit.word,
                    "restored": hit.restored,
                    "method": hit.method,
                    "voikko": hit.voikko,
                    "alternatives": list(hit.alternatives),
                },
            )


def _ignored_words(campaign: Campaign, options: Options, locale: dict) -> set[str]:
    words = {w.lower() for w in _WORDS.findall(f"{campaign.brand} {campaign.sender}")}
    words.update(str(w).lower() for w in locale.get("no_diacritics_words", ()))
    words.update(w.lower() for w in options.allow)
    return words


class _LazyForms(Mapping[str, str]):
    """Known spellings, collected only when a word needs them (rare with Voikko)."""

    def __init__(self, build: Callable[[], Mapping[str, str]]) -> None:
        self._build = build
        self._forms: Mapping[str, str] | None = None

    def _get(self) -> Mapping[str, str]:
        if self._forms is None:
            self._forms = self._build()
        return self._forms

    def __getitem__(self, key: str) -> str:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


def _campaign_forms(campaign: Campaign) -> dict[str, str]:
    return known_forms(m.body for m in campaign.messages)


class _Project:
    """What ENC001 keeps for one run and language: the campaigns, their words with ä/ö/å
    (built only when a word needs them) and the fallback's cache of settled words."""

    def __init__(self, campaigns: list[Campaign], language: str, locale: dict) -> None:
        self.source = campaigns
        self.campaigns = _IdentitySet(campaigns)
        self.settled: set[str] = set()
        self.forms = _LazyForms(lambda: self._build(language, locale))

    def _build(self, language: str, locale: dict) -> dict[str, str]:
        forms = known_forms(str(w) for w in locale.get("diacritic_words", ()))
        bodies = (m.body for c in self.source if c.language == language for m in c.messages)
        forms.update(known_forms(bodies))
        return forms


class _IdentitySet:
    def __init__(self, items: list) -> None:
        self._ids = {id(i) for i in items}

    def __contains__(self, item: object) -> bool:
        return id(item) in self._ids


def _project(ctx: Context, language: str, locale: dict) -> _Project:
    # Built once per run: ctx.campaigns is the list of every campaign checked together.
    return ctx.memo((CODE, "project", language), lambda: _Project(ctx.campaigns, language, locale))


def _message(hit: LostDiacritic, language: str) -> str:
    if hit.method == "question-mark":
        text = f"'{hit.word}' has '?' in place of a letter (ä, ö or å?): write the right letter"
    elif "?" in hit.word:
        text = f"'{hit.word}' has '?' in place of {hit.lost_letters}: write '{hit.restored}'"
    elif hit.method == "harmony":
        text = (
            f"'{hit.word}' mixes a/o/u with y, so it has probably lost its {hit.lost_letters}: "
            f"write '{hit.restored}'"
        )
    else:
        text = f"'{hit.word}' has lost its {hit.lost_letters}: write '{hit.restored}'"
    if hit.alternatives:
        text += " (or " + " or ".join(f"'{a}'" for a in hit.alternatives) + ")"
    if hit.voikko:
        return text
    basis = {
        "known": ", against the same word written with its dots elsewhere",
        "harmony": ", by vowel harmony",
    }.get(hit.method, "")
    if language == "sv":
        return f"{text} — checked without Voikko (it has no Swedish){basis}"
    reason = voikko_unavailable_reason() or "it is not available"
    return f"{text} — checked without Voikko ({reason}){basis}; `make voikko` for a full check"
