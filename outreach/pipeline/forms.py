"""Forms of the pipeline pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from outreach.prospects.models import Stage

STAGE_CHOICES = [(stage.value, stage.label) for stage in Stage]  # (value, label) for templates


def _stages(blank: bool = False) -> list[SelectChoice]:
    return [SelectChoice("", "")] * blank + [SelectChoice(v, label) for v, label in STAGE_CHOICES]


class MoveForm(FlaskForm):
    """Move one card: the stage wanted and the version the mover saw."""

    stage = SelectField("Move to", choices=_stages(), validators=[InputRequired()])
    version = IntegerField("Version", validators=[InputRequired()])
    seen = SelectField("Seen in", choices=_stages(blank=True), validators=[Optional()])
    next = HiddenField()


class BulkMoveForm(FlaskForm):
    """Move the ticked cards (``pick`` values 'id:version') to one stage."""

    stage = SelectField("Move ticked to", choices=_stages(), validators=[InputRequired()])
    next = HiddenField()


class NoteForm(FlaskForm):
    """A note on a prospect's timeline."""

    text = TextAreaField("Note", validators=[InputRequired(), Length(max=5000)])


class DetailsForm(FlaskForm):
    """Owner, due date and reminder of a prospect, with the version being edited."""

    owner = SelectField("Owner", choices=[], validators=[Optional()])
    due_on = DateField("Due", validators=[Optional()])
    reminder = StringField(
        "Reminder",
        validators=[Optional(), Length(max=500)],
        render_kw={"placeholder": "follow up by hand on Friday"},
    )
    version = HiddenField(validators=[InputRequired()])

    def __init__(self, *args: object, owners: dict[int, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        people = [SelectChoice(str(uid), name) for uid, name in owners.items()]
        self.owner.choices = [SelectChoice("", "Nobody"), *people]
