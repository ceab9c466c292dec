"""Accounts: the fingerprint of the secret key their password secret is encrypted with.

A key file made anew (another folder, another host) cannot decrypt the secrets of the
accounts made with the old one, and every PasswordDigest login of those accounts failed with
only the generic authentication fault. With the key's fingerprint beside each secret, the
gateway and its commands refuse a key that is not the accounts' key as they start, naming the
key file and the database. Accounts made before this migration have none: the first start
with a key that decrypts their secrets fills it in.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("key_fingerprint", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("key_fingerprint")
