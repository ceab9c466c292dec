"""Staged registrations: acknowledged on SQLite, merged into registrations in large batches.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "staged_registrations",
        sa.Column("id", Id, autoincrement=False, nullable=False),
        sa.Column("inss", sa.String(11)),
        sa.Column("company_id", sa.String(10)),
        sa.Column("limosa_id", sa.String(30)),
        sa.Column("workplace_id", sa.String(13), nullable=False),
        sa.Column("registration_type", sa.String(11), nullable=False),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column("utc_offset_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("latitude", sa.Float()),
        sa.Column("longitude", sa.Float()),
        sa.Column("accuracy_meters", sa.Float()),
        sa.Column("street", sa.String(100)),
        sa.Column("house_number", sa.String(10)),
        sa.Column("postal_code", sa.String(10)),
        sa.Column("municipality", sa.String(100)),
        sa.Column("country_code", sa.String(2)),
        sa.Column("means", sa.String(15), nullable=False),
        sa.Column("device_id", sa.String(64)),
        sa.Column("emergency_procedure", sa.Boolean(), nullable=False),
        sa.Column("client_reference", sa.String(24)),
        sa.Column("sender_id", sa.String(64), nullable=False),
        sa.Column("sender_company_id", sa.String(10), nullable=False),
        sa.Column("sender_user_type", sa.String(8), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(23), nullable=False),
        sa.Column("worker_key", sa.String(40), nullable=False),
        sa.Column("work_day", sa.Date(), nullable=False),
        sa.Column("validation_runs", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staged_registrations"),
        sa.UniqueConstraint(
            "sender_id",
            "client_reference",
            name="uq_staged_registrations_sender_id_client_reference",
        ),
    )


def downgrade() -> None:
    op.drop_table("staged_registrations")
