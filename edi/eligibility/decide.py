"""What a 271 answer decides for the claim of one inquiry, in front-desk words.

A claim that would be denied for eligibility is cheaper to fix before it is sent: the front
desk calls the patient or corrects the registration.  So each problem becomes a hold reason
that says what the payer said and the fix.  Another payer named primary is not a hold by
itself: a later payer (secondary, tertiary) is returned for the COB flow to turn into an
other_coverage entry; a payer named *primary* means this claim must not go first, so it holds.

Pure: the inquiry and the answer in, a decision out; reasons never quote names or IDs (PHI).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from edi.eligibility.build_270 import EligibilityInquiry
from edi.eligibility.read_271 import EligibilityAnswer, OtherPayer
from edi.x12.text import x12_text

UNKNOWN_MEMBER = {
    "72": "the payer says the member ID is not valid",
    "73": "the payer says the member name is not valid",
    "75": "the payer cannot find this subscriber",
    "76": "the payer has this member more than once",
}


@dataclass(frozen=True)
class HoldReason:
    """One reason to hold the claim: what the payer said and what the front desk does."""

    code: str
    said: str
    fix: str


@dataclass
class Decision:
    """Holds (empty when the claim may go) and other payers the COB flow should add."""

    holds: list[HoldReason] = field(default_factory=list)
    other_payers: list[OtherPayer] = field(default_factory=list, repr=False)
    """Later payers (secondary, tertiary) for the encounter's other coverage."""


def decide(inquiry: EligibilityInquiry, answer: EligibilityAnswer) -> Decision:
    """The decision for ``inquiry`` from the payer's ``answer`` to it."""
    later = [p for p in answer.other_payers if p.role != "PRP"]
    decision = Decision(other_payers=later)
    if any(p.role == "PRP" for p in answer.other_payers):
        decision.holds.append(
            HoldReason(
                "OTHER-PRIMARY",
                "the payer says another plan pays first (primary) for this patient",
                "Get the primary plan's card from the patient; bill that plan first and this "
                "payer second.",
            )
        )
    for code in answer.rejections:
        said = UNKNOWN_MEMBER.get(code, f"the payer rejected the inquiry (AAA reason {code})")
        fix = "Check the member ID and name on the insurance card and correct the registration."
        decision.holds.append(HoldReason(f"AAA-{code}", said, fix))
    if not answer.rejections and answer.covered(inquiry.service_type) is False:
        decision.holds.append(
            HoldReason(
                "INACTIVE",
                "the payer says coverage was not active on the date of service",
                "Ask the patient for their current insurance, or bill the patient.",
            )
        )
    decision.holds.extend(_mismatches(inquiry, answer))
    return decision


def _mismatches(q: EligibilityInquiry, a: EligibilityAnswer) -> list[HoldReason]:
    found: list[HoldReason] = []
    dependent = q.patient_last is not None
    if a.rejections:
        return found
    if (a.level == "dependent") != dependent:
        found.append(
            HoldReason(
                "RELATIONSHIP",
                "the payer lists the patient as "
                + ("a dependent" if a.level == "dependent" else "the subscriber"),
                "Correct the patient's relationship to the subscriber in registration.",
            )
        )
    birth = (
        (q.patient_birth_date or q.subscriber_birth_date) if dependent else q.subscriber_birth_date
    )
    if a.birth_date and a.birth_date != f"{birth:%Y%m%d}":
        found.append(
            HoldReason(
                "BIRTH-DATE",
                "the payer has a different birth date",
                "Confirm the birth date with the patient and the card.",
            )
        )
    last = (q.patient_last or "") if dependent else q.subscriber_last
    if a.last_name and x12_text(a.last_name) != x12_text(last):  # as the 270 spelled it
        found.append(
            HoldReason(
                "NAME",
                "the payer has the member under a different last name",
                "Use the name exactly as printed on the insurance card.",
            )
        )
    if a.level == "subscriber" and a.member_id and a.member_id != q.member_id:
        found.append(
            HoldReason(
                "MEMBER-ID",
                "the payer returned a different member ID",
                "Update the member ID from the card or the payer's answer.",
            )
        )
    return found
