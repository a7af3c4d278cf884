"""From records to encounters a builder can take, with every reason a record is refused.

This is where SNIP levels 1–2 meet the batch: value checks (pydantic), the registered
claim-level checks, and the batch rule that an ``encounter_id`` appears once (case-
insensitively, since CLM01 goes out upper-cased).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError

from edi.claims.models import Encounter
from edi.claims.records import Record
from edi.rules import record as record_rules
from edi.rules.duplicates import Billed, duplicates_of, service_keys
from edi.rules.registry import CheckContext, Finding, fire, run_checks

T = TypeVar("T")


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


BilledLookup = Callable[[Collection[str]], Billed]
"""Service keys to the CLM01s already billing them (:meth:`flows.ledger.Ledger.billed_services`)."""

BATCH = 1000
"""Records checked before the billed services of their lines are looked up at once."""


def nothing_billed(keys: Collection[str]) -> Billed:
    """No claim billed before: a batch is only checked against itself."""
    return {}


def admit(
    records: Iterable[Record],
    context: CheckContext,
    known_services: BilledLookup = nothing_billed,
    batch: int = BATCH,
) -> Iterator[Outcome]:
    """Validate each record; refuse those with any ``reject`` finding, keep going.

    Duplicates (:mod:`edi.rules.duplicates`): a line repeating an earlier line of the
    batch under another encounter ID, or a service ``known_services`` says another CLM01
    already billed.  It is asked once per ``batch`` records (one ledger query, not one per
    claim), so outcomes come ``batch`` records behind the reading, one per record, in order.
    """
    seen: dict[str, str] = {}
    first_seen: dict[str, str] = {}
    pending = iter(records)
    while chunk := list(itertools.islice(pending, batch)):
        checked = [_guarded(rec, _checked, rec, context, seen) for rec in chunk]
        keys = {k for c in checked if isinstance(c, _Checked) and c.clean
                for k in service_keys(c.encounter)}  # fmt: skip
        known = known_services(keys) if keys else {}
        for item in checked:
            if isinstance(item, Refused):
                yield item
            else:
                yield _guarded(item.rec, _outcome, item, first_seen, known)


def _guarded(rec: Record, work: Callable[..., T], *args: Any) -> T | Refused:
    """``work(*args)``, or the record refused when a check crashes."""
    try:
        return work(*args)
    except Exception as exc:
        # A crash in a check is a bug, but the record goes to the exceptions output
        # and the batch goes on.  Only the error's type is kept: its text may quote
        # a value, and values may be PHI.
        finding = fire(record_rules.RECORD_UNCHECKED, source=rec.source,
                       error=type(exc).__name__)  # fmt: skip
        return Refused(rec.source, rec.source, [finding])


@dataclass(slots=True)
class _Checked:
    """A record through every check but the batch's duplicates."""

    rec: Record
    key: str
    encounter: Encounter | None
    findings: list[Finding]

    @property
    def clean(self) -> bool:
        """Read, and refused by nothing yet: the duplicates are asked of it."""
        return self.encounter is not None and not any(f.rejects for f in self.findings)


def _checked(rec: Record, context: CheckContext, seen: dict[str, str]) -> _Checked:
    """The record's checks; ``seen`` maps upper-cased IDs to where they first appeared."""
    encounter, findings, key = _validate(rec)
    if key != rec.source:
        first = seen.setdefault(key.upper(), rec.source)
        if first != rec.source:
            findings.append(
                fire(record_rules.DUPLICATE, field="encounter_id", encounter_id=key,
                     source=rec.source, first=first)
            )  # fmt: skip
    if encounter is not None:
        findings.extend(run_checks(encounter, context, rec.source))
    return _Checked(rec, key, encounter, findings)


def _outcome(item: _Checked, first_seen: dict[str, str], known: Billed) -> Outcome:
    """``first_seen`` maps the batch's service keys to their first encounter."""
    rec, encounter, findings = item.rec, item.encounter, item.findings
    if encounter is None:
        return Refused(item.key, rec.source, findings)
    if item.clean:
        findings.extend(duplicates_of(encounter, first_seen, known, rec.source))
    if any(f.rejects for f in findings):
        return Refused(item.key, rec.source, findings)
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
