"""suppression list keeps a hash of each address, never the address

Each entry gets ``value_hash`` (SHA-256 of the workspace id and the normalised value), the
only thing suppression checks match on, and ``value`` becomes ``label``: a domain stays as
it is, an address becomes ``•••@`` its domain. A hash cannot be turned back into an address:
downgrading keeps domain entries and writes address entries as ``hashed:<hash>``, which
match nothing.

Revision ID: s13c_suppression_hashes
Revises: 13a_mailbox_sharing
Create Date: 2026-12-04

"""

import hashlib

import sqlalchemy as sa
from alembic import op


revision = "s13c_suppression_hashes"
down_revision = "13a_mailbox_sharing"
branch_labels = None
depends_on = None


def _hash(workspace_id: int, clean: str) -> str:
    # outreach.pitches.suppression.value_hash at this revision (a migration must not change
    # with later code).
    return hashlib.sha256(f"{workspace_id}\x00{clean}".encode()).hexdigest()


def _label(clean: str) -> str:
    return f"•••@{clean.rsplit('@', 1)[1]}" if "@" in clean else clean


def upgrade():
    with op.batch_alter_table("suppression", schema=None) as batch_op:
        batch_op.add_column(sa.Column("value_hash", sa.String(length=64), nullable=True))
        batch_op.drop_constraint("uq_suppression_workspace_id_value", type_="unique")
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, workspace_id, value FROM suppression ORDER BY id")
    ).all()
    seen = set()
    for row_id, workspace_id, value in rows:
        clean = value.strip().lower()
        digest = _hash(workspace_id, clean)
        if (workspace_id, digest) in seen:  # the same address in another case: one entry
            conn.execute(sa.text("DELETE FROM suppression WHERE id = :id"), {"id": row_id})
            continue
        seen.add((workspace_id, digest))
        conn.execute(
            sa.text("UPDATE suppression SET value_hash = :hash, value = :label WHERE id = :id"),
            {"hash": digest, "label": _label(clean), "id": row_id},
        )
    with op.batch_alter_table("suppression", schema=None) as batch_op:
        batch_op.alter_column("value_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column(
            "value",
            new_column_name="label",
            existing_type=sa.String(length=320),
            existing_nullable=False,
        )
        batch_op.create_unique_constraint(
            "uq_suppression_workspace_id_value_hash", ["workspace_id", "value_hash"]
        )


def downgrade():
    conn = op.get_bind()
    conn.execute(
        sa.text("UPDATE suppression SET label = 'hashed:' || value_hash WHERE label LIKE :hidden"),
        {"hidden": "•••@%"},
    )
    with op.batch_alter_table("suppression", schema=None) as batch_op:
        batch_op.drop_constraint("uq_suppression_workspace_id_value_hash", type_="unique")
        batch_op.alter_column(
            "label",
            new_column_name="value",
            existing_type=sa.String(length=320),
            existing_nullable=False,
        )
        batch_op.drop_column("value_hash")
    with op.batch_alter_table("suppression", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_suppression_workspace_id_value", ["workspace_id", "value"]
        )
