"""A worker SIGKILLed in the middle of an import or of a crawl (see test_killed_worker.py).

The import keeps all of its rows or none; the crawl keeps whole checkpoints (pages with the
counters that count them), and after the recovery check each ends finished, or failed with
a reason, never "running" for ever.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from outreach.backlinks import imports
from outreach.backlinks.jobs import launch_import
from outreach.backlinks.models import Backlink, BacklinkImport, ImportStatus
from outreach.crawl import services as crawls
from outreach.crawl.jobs import launch_crawl
from outreach.crawl.models import CrawlPage, CrawlRun, CrawlStatus
from outreach.extensions import db
from tests.factories import Factory
from tests.faults.conftest import PAGES, LaunchWorkers
from tests.faults.killing import ENDS, assert_ended, progress, recover, task_of
from tests.support.exportgen import write_ahrefs_export
from tests.support.simweb import SimWeb

pytestmark = pytest.mark.faults
ROWS = 20_000  # enough for an import to be seen mid-way on a fast machine
ACTIVE = (ImportStatus.QUEUED, ImportStatus.RUNNING)


def test_an_import_killed_mid_way_keeps_nothing_and_ends_with_a_reason(
    app: Flask, factory: Factory, launch_workers: LaunchWorkers, tmp_path: Path
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    campaign = factory.campaign(workspace)
    export = tmp_path / "big.csv"
    write_ahrefs_export(export, ROWS, target_domains=["rival-one.com"])
    item = imports.create_import(campaign, export, "big.csv")
    launch_import(item, None)
    db.session.commit()
    import_id, task_id = item.id, item.task_id
    assert task_id is not None
    workers = launch_workers()
    workers.start()
    redis_url = str(app.config["REDIS_URL"])
    read = workers.wait(lambda: progress(redis_url, task_id, "rows_read"), 120, "import mid-way")
    workers.kill()

    assert 0 < read < ROWS, "killed mid-way"
    assert db.session.scalar(select(func.count()).select_from(Backlink)) == 0
    workers.start("worker-2")
    recover(app)
    workers.wait(lambda: _import(import_id).status not in ACTIVE, ENDS, "import ended")
    assert_ended(task_of(task_id))
    record = _import(import_id)
    kept = db.session.scalar(select(func.count()).select_from(Backlink)) or 0
    if record.status is ImportStatus.DONE:  # run again whole: every row is there
        assert record.rows_read == ROWS and record.rows_imported == ROWS and kept > 0
    else:
        assert record.status is ImportStatus.FAILED and record.error, "failed, saying why"
        assert kept == 0 and record.rows_imported == 0, "all or nothing"


def _import(import_id: int) -> BacklinkImport:
    db.session.rollback()
    record = db.session.get(BacklinkImport, import_id)
    assert record is not None
    return record


def test_a_crawl_killed_mid_way_keeps_whole_pages_and_ends(
    app: Flask,
    factory: Factory,
    launch_workers: LaunchWorkers,
    web: tuple[SimWeb, dict[str, float]],
) -> None:
    server, _ = web
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    campaign = factory.campaign(workspace, competitors=["rival-one.com"])
    run = crawls.create_run(campaign, sites="slow.example", find_contacts=False)
    launch_crawl(run, None)
    db.session.commit()
    run_id, task_id = run.id, run.task_id
    assert task_id is not None
    proxy = {"OUTREACH_HTTP_PROXY": server.proxy_url, "OUTREACH_PER_HOST_DELAY": "0"}
    workers = launch_workers(**proxy)
    workers.start()
    workers.wait(lambda: _crawl(run_id).pages_fetched >= 3, 60, "crawl mid-way")
    workers.kill()

    fetched = _crawl(run_id).pages_fetched
    assert fetched < PAGES, "killed mid-way"
    assert _pages_of(run_id) == fetched, "each checkpoint wrote its pages with its counters"
    workers.start("worker-2")
    recover(app)
    workers.wait(lambda: not _crawl(run_id).status.active, ENDS, "crawl ended")
    assert_ended(task_of(task_id))
    ended = _crawl(run_id)
    if ended.status is CrawlStatus.FAILED:
        assert ended.error, "failed, saying why"
    else:
        assert ended.status is CrawlStatus.FINISHED
    keys = db.session.scalars(select(CrawlPage.url_key).where(CrawlPage.run_id == run_id)).all()
    assert len(keys) == len(set(keys)), "no page recorded twice"


def _crawl(run_id: int) -> CrawlRun:
    db.session.rollback()
    run = db.session.get(CrawlRun, run_id)
    assert run is not None
    return run


def _pages_of(run_id: int) -> int:
    query = select(func.count()).select_from(CrawlPage).where(CrawlPage.run_id == run_id)
    return db.session.scalar(query) or 0
