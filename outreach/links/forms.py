"""Forms of the placed-links pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from outreach.links.services import clean_url


def _url(form: FlaskForm, field: StringField) -> None:
    try:
        clean_url(field.data or "")
    except ValueError as exc:
        raise ValidationError(
            "Enter a full http(s) address, e.g. https://blog.example/post"
        ) from exc


class PlacedLinkForm(FlaskForm):
    """A page that should link to us: its URL, our target and the expected anchor."""

    page_url = StringField(
        "Page with the link", validators=[InputRequired(), Length(max=2048), _url]
    )
    target_url = StringField(
        "Our page it links to", validators=[InputRequired(), Length(max=2048), _url]
    )
    expected_anchor = StringField("Expected anchor text", validators=[Optional(), Length(max=500)])
    prospect_id = SelectField("Prospect", coerce=int, default=0, validate_choice=False)

    def __init__(self, *args: object, prospects: list[tuple[int, str]], **kwargs: object) -> None:
        """Offer the workspace's prospects (or none)."""
        super().__init__(*args, **kwargs)
        self.prospect_id.choices = [(0, "— none —"), *prospects]


class DiscoverForm(FlaskForm):
    """Which prospect's site to search for links to us."""

    prospect_id = IntegerField("Prospect", validators=[InputRequired()])
