"""Return dates of out-of-office replies, as people write them in four languages."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.pitches.absence import return_date

RECEIVED = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("text", "back"),
    [
        ("I am out of the office and back on 12 January.", date(2027, 1, 12)),
        ("Returning 2026-12-14. For urgent matters call the desk.", date(2026, 12, 14)),
        ("I will be back in the office on Monday, January 11th, 2027.", date(2027, 1, 11)),
        ("Out of office until Monday 11 January; back on 12 January.", date(2027, 1, 12)),
        ("I'm on leave through 12/18/2026.", date(2026, 12, 19)),
        ("Ich bin ab dem 12. Januar wieder im Büro.", date(2027, 1, 12)),
        ("Ich bin bis einschließlich 11.01.2027 nicht im Büro.", date(2027, 1, 12)),
        ("Je serai de retour le lundi 11 janvier.", date(2027, 1, 11)),
        ("Je suis absent jusqu'au 10 janvier inclus.", date(2027, 1, 11)),
        ("Estaré de vuelta el 12 de enero de 2027.", date(2027, 1, 12)),
        ("Estoy fuera de la oficina hasta el 12 de enero.", date(2027, 1, 12)),
    ],
)
def test_return_dates_are_read_in_english_german_french_and_spanish(text: str, back: date) -> None:
    assert return_date(text, RECEIVED) == back


@pytest.mark.parametrize(
    "text",
    [
        "I am out of the office with limited access to e-mail.",
        "Back on 1 December.",  # a notice nobody updated: not next year
        "Back on 1 December 2025.",
        "Returning 2029-01-01.",  # more than a year ahead
    ],
)
def test_no_return_date_when_none_is_given_or_it_makes_no_sense(text: str) -> None:
    assert return_date(text, RECEIVED) is None


def test_a_date_without_year_early_in_the_year_is_next_years() -> None:
    assert return_date("Back on 5 January.", date(2026, 12, 20)) == date(2027, 1, 5)
