"""Storage: SQLAlchemy tables, repository functions and Alembic migrations.

The rest of the gateway reaches the database only through the functions of these modules.
"""
