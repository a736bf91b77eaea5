"""an index for a mailbox's sends of the day (the daily cap, read by the sender and the
outbox on every message it explains), which scanned the whole outbox on big workspaces

Revision ID: s25a_mailbox_sent_index
Revises: hooks_webhooks
Create Date: 2026-12-04

"""

from alembic import op


revision = "s25a_mailbox_sent_index"
down_revision = "hooks_webhooks"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_outbound_message_mailbox_sent",
        "outbound_message",
        ["mailbox_id", "status", "sent_at"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_outbound_message_mailbox_sent", table_name="outbound_message")
