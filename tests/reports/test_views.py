"""The reports dashboard: figures, charts with their tables, CSV downloads and targets."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner

from outreach.campaigns.services import create_campaign
from outreach.extensions import db
from tests.factories import Factory
from tests.reports.history import History, build_history


@pytest.fixture
def history(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path, client: FlaskClient
) -> History:
    built = build_history(factory, runner, tmp_path)
    response = client.post(
        "/login", data={"email": "owner@acme.example", "password": Factory.PASSWORD}
    )
    assert response.status_code == 302
    return built


def test_dashboard_shows_each_chart_with_its_table(client: FlaskClient, history: History) -> None:
    response = client.get(f"/reports/?campaign={history.campaign.id}&start=2025-07&end=2026-06")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('<svg class="chart') == 9
    assert page.count('role="img"') == 9
    for title in (
        "Referring domains by month",
        "New and lost referring domains",
        "Average authority of new referring domains",
        "Authority of live referring domains",
        "Gap to competitors",
        "Funnel by sequence step",
        "Links won and messages sent per teammate",
    ):
        assert f"<caption>{title}</caption>" in page
    assert "33% of live referring domains have an authority of 60 or more." in page
    assert "rival-two.com" in page and "Step 2" in page


def test_a_table_downloads_as_csv_with_the_same_filters(
    client: FlaskClient, history: History
) -> None:
    response = client.get(
        f"/reports/download?table=new-lost&campaign={history.campaign.id}&start=2026-04&end=2026-06"
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["Month", "New", "Lost", "Net"],
        ["2026-04", "1", "0", "1"],
        ["2026-05", "1", "1", "0"],
        ["2026-06", "3", "2", "1"],
    ]
    assert client.get("/reports/download?table=nothing").status_code == 404


def test_names_in_a_csv_cannot_run_as_formulas(client: FlaskClient, history: History) -> None:
    create_campaign(history.workspace.id, '=HYPERLINK("http://evil.example")')
    db.session.commit()
    text = client.get("/reports/download?table=funnel-campaigns&end=2026-06").get_data(as_text=True)
    assert "'=HYPERLINK" in text
    assert "\n=" not in text and not text.startswith("=")


def test_an_owner_sets_and_removes_a_target_and_the_line_appears(
    client: FlaskClient, history: History
) -> None:
    campaign = history.campaign.id
    response = client.post(
        "/reports/targets", data={"campaign": campaign, "month": "2026-03", "domains": "12"}
    )
    assert response.status_code == 302
    page = client.get(f"/reports/?campaign={campaign}&end=2026-06").get_data(as_text=True)
    assert "Target: Jul 2025 none" in page and "Jun 12" in page
    rows = client.get(f"/reports/download?table=referring-domains&campaign={campaign}&end=2026-06")
    assert rows.get_data(as_text=True).splitlines()[-1] == "2026-06,6,12"
    assert (
        client.get("/reports/download?table=referring-domains&end=2026-06")
        .get_data(as_text=True)
        .splitlines()[-1]
        == "2026-06,7,"
    )  # the workspace has no target of its own
    bad = client.post(
        "/reports/targets", data={"campaign": campaign, "month": "March", "domains": "1"}
    )
    assert bad.status_code == 302
    from outreach.reports.models import ReferringDomainTarget

    saved = db.session.query(ReferringDomainTarget).one()
    assert (saved.campaign_id, saved.domains) == (campaign, 12)
    client.post(f"/reports/targets/{saved.id}/delete", data={"campaign": campaign})
    assert db.session.query(ReferringDomainTarget).count() == 0


def test_another_workspaces_campaign_is_not_found(
    client: FlaskClient, history: History, factory: Factory
) -> None:
    _, other = factory.user_with_workspace("someone@else.example", "Else")
    theirs = factory.campaign(other)
    assert client.get(f"/reports/?campaign={theirs.id}").status_code == 404
    assert client.get(f"/reports/download?table=gap&campaign={theirs.id}").status_code == 404


def test_the_navigation_links_to_the_reports(client: FlaskClient, history: History) -> None:
    assert 'href="/reports/"' in client.get("/").get_data(as_text=True)
