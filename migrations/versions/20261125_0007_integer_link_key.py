"""backlink.link_key becomes a 64-bit integer (the first 8 bytes of the SHA-1 it was the hex
of): half the size in the table and in the unique index, which makes bulk imports faster

Revision ID: 0007_integer_link_key
Revises: 0006_backlink_index
Create Date: 2026-11-25

"""

import hashlib

import sqlalchemy as sa
from alembic import op


revision = "0007_integer_link_key"
down_revision = "0006_backlink_index"
branch_labels = None
depends_on = None


def _from_hex(key):
    value = int(key[:16], 16)
    return value - (1 << 64) if value >= 1 << 63 else value


def _hex_of_row(source_url, source_domain, target_url):
    source = source_url or source_domain
    return hashlib.sha1(f"{source}\x00{target_url}".encode(), usedforsecurity=False).hexdigest()


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE backlink ALTER COLUMN link_key TYPE BIGINT "
            "USING ('x' || substr(link_key, 1, 16))::bit(64)::bigint"
        )
        return
    # SQLite: decimal text first, which the table copy of batch mode then casts to BIGINT.
    bind.connection.driver_connection.create_function("outreach_key_from_hex", 1, _from_hex)
    op.execute("UPDATE backlink SET link_key = outreach_key_from_hex(link_key)")
    with op.batch_alter_table("backlink") as batch:
        batch.alter_column("link_key", type_=sa.BigInteger(), existing_nullable=False)


def downgrade():
    bind = op.get_bind()
    with op.batch_alter_table("backlink") as batch:
        batch.alter_column("link_key", type_=sa.String(40), existing_nullable=False)
    last = 0
    while True:  # in slices of ids, so a big table never sits in memory
        rows = bind.execute(
            sa.text(
                "SELECT id, source_url, source_domain, target_url FROM backlink "
                "WHERE id > :last ORDER BY id LIMIT 5000"
            ),
            {"last": last},
        ).all()
        if not rows:
            break
        bind.execute(
            sa.text("UPDATE backlink SET link_key = :key WHERE id = :id"),
            [{"id": row[0], "key": _hex_of_row(*row[1:])} for row in rows],
        )
        last = rows[-1][0]
