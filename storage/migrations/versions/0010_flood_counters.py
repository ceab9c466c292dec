"""Flood counters: the pages' rate limits counted in the database, so that every gunicorn
worker of every host counts the same hits (they were counted in each process's memory).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flood_counters",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_flood_counters"),
    )
    op.create_index("ix_flood_counters_expires_at", "flood_counters", ["expires_at"])


def downgrade() -> None:
    op.drop_table("flood_counters")
