"""backlink indexes for speed: the intersect index now covers the intersect query, and
ix_backlink_source goes (every lookup by source domain also names target domains, which
the intersect index serves; the extra index slowed bulk imports by a quarter)

Revision ID: 0006_backlink_index
Revises: 0005_board_index
Create Date: 2026-11-25

"""

from alembic import op


revision = "0006_backlink_index"
down_revision = "0005_board_index"
branch_labels = None
depends_on = None

COVERING = [
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


def upgrade():
    op.drop_index("ix_backlink_source", table_name="backlink")
    op.drop_index("ix_backlink_intersect", table_name="backlink")
    op.create_index("ix_backlink_intersect", "backlink", COVERING, unique=False)


def downgrade():
    op.drop_index("ix_backlink_intersect", table_name="backlink")
    op.create_index(
        "ix_backlink_intersect",
        "backlink",
        ["workspace_id", "target_domain", "source_domain"],
        unique=False,
    )
    op.create_index(
        "ix_backlink_source", "backlink", ["workspace_id", "source_domain"], unique=False
    )
