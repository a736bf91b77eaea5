"""page-level authority per source domain read from a partial index: scoring's
authority_table groups only the links that carry a page_authority, without a full scan

Revision ID: s11b_page_authority_index
Revises: s13c_suppression_hashes
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op


revision = "s11b_page_authority_index"
down_revision = "s13c_suppression_hashes"
branch_labels = None
depends_on = None

PREDICATE = sa.text("page_authority IS NOT NULL")


def upgrade():
    op.create_index(
        "ix_backlink_page_authority",
        "backlink",
        ["workspace_id", "source_domain", "data_source", "page_authority"],
        unique=False,
        postgresql_where=PREDICATE,
        sqlite_where=PREDICATE,
    )


def downgrade():
    op.drop_index("ix_backlink_page_authority", table_name="backlink")
