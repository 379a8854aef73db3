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

When the brand's pack gives its opt-out text (``brands: {Elisa: {opt_out: "Peru:
elisa.fi/stop"}}``), the fix (unsafe: it lengthens the message) adds it on a line of its own.

Options: none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

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


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    if campaign.purpose != "marketing":
        return
    lang = campaign.language
    two_way = can_receive_replies(campaign.sender)
    phrases = opt_out_matcher(ctx, lang)
    links = opt_out_links(ctx, lang)
    replies = reply_matcher(ctx, lang)
    example = _example(campaign, ctx)
    for msg in campaign.messages:
        reply_only = None
        accepted = any(p.search(msg.body) for p in links)
        if not accepted:
            for m in phrases.finditer(msg.body):
                sentence = sentence_around(msg.body, m.start(), m.end())
                if URL.search(sentence) or NUMBER.search(sentence):
                    accepted = True
                elif replies.search(sentence):
                    if two_way:
                        accepted = True
                    elif reply_only is None:
                        reply_only = m
                        continue
                else:
                    accepted = True
                if accepted:
                    break
        if accepted:
            continue
        yield _problem(campaign, msg, reply_only, example, ctx)


def _example(campaign: Campaign, ctx: Context) -> str | None:
    policy = brand_policy(ctx, campaign.brand).get("opt_out")
    if isinstance(policy, str) and policy.strip():
        return policy
    return text_setting(ctx, campaign.language, "opt_out_example")


def _problem(
    campaign: Campaign,
    msg: Message,
    reply_only: re.Match[str] | None,
    example: str | None,
    ctx: Context,
) -> Problem:
    add = f" such as '{example}'" if example else ""
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
            f"the law requires in every marketing message: add an opt-out with {how}{add}"
        )
        at, end = msg.body_node.start, None
    fix = None
    policy = brand_policy(ctx, campaign.brand).get("opt_out")
    if isinstance(policy, str) and policy.strip():
        body = msg.body.rstrip()
        fix = Fix(
            f"add '{policy}'",
            msg.body_node,
            (Edit(len(body), len(msg.body), "\n" + policy + msg.body[len(body) :]),),
            safe=False,
        )
    return Problem(text, at=at, end=end, message_id=msg.id, fix=fix)
