"""Accounts, registrations and used nonces: the registration channel.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("password_secret", sa.Text(), nullable=False),
        sa.Column("company_id", sa.String(10), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("username", name="uq_accounts_username"),
    )
    op.create_table(
        "registrations",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
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
        sa.PrimaryKeyConstraint("id", name="pk_registrations"),
        sa.UniqueConstraint(
            "sender_id", "client_reference", name="uq_registrations_sender_id_client_reference"
        ),
    )
    op.create_table(
        "used_nonces",
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("nonce", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("username", "nonce", name="pk_used_nonces"),
    )
    op.create_index("ix_used_nonces_created_at", "used_nonces", ["created_at"])


def downgrade() -> None:
    op.drop_table("used_nonces")
    op.drop_table("registrations")
    op.drop_table("accounts")
