"""A reply's new text is kept apart from the history it quotes."""

from __future__ import annotations

from outreach.pitches.quoting import split_reply


def test_gmail_style_quote_is_history() -> None:
    new, quoted = split_reply(
        "Sounds good, send it over.\n\nAda\n\n"
        "On Thu, Dec 3, 2026 at 10:00 AM Sam Sender <sender@ours.example> wrote:\n"
        "> Hi Ada,\n> I liked Ten trails.\n"
    )
    assert new == "Sounds good, send it over.\n\nAda"
    assert quoted.startswith("On Thu, Dec 3, 2026") and "> I liked Ten trails." in quoted


def test_german_outlook_header_is_history() -> None:
    new, quoted = split_reply(
        "Gerne, schicken Sie mir Themen.\n\n"
        "Von: Sam Sender <sender@ours.example>\nGesendet: Donnerstag, 3. Dezember 2026 10:00\n"
        "An: Ada <editor@blog.example>\nBetreff: Hi Ada\n\nI liked Ten trails.\n"
    )
    assert new == "Gerne, schicken Sie mir Themen."
    assert "I liked Ten trails." in quoted


def test_trailing_quote_without_header_is_history_and_plain_text_stays() -> None:
    assert split_reply("Thanks!\n> quoted\n> more") == ("Thanks!", "> quoted\n> more")
    assert split_reply("Just text.\r\n") == ("Just text.", "")
    assert split_reply("") == ("", "")
