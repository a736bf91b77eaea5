"""indexes for busy pages on big workspaces: prospects best score first (the table's pages
in index order), the newest score row of a campaign (the version of its
cached intersect) and the outbox's counts per status read from an index alone

Revision ID: load_page_indexes
Revises: 17a_api_tokens
Create Date: 2026-12-04

"""

from alembic import op


revision = "load_page_indexes"
down_revision = "17a_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_prospect_best", "prospect", ["campaign_id", "score", "id"], unique=False)
    op.create_index(
        "ix_prospect_score_latest", "prospect_score", ["campaign_id", "id"], unique=False
    )
    op.create_index(
        "ix_outbound_message_workspace_status",
        "outbound_message",
        ["workspace_id", "status"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_outbound_message_workspace_status", table_name="outbound_message")
    op.drop_index("ix_prospect_score_latest", table_name="prospect_score")
    op.drop_index("ix_prospect_best", table_name="prospect")
