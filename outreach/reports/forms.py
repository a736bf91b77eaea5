"""The dashboard's filter form (GET) and the target form."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from outreach.reports.periods import BadMonth, parse_month
from outreach.reports.targets import MAX_TARGET


def _month(_form: FlaskForm, field: StringField) -> None:
    if field.data:
        try:
            parse_month(field.data)
        except BadMonth as exc:
            raise ValidationError(str(exc)) from exc


def month_of(field: StringField, default: date) -> date:
    """The month a validated field holds, or ``default`` when it is empty or invalid."""
    try:
        return parse_month(field.data) if field.data and not field.errors else default
    except BadMonth:
        return default


class FilterForm(FlaskForm):
    """Which campaign and which months the dashboard shows."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    campaign = SelectField("Campaign", choices=[], validators=[Optional()])
    start = StringField("From month", validators=[Optional(), _month])
    end = StringField("To month", validators=[Optional(), _month])


class TargetForm(FlaskForm):
    """Aim for a number of live referring domains from a month on."""

    campaign = HiddenField()
    month = StringField("From month", validators=[InputRequired(), _month])
    domains = IntegerField(
        "Referring domains wanted",
        validators=[InputRequired(), NumberRange(min=0, max=MAX_TARGET)],
    )
