"""Realistic campaign files for benchmarks: Finnish operator messages, three per campaign."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

BRANDS = [
    ("Elisa", "Terveisin Elisa"),
    ("Telia", "Ystävällisin terveisin Telia"),
    ("DNA", "t. DNA"),
]
OPENINGS = [
    "Hei! Liittymäsi {what} muuttuu {date}.",
    "Hyvä asiakas, {what} otetaan käyttöön {date} alkaen.",
    "Tervetuloa! {what} on käytössäsi {date} lähtien.",
    "Muistutus: {what} päättyy {date}.",
]
WHATS = [
    "Datavartija-palvelu",
    "kotimaan datapaketti",
    "laskutusosoite",
    "5G-yhteys",
    "EU-roaming-hinnasto",
    "Viihde-paketti",
]
MIDDLES = [
    "Voit muuttaa asetuksia OmaElisassa tai sovelluksessa.",
    "Lisätietoja asiakaspalvelusta arkisin klo 8.00–18.00, puh. 010 190 240.",
    "Hinta on 9,90 €/kk ensimmäisen kolmen kuukauden ajan.",
    "Nopeus on enintään 1.5 Gbit/s verkon kuormituksesta riippuen.",
    "Muutos ei vaadi toimenpiteitä sinulta.",
]


def campaign_text(i: int, rng: random.Random) -> str:
    brand, signoff = rng.choice(BRANDS)
    d = date(2026, 1, 1) + timedelta(days=rng.randrange(300))
    messages = []
    for n in range(3):
        body = " ".join(
            [
                rng.choice(OPENINGS).format(
                    what=rng.choice(WHATS), date=f"{d.day}.{d.month}.{d.year}"
                ),
                rng.choice(MIDDLES),
                signoff,
            ]
        )
        messages.append(f'  - id: msg-{n + 1}\n    body: "{body}"\n')
    return (
        f"# Campaign {i}: generated for benchmarks\n"
        f"campaign: bench-{i:04d}\n"
        f"brand: {brand}\n"
        "locale: fi-FI\n"
        "purpose: transactional\n"
        f"sender: {brand}\n"
        f"send_at: {d - timedelta(days=3)}T10:00:00+02:00\n"
        "interval: 1d\n"
        "messages:\n" + "".join(messages)
    )


def write_corpus(folder: Path, count: int = 1000, seed: int = 2017) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        p = folder / f"campaign-{i:04d}.yml"
        p.write_text(campaign_text(i, rng), encoding="utf-8")
        paths.append(p)
    return paths
