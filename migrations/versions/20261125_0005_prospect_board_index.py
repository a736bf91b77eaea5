"""index for the pipeline board: campaign, stage, score

Revision ID: 0005_board_index
Revises: 0004_crawl
Create Date: 2026-11-25

"""

from alembic import op


revision = "0005_board_index"
down_revision = "0004_crawl"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_prospect_board", "prospect", ["campaign_id", "stage", "score", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_prospect_board", table_name="prospect")
