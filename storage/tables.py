"""The tables, as SQLAlchemy Core metadata. Migrations in ``storage/migrations`` create them;
a test fails when the two disagree."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
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
    # Which key encrypted it (SecretKey.identity): a key that is not the accounts' key is
    # refused at start instead of failing every PasswordDigest login.
    Column("key_fingerprint", String(64)),
    Column("company_id", String(10), nullable=False),
    Column("role", String(8), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
)

# The unique indexes of client references hold only the registrations that have one.
_WITH_REFERENCE = text("client_reference IS NOT NULL")

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
    # The worker (N:<INSS> or L:<Limosa id>) and the Belgian calendar day: checks run per day.
    Column("worker_key", String(40), nullable=False),
    Column("work_day", Date, nullable=False),
    Column("remark_codes", String(400)),
    Column("validated_at", DateTime),
    Column("validation_runs", Integer, nullable=False, default=0),
    Column("cancellation_reason", String(15)),
    # The contract it arrived under (CIAO or CHECKINATWORK) and, for Checkin@Work, the
    # employment sector of its site (gateway.domain.registration.Contract and Sector).
    Column("contract", String(13), nullable=False, server_default="CIAO"),
    Column("sector", SmallInteger),
    # A client reference is unique per sender. Only the registrations that have one are in
    # the index: most badge systems send none.
    Index(
        "uq_registrations_sender_id_client_reference",
        "sender_id",
        "client_reference",
        unique=True,
        sqlite_where=_WITH_REFERENCE,
        postgresql_where=_WITH_REFERENCE,
    ),
    # Searches are by worker, employer, work place or sender, always within periods of days.
    Index("ix_registrations_worker_key_work_day", "worker_key", "work_day"),
    Index("ix_registrations_company_id_work_day", "company_id", "work_day"),
    # An employer's registrations in time order: the newest first page of a month is read
    # from it (storage/consultation.py bounds the moments by the periods' days) rather than
    # sorted out of the month's 312,480.
    Index("ix_registrations_company_id_registered_at", "company_id", "registered_at"),
    Index("ix_registrations_workplace_id_work_day", "workplace_id", "work_day"),
    # Only what a company sent for another's workers: what it sent for its own it sees as
    # their employer already, and most registrations are sent by the workers' employer.
    Index(
        "ix_registrations_sender_company_id_work_day",
        "sender_company_id",
        "work_day",
        sqlite_where=text("company_id IS NOT sender_company_id"),
        postgresql_where=text("company_id IS DISTINCT FROM sender_company_id"),
    ),
)

# What a registration holds when it is stored, before any check: the columns registering
# writes, in the order it writes them.
NEW_REGISTRATION_COLUMNS = tuple(
    column.name
    for column in registrations.columns
    if column.name not in ("remark_codes", "validated_at", "cancellation_reason")
)

# How many registrations an employer (company_id, "" for none) has of a contract on a work
# day, kept by the database's triggers on ``registrations`` (migration 0015): a search of a
# month counts 31 rows instead of every registration of the month.
registration_days = Table(
    "registration_days",
    metadata,
    Column("company_id", String(10), primary_key=True),
    Column("contract", String(13), primary_key=True),
    Column("work_day", Date, primary_key=True),
    Column("registered", Integer, nullable=False),
)

# Registrations acknowledged on SQLite, waiting to be merged into ``registrations`` in large
# batches: the same columns without the search indexes, whose pages every batch would
# otherwise write again (storage/staging.py). Empty on PostgreSQL.
staged_registrations = Table(
    "staged_registrations",
    metadata,
    *(
        Column(
            column.name,
            column.type,
            primary_key=column.primary_key,
            autoincrement=False,
            nullable=column.nullable,
        )
        for column in registrations.columns
        if column.name in NEW_REGISTRATION_COLUMNS
    ),
    # Only the registrations that have a reference: a batch without any writes no entry.
    Index(
        "uq_staged_registrations_sender_id_client_reference",
        "sender_id",
        "client_reference",
        unique=True,
        sqlite_where=_WITH_REFERENCE,
        postgresql_where=_WITH_REFERENCE,
    ),
)

# Every change of a registration's validation outcome, for ValidationHistory.
validations = Table(
    "validations",
    metadata,
    Column("id", RegistrationId, primary_key=True, autoincrement=True),
    Column("registration_id", RegistrationId, ForeignKey("registrations.id"), nullable=False),
    Column("status", String(23), nullable=False),
    Column("validated_at", DateTime, nullable=False),
    Column("remark_codes", String(400)),
    Index("ix_validations_registration_id", "registration_id"),
)

# Worker days waiting for their checks. Stored in the same transaction as the registrations
# (nothing acknowledged is left unchecked); claimed with a lease so that a killed worker's
# claims are taken over; ``version`` grows when new work arrives during a claim.
check_queue = Table(
    "check_queue",
    metadata,
    Column("id", RegistrationId, primary_key=True, autoincrement=True),
    Column("worker_key", String(40), nullable=False),
    Column("work_day", Date, nullable=False),
    Column("available_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("claimed_by", String(64)),
    Column("claimed_until", DateTime),
    UniqueConstraint("worker_key", "work_day"),
    Index("ix_check_queue_available_at", "available_at"),
)

enterprises = Table(
    "enterprises",
    metadata,
    Column("number", String(10), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("active_from", Date, nullable=False),
    Column("active_until", Date),
)

persons = Table(
    "persons",
    metadata,
    Column("inss", String(11), primary_key=True),
    Column("name", String(200), nullable=False),
)

limosa_declarations = Table(
    "limosa_declarations",
    metadata,
    Column("limosa_id", String(30), primary_key=True),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date),
)

declarations = Table(
    "declarations",
    metadata,
    Column("workplace_id", String(13), primary_key=True),
    Column("contractor", String(10), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date),
    Column("subject_to_registration", Boolean, nullable=False),
    Column("takes_over", String(13)),
    Column("site_address", String(300), nullable=False),
    # The employment sector of a Checkin@Work site (gateway.domain.registration.Sector).
    Column("sector", SmallInteger),
    Index("ix_declarations_takes_over", "takes_over"),
)

declaration_chain = Table(
    "declaration_chain",
    metadata,
    Column("workplace_id", String(13), ForeignKey("declarations.workplace_id"), primary_key=True),
    Column("company_id", String(10), primary_key=True),
    Column("parent_company_id", String(10)),
    Index("ix_declaration_chain_company_id", "company_id"),
)

# Who sees whom in a declaration's chain: ``viewer`` is a contractor above ``company``.
# Derived from declaration_chain whenever a declaration is stored; it makes the visibility of
# the subcontracting chain one indexed look-up instead of a walk up the chain.
chain_visibility = Table(
    "chain_visibility",
    metadata,
    Column("workplace_id", String(13), primary_key=True),
    Column("viewer", String(10), primary_key=True),
    Column("company_id", String(10), primary_key=True),
    Index("ix_chain_visibility_viewer", "viewer"),
)

employments = Table(
    "employments",
    metadata,
    Column("inss", String(11), primary_key=True),
    Column("employer", String(10), primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("valid_until", Date),
)

# Nonces of PasswordDigest tokens, and (under the username "") the SHA-256 of the signature
# values of signed messages, seen within the accepted time window: each is accepted once.
used_nonces = Table(
    "used_nonces",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("nonce", String(100), primary_key=True),
    Column("created_at", DateTime, nullable=False, index=True),
)

# Hits on the pages counted against their flood limits (gateway/services/flood.py), one row per
# key (an address, a device) and window: shared by every process of every host. A row is
# deleted by the first hit after its window ends.
flood_counters = Table(
    "flood_counters",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("hits", Integer, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),  # seconds since the epoch
)

# X.509 certificates registered to accounts (account_id) or, without one, to a token service
# whose signed SAML assertions are trusted. Looked up by how a signature names its certificate.
certificates = Table(
    "certificates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("fingerprint", String(64), nullable=False, unique=True),  # SHA-256 of the DER
    Column("account_id", Integer, ForeignKey("accounts.id"), index=True),
    Column("subject", Text, nullable=False),
    Column("issuer", Text, nullable=False),
    Column("serial", String(64), nullable=False, index=True),  # decimal: up to 160 bits
    Column("key_identifier", String(64), index=True),  # subject key identifier, hex
    Column("thumbprint", String(40), nullable=False, index=True),  # SHA-1 of the DER, hex
    Column("not_before", DateTime, nullable=False),
    Column("not_after", DateTime, nullable=False),
    Column("der", LargeBinary, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# Correction requests of employers (Q15-Q18), decided by operators.
correction_requests = Table(
    "correction_requests",
    metadata,
    Column("id", RegistrationId, primary_key=True, autoincrement=True),
    Column("registration_id", RegistrationId, ForeignKey("registrations.id"), nullable=False),
    Column("correction_type", String(20), nullable=False),
    Column("current_value", String(13), nullable=False),
    Column("proposed_value", String(13), nullable=False),
    Column("motivation", String(500), nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("requester_company_id", String(10), nullable=False),
    Column("requested_at", DateTime, nullable=False),
    Column("status", String(8), nullable=False),
    Column("decided_by", String(64)),
    Column("decided_at", DateTime),
    Column("note", String(500)),
    Index("ix_correction_requests_status", "status"),
    Index("ix_correction_requests_registration_id", "registration_id"),
)

# The audit trail: every value an approved correction changed.
registration_corrections = Table(
    "registration_corrections",
    metadata,
    Column("id", RegistrationId, primary_key=True, autoincrement=True),
    Column("registration_id", RegistrationId, ForeignKey("registrations.id"), nullable=False),
    Column(
        "correction_request_id",
        RegistrationId,
        ForeignKey("correction_requests.id", name="fk_registration_corrections_request"),
        nullable=False,
    ),
    Column("field", String(20), nullable=False),
    Column("old_value", String(13), nullable=False),
    Column("new_value", String(13), nullable=False),
    Column("corrected_at", DateTime, nullable=False),
    Index("ix_registration_corrections_registration_id", "registration_id"),
)
