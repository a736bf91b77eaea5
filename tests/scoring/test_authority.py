"""One authority scale: each vendor's figure, page-level fallback, ranked lists, PageRank."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from flask.testing import FlaskCliRunner

from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.scoring.authority import domain_authorities, rank_to_authority
from outreach.scoring.models import RankedDomain, RankedList
from outreach.scoring.pagerank import refresh_outreach_rank, scaled_pagerank
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
TRANCO, MILLION = RankedList.TRANCO, RankedList.MAJESTIC_MILLION


@pytest.fixture
def campaign(factory: Factory) -> Campaign:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    return factory.campaign(workspace, site_domain="ours.com", competitors=["rival.com"])


def test_each_vendor_maps_to_its_own_labelled_figure(
    campaign: Campaign, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    load(
        runner,
        write_ahrefs(tmp_path / "a.tsv", [Link("https://a-site.com/x", R, dr=55)]),
        campaign.id,
    )
    load(
        runner,
        write_csv(tmp_path / "m.csv", MOZ, [moz_row("https://m-site.org/x", R, 52, 38)]),
        campaign.id,
    )
    load(
        runner,
        write_csv(tmp_path / "j.csv", MAJESTIC, [majestic_row("https://j-site.com/x", R, 34, 29)]),
        campaign.id,
    )
    load(
        runner,
        write_csv(tmp_path / "s.csv", SEMRUSH, [semrush_row("https://s-site.net/x", R, 37)]),
        campaign.id,
    )
    found = domain_authorities(
        campaign.workspace_id, ["a-site.com", "m-site.org", "j-site.com", "s-site.net"]
    )
    assert {d: (a.value, a.source, a.level) for d, a in found.items()} == {
        "a-site.com": (55.0, "Ahrefs DR", "domain"),
        "m-site.org": (52.0, "Moz DA", "domain"),
        "j-site.com": (34.0, "Majestic TF (CF 29)", "domain"),
        "s-site.net": (37.0, "Semrush Page AS (page-level)", "page"),
    }  # fmt: skip


def test_a_domain_level_figure_beats_a_page_level_one_and_vendors_have_an_order(
    campaign: Campaign, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    load(
        runner,
        write_csv(tmp_path / "s.csv", SEMRUSH, [semrush_row("https://both.com/x", R, 80)]),
        campaign.id,
    )
    load(
        runner,
        write_csv(tmp_path / "m.csv", MOZ, [moz_row("https://both.com/y", R, 41, 60)]),
        campaign.id,
    )
    load(
        runner,
        write_ahrefs(tmp_path / "a.tsv", [Link("https://both.com/z", R, dr=47)]),
        campaign.id,
    )
    both = domain_authorities(campaign.workspace_id, ["both.com"])["both.com"]
    assert (both.value, both.source) == (47.0, "Ahrefs DR")


def test_ranked_lists_map_by_the_log_rank_formula(campaign: Campaign) -> None:
    assert rank_to_authority(1) == 100.0
    assert rank_to_authority(1_000) == pytest.approx(57.1)
    assert rank_to_authority(1_000_000) == pytest.approx(14.3)
    assert rank_to_authority(50_000_000) == 0.0
    space = campaign.workspace_id
    for listed, domain, rank in [
        (TRANCO, "listed.com", 1000), (MILLION, "both-lists.com", 10), (TRANCO, "both-lists.com", 5)
    ]:  # fmt: skip
        db.session.add(
            RankedDomain(
                workspace_id=space,
                list_name=listed,
                domain=domain,
                rank=rank,
                authority=rank_to_authority(rank),
            )
        )
    db.session.commit()
    found = domain_authorities(
        campaign.workspace_id, ["listed.com", "both-lists.com", "nobody.com"]
    )
    assert (found["listed.com"].value, found["listed.com"].source) == (57.1, "Tranco rank 1,000")
    assert found["both-lists.com"].source == "Majestic Million rank 10"
    assert found["nobody.com"].value is None  # unknown stays unknown, never 0


def _power_iteration(edges: list[tuple[str, str]], damping: float = 0.85) -> dict[str, float]:
    """PageRank solved exactly as a linear system (no dangling nodes in the test graph)."""
    nodes = sorted({n for edge in edges for n in edge})
    index = {n: i for i, n in enumerate(nodes)}
    size = len(nodes)
    out = {n: sum(1 for a, _ in edges if a == n) for n in nodes}
    matrix = np.zeros((size, size))
    for a, b in edges:
        matrix[index[b], index[a]] += 1 / out[a]
    ranks = np.linalg.solve(np.eye(size) - damping * matrix, np.full(size, (1 - damping) / size))
    return {n: float(ranks[index[n]]) for n in nodes}


def test_pagerank_on_a_small_known_graph_is_log_scaled_to_0_100() -> None:
    edges = [("a.com", "b.com"), ("b.com", "c.com"), ("c.com", "a.com"), ("d.com", "c.com"),
             ("c.com", "d.com")]  # fmt: skip
    exact = _power_iteration(edges)
    floor, top = min(exact.values()), max(exact.values())
    expected = {n: 100 * np.log(v / floor) / np.log(top / floor) for n, v in exact.items()}
    scaled = scaled_pagerank(edges)
    assert scaled.keys() == expected.keys()
    for node, value in expected.items():
        assert scaled[node] == pytest.approx(value, abs=0.05)
    assert max(scaled, key=scaled.__getitem__) == "c.com"
    assert scaled["c.com"] == 100.0


def test_a_domain_nobody_links_to_gets_no_pagerank_figure() -> None:
    scaled = scaled_pagerank([("lonely.com", "hub.com"), ("other.com", "hub.com")])
    assert set(scaled) == {"hub.com"}


def test_outreach_pagerank_fills_in_when_no_other_source_knows(
    campaign: Campaign, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    # Search Console exports carry no authority: only the link graph says anything.
    path = tmp_path / "https___rival.com_-Latest links-2026-05-10.csv"
    path.write_text(
        "Linking page,Last crawled\nhttps://hub.com/a,2026-05-01\nhttps://leaf.com/b,2026-05-01\n"
    )
    result = runner.invoke(
        args=[
            "import-backlinks",
            str(path),
            "--campaign",
            str(campaign.id),
            "--target",
            "rival.com",
        ]
    )
    assert result.exit_code == 0, result.output
    refresh_outreach_rank(campaign.workspace_id)
    found = domain_authorities(campaign.workspace_id, ["rival.com", "leaf.com"])
    assert found["rival.com"].source == "Outreach PageRank" and found["rival.com"].value == 100.0
    assert found["leaf.com"].value is None
