"""mailbox sharing: a mailbox is its user's unless shared; enrollments remember who started
them; the reason the last reply poll failed

Revision ID: 13a_mailbox_sharing
Revises: s11_report_speed
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op


revision = "13a_mailbox_sharing"
down_revision = "s11_report_speed"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("mailbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("poll_error", sa.String(length=300), nullable=True))
    with op.batch_alter_table("sequence_enrollment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enrolled_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_sequence_enrollment_enrolled_by_id_user_account"),
            "user_account",
            ["enrolled_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("sequence_enrollment", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_sequence_enrollment_enrolled_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("enrolled_by_id")
    with op.batch_alter_table("mailbox", schema=None) as batch_op:
        batch_op.drop_column("poll_error")
        batch_op.drop_column("shared")
