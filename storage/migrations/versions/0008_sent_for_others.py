"""Registrations: the index of what a company sent holds only what it sent for another
company's workers.

What it sent for its own workers it sees as their employer already, through the employer's
index, and most registrations are sent by the workers' own employer: every one of them had an
entry that visibility never needed, and a search of all an employer may see read its own
registrations a second time through it, only to drop each one.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_NAME = "ix_registrations_sender_company_id_work_day"
_COLUMNS = ["sender_company_id", "work_day"]


def upgrade() -> None:
    op.drop_index(_NAME, "registrations")
    op.create_index(
        _NAME,
        "registrations",
        _COLUMNS,
        sqlite_where=sa.text("company_id IS NOT sender_company_id"),
        postgresql_where=sa.text("company_id IS DISTINCT FROM sender_company_id"),
    )


def downgrade() -> None:
    op.drop_index(_NAME, "registrations")
    op.create_index(_NAME, "registrations", _COLUMNS)
