"""The night's scrub: the check context (payer profiles, code sets with the installed CMS
releases, loaded once per process) and each encounter's disposition.

Intake (:func:`edi.claims.intake.admit`) says which findings reject; the night then asks
each finding's disposition (the payer profile's, else the rule's default, see
:meth:`edi.rules.registry.Rule.default_disposition`): ``reject`` makes an exception,
``hold`` keeps the claim in the ledger for coding review, ``warn`` sends it with the
warning kept.  A missing or stale reference release is a finding of its own
(:mod:`flows.reference.releases`), so a payer profile can hold on it too.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date

from pydantic import ValidationError

from edi.claims.intake import Accepted, BilledLookup, Refused, admit, nothing_billed
from edi.claims.models import Encounter
from edi.claims.records import Record
from edi.codesets import CodeSets, bundled_code_sets
from edi.findings import Disposition, Finding
from edi.rules.common import first_service_date
from edi.rules.registry import RULES, CheckContext
from flows.reference import Location, load_reference
from flows.reference.releases import Release, coverage_findings, releases_for
from mappings.profiles import payer_profiles


def check_context(today: date | None = None, code_sets: CodeSets | None = None) -> CheckContext:
    return CheckContext(
        today=today or date.today(),
        payers=payer_profiles(),
        code_sets=code_sets or bundled_code_sets(),
    )


@dataclass(frozen=True, slots=True)
class NightChecks:
    """Everything the night checks with: the rules' context and the releases behind it."""

    context: CheckContext
    releases: tuple[Release, ...] = ()


def night_checks(today: date, location: Location | None) -> NightChecks:
    """The context of a night: bundled code sets plus the installed releases (if any)."""
    if location is None:
        return NightChecks(check_context(today))
    reference = load_reference(location)
    return NightChecks(check_context(today, reference.code_sets), reference.releases)


@dataclass(frozen=True, slots=True)
class Held:
    """An encounter held for coding review: never built until its queries are answered."""

    encounter: Encounter
    source: str
    findings: list[Finding]
    holding: list[Finding] = field(default_factory=list)
    """The findings whose disposition is ``hold``: one query each."""

    def as_dict(self) -> dict[str, object]:
        """The held-output line of ``claims build``: IDs, locations and reasons only."""
        return {
            "encounter_id": self.encounter.encounter_id,
            "source": self.source,
            "held_for": [f.as_dict() for f in self.holding],
            "warnings": [f.as_dict() for f in self.findings if f not in self.holding],
        }


Triaged = Accepted | Refused | Held


def disposition(finding: Finding, payer_id: str | None, context: CheckContext) -> Disposition:
    """The payer profile's disposition for the finding's rule, else the rule's default."""
    profile = context.payers.get(payer_id) if payer_id else None
    chosen = profile.disposition_for(finding.rule_id) if profile is not None else None
    if chosen:
        return chosen
    rule = RULES.get(finding.rule_id)
    return rule.default_disposition if rule is not None else finding.severity


def triage(
    records: Iterable[Record], checks: NightChecks, billed: BilledLookup = nothing_billed
) -> Iterator[Triaged]:
    """Each record's outcome with dispositions applied (see the module docstring);
    ``billed`` is the ledger's lookup of services billed on earlier nights
    (:meth:`flows.ledger.Ledger.billed_services`), for the duplicates across them."""
    tap = _Tap(records)
    for outcome in admit(tap, checks.context, billed):
        yield _dispose(outcome, tap.behind(), checks)


def releases_of(encounter: Encounter, checks: NightChecks) -> list[str]:
    return releases_for(checks.releases, first_service_date(encounter))


def _dispose(outcome: Accepted | Refused, record: Record | None, checks: NightChecks) -> Triaged:
    if isinstance(outcome, Accepted):
        encounter = outcome.encounter
    else:
        encounter = _encounter_of(record) if record is not None else None
        if encounter is None or not _only_dispositioned(outcome.findings, encounter, checks):
            return outcome
    findings = list(outcome.findings)
    findings += _stamp(reference_gaps(encounter, checks), outcome)
    return decide(encounter, outcome.source, findings, checks.context)


def reference_gaps(encounter: Encounter, checks: NightChecks) -> list[Finding]:
    """Missing or stale releases for the encounter's date of service (none without a
    reference location: such a night says so once, on its summary)."""
    if not checks.releases:
        return []
    return [f for _, f in coverage_findings(checks.releases, first_service_date(encounter))]


def decide(
    encounter: Encounter, source: str, findings: list[Finding], context: CheckContext
) -> Triaged:
    """Reject wins over hold, hold over warn; a rule a profile makes reject is marked so."""
    payer = encounter.payer.payer_id
    ruled = [(f, disposition(f, payer, context)) for f in findings]
    rejecting = [f for f, d in ruled if d == "reject"]
    if rejecting:
        marked = [replace(f, severity="reject") if d == "reject" else f for f, d in ruled]
        return Refused(encounter.encounter_id, source, marked)
    holding = [f for f, d in ruled if d == "hold"]
    if holding:
        return Held(encounter, source, findings, holding)
    return Accepted(encounter, source, findings)


def _only_dispositioned(findings: list[Finding], encounter: Encounter, checks: NightChecks) -> bool:
    """Whether a payer profile or a rule's default turns every rejecting finding of a
    refused encounter into a hold or a warning (otherwise it stays refused as intake said)."""
    payer = encounter.payer.payer_id
    return all(disposition(f, payer, checks.context) != "reject" for f in findings if f.rejects)


def _stamp(findings: list[Finding], outcome: Accepted | Refused) -> list[Finding]:
    eid = outcome.encounter.encounter_id if isinstance(outcome, Accepted) else outcome.key
    return [replace(f, encounter_id=eid, source=outcome.source) for f in findings]


def _encounter_of(record: Record) -> Encounter | None:
    try:
        if record.raw is not None:
            return Encounter.model_validate_json(record.raw)
        if record.data is not None:
            return Encounter.model_validate(record.data)
    except ValidationError:
        return None
    return None


class _Tap:
    """Passes records on and keeps those intake has not answered yet: intake yields one
    outcome per record, in order (a batch behind the reading), so the record behind an
    outcome is the oldest one kept."""

    def __init__(self, records: Iterable[Record]) -> None:
        self._records = iter(records)
        self._taken: deque[Record] = deque()

    def __iter__(self) -> Iterator[Record]:
        for record in self._records:
            self._taken.append(record)
            yield record

    def behind(self) -> Record | None:
        return self._taken.popleft() if self._taken else None
