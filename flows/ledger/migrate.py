"""Bring a ledger database to the current schema with alembic, from code.

Every worker calls this when it opens the ledger, so it must be safe when two start at
once: the upgrade runs inside one write transaction on the caller's connection (SQLite's
``BEGIN IMMEDIATE``; on PostgreSQL a transaction-scoped advisory lock), and whoever comes
second finds the schema already at head.  The scripts are found through the package, so
this works from an installed wheel as well as from the source tree.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from flows.ledger.engine import WRITE

SCRIPT_LOCATION = "flows.ledger:migrations"
MIGRATION_LOCK = 0x6C6564676572  # "ledger"; any constant shared by all workers


def alembic_config() -> Config:
    """An alembic config for the ledger's scripts (for ``upgrade`` and for ops' own use)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the ledger behind ``engine`` to ``revision``; a no-op when already there."""
    config = alembic_config()
    with engine.execution_options(**{WRITE: True}).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
