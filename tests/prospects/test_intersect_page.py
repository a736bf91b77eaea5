"""The intersect page's working tools: pipeline badges and the hide filter, impossible K
refused, select all, the traffic column, and the CSV export with formulas neutralised."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import update

from outreach.backlinks.models import Backlink
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from tests.factories import Factory
from tests.prospects.test_intersect import _seed


def _signed_in(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path, client: FlaskClient
) -> Campaign:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    campaign = _seed(factory, workspace, runner, tmp_path)
    client.post("/login", data={"email": "o@example.com", "password": Factory.PASSWORD})
    return campaign


def test_domains_in_the_pipeline_carry_a_badge_and_can_be_hidden_and_filters_survive_add(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path, client: FlaskClient
) -> None:
    campaign = _signed_in(factory, runner, tmp_path, client)
    url = f"/campaigns/{campaign.id}/intersect"
    response = client.post(
        f"/campaigns/{campaign.id}/prospects/bulk?k=2&follow=1",
        data={"action": "add", "scope": "selected", "domain": ["linker-three.org"]},
    )
    assert response.headers["Location"] == f"{url}?k=2&follow=1"  # the filters survive "Add"
    page = client.get(f"{url}?k=2").get_data(as_text=True)
    row = page[page.index("linker-three.org") :]
    assert "in pipeline · Prospect" in row[: row.index("</tr>")]
    assert 'data-select-all="domain"' in page
    hidden = client.get(f"{url}?k=2&hide_added=1").get_data(as_text=True)
    assert "linker-three.org" not in hidden and "linker-one.co.uk" in hidden


def test_more_competitors_than_the_campaign_has_is_refused(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path, client: FlaskClient
) -> None:
    campaign = _signed_in(factory, runner, tmp_path, client)
    page = client.get(f"/campaigns/{campaign.id}/intersect?k=9").get_data(as_text=True)
    assert "At least 9 of 3 competitors cannot match: this campaign has 3." in page
    assert "<strong>0</strong> prospect domains" in page


def test_traffic_shows_only_where_an_export_gave_it(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path, client: FlaskClient
) -> None:
    campaign = _signed_in(factory, runner, tmp_path, client)
    url = f"/campaigns/{campaign.id}/intersect?k=2"
    db.session.execute(update(Backlink).values(traffic=None))  # an export without traffic
    db.session.commit()
    assert "<th>Traffic</th>" not in client.get(url).get_data(as_text=True)
    db.session.execute(
        update(Backlink).where(Backlink.source_domain == "linker-three.org").values(traffic=12345)
    )
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "<th>Traffic</th>" in page and "12,345" in page


def test_the_csv_export_follows_the_filters_and_neutralises_formulas(
    factory: Factory, runner: FlaskCliRunner, tmp_path: Path, client: FlaskClient
) -> None:
    campaign = _signed_in(factory, runner, tmp_path, client)
    db.session.execute(
        update(Backlink)
        .where(Backlink.source_domain == "linker-three.org")
        .values(source_url='=HYPERLINK("http://evil.example","x")')
    )
    db.session.commit()
    response = client.get(f"/reports/campaigns/{campaign.id}/intersect.csv?k=2")
    assert response.mimetype == "text/csv"
    assert "attachment;" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["domain"] for r in rows] == ["linker-three.org", "linker-one.co.uk"]
    assert rows[0]["competitors linked"] == "3" and rows[0]["authority"] == "71"
    assert rows[0]["pages"].startswith("'=HYPERLINK(")
    assert (
        client.get(f"/reports/campaigns/{campaign.id}/intersect.csv?k=3")
        .get_data(as_text=True)
        .count("\r\n")
        == 2
    )  # the header and linker-three.org
