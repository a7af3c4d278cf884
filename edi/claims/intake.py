"""From records to encounters a builder can take, with every reason a record is refused.

This is where SNIP levels 1–2 meet the batch: value checks (pydantic), the registered
claim-level checks, and the batch rule that an ``encounter_id`` appears once (case-
insensitively, since CLM01 goes out upper-cased).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Set
from dataclasses import dataclass, field

from pydantic import ValidationError

from edi.claims.models import Encounter
from edi.claims.records import Record
from edi.rules import record as record_rules
from edi.rules.duplicates import duplicates_of
from edi.rules.registry import CheckContext, Finding, fire, run_checks


@dataclass(frozen=True, slots=True)
class Accepted:
    encounter: Encounter
    source: str
    findings: list[Finding] = field(default_factory=list)
    """Warnings only: the claim goes out, and these are reported beside it."""

    def as_dict(self) -> dict[str, object]:
        """The warnings-output line: IDs, locations and reasons; never field values."""
        return {
            "encounter_id": self.encounter.encounter_id,
            "source": self.source,
            "warnings": [f.as_dict() for f in self.findings],
        }


@dataclass(frozen=True, slots=True)
class Refused:
    key: str
    """The ``encounter_id`` when it could be read, else the record's ``file:line``."""
    source: str
    findings: list[Finding]

    def as_dict(self) -> dict[str, object]:
        """The exceptions-output line: IDs, locations and reasons; never field values."""
        return {
            "encounter_id": self.key if self.key != self.source else None,
            "source": self.source,
            "reasons": [f.as_dict() for f in self.findings],
        }


Outcome = Accepted | Refused


def admit(
    records: Iterable[Record], context: CheckContext, known_services: Set[str] = frozenset()
) -> Iterator[Outcome]:
    """Validate each record; refuse those with any ``reject`` finding, keep going.

    ``known_services`` are :func:`edi.rules.duplicates.service_keys` of claims already
    billed (the ledger's): a line repeating one, or an earlier line of the batch under
    another encounter ID, is a duplicate."""
    seen: dict[str, str] = {}
    services: dict[str, str] = {}
    for rec in records:
        try:
            yield _outcome(rec, context, seen, (services, known_services))
        except Exception as exc:
            # A crash in a check is a bug, but the record goes to the exceptions output
            # and the batch goes on.  Only the error's type is kept: its text may quote
            # a value, and values may be PHI.
            finding = fire(record_rules.RECORD_UNCHECKED, source=rec.source,
                           error=type(exc).__name__)  # fmt: skip
            yield Refused(rec.source, rec.source, [finding])


def _outcome(
    rec: Record,
    context: CheckContext,
    seen: dict[str, str],
    services: tuple[dict[str, str], Set[str]],
) -> Outcome:
    """One record's outcome; ``seen`` maps upper-cased IDs to where they first appeared,
    ``services`` the batch's service keys to their first encounter, and the known ones."""
    encounter, findings, key = _validate(rec)
    if key != rec.source:
        first = seen.setdefault(key.upper(), rec.source)
        if first != rec.source:
            findings.append(
                fire(record_rules.DUPLICATE, field="encounter_id", encounter_id=key,
                     source=rec.source, first=first)
            )  # fmt: skip
    if encounter is None:
        return Refused(key, rec.source, findings)
    findings.extend(run_checks(encounter, context, rec.source))
    if not any(f.rejects for f in findings):
        findings.extend(duplicates_of(encounter, *services, rec.source))
    if any(f.rejects for f in findings):
        return Refused(key, rec.source, findings)
    return Accepted(encounter, rec.source, findings)


_RULE_OF_KIND = {
    "json": record_rules.RECORD_JSON,
    "row": record_rules.RECORD_CSV,
    "file": record_rules.FILE_UNREADABLE,
}


def _validate(rec: Record) -> tuple[Encounter | None, list[Finding], str]:
    """The encounter (or the findings why not) and the record's key for duplicates."""
    if rec.raw is not None:
        try:
            encounter = Encounter.model_validate_json(rec.raw)
            return encounter, [], encounter.encounter_id
        except ValidationError:
            rec = rec.decoded()  # the slow path, only for records that fail
    if rec.data is None:
        rule = _RULE_OF_KIND[rec.kind]
        return None, [fire(rule, source=rec.source, reason=rec.error)], rec.source
    raw_id = rec.data.get("encounter_id")
    ident = raw_id if isinstance(raw_id, str) and raw_id else None
    try:
        encounter = Encounter.model_validate(rec.data)
    except ValidationError as exc:
        return None, record_rules.findings_from_error(exc, ident, rec.source), ident or rec.source
    return encounter, [], encounter.encounter_id


def accepted_encounters(
    outcomes: Iterable[Outcome],
    on_refused: Callable[[Refused], None],
    on_accepted: Callable[[Accepted], None] | None = None,
) -> Iterator[Encounter]:
    """Pass accepted encounters on to a builder, handing everything else to callbacks.

    This keeps one streaming pass: the builder pulls encounters, refusals (and, through
    ``on_accepted``, warnings and sources) are written out as they are met.
    """
    for outcome in outcomes:
        if isinstance(outcome, Refused):
            on_refused(outcome)
            continue
        if on_accepted is not None:
            on_accepted(outcome)
        yield outcome.encounter
