"""referring-domain targets per workspace or campaign, for the reports

Revision ID: 0011_referring_domain_targets
Revises: 0007_integer_link_key
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op


revision = "0011_referring_domain_targets"
down_revision = "0007_integer_link_key"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "referring_domain_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("domains", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_referring_domain_target_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_referring_domain_target_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referring_domain_target")),
    )
    op.create_index(
        "ix_referring_domain_target_scope",
        "referring_domain_target",
        ["workspace_id", "campaign_id", "starts_on"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_referring_domain_target_scope", table_name="referring_domain_target")
    op.drop_table("referring_domain_target")
