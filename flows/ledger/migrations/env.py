"""Alembic environment: migrate on the connection :func:`flows.ledger.migrate.upgrade` passes.

There is no URL here on purpose: the caller owns the connection and its transaction (and
the lock that keeps two workers from migrating at once).
"""

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext

from flows.ledger.models import Base, UTCDateTime

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run ledger migrations through flows.ledger.migrate.upgrade(engine)")


def _render_item(kind: str, item: Any, autogen: AutogenContext) -> str | bool:
    """Autogenerate writes plain column types, so revisions never import the models."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=_render_item,
)
with context.begin_transaction():
    context.run_migrations()
