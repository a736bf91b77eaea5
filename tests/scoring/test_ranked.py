"""Ranked lists: each recognised from its first row, loaded, and read as authority."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from outreach.accounts.models import Workspace
from outreach.scoring.authority import domain_authorities
from tests.factories import SignIn
from tests.scoring.test_views import work

MAJESTIC = (
    "GlobalRank,TldRank,Domain,TLD,RefSubNets,RefIPs,IDN_Domain,IDN_TLD,PrevGlobalRank,"
    "PrevTldRank,PrevRefSubNets,PrevRefIPs\n"
    "1,1,google.com,com,480000,2000000,google.com,com,1,1,480000,2000000\n"
    "1000,700,garden-news.com,com,9000,12000,garden-news.com,com,990,690,9000,12000\n"
)
OPEN_PAGERANK = (
    '"Rank","Domain","Open Page Rank"\n"1","facebook.com","10.00"\n"10","www.Soil.org","7.9"\n'
)
TRANCO = "1,google.com\n2,microsoft.com\n100000,tiny-blog.net\n"


@pytest.fixture
def workspace(auth: SignIn) -> Workspace:
    return auth()[1]


@pytest.mark.parametrize(
    ("body", "listed", "domain", "source"),
    [
        (MAJESTIC, "majestic_million", "garden-news.com", "Majestic Million rank 1,000"),
        (OPEN_PAGERANK, "open_pagerank", "soil.org", "DomCop Open PageRank rank 10"),
        (TRANCO, "tranco", "tiny-blog.net", "Tranco rank 100,000"),
    ],
)
def test_each_list_is_recognised_and_read_as_authority(
    runner: FlaskCliRunner, workspace: Workspace, tmp_path: Path,
    body: str, listed: str, domain: str, source: str,
) -> None:  # fmt: skip
    path = tmp_path / "list.csv"
    path.write_text(body)
    result = runner.invoke(args=["import-ranks", str(workspace.id), str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["list"] == listed
    found = domain_authorities(workspace.id, [domain])[domain]
    assert found.source == source and found.level == "list"


def test_a_file_that_is_no_ranked_list_is_refused(
    runner: FlaskCliRunner, workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Name,Email\nAnn,ann@example.com\n")
    result = runner.invoke(args=["import-ranks", workspace.name, str(path)])
    assert result.exit_code == 1 and "Not a ranked list" in result.output


def test_a_list_uploaded_in_the_browser_loads_in_the_background(
    app: Flask, redis_url: str, client: FlaskClient, workspace: Workspace
) -> None:
    response = client.post(
        "/ranked-lists",
        data={"file": (io.BytesIO(TRANCO.encode()), "top-1m.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    work(app, redis_url)
    page = client.get("/ranked-lists").get_data(as_text=True)
    assert "<td>Tranco</td><td>3</td>" in page
    assert domain_authorities(workspace.id, ["google.com"])["google.com"].value == 100.0
