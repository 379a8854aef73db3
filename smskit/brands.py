"""Brands as the sign-off rules see them: names, aliases, pack policy and each message's sign-off.

A brand is known from the campaigns checked together (their ``brand``) and from the packs'
``brands:`` blocks; an alias ("Elisa Oyj") counts as its brand. Everything is computed once per
run and kept in ``ctx.cache``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from smskit.model import Campaign, Message
from smskit.phrases import signoff_finder
from smskit.rules.base import Context
from smskit.sender import can_receive_replies
from smskit.text.signoff import Signoff, mention_regex, mentions, name_key, normalise

_BOOK_KEY = "smskit.brands.book"
_SIGNOFFS_KEY = "smskit.brands.signoffs"
_USAGE_KEY = "smskit.brands.usage"
_NAMES_KEY = "smskit.brands.names"
_OTHER_KEY = "smskit.brands.other"


@dataclass
class BrandBook:
    """Every brand of the run by its canonical name (as written in the pack or first campaign)."""

    canonical: dict[str, str] = field(default_factory=dict)  # name or alias key -> brand
    names: dict[str, list[str]] = field(default_factory=dict)  # brand -> [brand, *aliases]

    _regex: re.Pattern[str] | None = field(default=None, init=False, repr=False)
    _resolved: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def add(self, brand: str, aliases: Sequence[str] = ()) -> str:
        key = name_key(brand)
        if not key:
            return brand
        canon = self.canonical.setdefault(key, brand)
        names = self.names.setdefault(canon, [canon])
        for alias in aliases:
            akey = name_key(alias)
            if akey and akey not in self.canonical:
                self.canonical[akey] = canon
                names.append(alias)
        return canon

    def resolve(self, brand: str) -> str:
        """The canonical brand for a campaign's ``brand`` (an alias resolves to its brand)."""
        found = self._resolved.get(brand)
        if found is None:
            found = self._resolved[brand] = self.canonical.get(name_key(brand), brand)
        return found

    def all_names(self) -> list[str]:
        return [n for names in self.names.values() for n in names]

    def mentioned(self, text: str) -> list[str]:
        """The brands ``text`` mentions (by name or alias, Finnish case endings allowed)."""
        if not self.canonical:
            return []
        if self._regex is None:
            self._regex = mention_regex(sorted(self.canonical, key=len, reverse=True))
        found = (
            self.canonical.get(name_key(m.group(1))) for m in self._regex.finditer(text.casefold())
        )
        return list(dict.fromkeys(b for b in found if b))


def brand_book(ctx: Context) -> BrandBook:
    return ctx.memo(_BOOK_KEY, lambda: _brand_book(ctx))


def _brand_book(ctx: Context) -> BrandBook:
    book = BrandBook()
    # Pack brands first: their spelling is canonical and their aliases are declared.
    for brand, policy in ctx.brands.items():
        book.add(brand, list(policy.get("aliases") or ()))
    for c in ctx.campaigns:
        book.add(c.brand)
    return book


def brand_policy(ctx: Context, brand: str) -> dict:
    """The pack's ``brands:`` block for a campaign's brand (matched through aliases, any case)."""
    canon = brand_book(ctx).resolve(brand)
    if canon in ctx.brands:
        return ctx.brands[canon]
    for name, policy in ctx.brands.items():
        if name_key(name) == name_key(canon):
            return policy
    return {}


def own_names(ctx: Context, campaign: Campaign) -> tuple[str, ...]:
    """Names a campaign may sign with: its brand, the brand's aliases, an alphanumeric sender."""
    return _names(ctx, campaign)[0]


def _signing_names(ctx: Context, campaign: Campaign) -> tuple[str, ...]:
    # Own names first, then every brand of the run: "t. dna" is a sign-off even in lowercase.
    return _names(ctx, campaign)[1]


def _names(ctx: Context, campaign: Campaign) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(own names, signing names): both depend only on the brand and the sender."""
    key = (_NAMES_KEY, campaign.brand, campaign.sender)
    return ctx.memo(key, lambda: _build_names(ctx, campaign))


def _build_names(ctx: Context, campaign: Campaign) -> tuple[tuple[str, ...], tuple[str, ...]]:
    book = brand_book(ctx)
    names = list(book.names.get(book.resolve(campaign.brand), [campaign.brand]))
    if campaign.brand not in names:
        names.append(campaign.brand)
    if not can_receive_replies(campaign.sender):
        names.append(campaign.sender)
    return tuple(names), (*names, *book.all_names())


def campaign_signoffs(ctx: Context, campaign: Campaign) -> list[Signoff | None]:
    """Each message's sign-off (None where it has none), in message order."""
    # By identity: ctx.campaigns keeps every campaign of the run alive, so ids are not reused.
    return ctx.memo((_SIGNOFFS_KEY, id(campaign)), lambda: _campaign_signoffs(ctx, campaign))


def _campaign_signoffs(ctx: Context, campaign: Campaign) -> list[Signoff | None]:
    names = _signing_names(ctx, campaign)
    finder = signoff_finder(ctx, campaign.language)
    return [finder.find(m.body, names) for m in campaign.messages]


def other_brand(ctx: Context, campaign: Campaign, signoff: Signoff) -> str | None:
    """Another known brand the sign-off names instead of the campaign's own, if any."""
    key = (_OTHER_KEY, campaign.brand, campaign.sender, signoff.name)
    return ctx.memo(key, lambda: _other_brand(ctx, campaign, signoff))


def _other_brand(ctx: Context, campaign: Campaign, signoff: Signoff) -> str | None:
    book = brand_book(ctx)
    own = book.resolve(campaign.brand)
    others = [b for b in book.mentioned(signoff.name) if b != own]
    if not others or any(mentions(signoff.name, n) for n in own_names(ctx, campaign)):
        return None
    return others[0]


class Usage(NamedTuple):
    """One message's sign-off in its brand's own name (a named tuple: one per message)."""

    campaign: Campaign
    message: Message
    signoff: Signoff


class Target(NamedTuple):  # quicker to define and to make than a frozen dataclass
    """The sign-off a brand should use: set by a pack, or the majority of the run."""

    text: str
    key: str
    from_pack: bool
    count: int  # messages of the run that use it


def brand_usage(ctx: Context) -> dict[str, list[Usage]]:
    """Every own-brand sign-off of the run by canonical brand, in file and message order.

    Sign-offs naming another brand are left out: SIG003 reports them.
    """
    return ctx.memo(_USAGE_KEY, lambda: _brand_usage(ctx))


def _brand_usage(ctx: Context) -> dict[str, list[Usage]]:
    book = brand_book(ctx)
    usage: dict[str, list[Usage]] = {}
    for c in ctx.campaigns:
        brand = book.resolve(c.brand)
        for msg, so in zip(c.messages, campaign_signoffs(ctx, c), strict=True):
            if so is not None and other_brand(ctx, c, so) is None:
                usage.setdefault(brand, []).append(Usage(c, msg, so))
    return usage


def brand_target(ctx: Context, brand: str) -> Target | None:
    """The brand's sign-off: the pack's ``signoff``, else the form most messages use.

    A tie goes to the form used first (in the order the files were checked).
    """
    canon = brand_book(ctx).resolve(brand)
    usages = brand_usage(ctx).get(canon, [])
    counts = Counter(u.signoff.key for u in usages)
    policy = brand_policy(ctx, canon).get("signoff")
    if isinstance(policy, str) and policy.strip():
        key = normalise(policy)
        return Target(policy, key, True, counts.get(key, 0))
    if not usages:
        return None
    best = max(counts.values())
    first = next(u for u in usages if counts[u.signoff.key] == best)
    return Target(first.signoff.text, first.signoff.key, False, best)
