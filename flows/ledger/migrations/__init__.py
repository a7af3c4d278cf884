"""Alembic scripts of the ledger schema; run them through :mod:`flows.ledger.migrate`."""
