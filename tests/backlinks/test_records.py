"""The backlink record layout: one module says what each field of a record is."""

from __future__ import annotations

import ast
import inspect
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from outreach.backlinks import batches, records, writers
from outreach.backlinks.batches import LoadTarget, record_batches
from outreach.backlinks.models import Backlink, DataSource
from outreach.backlinks.records import ROW_COLUMNS, link_key, record
from outreach.crawl.models import CrawlRun
from outreach.crawl.outcome import PageOutcome
from outreach.crawl.store import CrawlStore
from outreach.extensions import db
from outreach.links.html import PageLink
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.factories import Factory

PACKAGE = Path(records.__file__).parent


def test_every_record_column_is_a_backlink_column() -> None:
    table = set(Backlink.__table__.columns.keys())
    assert set(ROW_COLUMNS) <= table
    assert set(records.SHARED_COLUMNS) <= table
    assert len(set(ROW_COLUMNS)) == len(ROW_COLUMNS)


def test_named_positions_read_the_field_they_name(tmp_path: Path) -> None:
    path = write_ahrefs(
        tmp_path / "e.csv", [Link("https://www.blog.example.org/a/", "https://rival.com/x")]
    )
    where = LoadTarget(1, 1, DataSource.AHREFS)
    (batch,) = record_batches(path, None, where, datetime(2024, 6, 1, tzinfo=UTC), True)
    (item,) = batch.records
    named = dict(zip(ROW_COLUMNS, item, strict=True))
    assert records.target_domain_of(item) == named["target_domain"] == "rival.com"
    assert records.source_domain_of(item) == named["source_domain"] == "example.org"
    assert records.authority_of(item) == named["authority"] == 40.0
    assert records.key_of(item) == link_key("https://blog.example.org/a", "https://rival.com/x")
    assert named["source_url"] == "https://www.blog.example.org/a/", "stored as written"


def test_record_builds_the_layout_from_named_fields() -> None:
    when = datetime(2024, 5, 1, 12, tzinfo=UTC)
    fields = {"source_url": "https://a.example/p", "source_domain": "a.example",
              "target_url": "https://rival.com/", "target_domain": "rival.com",
              "nofollow": 1, "first_seen": when}  # fmt: skip
    built = dict(zip(ROW_COLUMNS, record(fields, for_sqlite=True), strict=True))
    assert built["link_key"] == link_key("https://a.example/p", "https://rival.com/")
    assert built["nofollow"] is True and built["ugc"] is False
    assert built["first_seen"] == "2024-05-01 12:00:00.000000"
    assert (
        dict(zip(ROW_COLUMNS, record(fields, for_sqlite=False), strict=True))["first_seen"]
        == "2024-05-01T12:00:00+00:00"
    )


@pytest.mark.parametrize("module", [batches, writers])
def test_record_fields_are_never_read_by_a_bare_position(module: Any) -> None:
    tree = ast.parse(inspect.getsource(module))
    bare = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and ast.unparse(node.func) == "itemgetter"
        and any(isinstance(arg, ast.Constant) for arg in node.args)
    ]
    bare += [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript)
        and ast.unparse(node.value) in ("record", "item")
        and isinstance(node.slice, ast.Constant)
    ]
    assert bare == []


def test_link_key_has_one_home() -> None:
    found = []
    for path in PACKAGE.parent.rglob("*.py"):
        source = path.read_text()
        if "def link_key" in source or "def link_keys" in source:
            found.append(path.relative_to(PACKAGE.parent).as_posix())
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and any(a.name == "link_key" for a in node.names):
                assert node.module == "outreach.backlinks.records", path
    assert found == ["backlinks/records.py"]


def test_crawl_writes_its_backlinks_through_the_backlink_writer(
    factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    campaign = factory.campaign(workspace)
    run = CrawlRun(workspace_id=workspace.id, campaign_id=campaign.id)
    db.session.add(run)
    db.session.flush()
    used: list[LoadTarget] = []
    real = writers.writer_for

    def spy(conn: Any, where: LoadTarget) -> writers.Writer:
        used.append(where)
        return real(conn, where)

    monkeypatch.setattr(writers, "writer_for", spy)
    import outreach.crawl.store as store

    monkeypatch.setattr(store, "writer_for", spy)
    links = [
        PageLink("https://rival-one.com/a", "followed, footer", [], True, "footer"),
        PageLink("https://rival-one.com/a", "nofollow, body", ["nofollow"], False, "content"),
        PageLink("https://rival-one.com/a", "nofollow, sidebar", ["nofollow"], False, "sidebar"),
    ]
    page = PageOutcome(url="http://blog.example.org/p", domain="example.org", depth=0, status=200)
    page.title, page.target_links = "A page", links
    crawler = CrawlStore(run)
    crawler.add(page)
    crawler.flush()
    assert [w.data_source for w in used] == [DataSource.CRAWL]
    stored = db.session.query(Backlink).one()
    assert (stored.source_url, stored.target_domain) == (
        "http://blog.example.org/p",
        "rival-one.com",
    )
    assert stored.anchor == "followed, footer", "followed beats not followed"
    assert stored.data_source is DataSource.CRAWL
