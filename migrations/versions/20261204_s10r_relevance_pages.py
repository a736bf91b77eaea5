"""fetched pages and per-campaign domain relevance

Revision ID: 20261204_s10r_relevance_pages
Revises: 12_import_fidelity
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op


revision = "20261204_s10r_relevance_pages"
down_revision = "12_import_fidelity"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "fetched_page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("url_key", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("outbound_links", sa.Integer(), nullable=True),
        sa.Column("outbound_domains", sa.Integer(), nullable=True),
        sa.Column("competitor_links", sa.JSON(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_fetched_page_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fetched_page")),
        sa.UniqueConstraint(
            "workspace_id", "url_key", name=op.f("uq_fetched_page_workspace_id_url_key")
        ),
    )
    op.create_index(
        "ix_fetched_page_workspace_fetched", "fetched_page", ["workspace_id", "fetched_at"]
    )
    op.create_table(
        "domain_relevance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("top_terms", sa.JSON(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_domain_relevance_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_relevance")),
        sa.UniqueConstraint(
            "campaign_id", "domain", name=op.f("uq_domain_relevance_campaign_id_domain")
        ),
    )


def downgrade():
    op.drop_table("domain_relevance")
    op.drop_index("ix_fetched_page_workspace_fetched", table_name="fetched_page")
    op.drop_table("fetched_page")
