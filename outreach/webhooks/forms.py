"""Forms of the webhook settings pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from outreach.activity.events import EVENT_TYPES


class EndpointForm(FlaskForm):
    """A URL to receive events, what it is for, and which events it wants."""

    url = StringField("Payload URL", validators=[InputRequired(), Length(max=2048)])
    description = StringField("Description", validators=[Optional(), Length(max=200)])
    events = SelectMultipleField(
        "Events",
        choices=[SelectChoice(name, f"{name} — {text}") for name, text in EVENT_TYPES.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[InputRequired(message="Choose at least one event.")],
    )


class ActionForm(FlaskForm):
    """A button that changes an endpoint (only its CSRF token is checked)."""
