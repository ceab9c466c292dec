"""Reference registries, the check queue and the validation history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

RegistrationId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("registrations") as batch:
        batch.add_column(sa.Column("worker_key", sa.String(40), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("work_day", sa.Date(), nullable=False, server_default="1970-01-01")
        )
        batch.add_column(sa.Column("remark_codes", sa.String(400)))
        batch.add_column(sa.Column("validated_at", sa.DateTime()))
        batch.add_column(
            sa.Column("validation_runs", sa.Integer(), nullable=False, server_default="0")
        )
    # Registrations stored before this revision: derive the worker and (UTC) day.
    op.execute(
        "UPDATE registrations SET worker_key = CASE WHEN limosa_id IS NOT NULL "
        "THEN 'L:' || limosa_id ELSE 'N:' || inss END, work_day = CAST(registered_at AS DATE)"
    )
    with op.batch_alter_table("registrations") as batch:
        batch.alter_column("worker_key", server_default=None)
        batch.alter_column("work_day", server_default=None)
        batch.alter_column("validation_runs", server_default=None)
        batch.create_index("ix_registrations_worker_key_work_day", ["worker_key", "work_day"])
        batch.create_index("ix_registrations_company_id", ["company_id"])
        batch.create_index("ix_registrations_workplace_id", ["workplace_id"])

    op.create_table(
        "validations",
        sa.Column("id", RegistrationId, autoincrement=True, nullable=False),
        sa.Column("registration_id", RegistrationId, nullable=False),
        sa.Column("status", sa.String(23), nullable=False),
        sa.Column("validated_at", sa.DateTime(), nullable=False),
        sa.Column("remark_codes", sa.String(400)),
        sa.PrimaryKeyConstraint("id", name="pk_validations"),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name="fk_validations_registration_id_registrations",
        ),
    )
    op.create_index("ix_validations_registration_id", "validations", ["registration_id"])
    op.create_table(
        "check_queue",
        sa.Column("id", RegistrationId, autoincrement=True, nullable=False),
        sa.Column("worker_key", sa.String(40), nullable=False),
        sa.Column("work_day", sa.Date(), nullable=False),
        sa.Column("available_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("claimed_until", sa.DateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_check_queue"),
        sa.UniqueConstraint("worker_key", "work_day", name="uq_check_queue_worker_key_work_day"),
    )
    op.create_index("ix_check_queue_available_at", "check_queue", ["available_at"])
    op.create_table(
        "enterprises",
        sa.Column("number", sa.String(10), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("active_from", sa.Date(), nullable=False),
        sa.Column("active_until", sa.Date()),
        sa.PrimaryKeyConstraint("number", name="pk_enterprises"),
    )
    op.create_table(
        "persons",
        sa.Column("inss", sa.String(11), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("inss", name="pk_persons"),
    )
    op.create_table(
        "limosa_declarations",
        sa.Column("limosa_id", sa.String(30), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date()),
        sa.PrimaryKeyConstraint("limosa_id", name="pk_limosa_declarations"),
    )
    op.create_table(
        "declarations",
        sa.Column("workplace_id", sa.String(13), nullable=False),
        sa.Column("contractor", sa.String(10), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date()),
        sa.Column("subject_to_registration", sa.Boolean(), nullable=False),
        sa.Column("takes_over", sa.String(13)),
        sa.Column("site_address", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("workplace_id", name="pk_declarations"),
    )
    op.create_index("ix_declarations_takes_over", "declarations", ["takes_over"])
    op.create_table(
        "declaration_chain",
        sa.Column("workplace_id", sa.String(13), nullable=False),
        sa.Column("company_id", sa.String(10), nullable=False),
        sa.Column("parent_company_id", sa.String(10)),
        sa.PrimaryKeyConstraint("workplace_id", "company_id", name="pk_declaration_chain"),
        sa.ForeignKeyConstraint(
            ["workplace_id"],
            ["declarations.workplace_id"],
            name="fk_declaration_chain_workplace_id_declarations",
        ),
    )
    op.create_index("ix_declaration_chain_company_id", "declaration_chain", ["company_id"])
    op.create_table(
        "employments",
        sa.Column("inss", sa.String(11), nullable=False),
        sa.Column("employer", sa.String(10), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date()),
        sa.PrimaryKeyConstraint("inss", "employer", "valid_from", name="pk_employments"),
    )


def downgrade() -> None:
    for table in (
        "employments",
        "declaration_chain",
        "declarations",
        "limosa_declarations",
        "persons",
        "enterprises",
        "check_queue",
        "validations",
    ):
        op.drop_table(table)
    with op.batch_alter_table("registrations") as batch:
        batch.drop_index("ix_registrations_workplace_id")
        batch.drop_index("ix_registrations_company_id")
        batch.drop_index("ix_registrations_worker_key_work_day")
        for column in ("validation_runs", "validated_at", "remark_codes", "work_day", "worker_key"):
            batch.drop_column(column)
