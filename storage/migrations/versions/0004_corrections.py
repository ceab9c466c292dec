"""Correction requests and the audit trail of corrections.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "correction_requests",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("registration_id", Id, nullable=False),
        sa.Column("correction_type", sa.String(20), nullable=False),
        sa.Column("current_value", sa.String(13), nullable=False),
        sa.Column("proposed_value", sa.String(13), nullable=False),
        sa.Column("motivation", sa.String(500), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("requester_company_id", sa.String(10), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("decided_at", sa.DateTime()),
        sa.Column("note", sa.String(500)),
        sa.PrimaryKeyConstraint("id", name="pk_correction_requests"),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name="fk_correction_requests_registration_id_registrations",
        ),
    )
    op.create_index("ix_correction_requests_status", "correction_requests", ["status"])
    op.create_index(
        "ix_correction_requests_registration_id", "correction_requests", ["registration_id"]
    )
    op.create_table(
        "registration_corrections",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("registration_id", Id, nullable=False),
        sa.Column("correction_request_id", Id, nullable=False),
        sa.Column("field", sa.String(20), nullable=False),
        sa.Column("old_value", sa.String(13), nullable=False),
        sa.Column("new_value", sa.String(13), nullable=False),
        sa.Column("corrected_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_registration_corrections"),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name="fk_registration_corrections_registration_id_registrations",
        ),
        sa.ForeignKeyConstraint(
            ["correction_request_id"],
            ["correction_requests.id"],
            name="fk_registration_corrections_request",
        ),
    )
    op.create_index(
        "ix_registration_corrections_registration_id",
        "registration_corrections",
        ["registration_id"],
    )


def downgrade() -> None:
    op.drop_table("registration_corrections")
    op.drop_table("correction_requests")
