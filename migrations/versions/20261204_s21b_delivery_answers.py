"""delivery answers: retry bookkeeping and hand edits on outbox rows, sending problems on mailboxes

A temporary SMTP answer (4xx) puts a row back in the queue with a backoff: ``attempts``
counts the tries and ``deferred_since`` is the first temporary answer, from which the
three-day limit runs. ``edited_at`` marks a message a person edited by hand, which a
release sends as written instead of rendering it again. A mailbox's ``sending_problem``
is the last answer that pointed at our own sending (a 5.7.x block, a plain-HTTP
unsubscribe link), shown on the mailbox page.

Revision ID: s21b_delivery_answers
Revises: s21a_inbound_classification
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op


revision = "s21b_delivery_answers"
down_revision = "s21a_inbound_classification"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("deferred_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("mailbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sending_problem", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("sending_problem_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("mailbox", schema=None) as batch_op:
        batch_op.drop_column("sending_problem_at")
        batch_op.drop_column("sending_problem")
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_column("edited_at")
        batch_op.drop_column("deferred_since")
        batch_op.drop_column("attempts")
