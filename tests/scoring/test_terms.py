"""Tokens, languages, stop words and Snowball stems for English, German, French and Spanish."""

from __future__ import annotations

import pytest

from outreach.scoring import terms


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "The wind turbines are generating electricity",
            "en",
            ["wind", "turbin", "generat", "electr"],
        ),
        (
            "Die Windenergieanlagen erzeugen den Strom",
            "de",
            ["windenergieanlag", "erzeug", "strom"],
        ),
        ("Les éoliennes produisent de l'électricité", "fr", ["éolien", "produisent", "électr"]),
        ("Los aerogeneradores producen la electricidad", "es", ["aerogener", "produc", "electr"]),
    ],
)
def test_stop_words_go_and_words_are_stemmed_in_their_language(
    text: str, language: str, expected: list[str]
) -> None:
    detected, stems = terms.analyse(text + ". " + _filler(language))
    assert detected == language
    assert stems[: len(expected)] == expected


def _filler(language: str) -> str:
    """A sentence of the language's common words, so detection has enough to go on."""
    return {
        "en": "It is what they have been doing with all of it.",
        "de": "Es ist das, was sie mit allem und auch dem gemacht haben.",
        "fr": "Il est ce que nous avons fait avec les autres et pour eux.",
        "es": "Es lo que ellos han hecho con todo y para los otros.",
    }[language]


def test_the_same_word_stems_alike_in_singular_and_plural() -> None:
    assert terms.stems(["emission", "emissions"], "en") == ["emiss", "emiss"]
    assert terms.stems(["Energie", "Energien"], "de") == terms.stems(["energie", "energie"], "de")


def test_hyphenated_words_are_split_and_stop_words_dropped() -> None:
    assert terms.stems(terms.tokens("CO2-Preis und der Klima-Schutz"), "de") == [
        "co2", "preis", "klima", "schutz",
    ]  # fmt: skip


def test_a_few_words_fall_back_to_the_declared_language() -> None:
    assert terms.detect_language(["klimaschutz"], "de-CH") == "de"
    assert terms.detect_language(["klimaschutz"], "xx") is None


def test_unsupported_languages_are_only_lower_cased() -> None:
    assert terms.stems(["Подольски", "матчей"], None) == ["подольски", "матчей"]
    assert terms.tokens("Hello, World! 2024 x") == ["hello", "world"]
