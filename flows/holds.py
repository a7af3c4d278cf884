"""The pre-bill hold of a night: hold, release on answers, build what was released.

A held encounter is stored in the ledger with one coding query per finding that held it
(:mod:`edi.worklists.coding_review`), keyed by ``(clm01, source_file)`` like a claim's
admission.  Once every query of a hold is answered (none "other"), the answers are applied
to a copy of the encounter and the hold is *released*.  The next night admits released
holds under their original file: a rerun of that night (or a Prefect Retry) finds them
handled, and a claim sent meanwhile from another file is a duplicate, never sent twice.
Values returned are IDs and counts only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date

from pydantic import ValidationError

from edi.claims.intake import Refused
from edi.claims.models import Encounter
from edi.codesets import bundled_code_sets
from edi.findings import Finding
from edi.rules.common import first_service_date
from edi.rules.duplicates import DUPLICATE_SERVICE, duplicates_of, service_keys
from edi.rules.registry import run_checks
from edi.worklists.coding_review import (
    UNDETERMINED,
    AnswerError,
    apply_answers,
    bills_nothing,
    field_before_answers,
    query_id,
    query_payload,
)
from flows.ledger import ClaimException, Ledger
from flows.ledger.held import (
    ClaimCheck,
    CodingQuery,
    HeldClaim,
    HoldOutcome,
    HoldRecord,
    HoldState,
    QueryStatus,
)
from flows.scrub import Held, NightChecks, decide, reference_gaps, releases_of


def warning_dicts(findings: Iterable[Finding]) -> list[dict[str, object]]:
    """What the ledger keeps of each warning: IDs, level, message, fix, field; no PHI."""
    return [
        {k: v for k, v in (("rule_id", f.rule_id), ("level", f.level), ("message", f.message),
                           ("fix", f.fix), ("field", f.field)) if v is not None}
        for f in findings
    ]  # fmt: skip


def hold_record(item: Held, key: str, business_date: date, checks: NightChecks) -> HoldRecord:
    encounter = item.encounter
    clm01 = encounter.claim_id
    code_sets = checks.context.code_sets or bundled_code_sets()
    release, _ = code_sets.icd.release_for(first_service_date(encounter))
    queries = [
        CodingQuery(
            query_id=query_id(clm01, key, f),
            clm01=clm01,
            rule_id=f.rule_id,
            field=f.field,
            payload=query_payload(f, encounter, release),
            asked_on=business_date,
        )
        for f in _unique(item.holding)
    ]
    return HoldRecord(
        clm01=clm01,
        source_file=key,
        business_date=business_date,
        payer_id=encounter.payer.payer_id,
        rule_ids=sorted({f.rule_id for f in item.holding}),
        encounter=encounter.model_dump(mode="json", exclude_none=True),
        queries=queries,
    )


def _unique(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        if (f.rule_id, f.field) not in seen:
            seen.add((f.rule_id, f.field))
            out.append(f)
    return out


def record_holds(
    ledger: Ledger, held: list[Held], key: str, business_date: date, checks: NightChecks
) -> HoldOutcome:
    """Hold the encounters once and keep their findings as their check row."""
    if not held:
        return HoldOutcome()
    outcome = ledger.hold_claims([hold_record(h, key, business_date, checks) for h in held])
    ledger.record_checks(
        [
            ClaimCheck(
                h.encounter.claim_id,
                key,
                business_date,
                "held",
                warning_dicts(h.findings),
                releases_of(h.encounter, checks),
            )
            for h in held
        ]
    )
    return outcome


# -- answers release holds ---------------------------------------------------------------


@dataclass
class ReleaseSummary:
    released: list[str] = field(default_factory=list)
    waiting: int = 0
    """Holds with a pending (or "other") query."""
    unusable: dict[str, str] = field(default_factory=dict)
    """CLM01 -> why its answers could not make a valid encounter (it stays held)."""
    not_billed: list[str] = field(default_factory=list)
    """Every line answered "not a separate service": closed as not billed."""


def release_answered(ledger: Ledger) -> ReleaseSummary:
    """Release every held claim whose queries are all answered (none "other"); one
    whose answers removed every line is closed as not billed instead.

    Safe to run any number of times: a released hold is not held any more, and a crash
    between recording answers and releasing leaves holds this picks up next time.
    """
    summary = ReleaseSummary()
    for hold in ledger.find_holds([HoldState.HELD]):
        mine = ledger.find_queries(hold_id=hold.id)
        if not mine:  # issue 16: an eligibility hold; its 271 or the front desk releases it
            continue
        if any(q.status != QueryStatus.ANSWERED for q in mine):
            summary.waiting += 1
            continue
        try:
            answered = apply_answers(hold.encounter, [(q.field, q.answer or "") for q in mine])
            if bills_nothing(answered):
                if ledger.release_hold(hold.id, answered, state=HoldState.NOT_BILLED):
                    summary.not_billed.append(hold.clm01)
                continue
            Encounter.model_validate(answered)
        except (AnswerError, ValidationError) as exc:
            why = type(exc).__name__ if isinstance(exc, ValidationError) else str(exc)
            summary.unusable[hold.clm01] = why
            continue
        if ledger.release_hold(hold.id, answered):
            summary.released.append(hold.clm01)
    return summary


# -- released holds go into the night's build ---------------------------------------------


Checked = tuple[HeldClaim, Encounter, list[Finding]]


@dataclass
class Released:
    """Released holds re-checked for tonight, grouped by their original file."""

    by_file: dict[str, list[Checked]] = field(default_factory=dict)
    refused: list[tuple[HeldClaim, Refused]] = field(default_factory=list)
    held_again: list[str] = field(default_factory=list)
    """CLM01s back on the coding review: their service was billed since they were held."""


def take_released(ledger: Ledger, checks: NightChecks) -> Released:
    """Released holds, each checked again as answered: the rules it was held for (and any
    other hold) go out as warnings, since a coder reviewed it; a reject stays a reject;
    duplicates are asked again (:func:`_billed_since`)."""
    out, passed = Released(), []
    for hold in ledger.find_holds([HoldState.RELEASED]):
        encounter = Encounter.model_validate(hold.answered or hold.encounter)
        findings = run_checks(encounter, checks.context, hold.source_file)
        findings += reference_gaps(encounter, checks)
        verdict = decide(encounter, hold.source_file, findings, checks.context)
        if isinstance(verdict, Refused):
            out.refused.append((hold, verdict))
            continue
        passed.append((hold, encounter, findings))
    for hold, encounter, findings in _billed_since(ledger, checks, passed, out):
        out.by_file.setdefault(hold.source_file, []).append((hold, encounter, findings))
    return out


def _billed_since(
    ledger: Ledger, checks: NightChecks, passed: list[Checked], out: Released
) -> Iterator[Checked]:
    """The released holds still to build; those repeating a service billed since they
    were held (or another released hold's) go back on the coding review.

    Days or weeks can pass between a hold and its answers, and the clinic may meanwhile
    have sent the same visit under another encounter ID.  The coder answered a question
    about a code or a modifier, not about that claim: sending would be a CARC 18 denial
    nobody chose, so the claim is held again with a duplicate query naming the claim
    that billed it, exactly as a new night's duplicate is.  When the coder already
    answered a duplicate query of this hold "clinically undetermined" (bill as
    documented: a real second service), that is their decision to send, and it is not
    asked again.  One ledger query for all released holds' services."""
    keys = {k for _, encounter, _ in passed for k in service_keys(encounter)}
    billed = ledger.billed_services(keys) if keys else {}
    first_seen: dict[str, str] = {}
    for hold, encounter, findings in passed:
        repeats = list(duplicates_of(encounter, first_seen, billed, hold.source_file))
        if not repeats or _sent_as_documented(ledger, hold):
            yield hold, encounter, findings
            continue
        queries = _queries_again(ledger, hold, encounter, repeats, checks)
        if ledger.hold_again(hold.id, queries):
            out.held_again.append(hold.clm01)


def _sent_as_documented(ledger: Ledger, hold: HeldClaim) -> bool:
    """The coder answered this hold's duplicate query "clinically undetermined"."""
    if DUPLICATE_SERVICE.id not in hold.rule_ids:
        return False
    return any(q.rule_id == DUPLICATE_SERVICE.id and q.answer == UNDETERMINED
               for q in ledger.find_queries(hold_id=hold.id))  # fmt: skip


def _queries_again(
    ledger: Ledger, hold: HeldClaim, encounter: Encounter, repeats: list[Finding],
    checks: NightChecks,
) -> list[CodingQuery]:  # fmt: skip
    """The duplicate queries, their facts from the answered encounter, their fields on
    the held one (the earlier answers apply again at the next release)."""
    answers = [(q.field, q.answer or "") for q in ledger.find_queries(hold_id=hold.id)]
    code_sets = checks.context.code_sets or bundled_code_sets()
    release, _ = code_sets.icd.release_for(first_service_date(encounter))
    queries = []
    for f in repeats:
        held_field = field_before_answers(f.field or "", answers)
        payload = query_payload(f, encounter, release) | {"field": held_field}
        queries.append(
            CodingQuery(
                query_id=query_id(hold.clm01, hold.source_file, replace(f, field=held_field)),
                clm01=hold.clm01,
                rule_id=f.rule_id,
                field=held_field,
                payload=payload,
                asked_on=checks.context.today,
            )
        )
    return queries


def refuse_released(
    ledger: Ledger, refused: list[tuple[HeldClaim, Refused]], business_date: date
) -> Counter:
    """Released holds the answers made invalid: exceptions, closed as refused."""
    rules: Counter = Counter()
    if not refused:
        return rules
    exceptions = []
    for hold, item in refused:
        rule = next(f.rule_id for f in item.findings if f.rejects)
        rules[rule] += 1
        exceptions.append(
            ClaimException(
                subject=hold.clm01,
                source_file=hold.source_file,
                rule_id=rule,
                business_date=business_date,
                reasons=[f.as_dict() for f in item.findings],
            )
        )
    ledger.record_exceptions(exceptions)
    ledger.close_holds({hold.id: HoldState.REFUSED for hold, _ in refused}, business_date)
    return rules
