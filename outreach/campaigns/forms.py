"""The campaign form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from outreach.campaigns.models import CampaignKind


class CampaignForm(FlaskForm):
    """Name, kind, our site, competitors, target pages, topics and a monthly goal."""

    name = StringField("Name", validators=[InputRequired(), Length(max=200)])
    kind = SelectField(
        "Kind", choices=[SelectChoice(value, label) for value, label in CampaignKind.choices()]
    )
    site_domain = StringField("Our site (domain)", validators=[Optional(), Length(max=255)])
    competitors = TextAreaField("Competitor domains (one per line)", validators=[Optional()])
    target_pages = TextAreaField("Our target pages (one URL per line)", validators=[Optional()])
    topic_keywords = StringField("Topic keywords (comma-separated)", validators=[Optional()])
    monthly_link_target = IntegerField(
        "Links wanted per month", default=0, validators=[Optional(), NumberRange(min=0, max=100000)]
    )
