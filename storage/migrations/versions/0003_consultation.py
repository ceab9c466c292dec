"""Consultation: chain visibility, search indexes, cancellation reason.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registrations") as batch:
        batch.add_column(sa.Column("cancellation_reason", sa.String(15)))
        batch.drop_index("ix_registrations_company_id")
        batch.drop_index("ix_registrations_workplace_id")
        batch.create_index("ix_registrations_company_id_work_day", ["company_id", "work_day"])
        batch.create_index("ix_registrations_workplace_id_work_day", ["workplace_id", "work_day"])
        batch.create_index(
            "ix_registrations_sender_company_id_work_day", ["sender_company_id", "work_day"]
        )
    op.create_table(
        "chain_visibility",
        sa.Column("workplace_id", sa.String(13), nullable=False),
        sa.Column("viewer", sa.String(10), nullable=False),
        sa.Column("company_id", sa.String(10), nullable=False),
        sa.PrimaryKeyConstraint("workplace_id", "viewer", "company_id", name="pk_chain_visibility"),
    )
    op.create_index("ix_chain_visibility_viewer", "chain_visibility", ["viewer"])


def downgrade() -> None:
    op.drop_table("chain_visibility")
    with op.batch_alter_table("registrations") as batch:
        batch.drop_index("ix_registrations_sender_company_id_work_day")
        batch.drop_index("ix_registrations_workplace_id_work_day")
        batch.drop_index("ix_registrations_company_id_work_day")
        batch.create_index("ix_registrations_workplace_id", ["workplace_id"])
        batch.create_index("ix_registrations_company_id", ["company_id"])
        batch.drop_column("cancellation_reason")
