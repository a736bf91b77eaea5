"""The board and table pages: columns, counts, moves, conflicts, bulk moves, filters, pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from outreach.db import utcnow
from outreach.extensions import db
from outreach.pipeline import queries
from outreach.pitches.models import MessageStatus, OutboundMessage
from outreach.prospects.models import Contact, ProspectContact, ProspectScore, Stage
from outreach.prospects.stages import move
from tests.factories import Factory, SignIn
from tests.pipeline.helpers import crawled_prospect, current, prospect, teammate

WRITE_FOR_US = "<html><head><title>Write for us</title></head><body><p>Pitch us.</p></body></html>"


def _board(client: FlaskClient, campaign_id: int, **args: Any) -> str:
    response = client.get(f"/campaigns/{campaign_id}/board", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _column(page: str, stage: Stage) -> str:
    """The HTML of one board column."""
    start = page.index(f'data-stage="{stage.value}" aria-labelledby')
    end = page.find('<section class="board-column"', start)
    return page[start : end if end > 0 else len(page)]


def _count(column: str) -> int:
    start = column.index("data-count>") + len("data-count>")
    return int(column[start : column.index("<", start)])


def test_board_puts_cards_in_their_stage_column_with_counts(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    user, workspace = auth()
    campaign = factory.campaign(workspace)
    prospect(campaign, "one.example", Stage.QUALIFIED, owner=user, score=71)
    two = crawled_prospect(campaign, "two.example", {"https://two.example/write": WRITE_FOR_US})
    move(two, Stage.QUALIFIED)
    db.session.commit()
    prospect(campaign, "three.example", Stage.REPLIED)
    page = _board(client, campaign.id)
    qualified, replied = _column(page, Stage.QUALIFIED), _column(page, Stage.REPLIED)
    assert "one.example" in qualified and "two.example" in qualified
    assert "three.example" in replied and "three.example" not in qualified
    assert (_count(qualified), _count(replied), _count(_column(page, Stage.LOST))) == (2, 1, 0)
    assert ">71<" in qualified and 'title="Owner: Owner">O<' in qualified
    assert "Write for us" in qualified


def test_form_move_persists_and_returns_to_the_page_it_came_from(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    item = prospect(campaign, "one.example")
    back = f"/campaigns/{campaign.id}/board?q=one"
    response = client.post(
        f"/prospects/{item.id}/move", data={"stage": "qualified", "version": 1, "next": back}
    )
    assert response.status_code == 302 and response.location == back
    assert current(item.id).stage is Stage.QUALIFIED
    assert "one.example is now in Qualified." in client.get(back).get_data(as_text=True)


def test_move_never_redirects_off_site(client: FlaskClient, auth: SignIn, factory: Factory) -> None:
    _, workspace = auth()
    item = prospect(factory.campaign(workspace), "one.example")
    data = {"stage": "qualified", "version": 1, "next": "//evil.example/x"}
    response = client.post(f"/prospects/{item.id}/move", data=data)
    assert response.location == f"/campaigns/{item.campaign_id}/board"


def test_fetch_move_answers_json_with_the_new_version(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    item = prospect(factory.campaign(workspace), "one.example")
    response = client.post(
        f"/prospects/{item.id}/move",
        data={"stage": "contacted", "version": 1, "seen": "prospect"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json == {
        "id": item.id,
        "stage": "contacted",
        "stage_label": "Contacted",
        "version": 2,
    }


def test_second_teammate_moving_the_same_card_gets_409_and_nothing_is_overwritten(
    client: FlaskClient, auth: SignIn, factory: Factory, app: Any
) -> None:
    _, workspace = auth()
    mate = teammate(workspace)
    item = prospect(factory.campaign(workspace), "shared.example")
    other = app.test_client()
    other.post("/login", data={"email": mate.email, "password": Factory.PASSWORD})
    seen = {"version": 1, "seen": "prospect"}  # both loaded the board at version 1
    first = other.post(
        f"/prospects/{item.id}/move",
        data={"stage": "negotiating", **seen},
        headers={"Accept": "application/json"},
    )
    assert first.status_code == 200
    second = client.post(
        f"/prospects/{item.id}/move",
        data={"stage": "lost", **seen},
        headers={"Accept": "application/json"},
    )
    assert second.status_code == 409
    assert second.json is not None
    assert (
        second.json["error"] == "shared.example was moved by someone else to Negotiating; reload."
    )
    assert (second.json["stage"], second.json["version"]) == ("negotiating", 2)
    assert current(item.id).stage is Stage.NEGOTIATING


def test_stale_form_move_flashes_the_conflict(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    item = prospect(factory.campaign(workspace), "shared.example", Stage.REPLIED)
    client.post(f"/prospects/{item.id}/move", data={"stage": "negotiating", "version": 1})
    response = client.post(
        f"/prospects/{item.id}/move",
        data={"stage": "lost", "version": 1, "seen": "replied"},
        follow_redirects=True,
    )
    assert "shared.example was moved by someone else to Negotiating; reload." in response.get_data(
        as_text=True
    )
    assert current(item.id).stage is Stage.NEGOTIATING


def test_move_without_a_valid_stage_is_refused(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    item = prospect(factory.campaign(workspace), "one.example")
    response = client.post(
        f"/prospects/{item.id}/move",
        data={"stage": "heaven", "version": 1},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400 and current(item.id).stage is Stage.PROSPECT


def test_bulk_move_moves_the_ticked_cards_and_reports_stale_ones(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    a, b, c = (prospect(campaign, f"{n}.example") for n in "abc")
    client.post(f"/prospects/{c.id}/move", data={"stage": "lost", "version": 1})
    response = client.post(
        f"/campaigns/{campaign.id}/bulk-move",
        data={"stage": "queued", "pick": [f"{a.id}:1", f"{b.id}:1", f"{c.id}:1"]},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "2 prospect(s) moved to Queued." in text
    assert "changed by someone else meanwhile: c.example" in text
    assert [current(p.id).stage for p in (a, b, c)] == [Stage.QUEUED, Stage.QUEUED, Stage.LOST]


def test_filters_narrow_the_board(client: FlaskClient, auth: SignIn, factory: Factory) -> None:
    from datetime import timedelta

    from outreach.db import utcnow

    user, workspace = auth()
    mate = teammate(workspace)
    campaign = factory.campaign(workspace)
    today = utcnow().date()
    prospect(campaign, "mine.example", owner=user, score=80, due_on=today - timedelta(days=1))
    prospect(campaign, "theirs.example", owner=mate, score=30, opportunity_types=["resource_page"])
    prospect(campaign, "soon.example", score=55, due_on=today + timedelta(days=3))
    cases = {
        (("owner", "me"),): {"mine.example"},
        (("owner", str(mate.id)),): {"theirs.example"},
        (("owner", "none"),): {"soon.example"},
        (("min_score", "50"),): {"mine.example", "soon.example"},
        (("opportunity", "resource_page"),): {"theirs.example"},
        (("due", "overdue"),): {"mine.example"},
        (("due", "week"),): {"soon.example"},
        (("q", "THEIRS"),): {"theirs.example"},
        (("q", "%"),): set(),
    }
    everyone = {"mine.example", "theirs.example", "soon.example"}
    for args, expected in cases.items():
        page = _board(client, campaign.id, **dict(args))
        shown = {domain for domain in everyone if f'data-domain="{domain}"' in page}
        assert shown == expected, args
        assert _count(_column(page, Stage.PROSPECT)) == len(expected)


def test_opportunity_filter_selects_the_kinds_the_crawler_stores(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)  # competitors rival-one.com and rival-two.com
    crawled_prospect(campaign, "writers.example", {"https://writers.example/w": WRITE_FOR_US})
    linking = '<html><body><p>See <a href="https://rival-one.com/x">rival</a>.</p></body></html>'
    crawled_prospect(campaign, "linking.example", {"https://linking.example/a": linking})
    cases = {
        "write_for_us": {"writers.example"},
        "competitor_link": {"linking.example"},
        "guest_post": {"writers.example", "linking.example"},  # no such kind: filter ignored
    }
    for kind, expected in cases.items():
        page = _board(client, campaign.id, opportunity=kind)
        shown = {d for d in ("writers.example", "linking.example") if f'data-domain="{d}"' in page}
        assert shown == expected, kind
    offered = _board(client, campaign.id).split('name="opportunity"', 1)[1].split("</select>")[0]
    assert 'value="write_for_us"' in offered and 'value="competitor_link"' in offered
    assert "guest_post" not in offered


def test_full_columns_show_a_limited_number_of_cards_and_link_to_the_table(
    client: FlaskClient, auth: SignIn, factory: Factory, monkeypatch: Any
) -> None:
    monkeypatch.setattr(queries, "CARDS_PER_COLUMN", 2)
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    for score in (10, 20, 30):
        prospect(campaign, f"s{score}.example", score=score)
    column = _column(_board(client, campaign.id), Stage.PROSPECT)
    assert "s30.example" in column and "s20.example" in column and "s10.example" not in column
    assert _count(column) == 3
    assert f"/campaigns/{campaign.id}/prospects?stage=prospect" in column


def test_closed_columns_are_read_only_when_opened(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    prospect(campaign, "keep-open.example", Stage.QUALIFIED, score=50)
    prospect(campaign, "keep-gone.example", Stage.REJECTED, score=40)
    prospect(campaign, "other.example", Stage.REJECTED, score=30)
    prospect(campaign, "keep-lost.example", Stage.LOST)
    page = _board(client, campaign.id, q="keep")  # a filter: the column keeps it
    rejected = _column(page, Stage.REJECTED)
    assert _count(rejected) == 1 and "keep-gone.example" not in rejected  # folded, not read
    url = f"/campaigns/{campaign.id}/board/column?q=keep&amp;stage=rejected"
    assert f'data-load="{url}"' in rejected
    assert f"/campaigns/{campaign.id}/prospects?q=keep&amp;stage=rejected" in rejected
    assert "keep-open.example" in _column(page, Stage.QUALIFIED)

    response = client.get(url.replace("&amp;", "&"))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "keep-gone.example" in body and "other.example" not in body  # the search still holds
    assert "keep-lost.example" not in body and "keep-open.example" not in body
    assert f'name="next" value="/campaigns/{campaign.id}/board?q=keep"' in body
    assert "<html" not in body  # a fragment for the board to put in place

    chosen = _column(_board(client, campaign.id, stage="rejected"), Stage.REJECTED)
    assert "keep-gone.example" in chosen and "other.example" in chosen and "data-load" not in chosen
    assert client.get(f"/campaigns/{campaign.id}/board/column").status_code == 404
    stranger = factory.campaign(factory.user_with_workspace("x@other.example", "Other")[1])
    assert client.get(f"/campaigns/{stranger.id}/board/column?stage=lost").status_code == 404


def test_table_paginates_and_sorts(
    client: FlaskClient, auth: SignIn, factory: Factory, monkeypatch: Any
) -> None:
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    for name, score in (("c", 1), ("a", 3), ("b", 2)):
        prospect(campaign, f"{name}.example", Stage.QUALIFIED, score=score)
    prospect(campaign, "z.example", Stage.LOST, score=9)
    url = f"/campaigns/{campaign.id}/prospects"
    first = client.get(url, query_string={"stage": "qualified"}).get_data(as_text=True)
    assert "a.example" in first and "b.example" in first and "c.example" not in first
    assert "z.example" not in first and "Page 1 of 2" in first
    second = client.get(url, query_string={"stage": "qualified", "page": 2}).get_data(as_text=True)
    assert "c.example" in second and "a.example" not in second
    by_domain = client.get(url, query_string={"sort": "domain"}).get_data(as_text=True)
    assert by_domain.index("a.example") < by_domain.index("b.example")
    assert "c.example" not in by_domain


def test_cards_show_score_authority_and_how_many_competitors_link(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    prospect(campaign, "hub.example", score=71)
    db.session.add(
        ProspectScore(
            workspace_id=workspace.id,
            campaign_id=campaign.id,
            domain="hub.example",
            score=71,
            authority=48.6,
            breakdown=[{"signal": "overlap", "value": 2, "weight": 10}],
            scored_at=utcnow(),
        )
    )
    db.session.commit()
    page = client.get(f"/campaigns/{campaign.id}/board").get_data(as_text=True)
    card = page[page.index('id="card-') : page.index("</li>", page.index('id="card-'))]
    assert "★ " not in card  # the star is drawn by CSS; the number is the score
    assert ">71<" in card and ">A 49<" in card and ">2 comp.<" in card


def test_the_table_shows_each_prospects_contact_and_when_it_was_last_written_to(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    written = prospect(campaign, "written.example")
    prospect(campaign, "silent.example")
    first = Contact(workspace_id=workspace.id, email="ed@written.example")
    second = Contact(workspace_id=workspace.id, email="al@written.example")
    db.session.add_all([first, second])
    db.session.flush()
    db.session.add_all(
        [
            ProspectContact(prospect_id=written.id, contact_id=first.id, is_primary=True),
            ProspectContact(prospect_id=written.id, contact_id=second.id),
            OutboundMessage(
                workspace_id=workspace.id,
                prospect_id=written.id,
                contact_id=first.id,
                status=MessageStatus.SENT,
                message_id="<one@ours>",
                subject="Hello",
                body="Hi",
                sent_at=utcnow() - timedelta(days=3),
            ),
        ]
    )
    db.session.commit()
    page = client.get(f"/campaigns/{campaign.id}/prospects").get_data(as_text=True)
    assert 'data-select-all="pick"' in page
    row = page[page.index(f'id="row-{written.id}"') :]
    row = row[: row.index("</tr>")]
    assert "ed@written.example" in row and "+1" in row and "3 days ago" in row
    silent = page[page.index("silent.example") :]
    assert "none" in silent[: silent.index("</tr>")]


def test_an_empty_campaigns_board_and_table_say_what_to_do_next(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    intersect = f"/campaigns/{campaign.id}/intersect"
    for url in (f"/campaigns/{campaign.id}/board", f"/campaigns/{campaign.id}/prospects"):
        page = client.get(url).get_data(as_text=True)
        assert "No prospects in this campaign yet" in page and f'href="{intersect}"' in page
    filtered = client.get(f"/campaigns/{campaign.id}/prospects?q=nothing").get_data(as_text=True)
    assert "No prospects match these filters." in filtered and "Clear the filters" in filtered
