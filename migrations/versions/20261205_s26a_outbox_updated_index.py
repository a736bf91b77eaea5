"""an index for the newest change to the outbox (the version of its cached counts per status,
read in one index lookup instead of counting half a million messages per page)

Revision ID: s26a_outbox_updated_index
Revises: s25s_job_slices
Create Date: 2026-12-05

"""

from alembic import op


revision = "s26a_outbox_updated_index"
down_revision = "s25s_job_slices"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_outbound_message_updated_at", "outbound_message", ["updated_at"], unique=False
    )


def downgrade():
    op.drop_index("ix_outbound_message_updated_at", table_name="outbound_message")
