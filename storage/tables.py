"""The tables, as SQLAlchemy Core metadata. Migrations in ``storage/migrations`` create them;
a test fails when the two disagree."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
RegistrationId = BigInteger().with_variant(Integer(), "sqlite")

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    # The password encrypted with the gateway's key: a PasswordDigest can only be checked
    # against the clear password. See gateway/services/passwords.py.
    Column("password_secret", Text, nullable=False),
    Column("company_id", String(10), nullable=False),
    Column("role", String(8), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
)

registrations = Table(
    "registrations",
    metadata,
    Column("id", RegistrationId, primary_key=True, autoincrement=True),
    Column("inss", String(11)),
    Column("company_id", String(10)),
    Column("limosa_id", String(30)),
    Column("workplace_id", String(13), nullable=False),
    Column("registration_type", String(11), nullable=False),
    # The event time in UTC, and the sender's offset so the answer shows the time as sent.
    Column("registered_at", DateTime, nullable=False),
    Column("utc_offset_minutes", SmallInteger, nullable=False),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("accuracy_meters", Float),
    Column("street", String(100)),
    Column("house_number", String(10)),
    Column("postal_code", String(10)),
    Column("municipality", String(100)),
    Column("country_code", String(2)),
    Column("means", String(15), nullable=False),
    Column("device_id", String(64)),
    Column("emergency_procedure", Boolean, nullable=False),
    Column("client_reference", String(24)),
    Column("sender_id", String(64), nullable=False),
    Column("sender_company_id", String(10), nullable=False),
    Column("sender_user_type", String(8), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("status", String(23), nullable=False),
    UniqueConstraint("sender_id", "client_reference"),
)

# Nonces of PasswordDigest tokens seen within the accepted time window: a nonce is used once.
used_nonces = Table(
    "used_nonces",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("nonce", String(100), primary_key=True),
    Column("created_at", DateTime, nullable=False, index=True),
)
