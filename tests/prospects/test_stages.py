"""Stage moves (one or many), conflicts with a teammate's change, and details edits."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from outreach.accounts.models import Workspace
from outreach.activity.services import history
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.prospects import stages
from outreach.prospects.models import Prospect, Stage
from outreach.prospects.services import update_details
from tests.factories import Factory
from tests.pipeline.helpers import current, prospect


@pytest.fixture
def setup(factory: Factory) -> tuple[int, int, int]:
    """(user id, workspace id, campaign id) of a fresh workspace."""
    user, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = factory.campaign(workspace)
    return user.id, workspace.id, campaign.id


def test_move_card_changes_stage_and_records_who_moved_it(setup: tuple[int, int, int]) -> None:
    user_id, workspace_id, campaign_id = setup
    item = prospect(db.session.get_one(Campaign, campaign_id), "a.example")
    stages.move_card(workspace_id, item.id, Stage.QUALIFIED, item.version, user_id)
    db.session.commit()
    assert current(item.id).stage is Stage.QUALIFIED
    assert current(item.id).version == 2
    (entry,) = history(workspace_id, "prospect", item.id)
    assert entry.action == "stage_changed" and entry.actor_id == user_id
    assert entry.detail == {"from": "prospect", "to": "qualified"}


def test_move_with_a_stale_version_raises_conflict_naming_the_new_stage(
    setup: tuple[int, int, int],
) -> None:
    user_id, workspace_id, campaign_id = setup
    item = prospect(db.session.get_one(Campaign, campaign_id), "a.example")
    seen_version = item.version
    stages.move_card(workspace_id, item.id, Stage.QUALIFIED, seen_version, user_id)
    db.session.commit()
    with pytest.raises(stages.Conflict) as caught:
        stages.move_card(
            workspace_id, item.id, Stage.LOST, seen_version, user_id, seen=Stage.PROSPECT
        )
    assert str(caught.value) == "a.example was moved by someone else to Qualified; reload."
    assert caught.value.stage is Stage.QUALIFIED and caught.value.version == 2
    db.session.rollback()
    assert current(item.id).stage is Stage.QUALIFIED


def test_a_teammates_commit_between_check_and_flush_is_a_conflict_not_an_overwrite(
    setup: tuple[int, int, int],
) -> None:
    user_id, workspace_id, campaign_id = setup
    item = prospect(db.session.get_one(Campaign, campaign_id), "race.example")
    loaded = current(item.id)  # this request has read version 1...
    assert loaded.version == 1
    with db.engine.begin() as other:  # ...and a teammate's request commits a move meanwhile
        other.execute(
            update(Prospect)
            .where(Prospect.id == item.id)
            .values(stage=Stage.NEGOTIATING, version=2)
        )
    with pytest.raises(stages.Conflict) as caught:
        stages.move_card(workspace_id, item.id, Stage.LOST, 1, user_id, seen=Stage.PROSPECT)
    assert "moved by someone else to Negotiating" in str(caught.value)
    assert current(item.id).stage is Stage.NEGOTIATING
    assert history(workspace_id, "prospect", item.id) == []


def test_bulk_move_moves_fresh_picks_and_skips_stale_ones(setup: tuple[int, int, int]) -> None:
    user_id, workspace_id, campaign_id = setup
    campaign = db.session.get_one(Campaign, campaign_id)
    fresh = prospect(campaign, "fresh.example")
    there = prospect(campaign, "there.example", Stage.REPLIED)
    stale = prospect(campaign, "stale.example")
    picks = {fresh.id: 1, there.id: 1, stale.id: 1}
    stages.move_card(workspace_id, stale.id, Stage.LOST, 1, user_id)
    db.session.commit()
    result = stages.bulk_move(workspace_id, campaign_id, picks, Stage.REPLIED, user_id)
    db.session.commit()
    assert (result.moved, result.unchanged, result.conflicts) == (
        ["fresh.example"],
        ["there.example"],
        ["stale.example"],
    )
    assert current(fresh.id).stage is Stage.REPLIED
    assert current(stale.id).stage is Stage.LOST


def test_bulk_move_ignores_prospects_of_other_campaigns(
    factory: Factory, setup: tuple[int, int, int]
) -> None:
    user_id, workspace_id, campaign_id = setup
    other = factory.campaign(db.session.get_one(Workspace, workspace_id), name="Other")
    outsider = prospect(other, "outsider.example")
    result = stages.bulk_move(workspace_id, campaign_id, {outsider.id: 1}, Stage.LOST, user_id)
    assert result.moved == [] and current(outsider.id).stage is Stage.PROSPECT


def test_parse_picks_keeps_id_version_pairs_and_drops_junk() -> None:
    assert stages.parse_picks(["3:1", "x:1", "4", "5:2", "6:-1"]) == {3: 1, 5: 2}


def test_update_details_with_a_stale_version_conflicts_and_changes_nothing(
    setup: tuple[int, int, int],
) -> None:
    user_id, workspace_id, campaign_id = setup
    item = prospect(db.session.get_one(Campaign, campaign_id), "a.example")
    stages.move_card(workspace_id, item.id, Stage.QUALIFIED, 1, user_id)
    db.session.commit()
    with pytest.raises(stages.Conflict):
        update_details(
            current(item.id),
            owner_id=user_id,
            due_on=date(2030, 1, 1),
            reminder="call",
            expected_version=1,
            actor_id=user_id,
            owner_names={},
        )
    db.session.rollback()
    assert current(item.id).due_on is None and current(item.id).reminder is None
