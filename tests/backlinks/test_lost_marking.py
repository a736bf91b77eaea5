"""Never losing links to a bad file: broken files change nothing, and links are marked lost
only after a complete import of the same kind of report, with the user's go-ahead for a
large drop."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select, text

from outreach.backlinks.models import Backlink, BacklinkImport, ImportStatus
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from tests.backlinks.ahrefs import HEADER, Link, write_ahrefs
from tests.factories import Factory

T = "https://rival-one.com/"


def _campaign(factory: Factory) -> Campaign:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    return factory.campaign(workspace)


def _run(runner: FlaskCliRunner, path: Path, campaign: Campaign, *extra: str) -> Any:
    return runner.invoke(
        args=["import-backlinks", str(path), "--campaign", str(campaign.id), *extra]
    )


def _import(runner: FlaskCliRunner, path: Path, campaign: Campaign, *extra: str) -> Any:
    result = _run(runner, path, campaign, "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _snapshot() -> list[tuple[Any, ...]]:
    """Every backlink row, every column: to show a refused file changed nothing at all."""
    db.session.expire_all()
    rows = db.session.execute(text("SELECT * FROM backlink ORDER BY id")).all()
    return [tuple(row) for row in rows]


def _lost() -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(Backlink).where(Backlink.lost_at.is_not(None))
    return db.session.scalar(query) or 0


def _links(count: int, prefix: str = "s") -> list[Link]:
    return [Link(f"https://{prefix}{i}.com/p", T) for i in range(count)]


SEMRUSH = (
    "Page ascore,Source title,Source url,Target url,Anchor,External links,Internal links,"
    "Nofollow,Sponsored,Ugc,Text,Frame,Form,Image,Sitewide,First seen,Last seen,New link,"
    "Lost link\n"
)


def _semrush_row(n: int, title: str = "A page") -> str:
    return (
        f"30,{title},https://s{n}.com/p,{T},anchor,10,5,false,false,false,true,false,false,"
        "false,false,2024-01-02,2024-03-01,false,false\n"
    )


def test_a_file_with_a_quote_left_open_is_refused_whole_and_changes_nothing(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    full = SEMRUSH + "".join(_semrush_row(n) for n in range(40))
    (tmp_path / "first.csv").write_text(full)
    _import(runner, tmp_path / "first.csv", campaign)
    before = _snapshot()
    rows = [_semrush_row(n) for n in range(40)]
    rows[2] = _semrush_row(2, '"Best tools, rated')  # the quote never closes
    (tmp_path / "broken.csv").write_text(SEMRUSH + "".join(rows))
    result = _run(runner, tmp_path / "broken.csv", campaign)
    assert result.exit_code == 1
    assert "row 3" in result.output and "Nothing was imported" in result.output
    assert _snapshot() == before, "not one row added, changed or marked lost"
    failed = db.session.scalar(
        select(BacklinkImport).where(BacklinkImport.filename == "broken.csv")
    )
    assert failed is not None and failed.status is ImportStatus.FAILED


def test_a_file_with_a_field_of_many_line_breaks_is_refused_whole_and_changes_nothing(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    _import(runner, write_ahrefs(tmp_path / "first.csv", _links(10)), campaign)
    before = _snapshot()
    lines = ["\t".join(HEADER)]
    good = write_ahrefs(tmp_path / "g.csv", _links(2), utf16=True)
    body = good.read_bytes()[2:].decode("utf-16-le").splitlines()[1:]
    lines += [*body[:1], body[1].replace("great guide", '"great\n' + "\n" * 80 + 'guide"')]
    (tmp_path / "long.tsv").write_bytes(b"\xff\xfe" + ("\n".join(lines) + "\n").encode("utf-16-le"))
    result = _run(runner, tmp_path / "long.tsv", campaign)
    assert result.exit_code == 1 and "row 2" in result.output
    assert _snapshot() == before


def test_links_are_not_marked_lost_by_a_file_with_rejected_rows(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    _import(runner, write_ahrefs(tmp_path / "old.csv", _links(4)), campaign)
    partial = [*_links(3), Link("htp:/broken url", T)]
    summary = _import(runner, write_ahrefs(tmp_path / "new.csv", partial[1:]), campaign)
    assert summary["rejected"] and summary["marked_lost"] == 0
    assert _lost() == 0
    item = db.session.scalar(select(BacklinkImport).where(BacklinkImport.filename == "new.csv"))
    assert item is not None and "rows were rejected" in (item.lost_note or "")


def test_only_links_from_the_same_kind_of_report_are_marked_lost(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    _import(runner, write_ahrefs(tmp_path / "pages.csv", _links(3)), campaign)
    header = "Domain,Domain rating,Dofollow ref. domains,Links to target,First seen\n"
    (tmp_path / "rd.csv").write_text(header + "other-site.org,44,10,5,2024-01-02\n")
    summary = _import(runner, tmp_path / "rd.csv", campaign, "--target", "rival-one.com")
    assert summary["marked_lost"] == 0
    assert _lost() == 0, "a referring-domains file says nothing about single pages"
    again = _import(runner, write_ahrefs(tmp_path / "pages2.csv", _links(2)), campaign)
    assert again["marked_lost"] == 1 and _lost() == 1


def test_a_drop_of_more_than_half_of_a_targets_links_waits_for_mark_lost(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    _import(runner, write_ahrefs(tmp_path / "full.csv", _links(10)), campaign)
    small = write_ahrefs(tmp_path / "small.csv", _links(4))
    result = _run(runner, small, campaign)
    assert result.exit_code == 0, result.output
    assert "Would have marked 6 links lost" in result.output and "--mark-lost" in result.output
    assert _lost() == 0
    summary = _import(runner, small, campaign)
    assert (summary["marked_lost"], summary["would_mark_lost"]) == (0, 6)
    confirmed = _import(runner, small, campaign, "--mark-lost")
    assert (confirmed["marked_lost"], confirmed["would_mark_lost"]) == (6, 0)
    assert _lost() == 6


def test_a_drop_of_less_than_half_marks_links_lost_without_asking(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    _import(runner, write_ahrefs(tmp_path / "full.csv", _links(10)), campaign)
    summary = _import(runner, write_ahrefs(tmp_path / "most.csv", _links(7)), campaign)
    assert (summary["marked_lost"], summary["would_mark_lost"]) == (3, 0)
    assert _lost() == 3


def test_the_import_page_asks_before_a_large_drop_and_marks_on_confirmation(
    factory: Factory, runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    _import(runner, write_ahrefs(tmp_path / "full.csv", _links(10)), campaign)
    _import(runner, write_ahrefs(tmp_path / "small.csv", _links(2)), campaign)
    item = db.session.scalar(select(BacklinkImport).where(BacklinkImport.filename == "small.csv"))
    assert item is not None and item.lost_pending == 8
    client.post("/login", data={"email": "o@example.com", "password": Factory.PASSWORD})
    page = client.get(f"/imports/{item.id}").get_data(as_text=True)
    assert "Mark 8 links lost" in page and f"/imports/{item.id}/mark-lost" in page
    assert _lost() == 0
    response = client.post(f"/imports/{item.id}/mark-lost")
    assert response.status_code == 302
    assert _lost() == 8
    db.session.expire_all()
    done = db.session.get(BacklinkImport, item.id)
    assert done is not None and (done.lost_pending, done.marked_lost) == (0, 8)
    page = client.get(f"/imports/{item.id}").get_data(as_text=True)
    assert "Mark 8 links lost" not in page and "8 links missing from this file" in page


def test_confirming_an_old_drop_is_refused_once_a_later_import_ran(
    factory: Factory, runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    _import(runner, write_ahrefs(tmp_path / "full.csv", _links(10)), campaign)
    _import(runner, write_ahrefs(tmp_path / "small.csv", _links(2)), campaign)
    _import(runner, write_ahrefs(tmp_path / "full2.csv", _links(10)), campaign)
    item = db.session.scalar(select(BacklinkImport).where(BacklinkImport.filename == "small.csv"))
    assert item is not None
    client.post("/login", data={"email": "o@example.com", "password": Factory.PASSWORD})
    page = client.post(f"/imports/{item.id}/mark-lost", follow_redirects=True)
    assert "later import" in page.get_data(as_text=True)
    assert _lost() == 0
