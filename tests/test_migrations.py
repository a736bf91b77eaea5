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


def test_link_keys_become_integers_and_back_with_the_links_they_had(app: Flask) -> None:
    import hashlib

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from outreach.backlinks.records import link_key

    links = [
        ("https://a.example/p", "a.example", "https://rival.com/"),
        ("", "b.example", "rival.com"),
    ]
    downgrade(revision="0006_backlink_index")
    with db.engine.begin() as conn:
        ws = conn.execute(
            text(
                "INSERT INTO workspace (name, site_domain, brand_names, postal_address, "
                "created_at, updated_at) "
                "VALUES ('W', 'ours.com', '[]', '', '2024-01-01', '2024-01-01') RETURNING id"
            )
        ).scalar_one()
        for url, domain, target in links:
            old_key = hashlib.sha1(f"{url or domain}\x00{target}".encode()).hexdigest()
            conn.execute(
                text(
                    "INSERT INTO backlink (workspace_id, data_source, link_key, source_url, "
                    "source_domain, target_url, target_domain, nofollow, ugc, sponsored) "
                    "VALUES (:ws, 'ahrefs', :key, :url, :domain, :target, 'rival.com', "
                    "false, false, false)"
                ),
                {"ws": ws, "key": old_key, "url": url, "domain": domain, "target": target},
            )
    upgrade()
    with db.engine.connect() as conn:
        keys = list(conn.execute(text("SELECT link_key FROM backlink ORDER BY id")).scalars())
    assert keys == [link_key(url or domain, target) for url, domain, target in links]
    assert all(isinstance(key, int) for key in keys)
    downgrade(revision="0006_backlink_index")
    with db.engine.connect() as conn:
        hexes = list(conn.execute(text("SELECT link_key FROM backlink ORDER BY id")).scalars())
    assert hexes == [
        hashlib.sha1(f"{url or domain}\x00{target}".encode()).hexdigest()
        for url, domain, target in links
    ]
    upgrade()


def test_backlinks_from_hosted_blogs_get_their_own_domains_on_upgrade(app: Flask) -> None:
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    rows = [
        ("https://x.blogspot.in/2024/p.html", "blogspot.in", "x.blogspot.com"),
        ("https://www.alice.wordpress.com/post", "wordpress.com", "alice.wordpress.com"),
        ("https://www.wordpress.com/about", "wordpress.com", "wordpress.com"),
        ("", "tumblr.com", "tumblr.com"),  # a site list: nothing to split it by
        ("https://blog.example.org/a", "example.org", "example.org"),
    ]
    downgrade(revision="0011_referring_domain_targets")
    with db.engine.begin() as conn:
        ws = conn.execute(
            text(
                "INSERT INTO workspace (name, site_domain, brand_names, postal_address, "
                "created_at, updated_at) "
                "VALUES ('W', 'ours.com', '[]', '', '2024-01-01', '2024-01-01') RETURNING id"
            )
        ).scalar_one()
        for key, (url, domain, _) in enumerate(rows):
            conn.execute(
                text(
                    "INSERT INTO backlink (workspace_id, data_source, link_key, source_url, "
                    "source_domain, target_url, target_domain, nofollow, ugc, sponsored) "
                    "VALUES (:ws, 'ahrefs', :key, :url, :domain, 'https://rival.com/', "
                    "'rival.com', false, false, false)"
                ),
                {"ws": ws, "key": key, "url": url, "domain": domain},
            )
    upgrade()
    with db.engine.connect() as conn:
        found = list(conn.execute(text("SELECT source_domain FROM backlink ORDER BY id")).scalars())
        names = set(conn.execute(text("SELECT name FROM domain")).scalars())
        merged = set(conn.execute(text("SELECT rows_merged FROM backlink")).scalars())
    assert found == [expected for _, _, expected in rows]
    assert {"x.blogspot.com", "alice.wordpress.com"} <= names
    assert merged == {1}
