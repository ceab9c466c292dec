"""Declarations of works: the employment sector of their site, for Checkin@Work presences.

A declaration stored so far names no sector; a presence at its site is recorded under
construction work (1), as before.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("declarations") as batch:
        batch.add_column(sa.Column("sector", sa.SmallInteger()))


def downgrade() -> None:
    with op.batch_alter_table("declarations") as batch:
        batch.drop_column("sector")
