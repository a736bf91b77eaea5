"""The load benchmark's data (PostgreSQL): one big workspace and twenty ordinary ones.

The big workspace is the reports benchmark's seed (``bench_reports.seed``: backlinks through
``COPY``, a fifth of them to our site and the rest to five competitors, domains with
authorities, contacts, a mailbox, a two-step sequence, sent messages, replies, placed links
and their checks) with the pipeline grown to the number of prospects asked for and given what
a team's working pipeline has: prospects in every stage with owners, due dates, scores and
their contacts; a score for every domain of the intersect; queued, held and failed messages in
the outbox; notes and stage changes on the timelines. Every member of its team is a user who
signs in with ``PASSWORD``. The twenty others are the demo workspace (``outreach.demo``), each
with its own owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, text

from outreach.accounts import services as accounts
from outreach.accounts.models import Membership, Role, User, Workspace
from outreach.campaigns.models import Campaign
from outreach.campaigns.services import create_campaign
from outreach.demo import seed as seed_demo
from outreach.extensions import db
from outreach.prospects.models import Prospect, Stage
from tests.bench.bench_reports import COMPETITORS
from tests.bench.bench_reports import seed as seed_reports

PASSWORD = "load-bench-password"
WORKSPACE = "Load bench"
ORDINARY_WORKSPACES = 20


@dataclass(frozen=True)
class Seeded:
    """What the load needs to know of the seed: who signs in and what they open."""

    emails: list[str]
    campaign_id: int
    prospect_ids: tuple[int, int]  # the lowest and highest id of the big pipeline
    counts: dict[str, int]


def _email(n: int) -> str:
    return f"load{n}@example.com"


def _team(workspace: Workspace, members: int) -> list[int]:
    """The workspace's owner plus ``members - 1`` teammates, all with PASSWORD."""
    hashed = accounts.hash_password(PASSWORD)  # once: scrypt is slow on purpose
    users = [
        User(email=_email(n), name=f"Load User {n}", password_hash=hashed)
        for n in range(1, members)
    ]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(
        Membership(workspace_id=workspace.id, user_id=user.id, role=Role.MEMBER) for user in users
    )
    return [user.id for user in users]


def _working_pipeline(workspace_id: int, campaign_id: int, user_ids: list[int]) -> None:
    """Stages, owners, due dates and scores; intersect scores; outbox states; timelines."""
    now = datetime.now(UTC)
    conn = db.session.connection()
    params = {"ws": workspace_id, "c": campaign_id, "now": now}
    conn.execute(
        text(
            "UPDATE prospect SET stage = (CAST(:stages AS text[]))[1 + id % :n],"
            " owner_id = (CAST(:users AS integer[]))[1 + id % :k],"
            " score = CASE WHEN id % 10 = 0 THEN NULL ELSE (id * 7919) % 1000 / 10.0 END,"
            " due_on = CASE WHEN id % 3 = 0 THEN CAST(:now AS date) + (id % 15 - 5) END,"
            " opportunity_types = CAST(CASE WHEN id % 4 = 0 THEN '[\"guest_post\"]' ELSE '[]' END"
            "  AS json)"
            " WHERE workspace_id = :ws"
        ),
        {**params, "stages": [s.value for s in Stage], "n": len(Stage), "users": user_ids,
         "k": len(user_ids)},
    )  # fmt: skip
    conn.execute(
        text(
            "INSERT INTO prospect_score (workspace_id, campaign_id, domain, score, authority,"
            " authority_source, relevance, risk_flags, breakdown, scored_at)"
            " SELECT :ws, :c, domain, (abs(hashtext(domain)) % 1000) / 10.0,"
            " abs(hashtext(domain)) % 90, 'Ahrefs DR', (abs(hashtext(domain)) % 100) / 100.0,"
            " CAST(CASE WHEN abs(hashtext(domain)) % 50 = 0"
            '  THEN \'[{"code": "spam", "message": "flagged as spam"}]\' ELSE \'[]\' END'
            "  AS json),"
            " '[]', :now FROM (SELECT domain FROM prospect WHERE campaign_id = :c UNION"
            "  SELECT DISTINCT source_domain FROM backlink WHERE workspace_id = :ws"
            "  AND target_domain = ANY(CAST(:competitors AS text[]))) AS domains"
        ),
        {**params, "competitors": COMPETITORS},
    )
    conn.execute(
        text(
            "INSERT INTO prospect_contact (prospect_id, contact_id, is_primary)"
            " SELECT p.id, c.id, true FROM prospect p JOIN contact c"
            " ON c.workspace_id = p.workspace_id AND c.email = 'ed@' || p.domain"
            " WHERE p.workspace_id = :ws"
        ),
        params,
    )
    conn.execute(
        text(
            "UPDATE outbound_message SET"
            " status = CASE id % 40 WHEN 0 THEN 'queued' WHEN 1 THEN 'held' ELSE 'failed' END,"
            " sent_at = NULL, scheduled_at = :now + (id % 50) * interval '1 hour',"
            " hold_reason = CASE WHEN id % 40 = 1 THEN 'Merge field first_name is empty' END,"
            " error = CASE WHEN id % 40 > 1 THEN '550 5.1.1 mailbox unknown' END"
            " WHERE workspace_id = :ws AND id % 40 < 3"
        ),
        params,
    )
    conn.execute(
        text(
            "INSERT INTO activity (workspace_id, actor_id, subject_type, subject_id, action,"
            " detail, created_at) SELECT workspace_id, owner_id, 'prospect', id, action,"
            " CAST(CASE action WHEN 'note' THEN '{\"text\": \"Spoke to the editor.\"}'"
            ' ELSE \'{"from": "prospect", "to": "contacted"}\' END AS json), :now'
            " FROM prospect CROSS JOIN (VALUES ('stage_changed'), ('note')) AS a(action)"
            " WHERE workspace_id = :ws"
        ),
        params,
    )


def seed(prospects: int, backlinks: int, members: int) -> Seeded:
    """Fill an empty, migrated database (in the current app context); commits."""
    owner = accounts.create_user(_email(0), PASSWORD, "Load User 0")
    workspace = accounts.create_workspace(owner, WORKSPACE, "ours.example")
    campaign = create_campaign(
        workspace.id, "Load", site_domain="ours.example", competitors=COMPETITORS
    )
    user_ids = [owner.id, *_team(workspace, members)]
    db.session.commit()
    seed_reports(workspace.id, campaign.id, owner.id, backlinks, prospects=prospects)
    _working_pipeline(workspace.id, campaign.id, user_ids)
    for n in range(ORDINARY_WORKSPACES):
        seed_demo(accounts.create_user(f"ordinary{n}@example.com", PASSWORD, f"Owner {n}"))
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
        auto.execute(text("VACUUM ANALYZE"))
    found = seeded()
    assert found is not None
    return found


def seeded() -> Seeded | None:
    """The seed found in the database, or None when there is none."""
    campaign = db.session.scalar(
        select(Campaign).join(Workspace).where(Workspace.name == WORKSPACE)
    )
    if campaign is None:
        return None
    low, high = db.session.execute(
        select(db.func.min(Prospect.id), db.func.max(Prospect.id)).where(
            Prospect.campaign_id == campaign.id
        )
    ).one()
    emails = db.session.scalars(
        select(User.email)
        .join(Membership)
        .where(Membership.workspace_id == campaign.workspace_id)
        .order_by(User.id)
    )
    counts = {
        table: db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        for table in ("workspace", "backlink", "prospect", "prospect_score", "outbound_message")
    }
    return Seeded(list(emails), campaign.id, (low, high), counts)
