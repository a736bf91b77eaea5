"""The migration chain builds the whole schema from empty, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect

from outreach.db import Base
from outreach.extensions import db


def test_migrated_schema_has_every_table(app: Flask) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_migrations_match_the_models_exactly(app: Flask) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations disagree; add a migration: {diff}"


def test_migrations_downgrade_and_upgrade_again(app: Flask) -> None:
    from flask_migrate import downgrade, upgrade

    downgrade(revision="base")
    assert "campaign" not in inspect(db.engine).get_table_names()
    upgrade()
    assert "campaign" in inspect(db.engine).get_table_names()
