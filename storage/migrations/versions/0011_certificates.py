"""Certificates registered to accounts or token services, and the signature values of signed
messages already received (a replay is refused as a used nonce is).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("account_id", sa.Integer()),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("issuer", sa.Text(), nullable=False),
        sa.Column("serial", sa.String(64), nullable=False),
        sa.Column("key_identifier", sa.String(64)),
        sa.Column("thumbprint", sa.String(40), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=False),
        sa.Column("not_after", sa.DateTime(), nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_certificates"),
        sa.UniqueConstraint("fingerprint", name="uq_certificates_fingerprint"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_certificates_account_id_accounts"
        ),
    )
    for column in ("account_id", "serial", "key_identifier", "thumbprint"):
        op.create_index(f"ix_certificates_{column}", "certificates", [column])
    op.create_table(
        "used_signatures",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name="pk_used_signatures"),
    )
    op.create_index("ix_used_signatures_created_at", "used_signatures", ["created_at"])


def downgrade() -> None:
    op.drop_table("used_signatures")
    op.drop_table("certificates")
