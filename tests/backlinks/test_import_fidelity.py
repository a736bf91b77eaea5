"""Reading real exports the way their tools meant them: figures, flags, URLs and targets."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

from flask.testing import FlaskCliRunner
from sqlalchemy import select

from outreach.backlinks.models import Backlink, BacklinkImport
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.prospects.intersect import all_prospects
from outreach.prospects.intersect_rows import IntersectQuery
from tests.factories import Factory

FILES = Path(__file__).parent / "files"


def _campaign(factory: Factory, **fields: Any) -> Campaign:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    return factory.campaign(workspace, **fields)


def _run(runner: FlaskCliRunner, path: Path, campaign: Campaign, *extra: str) -> Any:
    return runner.invoke(
        args=["import-backlinks", str(path), "--campaign", str(campaign.id), "--json", *extra]
    )


def _import(runner: FlaskCliRunner, path: Path, campaign: Campaign, *extra: str) -> Any:
    result = _run(runner, path, campaign, *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _links() -> list[Backlink]:
    db.session.expire_all()
    return list(db.session.scalars(select(Backlink).order_by(Backlink.source_domain)))


def test_semrush_page_ascore_stands_in_as_page_level_authority_until_a_domain_figure(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory, competitors=["rival.com"])
    _import(runner, FILES / "semrush_backlinks.csv", campaign)
    link = next(b for b in _links() if b.source_domain == "seo-blog-example.com")
    assert (link.authority, link.page_authority) == (None, 37.0)
    row = next(
        r for r in all_prospects(campaign, IntersectQuery()) if r.domain == link.source_domain
    )
    assert (row.authority, row.authority_level) == (37.0, "page")
    assert row.as_json()["authority_level"] == "page"
    _import(runner, FILES / "semrush_referring_domains.csv", campaign, "--target", "rival.com")
    row = next(
        r for r in all_prospects(campaign, IntersectQuery()) if r.domain == link.source_domain
    )
    assert (row.authority, row.authority_level) == (64.0, "domain")


def test_the_intersect_page_labels_a_page_level_authority(
    factory: Factory, runner: FlaskCliRunner, client: Any
) -> None:
    campaign = _campaign(factory, competitors=["rival.com"])
    _import(runner, FILES / "semrush_backlinks.csv", campaign)
    client.post("/login", data={"email": "o@example.com", "password": Factory.PASSWORD})
    page = client.get(f"/campaigns/{campaign.id}/intersect").get_data(as_text=True)
    assert "page-level" in page


def test_vendor_flags_are_kept(factory: Factory, runner: FlaskCliRunner, tmp_path: Path) -> None:
    campaign = _campaign(factory, competitors=["rival.com"])
    ahrefs = (
        "Referring page title,Referring page URL,Domain rating,UR,Target URL,Anchor,Type,"
        "Content,Is spam,Nofollow,First seen,Last seen\n"
        "Spam,https://spam.example/p,3,1,https://rival.com/,x,href,false,true,false,"
        "2024-01-01,2024-02-01\n"
        "Pic,https://pics.example/p,30,10,https://rival.com/,,image,true,false,false,"
        "2024-01-01,2024-02-01\n"
        "Moved,https://moved.example/p,30,10,https://rival.com/,,redirect,,,false,"
        "2024-01-01,2024-02-01\n"
    )
    (tmp_path / "ahrefs.csv").write_text(ahrefs)
    _import(runner, tmp_path / "ahrefs.csv", campaign)
    moz = (
        "URL,Title,Anchor Text,Target URL,Domain Authority,Page Authority,Spam Score,"
        "Date First Seen,Date Last Seen\n"
        "https://garden.example/r,Garden,plan,https://rival.com/p,52,38,12%,2023-04-11,2024-03-02\n"
    )
    (tmp_path / "moz.csv").write_text(moz)
    _import(runner, tmp_path / "moz.csv", campaign)
    majestic = (
        "SourceURL,TargetURL,AnchorText,FlagNoFollow,FlagImageLink,FlagRedirect,FlagFrame,"
        "SourceTrustFlow,SourceCitationFlow,SourceTopicalTrustFlow_Topic_0,"
        "SourceTopicalTrustFlow_Value_0,FirstIndexedDate,LastSeenDate\n"
        "https://maker.example/t,https://rival.com/t,tool,-,-,-,+,34,29,"
        "Computers/Internet/Web Design,23,2022-08-14,2024-03-03\n"
    )
    (tmp_path / "majestic.csv").write_text(majestic)
    _import(runner, tmp_path / "majestic.csv", campaign)
    semrush = (FILES / "semrush_backlinks.csv").read_text()
    (tmp_path / "semrush.csv").write_text(semrush)
    _import(runner, tmp_path / "semrush.csv", campaign)
    by_domain = {b.source_domain: b for b in _links()}
    spam, pics, moved = (
        by_domain["spam.example"],
        by_domain["pics.example"],
        by_domain["moved.example"],
    )
    assert (spam.is_spam, spam.link_type, spam.placement) == (True, "text", "boilerplate")
    assert (pics.is_spam, pics.link_type, pics.placement) == (False, "image", "content")
    assert (moved.is_spam, moved.link_type) == (None, "redirect")
    assert by_domain["garden.example"].spam_score == 12.0
    maker = by_domain["maker.example"]
    assert (maker.topical_trust_flow, maker.link_type) == (
        "Computers/Internet/Web Design:23",
        "frame",
    )
    assert by_domain["news-example.net"].link_type == "image"  # Semrush's Image flag
    assert by_domain["news-example.net"].placement == "sitewide"
    assert by_domain["seo-blog-example.com"].link_type == "text"


def test_duplicate_rows_keep_the_best_link_and_count_the_rows(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory, competitors=["rival.com"])
    header = "Referring page URL,Target URL,Anchor,Nofollow,Content,Domain rating\n"
    rows = [
        "https://blog.example/p,https://rival.com/,sidebar link,false,false,40",
        "https://blog.example/p,https://rival.com/,body link,false,true,40",
        "https://www.blog.example/p/,https://rival.com,nofollowed,true,true,40",
    ]
    (tmp_path / "dupes.csv").write_text(header + "\n".join(rows) + "\n")
    summary = _import(runner, tmp_path / "dupes.csv", campaign)
    assert summary["imported"] == 3
    (link,) = _links()
    assert (link.anchor, link.nofollow, link.placement) == ("body link", False, "content")
    assert link.rows_merged == 3


def test_urls_are_stored_as_the_export_wrote_them_and_matched_by_their_normal_form(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory, competitors=["rival.com"])
    header = "Referring page URL,Target URL,Anchor,Domain rating\n"
    (tmp_path / "a.csv").write_text(
        header + "https://www.Blog.example/p/?q=1,https://www.rival.com/x/,a,40\n"
    )
    _import(runner, tmp_path / "a.csv", campaign)
    (tmp_path / "b.csv").write_text(
        header + "https://blog.example/p?q=1,https://rival.com/x,b,40\n"
    )
    _import(runner, tmp_path / "b.csv", campaign)
    (link,) = _links()
    assert link.anchor == "b", "the same link, matched by its normalised key"
    assert (link.source_url, link.target_url) == (
        "https://blog.example/p?q=1",
        "https://rival.com/x",
    )
    (tmp_path / "c.csv").write_text(
        header + "https://www.Blog.example/p/?q=1,https://www.rival.com/x/,c,40\n"
    )
    _import(runner, tmp_path / "c.csv", campaign)
    (link,) = _links()
    assert link.source_url == "https://www.Blog.example/p/?q=1", "shown as the export gave it"
    assert link.target_url == "https://www.rival.com/x/"
    (row,) = all_prospects(campaign, IntersectQuery())
    assert row.as_json()["pages"] == ["https://www.Blog.example/p/?q=1"]


def test_search_console_files_default_to_the_campaigns_own_site(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory, site_domain="ours.example")
    path = tmp_path / "latest.csv"
    shutil.copy(FILES / "search_console_latest_links.csv", path)
    _import(runner, path, campaign)
    assert {b.target_domain for b in _links()} == {"ours.example"}


def test_search_console_files_take_the_property_named_in_the_file_name(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory, site_domain="ours.example", competitors=["rival-one.com"])
    named = tmp_path / "https___www.rival-one.com_-Latest links-2026-05-10.csv"
    shutil.copy(FILES / "search_console_latest_links.csv", named)
    _import(runner, named, campaign)
    assert {b.target_domain for b in _links()} == {"rival-one.com"}
    item = db.session.scalar(select(BacklinkImport))
    assert item is not None and item.target_domain == "rival-one.com"
    stranger = tmp_path / "sc-domain_stranger.org-Top linking sites-2026-05-10.csv"
    shutil.copy(FILES / "search_console_top_linking_sites.csv", stranger)
    refused = _run(runner, stranger, campaign)
    assert refused.exit_code == 1 and "stranger.org" in refused.output


def test_a_list_of_sites_for_a_campaign_with_one_competitor_needs_no_target(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    campaign = _campaign(factory, competitors=["rival-one.com"])
    _import(runner, FILES / "ahrefs_referring_domains.tsv", campaign)
    assert {b.target_domain for b in _links()} == {"rival-one.com"}


def test_a_header_less_upload_says_so_and_offers_the_column_mapping(
    factory: Factory, runner: FlaskCliRunner, client: Any, tmp_path: Path
) -> None:
    campaign = _campaign(factory)
    data = b"https://blog.example/a,https://rival-one.com/,guide\nhttps://b.example/,https://rival-one.com/x,b\n"
    (tmp_path / "plain.csv").write_bytes(data)
    refused = runner.invoke(
        args=["import-backlinks", str(tmp_path / "plain.csv"), "--campaign", str(campaign.id)]
    )
    assert refused.exit_code == 1 and "no header row" in refused.output
    client.post("/login", data={"email": "o@example.com", "password": Factory.PASSWORD})
    response = client.post(
        f"/campaigns/{campaign.id}/imports",
        data={"file": (io.BytesIO(data), "plain.csv"), "target": ""},
        content_type="multipart/form-data",
    )
    assert "/mapping" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "holds data, not column names" in page
    assert '<option selected value="Column 1">' in page or 'value="Column 1" selected' in page
