"""Reading the board's filters from a query string."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import Flask
from sqlalchemy import select, update

from outreach.extensions import db
from outreach.pipeline import queries
from outreach.pipeline.cards import members
from outreach.pipeline.filters import Filters, Scope, filters_from_args
from outreach.prospects.models import OpportunityKind, Prospect
from tests.factories import Factory, SignIn
from tests.pipeline.helpers import seed_many


def test_filters_from_args_ignore_values_that_make_no_sense() -> None:
    parsed = filters_from_args(
        {"owner": "drop table", "min_score": "inf", "due": "soon", "stage": "x", "page": "-3"}
    )
    assert parsed == Filters()
    assert filters_from_args({"min_score": "40", "q": " Blog.COM "}).args() == {
        "min_score": "40",
        "q": "blog.com",
    }


def test_opportunity_filter_keeps_the_crawlers_kinds_and_drops_other_words() -> None:
    for kind in OpportunityKind:
        assert filters_from_args({"opportunity": kind.value}).opportunity == kind.value
    assert filters_from_args({"opportunity": "guest_post"}) == Filters()


def test_best_first_board_and_table_pages_put_unscored_last_without_gaps_or_repeats(
    app: Flask, auth: SignIn, factory: Factory
) -> None:
    """The table's pages (read as scored and unscored parts on PostgreSQL) and the board's
    columns list every prospect once, highest score first, unscored last, ties oldest first."""
    user, workspace = auth()
    campaign = factory.campaign(workspace)
    with app.app_context():
        seed_many(campaign, 130, [user.id])
        db.session.execute(
            update(Prospect).where(Prospect.id % 3 == 0).values(score=None)
        )  # a third unscored, spread over every stage and page
        db.session.commit()
        rows = db.session.execute(select(Prospect.id, Prospect.score)).all()
        expected = [
            r.id for r in sorted(rows, key=lambda r: (r.score is None, -(r.score or 0), r.id))
        ]
        campaign = db.session.merge(campaign)
        scope = Scope(
            campaign=campaign, filters=Filters(), me=user.id,
            today=date.today(), people=members(workspace.id),
        )  # fmt: skip
        first = queries.table(scope)
        listed = [card.id for card in first.rows]
        for page in range(2, first.pages + 1):
            listed += [c.id for c in queries.table(replace(scope, filters=Filters(page=page))).rows]
        assert listed == expected
        for column in queries.board(scope):
            if column.stage in queries.CLOSED_STAGES:  # folded: read when opened
                assert not column.cards and column.loaded is (column.count == 0)
                opened = replace(scope, filters=Filters(stage=column.stage))
                column = queries.column(opened, column.stage)
            ids = [card.id for card in column.cards]
            assert ids == [i for i in expected if i in set(ids)]
            in_stage = [
                i
                for i in expected
                if db.session.get(Prospect, i).stage == column.stage  # type: ignore[union-attr]
            ]
            assert ids == in_stage[: queries.CARDS_PER_COLUMN]
