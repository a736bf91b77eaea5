"""The SQL form of authority (what reports join) gives every domain the figure scoring uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from outreach.backlinks.models import Domain
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.scoring.authority import domain_authorities, rank_to_authority
from outreach.scoring.authority_sql import authority_table
from outreach.scoring.models import OutreachRank, RankedDomain, RankedList
from outreach.scoring.pagerank import refresh_outreach_rank
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.factories import Factory
from tests.scoring.exports import (
    MAJESTIC,
    MOZ,
    SEMRUSH,
    load,
    majestic_row,
    moz_row,
    semrush_row,
    write_csv,
)  # fmt: skip

R = "https://rival.com/page"


@pytest.fixture
def campaign(factory: Factory, runner: FlaskCliRunner, tmp_path: Path) -> Campaign:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    campaign = factory.campaign(workspace, site_domain="ours.com", competitors=["rival.com"])
    ahrefs = [Link("https://a.com/x", R, dr=55), Link("https://mixed.com/x", R, dr=47)]
    load(runner, write_ahrefs(tmp_path / "a.tsv", ahrefs), campaign.id)
    moz = [moz_row("https://m.org/x", R, 52, 38), moz_row("https://mixed.com/y", R, 41, 60)]
    load(runner, write_csv(tmp_path / "m.csv", MOZ, moz), campaign.id)
    majestic = [majestic_row("https://j.com/x", R, 34, 29)]
    load(runner, write_csv(tmp_path / "j.csv", MAJESTIC, majestic), campaign.id)
    semrush = [semrush_row("https://s.net/x", R, 37), semrush_row("https://s.net/y", R, 44)]
    load(runner, write_csv(tmp_path / "s.csv", SEMRUSH, semrush), campaign.id)
    # Linking pages whose exports carry no authority: only a ranked list or PageRank rates them.
    console = tmp_path / "https___rival.com_-Latest links-2026-05-10.csv"
    console.write_text(
        "Linking page,Last crawled\n"
        + "".join(
            f"https://{d}/p,2026-05-01\n"
            for d in ("listed.com", "two.com", "bare.com", "pr-only.com")
        )
    )
    result = runner.invoke(
        args=[
            "import-backlinks",
            str(console),
            "--campaign",
            str(campaign.id),
            "--target",
            "rival.com",
        ]
    )
    assert result.exit_code == 0, result.output
    for listed, domain, rank in [
        (RankedList.TRANCO, "listed.com", 1000), (RankedList.TRANCO, "a.com", 3),
        (RankedList.OPEN_PAGERANK, "two.com", 90), (RankedList.TRANCO, "two.com", 9),
    ]:  # fmt: skip
        db.session.add(
            RankedDomain(
                workspace_id=workspace.id,
                list_name=listed,
                domain=domain,
                rank=rank,
                authority=rank_to_authority(rank),
            )
        )
    refresh_outreach_rank(workspace.id)
    db.session.add(OutreachRank(workspace_id=workspace.id, domain="pr-only.com", value=42.5))
    db.session.commit()
    return campaign


def test_sql_and_python_agree_on_every_domain(campaign: Campaign) -> None:
    table = authority_table(campaign.workspace_id)
    in_sql = {row.domain: row.authority for row in db.session.execute(select(table))}
    names = list(db.session.scalars(select(Domain.name)))
    in_python = {
        domain: found.value
        for domain, found in domain_authorities(campaign.workspace_id, names).items()
        if found.value is not None
    }
    assert in_sql == pytest.approx(in_python)
    assert in_sql["mixed.com"] == 47.0  # Ahrefs DR before Moz DA
    assert in_sql["s.net"] == 44.0  # page-level, the best page
    assert in_sql["two.com"] == rank_to_authority(90)  # Open PageRank before Tranco
    assert in_sql["pr-only.com"] == 42.5  # Outreach PageRank
    assert in_sql["listed.com"] == rank_to_authority(1000)
    assert "bare.com" in names and "bare.com" not in in_sql  # unknown stays unknown
