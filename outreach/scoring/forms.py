"""The weights form, the blocklist form and the rescore button."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional


def _weight(label: str) -> IntegerField:
    return IntegerField(label, validators=[InputRequired(), NumberRange(min=0, max=100)])


class WeightsForm(FlaskForm):
    """How much each signal counts (0-100 each; they need not add up to 100)."""

    authority = _weight("Authority")
    relevance = _weight("Relevance")
    link_quality = _weight("Link quality")
    overlap = _weight("Competitor overlap")
    contact = _weight("Contact")


class BlocklistForm(FlaskForm):
    """The workspace's blocklist, one entry per line: a domain, or a TLD written ``.xyz``."""

    entries = TextAreaField(
        "Blocked domains and TLDs (one per line; a TLD starts with a dot, such as .xyz)",
        validators=[Optional(), Length(max=200_000)],
    )


class RescoreForm(FlaskForm):
    """A button: rescore the campaign now (CSRF only)."""


class RankedListForm(FlaskForm):
    """An uploaded Tranco, Majestic Million or Open PageRank CSV."""

    file = FileField("Ranked list (CSV)", validators=[FileRequired()])
