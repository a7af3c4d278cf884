"""Eligibility before billing (issue 16): a 270 for each claim whose coverage nobody checked
lately, the claim held until the 271 says what to do.

Only payers whose profile enables it (``eligibility.enabled``, or ``CLAIMS_ELIGIBILITY_PAYERS``)
are asked.  Three steps, each exactly once through the ledger (:mod:`flows.ledger.eligibility`):

1. **the gate**, inside the night's build: an encounter that passed the scrub and whose member
   the payer did not answer for within ``verified_days`` is held (the existing hold, keyed by
   CLM01 and file, with no coding query) and its inquiry queued.  A member answered for
   recently is not asked again: a clear answer lets the claim go, a problem holds it for the
   front desk with that answer.
2. **the pass**, after the build: queued inquiries become 270 files per payer (at most
   ``per_file`` members each), recorded with their bytes, then uploaded like the 837s; files
   recorded and not confirmed are sent again.  Claims still without a 271 after ``wait_days``
   are released to go out the next night, with a warning.
3. **the answers**, at ingest: each 271 answer is decided (:mod:`edi.eligibility.decide`).  A
   clear answer releases the claim (with a later payer the 271 named added to its other
   coverage, for the COB flow); a problem keeps it held with a front-desk worklist row; the
   front desk's corrected member ID is asked about in a new 270, whose 271 decides again
   (:func:`fix_member_ids`).

Names, birth dates and member IDs go only into 270 files and the ledger; what these functions
return and log is IDs and counts.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from edi.claims.intake import Accepted
from edi.claims.models import Encounter
from edi.eligibility.build_270 import EligibilityInquiry, build_270
from edi.eligibility.decide import Decision, decide
from edi.eligibility.read_271 import EligibilityAnswer, OtherPayer, cost_sharing, read_271
from edi.rules.common import first_service_date
from edi.x12.control import control_key
from edi.x12.reader import X12ParseError
from flows.clearinghouse import Clearinghouse
from flows.faults import checkpoint
from flows.ledger import Ledger
from flows.ledger.eligibility import (
    WAITING,
    Correction,
    EligibilityAsk,
    EligibilityStatus,
    EligibilityView,
    Settlement,
)
from flows.ledger.held import HoldRecord
from mappings.profiles import ClearinghouseProfile, Eligibility, PayerProfile

if TYPE_CHECKING:
    from flows.settings import Settings

log = logging.getLogger(__name__)
HOLD_RULE = "ELIGIBILITY"
"""The rule ID of an eligibility hold (no coding query: its 271 or the front desk releases it)."""
VERSION_MARK = b"005010X279A1"


def checked_payers(payers: Mapping[str, PayerProfile], also: str = "") -> dict[str, Eligibility]:
    """Payer ID → eligibility settings of every payer to check: profiles that enable it,
    and the IDs in ``also`` (``CLAIMS_ELIGIBILITY_PAYERS``) with their profile's settings."""
    extra = {p.strip() for p in also.split(",") if p.strip()}
    found = {pid: p.eligibility for pid, p in payers.items() if p.eligibility.enabled}
    for pid in extra:
        profile = payers.get(pid)
        found[pid] = profile.eligibility if profile else Eligibility()
    return found


def member_key(encounter: Encounter) -> str:
    """Who is asked about, as a digest: payer, member ID, the patient's name and birth date."""
    sub, patient = encounter.subscriber, encounter.patient
    who = patient or sub
    text = "|".join((encounter.payer.payer_id, sub.member_id.upper(), who.last_name.upper(),
                     who.first_name.upper(), who.birth_date.isoformat()))  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()[:64]


def trace_of(*parts: str) -> str:
    """An inquiry's TRN02 from what makes it (CLM01 and file; an earlier trace and the
    corrected member ID): stable across reruns, no PHI (a digest)."""
    return "E" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:29].upper()


def inquiry_of(encounter: Encounter, trace: str) -> EligibilityInquiry:
    """What the 270 asks about one encounter: its member on its first date of service."""
    bp, sub, patient = encounter.billing_provider, encounter.subscriber, encounter.patient
    return EligibilityInquiry(
        inquiry_id=trace,
        payer_id=encounter.payer.payer_id,
        payer_name=encounter.payer.name,
        provider_npi=bp.npi,
        provider_name=bp.organization_name or " ".join(filter(None, (bp.first_name, bp.last_name))),
        service_date=first_service_date(encounter),
        member_id=sub.member_id,
        subscriber_last=sub.last_name,
        subscriber_first=sub.first_name,
        subscriber_birth_date=sub.birth_date,
        subscriber_sex=sub.sex,
        patient_last=patient.last_name if patient else None,
        patient_first=patient.first_name if patient else None,
        patient_birth_date=patient.birth_date if patient else None,
        patient_sex=patient.sex if patient else None,
    )


# -- 1. the gate -------------------------------------------------------------------------


@dataclass
class GateResult:
    go: list[Accepted]
    held: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    front_desk: list[str] = field(default_factory=list)
    """Of ``held``, those held on a recent answer that needs the front desk (not asked)."""
    cached: int = 0
    """Claims let go (or held) on a recent answer, without a new inquiry."""


def hold_unverified(
    ledger: Ledger,
    accepted: list[Accepted],
    source_file: str,
    business_date: date,
    checked: Mapping[str, Eligibility],
    payers: Mapping[str, PayerProfile],
) -> GateResult:
    """Split a chunk of clean encounters: those that go now, those held for their 271."""
    asking = [a for a in accepted if _asked(a.encounter, checked)]
    if not asking:
        return GateResult(accepted)
    keys = {a.encounter.claim_id: member_key(a.encounter) for a in asking}
    recent = ledger.eligibility_answers_of(set(keys.values()))
    result = GateResult([a for a in accepted if not _asked(a.encounter, checked)])
    holds: list[tuple[HoldRecord, EligibilityAsk]] = []
    answered: dict[str, tuple[dict[str, Any], date]] = {}
    for item in asking:
        encounter = item.encounter
        key = keys[encounter.claim_id]
        window = checked[encounter.payer.payer_id].verified_days
        fresh = _fresh(recent.get(key), business_date, window)
        if fresh is not None:
            result.cached += 1
            if not fresh[0]["holds"]:
                covered = with_other_coverage(encounter, fresh[0], payers)
                result.go.append(Accepted(covered, item.source, item.findings))
                continue
            answered[key] = fresh
        holds.append(
            (
                HoldRecord(
                    clm01=encounter.claim_id,
                    source_file=source_file,
                    business_date=business_date,
                    payer_id=encounter.payer.payer_id,
                    rule_ids=[HOLD_RULE],
                    encounter=encounter.model_dump(mode="json", exclude_none=True),
                ),
                EligibilityAsk(
                    trace_of(encounter.claim_id, source_file), key, first_service_date(encounter)
                ),
            )
        )
    result.held, result.already = ledger.hold_for_eligibility(holds, answered)
    result.front_desk = [c for c in result.held if keys[c] in answered]
    return result


def _fresh(
    known: EligibilityView | None, night: date, window: int
) -> tuple[dict[str, Any], date] | None:
    """A member's last answer and its day, when it is recent enough to use again."""
    if known is None or known.answer is None or known.answered_on is None:
        return None
    return (known.answer, known.answered_on) if (night - known.answered_on).days <= window else None


def _asked(encounter: Encounter, checked: Mapping[str, Eligibility]) -> bool:
    """An original claim to a checked payer as primary; a correction or void of a claim
    already billed, or a claim to a later payer, goes as it is."""
    return (
        encounter.payer.payer_id in checked
        and encounter.frequency_code == "1"
        and encounter.billed_payer_sequence == "P"
    )


# -- 2. the pass: 270s out, waits that ran out released -------------------------------------


@dataclass
class EligibilitySummary:
    """IDs and counts only."""

    files: list[str] = field(default_factory=list)
    asked: int = 0
    resent: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    """CLM01s released without a 271: they go out the next night with a warning."""


def send_eligibility_inquiries(
    ledger: Ledger,
    clearinghouse: Clearinghouse,
    profile: ClearinghouseProfile,
    checked: Mapping[str, Eligibility],
    business_date: date,
    created: datetime | None = None,
) -> EligibilitySummary:
    """Tonight's 270s (see the module docstring, step 2); returns what was sent."""
    created = created or datetime.now(UTC)
    summary = EligibilitySummary()
    for pending in ledger.eligibility_files(unsent=True):
        clearinghouse.submit(pending.file_name, pending.content)
        ledger.mark_eligibility_file_sent(pending.id)
        summary.resent.append(pending.file_name)
    summary.expired = expire_waits(ledger, checked, business_date)
    queued = [
        row
        for row in ledger.eligibility_rows(statuses=[EligibilityStatus.QUEUED])
        if row.trace == row.asked_trace
    ]
    by_payer: dict[str, list[EligibilityView]] = defaultdict(list)
    for row in queued:
        by_payer[row.payer_id].append(row)
    for payer_id, rows in sorted(by_payer.items()):
        cap = checked[payer_id].per_file if payer_id in checked else Eligibility().per_file
        for start in range(0, len(rows), cap):
            batch = rows[start : start + cap]
            name = _send(ledger, clearinghouse, profile, payer_id, batch, business_date, created)
            if name:
                summary.files.append(name)
                summary.asked += len(batch)
    return summary


def _send(
    ledger: Ledger,
    clearinghouse: Clearinghouse,
    profile: ClearinghouseProfile,
    payer_id: str,
    rows: list[EligibilityView],
    business_date: date,
    created: datetime,
) -> str | None:
    sender, receiver = profile.sender.party(), profile.receiver.party()
    isa13 = ledger.allocate(control_key("ISA", sender.id, receiver.id))[0]
    gs06 = ledger.allocate(control_key("GS", sender.id, receiver.id))[0]
    inquiries = [inquiry_of(Encounter.model_validate(r.encounter), r.trace) for r in rows]
    local = created.replace(tzinfo=None)
    text = build_270(inquiries, sender, receiver, isa13, gs06, local, profile.usage)
    name = f"{isa13:09d}.270"
    content = text.encode("ascii")
    traces = [r.trace for r in rows]
    file_id = ledger.record_eligibility_file(name, payer_id, isa13, content, traces, business_date)
    if file_id is None:
        return None  # another run asked about these members first
    checkpoint("eligibility_recorded")
    clearinghouse.submit(name, content)
    checkpoint("eligibility_sent")
    ledger.mark_eligibility_file_sent(file_id)
    log.info("sent 270 %s asking payer %s about %d member(s)", name, payer_id, len(rows))
    return name


def expire_waits(
    ledger: Ledger, checked: Mapping[str, Eligibility], business_date: date
) -> list[str]:
    """Release the claims whose 271 did not come within their payer's ``wait_days``."""
    settlements = []
    for row in ledger.eligibility_rows(statuses=WAITING):
        wait = checked[row.payer_id].wait_days if row.payer_id in checked else 0
        if (business_date - row.business_date).days < wait:
            continue
        note = {
            "holds": [],
            "warning": f"no 271 from payer {row.payer_id} within {wait} day(s); sent unverified",
        }
        settlements.append(
            Settlement(row.id, EligibilityStatus.EXPIRED, note, business_date, row.encounter)
        )
    expired = ledger.settle_eligibility(settlements)
    for clm01 in expired:
        log.warning("claim %s: no eligibility answer in time; it goes out unverified", clm01)
    return expired


# -- 3. the answers -----------------------------------------------------------------------


def is_271(data: bytes) -> bool:
    """Whether a response file is a 271 eligibility answer (GS08 005010X279A1, ST 271)."""
    head, sep = data.lstrip()[:2000], data.lstrip()[3:4]  # ISA's element separator
    return bool(sep) and VERSION_MARK in head and b"ST" + sep + b"271" + sep in head


@dataclass
class AnswerSummary:
    """IDs and counts only."""

    answered: int = 0
    released: list[str] = field(default_factory=list)
    front_desk: list[str] = field(default_factory=list)
    other_coverage: list[str] = field(default_factory=list)
    """CLM01s released with a later payer from the 271 added for the COB flow."""
    unknown_traces: int = 0


def apply_271(
    ledger: Ledger,
    data: bytes,
    name: str,
    today: date,
    payers: Mapping[str, PayerProfile],
) -> AnswerSummary:
    """Decide every waiting claim the 271 ``data`` answers (step 3); safe to repeat."""
    summary = AnswerSummary()
    try:
        answers = {a.inquiry_id: a for a in read_271(data, name)}
    except X12ParseError as exc:  # the message may quote the file: only its kind is logged
        log.error("271 %s could not be read (%s); its claims keep waiting", name,
                  type(exc).__name__)  # fmt: skip
        return summary
    rows = ledger.eligibility_rows(statuses=WAITING, asked_traces=answers)
    summary.unknown_traces = len(set(answers) - {r.asked_trace for r in rows})
    settlements = []
    for row in rows:
        encounter = Encounter.model_validate(row.encounter)
        answer = answers[row.asked_trace]
        decision = decide(inquiry_of(encounter, row.trace), answer)
        kept = answer_record(decision, answer, name)
        release = None
        if not decision.holds:
            release = with_other_coverage(encounter, kept, payers).model_dump(
                mode="json", exclude_none=True
            )
            before = row.encounter.get("other_coverage", [])
            if len(release.get("other_coverage", [])) > len(before):
                summary.other_coverage.append(row.clm01)
        settlements.append(Settlement(row.id, EligibilityStatus.ANSWERED, kept, today, release))
        (summary.released if release is not None else summary.front_desk).append(row.clm01)
    summary.answered = len(ledger.settle_eligibility(settlements))
    return summary


def answer_record(decision: Decision, answer: EligibilityAnswer, file_name: str) -> dict[str, Any]:
    """What the ledger keeps of an answer for the claim (PHI, in the ledger only)."""
    return {
        "file": file_name,
        "holds": [{"code": h.code, "said": h.said, "fix": h.fix} for h in decision.holds],
        "messages": list(answer.messages),
        "rejections": list(answer.rejections),
        "cost_sharing": cost_sharing(answer),
        "plan_dates": dict(answer.dates),
        "member": {
            "last_name": answer.last_name,
            "first_name": answer.first_name,
            "member_id": answer.member_id,
            "birth_date": answer.birth_date,
        },
        "other_payers": [
            {"role": p.role, "name": p.name, "payer_id": p.payer_id, "member_id": p.member_id}
            for p in answer.other_payers
        ],
        "later_payers": [p.payer_id for p in decision.other_payers],
    }


def with_other_coverage(
    encounter: Encounter, kept: dict[str, Any], payers: Mapping[str, PayerProfile]
) -> Encounter:
    """The encounter with each later payer the 271 named (ID and member ID known, not
    already listed) added to its other coverage, so the COB flow bills it after this one."""
    later = set(kept.get("later_payers", []))
    data = encounter.model_dump(mode="json", exclude_none=True)
    coverage = data.setdefault("other_coverage", [])
    listed = {c["payer"]["payer_id"] for c in coverage} | {encounter.payer.payer_id}
    for other in kept.get("other_payers", []):
        payer = OtherPayer(**other)
        if payer.payer_id not in later or payer.payer_id in listed or not payer.member_id:
            continue
        if len(coverage) >= 2:
            break
        profile = payers.get(payer.payer_id)
        insured = {k: v for k, v in data["subscriber"].items() if k != "member_id"}
        coverage.append(
            {
                "payer": {
                    "payer_id": payer.payer_id,
                    "name": profile.name if profile else payer.name[:60],
                    "claim_filing_indicator": profile.claim_filing_indicator if profile else "CI",
                },
                "subscriber": {**insured, "member_id": payer.member_id},
            }
        )
        listed.add(payer.payer_id)
    try:
        return Encounter.model_validate(data)
    except ValidationError:
        log.warning("claim %s: the other coverage a 271 named does not fit; not added",
                    encounter.claim_id)  # fmt: skip
        return encounter


# -- the front desk's fix -------------------------------------------------------------------


@dataclass
class FixSummary:
    asked_again: list[str] = field(default_factory=list)
    """CLM01s whose corrected member ID is queued for tonight's 270 (held until its 271)."""
    already: list[str] = field(default_factory=list)
    """CLM01s corrected by an earlier import (the same sheet read again): nothing new."""
    problems: list[str] = field(default_factory=list)
    """Row-level problems: IDs and the reason, no values."""


def fix_member_ids(
    ledger: Ledger, fixes: Sequence[tuple[str, str, str]], today: date
) -> FixSummary:
    """Ask the payer again about each claim whose front-desk row carries a corrected member ID.

    ``fixes`` are (trace, corrected member ID, where in the file).  The claim stays held: a
    new inquiry for the corrected ID is queued (exactly once, like every inquiry) and goes
    out in tonight's 270s; its 271 releases the claim, with the corrected ID, or puts it back
    on the front-desk sheet.
    """
    summary = FixSummary()
    traces = [t for t, _, _ in fixes]
    rows = {r.trace: r for r in ledger.eligibility_rows(traces=traces)}
    earlier = {(r.answer or {}).get("corrected_from"): r
               for r in ledger.eligibility_rows(statuses=WAITING)}  # fmt: skip
    corrections = []
    for trace, member_id, where in fixes:
        row = rows.get(trace)
        if row is None and trace in earlier:
            summary.already.append(earlier[trace].clm01)
            continue
        if row is None:
            summary.problems.append(f"{where}: no eligibility check {trace} in the ledger")
            continue
        if row.status != EligibilityStatus.ANSWERED or row.hold_state != "held":
            summary.problems.append(f"{where}: claim {row.clm01} is not held for the front desk")
            continue
        data = {**row.encounter, "subscriber": {**row.encounter["subscriber"],
                                                "member_id": member_id}}  # fmt: skip
        try:
            corrected = Encounter.model_validate(data)
        except ValidationError:
            summary.problems.append(f"{where}: claim {row.clm01}: the member ID is not valid")
            continue
        corrections.append(
            Correction(row.id, trace_of(trace, member_id), member_key(corrected), data, today)
        )
    summary.asked_again = ledger.ask_again(corrections)
    return summary


# -- the hooks: the night's task and ingest ----------------------------------------------------


def night_pass(
    settings: Settings,
    business_date: date,
    connect: Callable[[Settings], AbstractContextManager[Clearinghouse]],
) -> EligibilitySummary:
    """The nightly step: 270s sent, waits that ran out released, the front-desk sheet
    refreshed.  Nothing (not even a connection) when no payer is checked."""
    from flows.worklists.front_desk import write_front_desk
    from mappings.profiles import payer_profiles

    checked = checked_payers(payer_profiles(), settings.eligibility_payers)
    if not checked:
        return EligibilitySummary()
    with Ledger.open(settings.ledger) as ledger, connect(settings) as clearinghouse:
        summary = send_eligibility_inquiries(
            ledger, clearinghouse, settings.clearinghouse_profile(), checked, business_date
        )
        today = datetime.now(settings.zone).date()
        write_front_desk(ledger, settings.data_dir / "front-desk" / today.isoformat(), today)
    log.info("eligibility: %d 270 file(s) asking about %d member(s), %d resent, %d released "
             "unverified", len(summary.files), summary.asked, len(summary.resent),
             len(summary.expired))  # fmt: skip
    _artifact(business_date, summary)
    return summary


def _artifact(night: date, summary: EligibilitySummary) -> None:
    """The ``nightly-eligibility`` artifact: file names, counts and CLM01s only."""
    from prefect.artifacts import create_markdown_artifact

    unverified = ", ".join(f"`{c}`" for c in summary.expired[:200]) or "none"
    create_markdown_artifact(
        f"# Eligibility checks of {night}\n\n"
        f"| | |\n|---|---|\n| 270 files sent | {len(summary.files)} |\n"
        f"| members asked | {summary.asked} |\n| files sent again | {len(summary.resent)} |\n"
        f"| claims sent without a 271 | {len(summary.expired)} |\n\n"
        f"Sent unverified (no 271 in time): {unverified}\n",
        key="nightly-eligibility",
        description=f"270s sent and claims released without a 271 for {night}",
    )


def on_response(ledger: Ledger, data: bytes, name: str, today: date) -> AnswerSummary | None:
    """Ingest's hook: a 271 decides the claims it answers and refreshes the front-desk
    sheet; any other response file is not this module's (None)."""
    if not is_271(data):
        return None
    from flows.settings import Settings
    from flows.worklists.front_desk import write_front_desk
    from mappings.profiles import payer_profiles

    summary = apply_271(ledger, data, name, today, payer_profiles())
    checkpoint("ingest_271_applied")
    settings = Settings()
    write_front_desk(ledger, settings.data_dir / "front-desk" / today.isoformat(), today)
    log.info("271 %s: %d claim(s) answered, %d released (%d with other coverage), %d held for "
             "the front desk", name, summary.answered, len(summary.released),
             len(summary.other_coverage), len(summary.front_desk))  # fmt: skip
    return summary
