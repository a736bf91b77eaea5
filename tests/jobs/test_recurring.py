"""The registry of recurring work, and the cron arithmetic it runs on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from outreach.jobs import recurring
from outreach.jobs.recovery import recover_lost_jobs
from outreach.jobs.uploads import sweep_abandoned_uploads
from outreach.links.jobs import enqueue_due_checks
from outreach.pitches.jobs import outbox_tick, poll_mailboxes


def test_each_feature_registers_its_recurring_work_with_a_schedule_from_settings(
    app: Flask,
) -> None:
    # tests/webhooks pins its own entry (webhook-sweep), so this list is not edited for it.
    entries = {e.name: e for e in recurring.registered() if e.name != "webhook-sweep"}
    assert {name: entry.func for name, entry in entries.items()} == {
        "outbox-tick": outbox_tick,
        "mailbox-poll": poll_mailboxes,
        "link-sweep": enqueue_due_checks,
        "upload-sweep": sweep_abandoned_uploads,
        "job-recovery": recover_lost_jobs,
    }
    schedules = {name: entry.schedule(app.config) for name, entry in entries.items()}
    assert schedules == {
        "outbox-tick": "* * * * *",
        "mailbox-poll": "* * * * *",
        "link-sweep": "0 * * * *",
        "upload-sweep": "30 * * * *",
        "job-recovery": "* * * * *",
    }
    app.config["OUTREACH_OUTBOX_SCHEDULE"] = "*/5 * * * *"
    assert entries["outbox-tick"].schedule(app.config) == "*/5 * * * *"


def test_a_second_job_under_a_taken_name_is_refused() -> None:
    def impostor() -> None:
        """Not the outbox tick."""

    with pytest.raises(ValueError, match=r"already outreach\.pitches\.jobs\.outbox_tick"):
        recurring.recurring("outbox-tick", schedule="X", description="x")(impostor)
    assert recurring.get("outbox-tick").func is outbox_tick


def test_a_schedule_setting_that_is_not_a_cron_expression_is_refused_by_name() -> None:
    entry = recurring.get("outbox-tick")
    with pytest.raises(ValueError, match="OUTREACH_OUTBOX_SCHEDULE='every minute'"):
        entry.schedule({"OUTREACH_OUTBOX_SCHEDULE": "every minute"})


def test_an_unknown_recurring_job_is_a_lookup_error() -> None:
    with pytest.raises(LookupError, match="no recurring job is called 'nope'"):
        recurring.get("nope")


def test_a_run_belongs_to_the_latest_scheduled_time_at_or_before_its_enqueueing() -> None:
    moment = datetime(2026, 12, 4, 12, 1, 0, tzinfo=UTC)
    assert recurring.slot_of("* * * * *", moment) == moment
    assert recurring.slot_of("* * * * *", moment + timedelta(seconds=59.9)) == moment
    assert recurring.slot_of("* * * * *", moment - timedelta(microseconds=1)) == moment.replace(
        minute=0
    )
    assert recurring.slot_of("0 * * * *", moment) == moment.replace(minute=0)
    assert recurring.slot_of("* * * * * */2", moment + timedelta(seconds=3.5)) == (
        moment + timedelta(seconds=2)
    )


def test_periods_follow_the_cron_expression() -> None:
    moment = datetime(2026, 12, 4, 12, 1, 30, tzinfo=UTC)
    assert recurring.period_of("* * * * *", moment) == timedelta(minutes=1)
    assert recurring.period_of("0 * * * *", moment) == timedelta(hours=1)
    assert recurring.period_of("* * * * * */2", moment) == timedelta(seconds=2)
