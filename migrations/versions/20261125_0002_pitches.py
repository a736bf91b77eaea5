"""pitches: sequence enrollments, threading references and unsubscribe tokens

Revision ID: 0002_pitches
Revises: 81f3efe7ca2a
Create Date: 2026-11-25 15:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002_pitches"
down_revision = "81f3efe7ca2a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sequence_enrollment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("prospect_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("mailbox_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "stopped",
                "finished",
                name="enrollmentstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("stop_reason", sa.String(length=200), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_sequence_enrollment_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_sequence_enrollment_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mailbox_id"],
            ["mailbox.id"],
            name=op.f("fk_sequence_enrollment_mailbox_id_mailbox"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["prospect_id"],
            ["prospect.id"],
            name=op.f("fk_sequence_enrollment_prospect_id_prospect"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_sequence_enrollment_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sequence_enrollment")),
        sa.UniqueConstraint(
            "campaign_id",
            "prospect_id",
            "contact_id",
            name=op.f("uq_sequence_enrollment_campaign_id_prospect_id_contact_id"),
        ),
    )
    with op.batch_alter_table("sequence_enrollment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sequence_enrollment_prospect_id"), ["prospect_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sequence_enrollment_workspace_id"), ["workspace_id"], unique=False
        )

    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("references", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("enrollment_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("unsubscribe_token", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_outbound_message_enrollment_id"), ["enrollment_id"], unique=False
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_outbound_message_unsubscribe_token"), ["unsubscribe_token"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbound_message_enrollment_id_sequence_enrollment"),
            "sequence_enrollment",
            ["enrollment_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade():
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbound_message_enrollment_id_sequence_enrollment"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("uq_outbound_message_unsubscribe_token"), type_="unique"
        )
        batch_op.drop_index(batch_op.f("ix_outbound_message_enrollment_id"))
        batch_op.drop_column("unsubscribe_token")
        batch_op.drop_column("enrollment_id")
        batch_op.drop_column("references")

    with op.batch_alter_table("sequence_enrollment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sequence_enrollment_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_sequence_enrollment_prospect_id"))
    op.drop_table("sequence_enrollment")
