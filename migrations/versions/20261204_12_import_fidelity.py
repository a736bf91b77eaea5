"""import fidelity: vendor flags and merged-row counts on backlinks, page-level authority in
the intersect index, lost-marking kept on imports, hosted blogs as their own domains

Backlinks whose source is a blog on a hosting platform (x.wordpress.com, x.blogspot.in)
were stored under the platform's domain (wordpress.com, blogspot.in). Their source domain
is worked out again from the stored page URL. Rows of site lists (no page URL) cannot be
split and keep the domain they have; prospects keep theirs too (people may have worked on
them), and the intersect shows each blog on its own from now on.

Revision ID: 12_import_fidelity
Revises: 0011_referring_domain_targets
Create Date: 2026-12-04

"""

import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op


revision = "12_import_fidelity"
down_revision = "0011_referring_domain_targets"
branch_labels = None
depends_on = None

OLD_COVERING = [
    "workspace_id",
    "target_domain",
    "source_domain",
    "lost_at",
    "authority",
    "nofollow",
    "ugc",
    "sponsored",
    "language",
]
COVERING = [*OLD_COVERING, "page_authority"]
# The rules of outreach.urls.registrable_domain at this revision, for these platforms only
# (a migration must not change with later code).
PLATFORMS = (
    "wordpress.com",
    "tumblr.com",
    "medium.com",
    "substack.com",
    "weebly.com",
    "livejournal.com",
)
BLOGSPOT = re.compile(r"(?:.+\.)?([^.]+)\.blogspot\.(?:[a-z]{2,3}|com?\.[a-z]{2})")


def _blog_domain(url: str) -> str | None:
    """The blog's own domain for a page URL on a hosting platform, else None."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    found = BLOGSPOT.fullmatch(host)
    if found:
        return f"{found[1]}.blogspot.com"
    for platform in PLATFORMS:
        if host.endswith("." + platform):
            blog = host[: -len(platform) - 1].rsplit(".", 1)[-1]
            return None if blog == "www" else f"{blog}.{platform}"
    return None


def _split_hosted_blogs() -> None:
    conn = op.get_bind()
    platforms = ", ".join(f"'{p}'" for p in PLATFORMS)
    rows = conn.execute(
        sa.text(
            "SELECT id, source_url FROM backlink WHERE source_url <> '' AND "
            f"(source_domain IN ({platforms}) OR source_domain LIKE 'blogspot.%')"
        )
    ).all()
    changes = [
        {"id": row_id, "domain": domain}
        for row_id, url in rows
        if (domain := _blog_domain(url)) is not None
    ]
    for start in range(0, len(changes), 1000):
        conn.execute(
            sa.text("UPDATE backlink SET source_domain = :domain WHERE id = :id"),
            changes[start : start + 1000],
        )
    names = sorted({change["domain"] for change in changes})
    now = sa.func.now() if conn.dialect.name == "postgresql" else sa.text("CURRENT_TIMESTAMP")
    domain = sa.table(
        "domain",
        sa.column("name"),
        sa.column("tld"),
        sa.column("created_at"),
        sa.column("updated_at"),
    )
    known = set(conn.execute(sa.text("SELECT name FROM domain")).scalars()) if names else set()
    for name in names:
        if name not in known:
            conn.execute(
                domain.insert().values(name=name, tld="com", created_at=now, updated_at=now)
            )


def upgrade():
    with op.batch_alter_table("backlink") as batch:
        batch.add_column(sa.Column("link_type", sa.String(16), nullable=True))
        batch.add_column(sa.Column("is_spam", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("spam_score", sa.Float(), nullable=True))
        batch.add_column(sa.Column("topical_trust_flow", sa.String(255), nullable=True))
        batch.add_column(sa.Column("rows_merged", sa.Integer(), nullable=False, server_default="1"))
    op.drop_index("ix_backlink_intersect", table_name="backlink")
    op.create_index("ix_backlink_intersect", "backlink", COVERING, unique=False)
    with op.batch_alter_table("backlink_import") as batch:
        batch.add_column(sa.Column("marked_lost", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("lost_pending", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("lost_note", sa.Text(), nullable=True))
    _split_hosted_blogs()


def downgrade():
    with op.batch_alter_table("backlink_import") as batch:
        batch.drop_column("lost_note")
        batch.drop_column("lost_pending")
        batch.drop_column("marked_lost")
    op.drop_index("ix_backlink_intersect", table_name="backlink")
    op.create_index("ix_backlink_intersect", "backlink", OLD_COVERING, unique=False)
    with op.batch_alter_table("backlink") as batch:
        batch.drop_column("rows_merged")
        batch.drop_column("topical_trust_flow")
        batch.drop_column("spam_score")
        batch.drop_column("is_spam")
        batch.drop_column("link_type")
