"""A workspace with a known link history, through the real import path, for the report tests.

Report month: 2026-06. Our links (Ahrefs export to acme.example, plus verified placements):

| domain           | first seen        | lost              | DR | rel      | source           |
| a.com            | 2025-01-15        |                   | 70 | follow   | export           |
| a.com (2nd link) | 2026-06-01 check  |                   | 70 | nofollow | placement (P5)   |
| b.com            | 2026-04-10        |                   | 30 | follow   | export           |
| c.com            | 2025-03-01        | 2026-05-20        | 50 | follow   | export           |
| d.com            | 2026-06-30 23:00  |                   | 85 | nofollow | export           |
| e.com            | 2026-07-01 00:00  |                   | 10 | follow   | export           |
| f.com            | 2026-05-05        | 2026-06-30 12:00  | 65 | follow   | export           |
| g.blogspot.com   | 2026-06-02        |                   | 20 | follow   | export           |
| h.blogspot.com   | 2026-06-02        |                   | 20 | follow   | export           |
| news.site        | 2026-03-10 check  |                   |  - | follow   | placement (P1)   |
| other.org        | 2026-02-01 check  | 2026-06-15 check  |  - | follow   | placement (P2)   |

Competitors: rival-one.com has 2 referring domains not lost (x1, x2 twice, x3 lost);
rival-two.com has 14. Another campaign of the workspace has one live placement (side.net),
and another workspace links to acme.example from noise.com: neither counts for the campaign.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask.testing import FlaskCliRunner

from outreach.accounts.models import User, Workspace
from outreach.campaigns.models import Campaign, CampaignKind
from outreach.extensions import db
from outreach.links.models import LinkCheck, LinkStatus, PlacedLink
from outreach.pitches.models import (
    InboundMessage,
    Mailbox,
    MessageStatus,
    OutboundMessage,
    PitchTemplate,
    SequenceStep,
)
from outreach.prospects.models import Contact, Prospect, Stage
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.factories import Factory

SITE = "https://acme.example/guide"


def at(text: str) -> datetime:
    """A UTC moment from ``YYYY-MM-DD[ HH:MM]``."""
    fmt = "%Y-%m-%d %H:%M" if " " in text else "%Y-%m-%d"
    return datetime.strptime(text, fmt).replace(tzinfo=UTC)


def _ours(page: str, first: str, dr: float, lost: str | None = None, **kw: Any) -> Link:
    return Link(
        page, SITE, dr=dr, first_seen=first, last_seen=lost or "2026-11-01 00:00:00",
        lost=lost is not None, **kw,
    )  # fmt: skip


OUR_EXPORT = [
    _ours("https://a.com/list", "2025-01-15 10:00:00", 70),
    _ours("https://b.com/post", "2026-04-10 10:00:00", 30),
    _ours("https://c.com/old", "2025-03-01 00:00:00", 50, lost="2026-05-20 08:00:00"),
    _ours("https://www.d.com/new", "2026-06-30 23:00:00", 85, nofollow=True),
    _ours("https://e.com/next", "2026-07-01 00:00:00", 10),
    _ours("https://f.com/short", "2026-05-05 00:00:00", 65, lost="2026-06-30 12:00:00"),
    _ours("https://g.blogspot.com/p", "2026-06-02 09:00:00", 20),
    _ours("https://h.blogspot.com/p", "2026-06-02 09:00:00", 20),
]
RIVAL_ONE = [
    Link("https://x1.com/a", "https://rival-one.com/"),
    Link("https://x2.com/a", "https://rival-one.com/"),
    Link("https://x2.com/b", "https://rival-one.com/x"),
    Link("https://x3.com/a", "https://rival-one.com/", lost=True),
]
RIVAL_TWO = [Link(f"https://site{n}.net/p", "https://rival-two.com/") for n in range(14)]


@dataclass
class History:
    """What the tests need to find again."""

    workspace: Workspace
    campaign: Campaign
    other_campaign: Campaign
    owner: User


def _import(runner: FlaskCliRunner, path: Path, campaign: Campaign) -> None:
    result = runner.invoke(
        args=["import-backlinks", str(path), "--campaign", str(campaign.id), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["rejected"] == []


def _placement(
    workspace: Workspace, prospect: Prospect | None, page: str, checks: list[tuple[str, str]]
) -> PlacedLink:
    link = PlacedLink(
        workspace_id=workspace.id,
        prospect_id=prospect.id if prospect else None,
        page_url=page,
        target_url=SITE,
        status=LinkStatus(checks[-1][1]),
    )
    db.session.add(link)
    db.session.flush()
    for when, verdict in checks:
        follows = verdict != "nofollow"
        result = {"links": [{"href": SITE, "anchor": "x", "rel": [] if follows else ["nofollow"],
                             "follows": follows, "placement": "content"}]}  # fmt: skip
        db.session.add(
            LinkCheck(
                placed_link_id=link.id, checked_at=at(when), verdict=LinkStatus(verdict),
                http_status=200, result=result if verdict != "missing" else {"links": []},
            )
        )  # fmt: skip
    return link


class Outreach:
    """Prospects, messages and replies of one campaign."""

    def __init__(self, workspace: Workspace, campaign: Campaign, owner: User) -> None:
        self.workspace, self.campaign, self.owner = workspace, campaign, owner
        self.mailbox = Mailbox(
            workspace_id=workspace.id, user_id=owner.id, from_name="Owner",
            from_email="owner@acme.example", smtp_host="127.0.0.1",
        )  # fmt: skip
        db.session.add(self.mailbox)
        self.steps = []
        for position, name in enumerate(["First pitch", "Nudge"]):
            template = PitchTemplate(
                workspace_id=workspace.id, name=name, kind=CampaignKind.GUEST_POST,
                subject="Hi", body="Hello",
            )  # fmt: skip
            db.session.add(template)
            db.session.flush()
            step = SequenceStep(campaign_id=campaign.id, position=position, template_id=template.id)
            db.session.add(step)
            self.steps.append(step)
        db.session.flush()

    def prospect(self, domain: str, stage: Stage = Stage.CONTACTED) -> Prospect:
        """A prospect owned by the owner."""
        prospect = Prospect(
            workspace_id=self.workspace.id, campaign_id=self.campaign.id, domain=domain,
            stage=stage, owner_id=self.owner.id,
        )  # fmt: skip
        db.session.add(prospect)
        db.session.flush()
        return prospect

    def send(self, prospect: Prospect, step: int, when: str) -> None:
        """A message of a sequence step, sent at ``when``."""
        contact = db.session.query(Contact).filter_by(email=f"ed@{prospect.domain}").one_or_none()
        if contact is None:
            contact = Contact(workspace_id=self.workspace.id, email=f"ed@{prospect.domain}")
            db.session.add(contact)
            db.session.flush()
        db.session.add(
            OutboundMessage(
                workspace_id=self.workspace.id, prospect_id=prospect.id, contact_id=contact.id,
                mailbox_id=self.mailbox.id, step_id=self.steps[step].id,
                status=MessageStatus.SENT, message_id=f"<{prospect.domain}.{step}@acme>",
                subject="Hi", body="Hello", sent_at=at(when),
            )
        )  # fmt: skip

    def reply(self, prospect: Prospect, when: str, bounce: bool = False) -> None:
        """A reply (or a bounce) from the prospect."""
        db.session.add(
            InboundMessage(
                workspace_id=self.workspace.id, prospect_id=prospect.id,
                message_id=f"<re.{prospect.domain}.{when}@x>", from_email=f"ed@{prospect.domain}",
                subject="Re: Hi", body="Sure", is_bounce=bounce, received_at=at(when),
            )
        )  # fmt: skip


def build_history(factory: Factory, runner: FlaskCliRunner, folder: Path) -> History:
    """The workspace described in this module's docstring."""
    owner, workspace = factory.user_with_workspace("owner@acme.example", "Acme")
    campaign = factory.campaign(
        workspace, name="Guides", site_domain="acme.example",
        competitors=["rival-one.com", "rival-two.com"],
    )  # fmt: skip
    other = factory.campaign(workspace, name="Side", site_domain="acme.example", competitors=[])
    _import(runner, write_ahrefs(folder / "ours.tsv", OUR_EXPORT), campaign)
    _import(runner, write_ahrefs(folder / "rivals.tsv", RIVAL_ONE + RIVAL_TWO), campaign)

    work = Outreach(workspace, campaign, owner)
    news, gone, quiet = (
        work.prospect("news.site"),
        work.prospect("other.org"),
        work.prospect("quiet.com"),
    )
    work.prospect("never.com", Stage.QUALIFIED)
    listed = work.prospect("a.com", Stage.LIVE)
    agreed = work.prospect("agreed.com", Stage.LINK_PLACED)
    work.send(news, 0, "2026-02-20")
    work.reply(news, "2026-02-22")
    work.send(gone, 0, "2026-01-05")
    work.send(gone, 1, "2026-01-12")
    work.reply(gone, "2026-01-13")
    work.send(quiet, 0, "2026-03-01")
    work.reply(quiet, "2026-03-02", bounce=True)
    work.send(listed, 0, "2026-05-01")
    work.send(agreed, 0, "2026-06-10")
    _placement(
        workspace, news, "https://news.site/story", [("2026-03-10", "live"), ("2026-04-10", "live")]
    )
    _placement(
        workspace,
        gone,
        "https://blog.other.org/post",
        [("2026-02-01", "live"), ("2026-06-15", "missing")],
    )
    _placement(workspace, listed, "https://a.com/review", [("2026-06-01", "nofollow")])
    _placement(workspace, None, "https://never-found.com/p", [("2026-06-01", "missing")])
    side = Prospect(
        workspace_id=workspace.id, campaign_id=other.id, domain="side.net", stage=Stage.LIVE
    )
    db.session.add(side)
    db.session.flush()
    _placement(workspace, side, "https://side.net/p", [("2026-06-05", "live")])
    db.session.commit()

    _, elsewhere = factory.user_with_workspace("else@noise.example", "Elsewhere")
    noise = factory.campaign(elsewhere, site_domain="acme.example", competitors=["rival-two.com"])
    _import(
        runner,
        write_ahrefs(
            folder / "noise.tsv", [_ours("https://noise.com/p", "2026-01-01 00:00:00", 90)]
        ),
        noise,
    )
    return History(workspace, campaign, other, owner)
