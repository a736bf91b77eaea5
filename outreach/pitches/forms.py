"""Forms of the pitch pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from outreach.campaigns.models import CampaignKind
from outreach.pitches.models import SmtpSecurity


class TemplateForm(FlaskForm):
    """A template's name, kind, subject and body."""

    name = StringField("Name", validators=[InputRequired(), Length(max=200)])
    kind = SelectField(
        "Kind", choices=[SelectChoice(value, label) for value, label in CampaignKind.choices()]
    )
    subject = StringField("Subject", validators=[InputRequired(), Length(max=500)])
    body = TextAreaField("Body", validators=[InputRequired(), Length(max=20000)])


class MessageForm(FlaskForm):
    """One held message's subject and body, written by hand."""

    subject = StringField("Subject", validators=[InputRequired(), Length(max=500)])
    body = TextAreaField("Body", validators=[InputRequired(), Length(max=50000)])


class MailboxForm(FlaskForm):
    """SMTP and IMAP settings and sending limits of a mailbox."""

    from_name = StringField("From name", validators=[InputRequired(), Length(max=200)])
    from_email = StringField("From address", validators=[InputRequired(), Email(), Length(max=320)])
    smtp_host = StringField("SMTP host", validators=[InputRequired(), Length(max=255)])
    smtp_port = IntegerField("SMTP port", default=587, validators=[NumberRange(1, 65535)])
    smtp_security = SelectField(
        "Security", choices=[SelectChoice(s.value, s.value.upper()) for s in SmtpSecurity]
    )
    smtp_username = StringField("Login", validators=[Optional(), Length(max=255)])
    password = PasswordField(
        "Password (leave empty to keep; changing a server or the login clears it)",
        validators=[Optional()],
    )
    imap_host = StringField("IMAP host (for replies)", validators=[Optional(), Length(max=255)])
    imap_port = IntegerField("IMAP port", default=993, validators=[NumberRange(1, 65535)])
    imap_tls = BooleanField("IMAP over TLS", default=True)
    daily_cap = IntegerField("Daily cap (0: none)", default=50, validators=[NumberRange(0, 10000)])
    min_gap_seconds = IntegerField("Minimum gap (s)", default=120, validators=[NumberRange(0)])
    jitter_seconds = IntegerField("Jitter (s)", default=60, validators=[NumberRange(0)])
    timezone = StringField("Time zone", default="UTC", validators=[InputRequired()])
    sending_start_hour = IntegerField(
        "Sending from (hour)", default=8, validators=[NumberRange(0, 23)]
    )
    sending_end_hour = IntegerField(
        "Sending until (hour)", default=18, validators=[NumberRange(0, 24)]
    )
    shared = BooleanField("Shared: others in the workspace may send from it", default=False)


class StepForm(FlaskForm):
    """A new sequence step."""

    template_id = SelectField("Template", coerce=int)
    delay_business_days = IntegerField(
        "Business days after the previous message", default=3, validators=[NumberRange(0, 60)]
    )


class EnrollForm(FlaskForm):
    """The mailbox to send from, and for the top-by-score form, how many prospects."""

    mailbox_id = SelectField("Send from", coerce=int)
    count = IntegerField(
        "Top prospects by score: how many", default=20, validators=[Optional(), NumberRange(1, 500)]
    )


class AttachForm(FlaskForm):
    """The prospect an inbox message belongs to: a suggestion, or a domain typed in."""

    prospect_id = IntegerField("Prospect", validators=[Optional()])
    domain = StringField("or its domain", validators=[Optional(), Length(max=255)])


class SuppressionForm(FlaskForm):
    """An address or domain for the suppression list."""

    value = StringField("Address or domain", validators=[InputRequired(), Length(max=320)])
    reason = StringField("Reason", validators=[Optional(), Length(max=200)])
