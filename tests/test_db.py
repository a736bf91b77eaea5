"""Shared model helpers: the labelled enum every user-facing choice is built on."""

from __future__ import annotations

from outreach.campaigns.models import CampaignKind
from outreach.db import LabelledEnum
from outreach.prospects.models import Stage


class Colour(LabelledEnum):
    """An enum for the test, one member without a label."""

    DARK_RED = "dark_red", "Dark red"
    BLUE = "blue"


def test_a_member_has_its_stored_value_and_its_label() -> None:
    assert Colour("dark_red") is Colour.DARK_RED
    assert (Colour.DARK_RED.value, Colour.DARK_RED.label) == ("dark_red", "Dark red")
    assert Colour.BLUE.label == "blue", "without a label the value is shown"


def test_choices_list_every_member_in_order_for_a_select_box() -> None:
    assert Colour.choices() == [("dark_red", "Dark red"), ("blue", "blue")]
    assert CampaignKind.choices()[0] == ("digital_pr", "Digital PR")


def test_stage_labels_read_as_before() -> None:
    assert [stage.label for stage in (Stage.CONTACT_FOUND, Stage.LIVE, Stage.DO_NOT_CONTACT)] == [
        "Contact found",
        "Live (verified)",
        "Do not contact",
    ]
