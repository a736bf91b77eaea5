"""Subjects are compared without reply, forward and automatic prefixes or tags."""

from __future__ import annotations

import pytest

from outreach.pitches.matching import normalise_subject


@pytest.mark.parametrize(
    "subject",
    [
        "Hi Ada",
        "RE: Hi Ada",
        "Re: Re: hi  ada",
        "AW: Hi Ada",
        "SV: Hi Ada",
        "Fwd: RE: Hi Ada",
        "Re[2]: Hi Ada",
        "[External] RE: Hi Ada",
        "Automatic reply: Hi Ada",
        "Abwesenheitsnotiz: Hi Ada",
        "Réponse automatique : Hi Ada",
        "Read: Hi Ada",
    ],
)
def test_reply_and_forward_prefixes_and_tags_are_stripped(subject: str) -> None:
    assert normalise_subject(subject) == "hi ada"


def test_words_inside_the_subject_stay() -> None:
    assert normalise_subject("Re: Hi Ada, re: your trails") == "hi ada, re: your trails"
