"""Read a 271 eligibility answer (005010X279A1) into one row per inquiry.

Each 2000C/2000D level carries our 270's TRN02 back, so an answer lands on its inquiry.
What the payer said is kept as the payer said it: the benefit rows (EB01 information code,
EB03 service types, coverage level EB02, amount EB07 / percent EB08), plan dates (DTP*346/
347/356/357), the member as the payer knows them (NM1 names and ID, DMG birth date), other
payers named in 2120C/D (their role, ID and the member ID the EB*R loop's REF gives), the
payer's free-text messages (MSG) and AAA rejections with their reason codes (AAA03).

Pure: X12 bytes in, dataclasses out; nothing is logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from edi.x12.reader import Segment, iter_segments

OTHER_PAYER_ROLES = frozenset({"PR", "PRP", "SEP", "TTP"})
"""2120C/D NM101 codes naming a payer (payer, primary, secondary, tertiary)."""

OTHER_MEMBER_REFS = frozenset({"1W", "IG", "NQ", "F6", "18"})
"""2110C REF qualifiers that carry the member's ID at another payer (EB*R loops)."""

PLAN_DATES = {"346": "plan_begin", "347": "plan_end", "356": "eligibility_begin",
              "357": "eligibility_end"}  # fmt: skip


@dataclass
class Benefit:
    """One EB segment: e.g. ``1`` active, ``6`` inactive, ``B`` copay, ``C`` deductible."""

    code: str
    coverage_level: str
    service_types: list[str]
    amount: Decimal | None = None
    percent: Decimal | None = None
    time_period: str = ""


@dataclass
class OtherPayer:
    """A payer a 2120C/D loop names: ``PRP`` primary, ``SEP`` secondary, ``TTP`` tertiary."""

    role: str
    name: str
    payer_id: str = ""
    member_id: str = field(default="", repr=False)


@dataclass
class EligibilityAnswer:
    """The payer's answer to one inquiry (TRN02)."""

    inquiry_id: str
    level: str
    """``subscriber`` (2000C) or ``dependent`` (2000D)."""
    last_name: str = field(default="", repr=False)
    first_name: str = field(default="", repr=False)
    member_id: str = field(default="", repr=False)
    birth_date: str = field(default="", repr=False)
    benefits: list[Benefit] = field(default_factory=list)
    dates: dict[str, str] = field(default_factory=dict)
    rejections: list[str] = field(default_factory=list)
    """AAA03 reason codes (e.g. 72 invalid member ID, 75 subscriber not found)."""
    pending_member: str = field(default="", repr=False)
    """While reading: the member ID of the last EB*R loop, for the 2120 loop after it."""
    other_payers: list[OtherPayer] = field(default_factory=list)
    messages: list[str] = field(default_factory=list, repr=False)
    """MSG texts: the payer's own words about the coverage."""

    def covered(self, service_type: str = "30") -> bool | None:
        """True when EB*1 names the service type, False on EB*6, None when neither."""
        for b in self.benefits:
            if service_type in b.service_types or not b.service_types:
                if b.code == "1":
                    return True
                if b.code == "6":
                    return False
        return None


COST_SHARING = {"B": "copay", "A": "coinsurance", "C": "deductible", "G": "out_of_pocket"}
"""EB01 codes of what the patient pays: copayment, coinsurance, deductible, out of pocket."""
REMAINING = "29"
"""EB06 time period "remaining": what is left of a deductible or out-of-pocket limit."""


def cost_sharing(answer: EligibilityAnswer, service_type: str = "30") -> dict[str, str]:
    """What the patient owes per the answer, for the front desk to collect: the copay and
    coinsurance for the service type (or any), the deductible and out-of-pocket remaining.
    Amounts are the payer's decimal strings; coinsurance a percent."""
    found: dict[str, str] = {}
    wanted = {service_type, "30", "98"}  # the visit's type, plan coverage, office visit
    for b in answer.benefits:
        name = COST_SHARING.get(b.code)
        if name is None or name in found or (b.service_types and not wanted & set(b.service_types)):
            continue
        if name in ("deductible", "out_of_pocket") and b.time_period not in ("", REMAINING):
            continue
        if name == "coinsurance" and b.percent is not None:
            found[name] = f"{(b.percent * 100).normalize():f}%"
        elif b.amount is not None:
            found[name] = f"{b.amount:.2f}"
    return found


def read_271(data: bytes, name: str = "<271>") -> list[EligibilityAnswer]:
    """Every answer in the 271 file ``data`` (``name`` only labels parse errors)."""
    answers: list[EligibilityAnswer] = []
    current: EligibilityAnswer | None = None
    level = ""
    in_other_payer = False
    for seg in iter_segments(data, name):
        if seg.id == "HL":
            level = {"22": "subscriber", "23": "dependent"}.get(seg.get(3), "")
            current = None
            in_other_payer = False
        elif seg.id == "TRN" and level and current is None:
            current = EligibilityAnswer(seg.get(2), level)
            answers.append(current)
        elif current is not None:
            in_other_payer = _apply(current, seg, in_other_payer)
    return answers


def _apply(answer: EligibilityAnswer, seg: Segment, in_other_payer: bool) -> bool:
    """Fold one segment into ``answer``; returns whether we are inside a 2120 loop."""
    if seg.id == "EB":
        answer.benefits.append(_benefit(seg))
        return False
    if seg.id == "REF" and seg.get(1) in OTHER_MEMBER_REFS and answer.benefits:
        if answer.benefits[-1].code == "R":  # the member's ID at the other payer
            answer.pending_member = seg.get(2)
        return in_other_payer
    if seg.id == "NM1" and not in_other_payer and seg.get(1) in ("IL", "03"):
        answer.last_name, answer.first_name = seg.get(3), seg.get(4)
        answer.member_id = seg.get(9) or answer.member_id
    elif seg.id == "NM1" and in_other_payer and seg.get(1) in OTHER_PAYER_ROLES:
        answer.other_payers.append(
            OtherPayer(seg.get(1), seg.get(3) or seg.get(9), seg.get(9), answer.pending_member)
        )
    elif seg.id == "LS":
        return True
    elif seg.id == "LE":
        return False
    elif seg.id == "DMG":
        answer.birth_date = seg.get(2)
    elif seg.id == "DTP" and seg.get(1) in PLAN_DATES:
        answer.dates[PLAN_DATES[seg.get(1)]] = seg.get(3)
    elif seg.id == "MSG":
        answer.messages.append(seg.get(1))
    elif seg.id == "AAA":
        answer.rejections.append(seg.get(3))
    return in_other_payer


def _benefit(seg: Segment) -> Benefit:
    amount, percent = seg.get(7), seg.get(8)
    return Benefit(
        code=seg.get(1),
        coverage_level=seg.get(2),
        service_types=seg.repetitions(3),
        amount=Decimal(amount) if amount else None,
        percent=Decimal(percent) if percent else None,
        time_period=seg.get(6),
    )
