"""links (verification, monitoring, alerts)

Revision ID: 0003_links
Revises: 0002_pitches
Create Date: 2026-11-25

"""

from alembic import op
import sqlalchemy as sa


revision = "0003_links"
down_revision = "0002_pitches"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_state", sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f("ix_alert_email_state"), ["email_state"], unique=False)

    op.create_table(
        "alert_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_alert_subscription_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_alert_subscription_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_subscription")),
        sa.UniqueConstraint(
            "workspace_id", "user_id", name=op.f("uq_alert_subscription_workspace_id_user_id")
        ),
    )


def downgrade():
    op.drop_table("alert_subscription")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_email_state"))
        batch_op.drop_column("email_state")
