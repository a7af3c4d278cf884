"""One finding shape for everything the pipeline checks: encounters, claims and responses.

A :class:`Finding` says which rule fired (stable ID), at which level (the WEDI SNIP level
for claims; for response files, 1 for the file and its envelope, 2 for its content),
how bad it is, where (the X12 loop/segment/element, the encounter field, the source file
and position), what is wrong, how to fix it, and who fixes it.  The CLI, the exceptions
output, provider queries, worklists and the ingest run summary all read these records.

Messages and fixes carry IDs, codes and amounts only: findings travel to logs, exceptions
and Prefect artifacts, where names, birth dates and member IDs must never go.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["reject", "warn"]
Disposition = Literal["reject", "hold", "warn"]
"""What a night does with a claim a rule fired on: ``reject`` makes it an exception (never
sent), ``hold`` keeps it in the ledger for coding review (released when the query is answered),
``warn`` sends it and keeps the warning with the claim."""
Owner = Literal["coder", "provider", "front_desk", "billing", "ops"]


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    level: int
    severity: Severity
    owner: Owner
    message: str
    fix: str
    field: str | None = None
    loop: str | None = None
    segment: str | None = None
    element: str | None = None
    encounter_id: str | None = None
    source: str | None = None
    """Where the record came from: ``file:line`` or ``file#segment``, or a response file."""

    @property
    def rejects(self) -> bool:
        return self.severity == "reject"

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}
