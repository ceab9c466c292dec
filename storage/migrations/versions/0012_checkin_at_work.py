"""Registrations: the contract each arrived under, and the sector of a Checkin@Work presence.

Every registration stored so far arrived under CIaO: the column is added with that as its
default, so that the upgrade runs on a populated database without rewriting its rows' values
by hand. A Checkin@Work (PresenceRegistration v1.11) presence is a day-level registration of
the same table, marked CHECKINATWORK, with its site's sector (1 construction, 2 guarding,
3 meat).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_TABLES = ("registrations", "staged_registrations")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("contract", sa.String(13), nullable=False, server_default="CIAO")
            )
            batch.add_column(sa.Column("sector", sa.SmallInteger()))


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("sector")
            batch.drop_column("contract")
