"""The signature values of signed messages are remembered with the tokens' nonces.

Both are kept for the same reason and as long (a replay is refused within twice the token
window), so one table, ``used_nonces``, holds both: a signature value by its SHA-256, under
the username "" that no account has. The values ``used_signatures`` holds are moved there, so
that a message signed just before the upgrade is still refused as a replay after it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "INSERT INTO used_nonces (username, nonce, created_at) "
        "SELECT '', digest, created_at FROM used_signatures"
    )
    op.drop_table("used_signatures")


def downgrade() -> None:
    op.create_table(
        "used_signatures",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name="pk_used_signatures"),
    )
    op.create_index("ix_used_signatures_created_at", "used_signatures", ["created_at"])
    op.execute(
        "INSERT INTO used_signatures (digest, created_at) "
        "SELECT nonce, created_at FROM used_nonces WHERE username = ''"
    )
    op.execute("DELETE FROM used_nonces WHERE username = ''")
