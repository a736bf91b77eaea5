"""reports on big workspaces: first_seen joins the backlink intersect index (our links are
read from the index alone), and per-target counts of links and referring domains are kept
in backlink_target_summary (competitor figures no longer count a million links)

Revision ID: s11_report_speed
Revises: s10_scoring
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op


revision = "s11_report_speed"
down_revision = "s10_scoring"
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
    "page_authority",
]
COVERING = [*OLD_COVERING, "first_seen"]


def upgrade():
    op.drop_index("ix_backlink_intersect", table_name="backlink")
    op.create_index("ix_backlink_intersect", "backlink", COVERING, unique=False)
    op.create_table(
        "backlink_target_summary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("target_domain", sa.String(length=255), nullable=False),
        sa.Column("links", sa.Integer(), nullable=False),
        sa.Column("referring_domains", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"],
            name=op.f("fk_backlink_target_summary_workspace_id_workspace"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backlink_target_summary")),
        sa.UniqueConstraint(
            "workspace_id", "target_domain",
            name=op.f("uq_backlink_target_summary_workspace_id_target_domain"),
        ),
    )  # fmt: skip
    now = "now()" if op.get_bind().dialect.name == "postgresql" else "CURRENT_TIMESTAMP"
    op.execute(
        "INSERT INTO backlink_target_summary "
        "(workspace_id, target_domain, links, referring_domains, updated_at) "
        "SELECT workspace_id, target_domain, count(*), "
        f"count(DISTINCT CASE WHEN lost_at IS NULL THEN source_domain END), {now} "
        "FROM backlink GROUP BY workspace_id, target_domain"
    )


def downgrade():
    op.drop_table("backlink_target_summary")
    op.drop_index("ix_backlink_intersect", table_name="backlink")
    op.create_index("ix_backlink_intersect", "backlink", OLD_COVERING, unique=False)
