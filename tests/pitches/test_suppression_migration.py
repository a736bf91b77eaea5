"""The migration to hashed suppression entries: existing addresses become hashes (and
``•••@domain`` labels), domains stay readable, and every entry still suppresses."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text

from outreach.extensions import db
from outreach.pitches import suppression

BEFORE = "13b_user_sessions"


def test_existing_entries_are_hashed_and_keep_suppressing(app: Flask) -> None:
    from flask_migrate import downgrade, upgrade

    downgrade(revision=BEFORE)
    with db.engine.begin() as conn:
        workspace_id = conn.execute(
            text(
                "INSERT INTO workspace (name, site_domain, brand_names, postal_address, "
                "created_at, updated_at) "
                "VALUES ('W', 'ours.com', '[]', '', '2024-01-01', '2024-01-01') RETURNING id"
            )
        ).scalar_one()
        for value in (
            "Editor@Blog.example",
            "spam.example",
            "ann@blog.example",
            "editor@blog.example",
        ):
            conn.execute(
                text(
                    "INSERT INTO suppression (workspace_id, value, reason, created_at, "
                    "updated_at) VALUES (:ws, :value, 'x', '2024-01-01', '2024-01-01')"
                ),
                {"ws": workspace_id, "value": value},
            )
    upgrade()
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT label, value_hash FROM suppression ORDER BY id")).all()
    assert [label for label, _ in rows] == ["•••@blog.example", "spam.example", "•••@blog.example"]
    assert [digest for _, digest in rows] == [
        suppression.value_hash(workspace_id, value)
        for value in ("editor@blog.example", "spam.example", "ann@blog.example")
    ]
    assert suppression.suppressed_by(workspace_id, "EDITOR@blog.example") == "•••@blog.example"
    assert suppression.suppressed_by(workspace_id, "bob@mail.spam.example") == "spam.example"
    assert suppression.suppressed_by(workspace_id, "bob@blog.example") is None

    db.session.remove()
    downgrade(revision=BEFORE)
    with db.engine.connect() as conn:
        values = list(conn.execute(text("SELECT value FROM suppression ORDER BY id")).scalars())
    assert values[1] == "spam.example"
    assert values[0].startswith("hashed:") and values[2].startswith("hashed:")
    upgrade()
