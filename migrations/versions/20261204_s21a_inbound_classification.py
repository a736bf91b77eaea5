"""inbound classification: what each inbound message is (reply, automatic reply, out of
office, read receipt, challenge-response, bounce), the inbox triage of uncertain ones, the
quoted history kept apart, and the IMAP UIDVALIDITY kept with the last UID of a mailbox

Existing rows become ``bounce`` when they were bounces and ``reply`` otherwise, all matched
(only matched messages were stored until now).

Revision ID: s21a_inbound_classification
Revises: s11b_page_authority_index
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op


revision = "s21a_inbound_classification"
down_revision = "s11b_page_authority_index"
branch_labels = None
depends_on = None

KINDS = ("reply", "auto_reply", "out_of_office", "read_receipt", "challenge", "bounce")
TRIAGE = ("matched", "needs_look", "dismissed")


def upgrade():
    with op.batch_alter_table("inbound_message") as batch:
        batch.add_column(
            sa.Column(
                "kind",
                sa.Enum(*KINDS, name="inboundkind", native_enum=False, length=32),
                nullable=False,
                server_default="reply",
            )
        )
        batch.add_column(
            sa.Column(
                "triage",
                sa.Enum(*TRIAGE, name="inboundtriage", native_enum=False, length=32),
                nullable=False,
                server_default="matched",
            )
        )
        batch.add_column(sa.Column("matched_by", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("quoted", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("return_on", sa.Date(), nullable=True))
        batch.create_index("ix_inbound_message_triage", ["triage"], unique=False)
        batch.create_index(
            "ix_inbound_message_workspace_message_id", ["workspace_id", "message_id"], unique=False
        )
    op.execute("UPDATE inbound_message SET kind = 'bounce' WHERE is_bounce")
    op.execute("UPDATE inbound_message SET matched_by = 'headers'")
    with op.batch_alter_table("mailbox") as batch:
        batch.add_column(sa.Column("imap_uidvalidity", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("last_imap_poll_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("mailbox") as batch:
        batch.drop_column("last_imap_poll_at")
        batch.drop_column("imap_uidvalidity")
    # Messages only the inbox knew (never matched to a prospect) did not exist before.
    op.execute("DELETE FROM inbound_message WHERE prospect_id IS NULL")
    with op.batch_alter_table("inbound_message") as batch:
        batch.drop_index("ix_inbound_message_workspace_message_id")
        batch.drop_index("ix_inbound_message_triage")
        batch.drop_column("return_on")
        batch.drop_column("quoted")
        batch.drop_column("matched_by")
        batch.drop_column("triage")
        batch.drop_column("kind")
