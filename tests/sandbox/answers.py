"""Read the sandbox's answers back into plain data the tests can compare.

Parsing goes through the project's X12 reader, independently of the sandbox's writers, so
a test sees what a receiver of these files would see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from edi.x12.reader import iter_segments


@dataclass
class Line:
    procedure: str
    charge: Decimal
    paid: Decimal
    adjustments: list[tuple[str, str, Decimal]] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    line_control: str = ""


@dataclass
class Remit:
    clm01: str
    status: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    payer_claim_number: str
    original_claim_number: str = ""
    claim_adjustments: list[tuple[str, str, Decimal]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


@dataclass
class Payment:
    payer_id: str
    total: Decimal
    method: str
    trace: str
    payee_npi: str = ""
    remits: list[Remit] = field(default_factory=list)
    plb: list[tuple[str, str, Decimal]] = field(default_factory=list)


@dataclass
class Answers:
    ta1: list[tuple[str, str, str]] = field(default_factory=list)
    """(TA101, TA104, TA105) of every TA1."""
    ak9: list[tuple[str, ...]] = field(default_factory=list)
    ik5: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """ST02 of each acknowledged 837 → IK5 elements."""
    ctx_claims: list[str] = field(default_factory=list)
    """CLM01 named by CTX*CLM01 in 999s."""
    statuses: dict[str, list[str]] = field(default_factory=dict)
    """CLM01 → STC01 of every 277CA line for it (``A2:20``)."""
    claim_numbers: dict[str, str] = field(default_factory=dict)
    """CLM01 → REF*1K payer claim number from the 277CA."""
    payments: list[Payment] = field(default_factory=list)

    def remits(self) -> list[Remit]:
        return [r for p in self.payments for r in p.remits]

    def line_outcomes(self) -> set[str]:
        """Every ``GROUP-CARC`` seen on a line of an original (not reversed) claim."""
        return {
            f"{group}-{reason}"
            for r in self.remits()
            if r.status != "22"
            for line in r.lines
            for group, reason, _ in line.adjustments
        }

    def decisions(self) -> list[tuple]:
        """What was decided, without control numbers, claim numbers, traces or dates."""
        remits = [
            (r.clm01, r.status, r.charge, r.paid, r.patient_responsibility,
             tuple((ln.procedure, ln.paid, tuple(ln.adjustments), tuple(ln.remarks))
                   for ln in r.lines))
            for r in self.remits()
        ]  # fmt: skip
        payments = [(p.payer_id, p.payee_npi, p.total, tuple((a, b) for a, _, b in p.plb))
                     for p in self.payments]  # fmt: skip
        return [
            sorted(remits),
            sorted(payments),
            sorted((k, tuple(v)) for k, v in self.statuses.items()),
            sorted(self.ta1, key=lambda t: t[1:]),
            sorted(self.ak9),
        ]


def _money(text: str) -> Decimal:
    return Decimal(text or "0")


def _cas(elements: list[str]) -> list[tuple[str, str, Decimal]]:
    group = elements[1]
    triplets = elements[2:]
    return [
        (group, triplets[i], _money(triplets[i + 1]))
        for i in range(0, len(triplets), 3)
        if triplets[i]
    ]


def read_answers(files: Iterable[bytes]) -> Answers:
    answers = Answers()
    for data in files:
        level = ""
        clm01 = ""
        payment: Payment | None = None
        remit: Remit | None = None
        line: Line | None = None
        payer_id = ""
        for seg in iter_segments(data):
            sid = seg.id
            if sid == "TA1":
                answers.ta1.append((seg.get(1), seg.get(4), seg.get(5)))
            elif sid == "GS":
                payer_id = seg.get(2)
            elif sid == "AK9":
                answers.ak9.append(tuple(seg.elements[1:]))
            elif sid == "AK2":
                clm01 = seg.get(2)
            elif sid == "IK5":
                answers.ik5[clm01] = tuple(seg.elements[1:])
            elif sid == "CTX" and seg.component(1, 1) == "CLM01":
                answers.ctx_claims.append(seg.component(1, 2))
            elif sid == "HL":
                level = seg.get(3)
            elif sid == "TRN" and level == "PT":
                clm01 = seg.get(2)
            elif sid == "STC" and level == "PT":
                answers.statuses.setdefault(clm01, []).append(seg.get(1))
            elif sid == "REF" and level == "PT" and seg.get(1) == "1K":
                answers.claim_numbers[clm01] = seg.get(2)
            elif sid == "BPR":
                payment = Payment(payer_id, _money(seg.get(2)), seg.get(4), "")
                answers.payments.append(payment)
                remit = line = None
            elif sid == "TRN" and payment is not None:
                payment.trace = seg.get(2)
            elif sid == "N1" and seg.get(1) == "PE" and payment is not None:
                payment.payee_npi = seg.get(4)
            elif sid == "CLP" and payment is not None:
                remit = Remit(seg.get(1), seg.get(2), _money(seg.get(3)), _money(seg.get(4)),
                              _money(seg.get(5)), seg.get(7))  # fmt: skip
                payment.remits.append(remit)
                line = None
            elif sid == "REF" and seg.get(1) == "F8" and remit is not None:
                remit.original_claim_number = seg.get(2)
            elif sid == "SVC" and remit is not None:
                line = Line(seg.component(1, 2), _money(seg.get(2)), _money(seg.get(3)))
                remit.lines.append(line)
            elif sid == "CAS" and remit is not None:
                target = line.adjustments if line else remit.claim_adjustments
                target.extend(_cas(seg.elements))
            elif sid == "LQ" and line is not None:
                line.remarks.append(seg.get(2))
            elif sid == "REF" and seg.get(1) == "6R" and line is not None:
                line.line_control = seg.get(2)
            elif sid == "PLB" and payment is not None:
                payment.plb.append((seg.component(3, 1), seg.component(3, 2), _money(seg.get(4))))
    return answers
