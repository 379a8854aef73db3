"""OPT001 opt-out-missing: a marketing message gives no free way to refuse more marketing.

Finnish law (and the rules of most EU countries) requires every marketing message, not just the
first, to tell the recipient how to refuse further marketing free of charge. A missing opt-out
is the most common reason for complaints to the authorities. Transactional messages (bills,
order confirmations: ``purpose: transactional``) do not need one.

Accepted opt-outs are locale data: ``opt_out_phrases`` ("Peru:", "Kiellä markkinointi",
"Avregistrera", "Unsubscribe", "STOP") and ``opt_out_link_patterns`` (regular expressions such
as ``https?://\\S+/(stop|peru)``) in ``rules/fi.yml`` etc. When the sender is a name (an
alphanumeric sender ID), recipients cannot reply, so "vastaa STOP" / "reply STOP" does not
count: the opt-out must be a link or a number to text ("STOP numeroon 16400").

Bad::

    purpose: marketing
    ...
      body: "Kesätarjous: Netflix-paketti 9,90 €/kk! Terveisin Elisa"

Good::

    purpose: marketing
    ...
      body: "Kesätarjous: Netflix-paketti 9,90 €/kk! Terveisin Elisa Peru: elisa.fi/stop"

The finding says what to add: the opt-out another message of the campaign already uses, else
the brand's opt-out from the packs (``brands: {Elisa: {opt_out: "Peru: elisa.fi/stop"}}``),
else the locale's example. The fix (unsafe: it lengthens the message) adds the first two on a
line of their own.

Options: none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from smskit.brands import brand_policy
from smskit.findings import Edit, Fix, Problem, Severity
from smskit.model import Campaign, Message
from smskit.phrases import (
    NUMBER,
    opt_out_links,
    opt_out_matcher,
    reply_matcher,
    sentence_around,
    text_setting,
)
from smskit.rules.base import Context
from smskit.sender import can_receive_replies
from smskit.text.signoff import URL

CODE = "OPT001"
NAME = "opt-out-missing"
SEVERITY = Severity.ERROR
SCOPE = "campaign"


class _Found(NamedTuple):  # quicker to define and to make than a frozen dataclass
    accepted: str | None  # the sentence holding a working opt-out
    reply_only: re.Match[str] | None  # a reply-based opt-out a name sender cannot receive


class _Suggestion(NamedTuple):  # quicker to define and to make than a frozen dataclass
    text: str
    source: str  # where it comes from, for the message
    fixable: bool  # real text of this brand (not the locale's placeholder example)


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    if campaign.purpose != "marketing":
        return
    found = [_opt_out(msg.body, campaign, ctx) for msg in campaign.messages]
    for msg, f in zip(campaign.messages, found, strict=True):
        if f.accepted is None:
            yield _problem(campaign, msg, f.reply_only, _suggestion(campaign, found, msg, ctx))


def _opt_out(body: str, campaign: Campaign, ctx: Context) -> _Found:
    lang = campaign.language
    for link in opt_out_links(ctx, lang):
        m = link.search(body)
        if m:
            return _Found(sentence_around(body, m.start(), m.end()).strip(), None)
    reply_only = None
    replies = reply_matcher(ctx, lang)
    for m in opt_out_matcher(ctx, lang).finditer(body):
        sentence = sentence_around(body, m.start(), m.end())
        if (
            URL.search(sentence)
            or NUMBER.search(sentence)
            or not replies.search(sentence)
            or can_receive_replies(campaign.sender)
        ):
            return _Found(sentence.strip(), None)
        reply_only = reply_only or m
    return _Found(None, reply_only)


def _suggestion(
    campaign: Campaign, found: list[_Found], msg: Message, ctx: Context
) -> _Suggestion | None:
    # The campaign's own opt-out first: the customer sees the same one in every message.
    for other, f in zip(campaign.messages, found, strict=True):
        if f.accepted and other is not msg:
            return _Suggestion(f.accepted, f" as message '{other.id}' does", True)
    policy = brand_policy(ctx, campaign.brand).get("opt_out")
    if isinstance(policy, str) and policy.strip():
        return _Suggestion(policy, f" ({campaign.brand}'s opt-out in the rule packs)", True)
    example = text_setting(ctx, campaign.language, "opt_out_example")
    return _Suggestion(example, "", False) if example else None


def _problem(
    campaign: Campaign,
    msg: Message,
    reply_only: re.Match[str] | None,
    suggestion: _Suggestion | None,
) -> Problem:
    if suggestion is None:
        add = ""
    elif suggestion.fixable:
        add = f": add '{suggestion.text}'{suggestion.source}"
    else:
        add = f", e.g. '{suggestion.text}' with your own link"
    if reply_only is not None:
        sentence = sentence_around(msg.body, reply_only.start(), reply_only.end()).strip()
        text = (
            f"marketing message '{msg.id}' offers only a reply to opt out ('{sentence}'), but "
            f"the sender '{campaign.sender}' is a name and cannot receive replies: give a link "
            f"or a number to text instead{add}"
        )
        at, end = msg.mark_at(reply_only.start()), msg.mark_at(reply_only.end())
    else:
        how = (
            "a link or a number to text"
            if not can_receive_replies(campaign.sender)
            else "a link, a number or a reply keyword"
        )
        text = (
            f"marketing message '{msg.id}' has no free way to refuse further marketing, which "
            f"the law requires in every marketing message; it needs an opt-out with {how}{add}"
        )
        at, end = msg.body_node.start, None
    fix = None
    if suggestion is not None and suggestion.fixable:
        body = msg.body.rstrip()
        fix = Fix(
            f"add '{suggestion.text}'",
            msg.body_node,
            (Edit(len(body), len(msg.body), "\n" + suggestion.text + msg.body[len(body) :]),),
            safe=False,
        )
    return Problem(text, at=at, end=end, message_id=msg.id, fix=fix)
