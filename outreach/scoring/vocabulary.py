"""The vice vocabularies a page is checked for: gambling, pharma, adult and fraud terms."""

from __future__ import annotations

import re

VOCABULARY: dict[str, tuple[str, tuple[str, ...]]] = {
    "gambling": (
        "gambling",
        (
            "casino",
            "casinos",
            "poker",
            "roulette",
            "blackjack",
            "slot machine",
            "slots",
            "sportsbook",
            "bookmaker",
            "betting",
            "bet",
            "jackpot",
            "free spins",
            "wager",
            "fixed match",
            "fixed matches",
            "glücksspiel",
            "sportwetten",
            "wetten",
            "apuestas",
            "paris sportifs",
            "casinò",
            "scommesse",
        ),
    ),
    "pharma": (
        "pharma",
        (
            "viagra",
            "cialis",
            "levitra",
            "tramadol",
            "xanax",
            "valium",
            "oxycodone",
            "benzos",
            "benzodiazepines",
            "no prescription",
            "without prescription",
            "online pharmacy",
            "pharmacy",
            "pills",
            "steroids",
            "opioids",
            "fentanyl",
            "rezeptfrei",
            "sin receta",
            "sans ordonnance",
        ),
    ),
    "adult": (
        "adult",
        (
            "porn",
            "porno",
            "xxx",
            "escort",
            "escorts",
            "sex cams",
            "camgirls",
            "nude",
            "nudes",
            "erotic",
            "hentai",
            "milf",
            "onlyfans",
            "sexcam",
        ),
    ),
    "fraud": (
        "fraud",
        (
            "counterfeit",
            "counterfeits",
            "counterfeiting",
            "cloned cards",
            "cloned card",
            "carding",
            "cc dumps",
            "dumps",
            "fake notes",
            "fake passports",
            "fake id",
            "hacked accounts",
            "paypal transfers",
            "money transfers",
            "stolen",
            "fakenote",
            "western union transfers",
        ),
    ),
}
VOCABULARY_PATTERNS = {
    code: re.compile(
        r"\b(" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")\b",
        re.IGNORECASE,
    )
    for code, (_, terms) in VOCABULARY.items()
}
VOCABULARY_LABELS = {
    "gambling": "gambling", "pharma": "pharmaceutical", "adult": "adult", "fraud": "fraud",
}  # fmt: skip
