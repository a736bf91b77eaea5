"""crawl (crawl runs, pages, sites, opportunities)

Revision ID: 0004_crawl
Revises: 0003_links
Create Date: 2026-11-25

"""

from alembic import op
import sqlalchemy as sa


revision = "0004_crawl"
down_revision = "0003_links"
branch_labels = None
depends_on = None


def _fk(table, column, target, ondelete="CASCADE"):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade():
    op.create_table(
        "crawl_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "stopping",
                "stopped",
                "finished",
                "failed",
                name="crawlstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("site_seeds", sa.JSON(), nullable=False),
        sa.Column("sitemap_seeds", sa.JSON(), nullable=False),
        sa.Column("page_seeds", sa.JSON(), nullable=False),
        sa.Column("max_depth", sa.Integer(), nullable=False),
        sa.Column("max_pages_per_site", sa.Integer(), nullable=False),
        sa.Column("check_broken_links", sa.Boolean(), nullable=False),
        sa.Column("find_contacts", sa.Boolean(), nullable=False),
        sa.Column("pages_fetched", sa.Integer(), nullable=False),
        sa.Column("pages_queued", sa.Integer(), nullable=False),
        sa.Column("pages_failed", sa.Integer(), nullable=False),
        sa.Column("opportunities_found", sa.Integer(), nullable=False),
        sa.Column("backlinks_found", sa.Integer(), nullable=False),
        sa.Column("contacts_found", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("crawl_run", "campaign_id", "campaign"),
        _fk("crawl_run", "workspace_id", "workspace"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_run")),
    )
    with op.batch_alter_table("crawl_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crawl_run_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_crawl_run_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "crawl_page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_key", sa.String(length=40), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error_kind", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("outbound_links", sa.Integer(), nullable=False),
        sa.Column("competitor_links", sa.Integer(), nullable=False),
        sa.Column("opportunity_types", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        _fk("crawl_page", "run_id", "crawl_run"),
        _fk("crawl_page", "workspace_id", "workspace"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_page")),
        sa.UniqueConstraint("run_id", "url_key", name=op.f("uq_crawl_page_run_id_url_key")),
    )

    op.create_table(
        "crawl_site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("opportunity_types", sa.JSON(), nullable=False),
        sa.Column("emails", sa.JSON(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("social_profiles", sa.JSON(), nullable=False),
        _fk("crawl_site", "run_id", "crawl_run"),
        _fk("crawl_site", "workspace_id", "workspace"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_site")),
        sa.UniqueConstraint("run_id", "domain", name=op.f("uq_crawl_site_run_id_domain")),
    )

    op.create_table(
        "crawl_opportunity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("page_url", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "resource_page",
                "write_for_us",
                "broken_link",
                "unlinked_mention",
                "competitor_link",
                name="opportunitykind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("detail", sa.JSON(), nullable=False),
        _fk("crawl_opportunity", "campaign_id", "campaign"),
        _fk("crawl_opportunity", "page_id", "crawl_page"),
        _fk("crawl_opportunity", "run_id", "crawl_run"),
        _fk("crawl_opportunity", "workspace_id", "workspace"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_opportunity")),
        sa.UniqueConstraint(
            "run_id", "page_id", "kind", name=op.f("uq_crawl_opportunity_run_id_page_id_kind")
        ),
    )
    with op.batch_alter_table("crawl_opportunity", schema=None) as batch_op:
        batch_op.create_index("ix_crawl_opportunity_run_kind", ["run_id", "kind"], unique=False)


def downgrade():
    with op.batch_alter_table("crawl_opportunity", schema=None) as batch_op:
        batch_op.drop_index("ix_crawl_opportunity_run_kind")
    op.drop_table("crawl_opportunity")
    op.drop_table("crawl_site")
    op.drop_table("crawl_page")
    with op.batch_alter_table("crawl_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crawl_run_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_crawl_run_campaign_id"))
    op.drop_table("crawl_run")
