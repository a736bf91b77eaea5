"""user preferences (the last workspace, where the next sign-in lands, and the time zone), and
when an inbound message was read

Revision ID: s14a_user_preferences
Revises: load_page_indexes
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op


revision = "s14a_user_preferences"
down_revision = "load_page_indexes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_workspace_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_user_account_last_workspace_id_workspace"),
            "workspace",
            ["last_workspace_id"],
            ["id"],
            ondelete="SET NULL",
        )


    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.drop_column("read_at")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_user_account_last_workspace_id_workspace"), type_="foreignkey"
        )
        batch_op.drop_column("timezone")
        batch_op.drop_column("last_workspace_id")
