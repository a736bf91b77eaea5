"""jobs in slices: a Task's current RQ job, and a crawl's frontier between slices

Revision ID: s25s_job_slices
Revises: s25a_mailbox_sent_index
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op


revision = "s25s_job_slices"
down_revision = "s25a_mailbox_sent_index"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_id", sa.String(length=64), nullable=True))
    with op.batch_alter_table("crawl_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("frontier", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("crawl_run", schema=None) as batch_op:
        batch_op.drop_column("frontier")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("job_id")
