"""What an inbound message is, read from its headers and words (RFC 3834 and practice)."""

from __future__ import annotations

import email
from datetime import date
from email.message import Message
from email.policy import default

import pytest

from outreach.pitches.classify import classify
from outreach.pitches.models import InboundKind

RECEIVED = date(2026, 12, 4)


def _message(headers: str, body: str = "Thanks, noted.") -> Message:
    raw = f"From: a@b.example\r\nSubject: Re: Hi\r\n{headers}\r\n{body}\r\n"
    return email.message_from_bytes(raw.encode(), policy=default)


def _kind(headers: str, body: str = "Thanks, noted.") -> InboundKind:
    message = _message(headers, body)
    return classify(message, body, RECEIVED).kind


@pytest.mark.parametrize(
    "headers",
    [
        "Auto-Submitted: auto-replied\r\n",
        "Auto-Submitted: auto-generated\r\n",
        "X-Autoreply: yes\r\n",
        "X-Autorespond: Thanks\r\n",
        "Precedence: bulk\r\n",
        "Precedence: junk\r\n",
        "Precedence: auto_reply\r\n",
    ],
)
def test_automatic_reply_headers(headers: str) -> None:
    assert _kind(headers) is InboundKind.AUTO_REPLY


@pytest.mark.parametrize(
    "headers",
    [
        "",
        "Auto-Submitted: no\r\n",
        "X-Auto-Response-Suppress: All\r\n",  # alone: some people's clients set it too
        "Precedence: list\r\n",
    ],
)
def test_a_person_s_reply(headers: str) -> None:
    assert _kind(headers) is InboundKind.REPLY


def test_out_of_office_subject_alone_and_its_return_date() -> None:
    message = _message("", "")
    message.replace_header("Subject", "Abwesenheitsnotiz: Hi")
    text = "Ich bin bis zum 10.01.2027 nicht im Büro."
    verdict = classify(message, text, RECEIVED)
    assert verdict.kind is InboundKind.OUT_OF_OFFICE and verdict.return_on == date(2027, 1, 10)


def test_challenge_response() -> None:
    body = "To control spam I only accept mail from approved senders. Click to verify."
    assert _kind("Auto-Submitted: auto-replied\r\n", body) is InboundKind.CHALLENGE


def test_read_receipt() -> None:
    raw = (
        "From: a@b.example\r\nSubject: Read: Hi\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="B"'
        "\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nRead.\r\n"
        "--B\r\nContent-Type: message/disposition-notification\r\n\r\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\r\n\r\n--B--\r\n"
    )
    message = email.message_from_bytes(raw.encode(), policy=default)
    assert classify(message, "Read.", RECEIVED).kind is InboundKind.READ_RECEIPT
