"""The tests' one X12 file writer: response files (835, 277CA, 999, TA1) as a payer or a
clearinghouse would send them, written to the guides (X221A1, X214, X231A1) with the
project's own :class:`~edi.x12.writer.X12Writer`, so counts and control numbers are
computed, never typed, and no value can break the syntax by accident.

Each builder returns the text of one interchange; tests combine, mangle and parse them.
``tests/responses/test_fixtures_valid.py`` has pyx12 judge them, so the "valid" files
are known valid.  Amounts are strings exactly as a payer would write them; dates are
``date``/``datetime`` values.  The 999 here is written by hand on purpose: the reader's
tests need acknowledgments the project's own writer (:mod:`edi.x12.acks`) never writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from edi.x12.delimiters import DEFAULT, Delimiters
from edi.x12.writer import Party, X12Writer

PAYER = Party("ZZ", "ACMEHEALTH", "ACMEHEALTH")
CLEARINGHOUSE = Party("ZZ", "SANDBOXCH", "SANDBOXCH")
CLINIC = Party("ZZ", "MAPLECLINIC", "MAPLECLINIC")
WHEN = datetime(2026, 11, 27, 9, 30)
PROVIDER_NPI = "1234567893"


def d8(day: date) -> str:
    """A date as X12 writes it (CCYYMMDD)."""
    return f"{day:%Y%m%d}"


# -- 835 --------------------------------------------------------------------------------


@dataclass
class Cas:
    group: str
    reason: str
    amount: str
    quantity: str = ""


@dataclass
class Line:
    code: str = "99213"
    charge: str = "150.00"
    paid: str = "100.00"
    line_ref: str = ""
    """REF*6R, the line control number the 837 sent."""
    adjustments: list[Cas] = field(default_factory=list)
    remarks: tuple[str, ...] | list[str] = ()
    modifiers: tuple[str, ...] = ()
    units: str = ""
    submitted_code: str = ""
    """SVC06, when the payer changed the code."""
    date: date = date(2026, 11, 20)
    allowed: str = ""


@dataclass
class Claim:
    clm01: str
    status: str = "1"
    charge: str = "150.00"
    paid: str = "100.00"
    patient_resp: str = ""
    payer_claim_number: str = "PCN0001"
    adjustments: list[Cas] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    moa: tuple[str, ...] | list[str] = ()
    """MOA03 onward: the claim's remark codes."""
    statement: tuple[str, str] = ("", "")
    received: str = ""
    patient: tuple[str, str] = ("DOE", "JANE")
    member_id: str = "W123456789"
    crossover: tuple[str, str] = ("", "")
    """NM1*TT: the crossover carrier's name and ID (a Medicare crossover)."""


@dataclass
class Plb:
    reason: str
    reference: str
    amount: str


def remit(
    claims: list[Claim],
    payment: str | None = None,
    trace: str = "CHK000123",
    plb: list[Plb] | None = None,
    isa13: int = 1001,
    st02: int = 1,
    payer_name: str = "ACME HEALTH PLAN",
    payer_id: str = "87726",
    with_contact: bool = True,
    delimiters: Delimiters = DEFAULT,
    line_breaks: bool = False,
    pay_date: date = date(2026, 11, 25),
    produced: date | None = None,
) -> str:
    """One 835 interchange of one payment (005010X221A1); ``payment`` defaults to the sum
    paid on the claims, ``produced`` (DTM*405) to the day before ``pay_date``."""
    w = X12Writer(delimiters, line_breaks)
    w.open_interchange(PAYER, CLINIC, isa13, WHEN, "T", ack_requested=False)
    w.open_group("HP", PAYER, CLINIC, isa13, WHEN, "005010X221A1")
    w.open_transaction("835", st02, None)
    if payment is None:
        payment = _sum(c.paid for c in claims)
    write_835_body(w, claims, payment, trace, plb, payer_name, payer_id, with_contact, pay_date,
                   produced or pay_date - timedelta(days=1))  # fmt: skip
    w.close_transaction()
    w.close_group()
    w.close_interchange()
    return w.getvalue()


def write_835_body(
    w: X12Writer,
    claims: list[Claim],
    payment: str,
    trace: str,
    plb: list[Plb] | None,
    payer_name: str = "ACME HEALTH PLAN",
    payer_id: str = "87726",
    with_contact: bool = True,
    pay_date: date = date(2026, 11, 25),
    produced: date = date(2026, 11, 24),
) -> None:
    """BPR through PLB of one 835 transaction set."""
    method = "NON" if payment.startswith("-") or payment in ("0", "0.00") else "CHK"
    w.segment("BPR", "I" if method == "NON" else "C", payment, "C", method, *[""] * 11,
              d8(pay_date))  # fmt: skip
    w.segment("TRN", "1", trace, "1123456789")
    w.segment("DTM", "405", d8(produced))
    w.segment("N1", "PR", payer_name)
    w.segment("N3", "PO BOX 1000")
    w.segment("N4", "SPRINGFIELD", "IL", "627010000")
    w.segment("REF", "2U", payer_id)
    if with_contact:
        w.segment("PER", "BL", "EDI SUPPORT", "TE", "8005551212")
    w.segment("N1", "PE", "MAPLE FAMILY CLINIC", "XX", PROVIDER_NPI)
    w.segment("REF", "TJ", "123456789")
    if claims:
        w.segment("LX", "1")
    for claim in claims:
        w.segment("CLP", claim.clm01, claim.status, claim.charge, claim.paid, claim.patient_resp,
                  "12", claim.payer_claim_number, "11", "1")  # fmt: skip
        _cas(w, claim.adjustments)
        w.segment("NM1", "QC", "1", *claim.patient, "", "", "", "MI", claim.member_id)
        if claim.crossover[0]:
            w.segment("NM1", "TT", "2", claim.crossover[0], "", "", "", "PI", claim.crossover[1])
        if claim.moa:
            w.segment("MOA", "", "", *claim.moa)
        if claim.statement[0]:
            w.segment("DTM", "232", claim.statement[0])
            w.segment("DTM", "233", claim.statement[1])
        if claim.received:
            w.segment("DTM", "050", claim.received)
        for line in claim.lines:
            composite = ["HC", line.code, *line.modifiers]
            submitted = ["HC", line.submitted_code] if line.submitted_code else None
            w.segment("SVC", composite, line.charge, line.paid, "", line.units, submitted,
                      "1" if submitted else "")  # fmt: skip
            w.segment("DTM", "472", d8(line.date))
            _cas(w, line.adjustments)
            if line.line_ref:
                w.segment("REF", "6R", line.line_ref)
            if line.allowed:
                w.segment("AMT", "B6", line.allowed)
            for code in line.remarks:
                w.segment("LQ", "HE", code)
    plb = plb or []
    for start in range(0, len(plb), 6):  # up to six adjustments per PLB segment
        pairs: list = []
        for adj in plb[start : start + 6]:
            pairs += [[adj.reason, adj.reference], adj.amount]
        w.segment("PLB", PROVIDER_NPI, "20261231", *pairs)


def _cas(w: X12Writer, adjustments: list[Cas]) -> None:
    """CAS segments: up to six reasons of the same group per segment, as payers send."""
    by_group: dict[str, list[Cas]] = {}
    for adj in adjustments:
        by_group.setdefault(adj.group, []).append(adj)
    for group, items in by_group.items():
        for start in range(0, len(items), 6):
            values: list[str] = []
            for adj in items[start : start + 6]:
                values += [adj.reason, adj.amount, adj.quantity]
            w.segment("CAS", group, *values)


def _sum(values: Iterable[str]) -> str:
    return str(sum((Decimal(v) for v in values), Decimal("0.00")))


# -- 277CA ------------------------------------------------------------------------------


@dataclass
class Status:
    clm01: str
    category: str = "A2"
    code: str = "20"
    entity: str = ""
    action: str = ""
    """STC03; by default ``WQ`` for an accepted claim (A1, A2), ``U`` for a rejected one."""
    charge: str = "150.00"
    payer_claim_number: str = ""
    clearinghouse_trace: str = "CH0001"
    second: tuple[str, str, str] | None = None  # STC10
    lines: list[tuple[str, str, str, str]] = field(default_factory=list)  # ref, code, cat, sc


def claim_ack(
    statuses: list[Status],
    payer: bool = False,
    isa13: int = 2001,
    created: datetime = WHEN,
    provider_status: tuple[str, str, str] = ("A1", "19", "PR"),
    receiver_status: tuple[str, str, str] = ("A1", "19", "PR"),
) -> str:
    """One 277CA interchange (005010X214) from the clearinghouse or the payer, answering
    a batch received the day before ``created``.  ``provider_status`` and
    ``receiver_status`` are the STC01 of the billing provider (2200C) and the batch (2200B):
    category, status code, entity."""
    sender = PAYER if payer else CLEARINGHOUSE
    today = d8(created)
    w = X12Writer()
    w.open_interchange(sender, CLINIC, isa13, created, "T", ack_requested=False)
    w.open_group("HN", sender, CLINIC, isa13, created, "005010X214")
    w.open_transaction("277", 1, "005010X214")
    w.segment("BHT", "0085", "08", "BATCH0001", today, f"{created:%H%M}", "TH")
    w.segment("HL", "1", "", "20", "1")
    if payer:
        w.segment("NM1", "PR", "2", "ACME HEALTH PLAN", "", "", "", "", "PI", "87726")
    else:
        w.segment("NM1", "AY", "2", "SANDBOX CLEARINGHOUSE", "", "", "", "", "46", "SANDBOXCH")
    w.segment("TRN", "1", "RCPT0001")
    w.segment("DTP", "050", "D8", d8(created - timedelta(days=1)))
    w.segment("DTP", "009", "D8", today)
    w.segment("HL", "2", "1", "21", "1")
    w.segment("NM1", "41", "2", "MAPLE FAMILY CLINIC", "", "", "", "", "46", "MAPLECLINIC")
    w.segment("TRN", "2", "BATCH0001")
    accepted = [s for s in statuses if s.category in ("A1", "A2")]
    w.segment("STC", list(receiver_status), today, _action(receiver_status),
              _sum(s.charge for s in statuses))  # fmt: skip
    w.segment("QTY", "90", str(len(accepted)))
    w.segment("QTY", "AA", str(len(statuses) - len(accepted)))
    w.segment("AMT", "YU", _sum(s.charge for s in accepted))
    w.segment("AMT", "YY", _sum(s.charge for s in statuses if s not in accepted))
    w.segment("HL", "3", "2", "19", "1")
    w.segment("NM1", "85", "2", "MAPLE FAMILY CLINIC", "", "", "", "", "XX", PROVIDER_NPI)
    w.segment("TRN", "1", "PROV0001")
    w.segment("STC", list(provider_status), "", _action(provider_status),
              _sum(s.charge for s in statuses))  # fmt: skip
    for hl, status in enumerate(statuses, start=4):
        w.segment("HL", str(hl), "3", "PT")
        w.segment("NM1", "QC", "1", "DOE", "JANE", "", "", "", "MI", "W123456789")
        w.segment("TRN", "2", status.clm01)
        action = status.action or ("WQ" if status in accepted else "U")
        w.segment("STC", [status.category, status.code, status.entity], today, action,
                  status.charge, "", "", "", "", "",
                  list(status.second) if status.second else None)  # fmt: skip
        if status.payer_claim_number:
            w.segment("REF", "1K", status.payer_claim_number)
        if status.clearinghouse_trace:
            w.segment("REF", "D9", status.clearinghouse_trace)
        w.segment("DTP", "472", "RD8", "20261120-20261121")
        for ref, code, category, status_code in status.lines:
            w.segment("SVC", ["HC", code], "75.00", "", "", "", "", "1")
            w.segment("STC", [category, status_code], today, "U")
            w.segment("REF", "FJ", ref)
            w.segment("DTP", "472", "D8", "20261120")
    w.close_transaction()
    w.close_group()
    w.close_interchange()
    return w.getvalue()


def _action(status: tuple[str, str, str]) -> str:
    return "WQ" if status[0] in ("A1", "A2") else "U"


# -- 999 and TA1 ------------------------------------------------------------------------


@dataclass
class IkError:
    """One IK3 with its IK4 (and CTX when a claim is named): a bad element of a segment."""

    segment: str
    position: int
    element: str
    code: str
    loop: str = ""
    value: str = ""
    clm01: str = ""


@dataclass
class SetAck:
    st02: str
    status: str = "A"
    codes: tuple[str, ...] = ()
    errors: list[IkError] = field(default_factory=list)


BAD_MEMBER_ID = IkError("NM1", 12, "9", "7", "2010BA", "BADID")
"""The subscriber's member ID (NM109) holds an invalid code."""


def ack_999(
    gs06: str | int,
    sets: list[SetAck],
    group_status: str = "A",
    isa13: int = 3001,
    created: datetime = WHEN,
) -> str:
    """One 999 interchange (005010X231A1) acknowledging the 837 group ``gs06``."""
    w = X12Writer()
    w.open_interchange(CLEARINGHOUSE, CLINIC, isa13, created, "T", ack_requested=False)
    w.open_group("FA", CLEARINGHOUSE, CLINIC, isa13, created, "005010X231A1")
    w.open_transaction("999", 1, "005010X231A1")
    w.segment("AK1", "HC", str(gs06), "005010X222A1")
    for ack in sets:
        w.segment("AK2", "837", ack.st02, "005010X222A1")
        for error in ack.errors:
            w.segment("IK3", error.segment, error.position, error.loop, "8")
            if error.clm01:
                w.segment("CTX", ["CLM01", error.clm01])
            w.segment("IK4", error.element, "", error.code, error.value)
        w.segment("IK5", ack.status, *ack.codes)
    accepted = sum(1 for a in sets if a.status in ("A", "E"))
    w.segment("AK9", group_status, str(len(sets)), str(len(sets)), str(accepted))
    w.close_transaction()
    w.close_group()
    w.close_interchange()
    return w.getvalue()


def ta1(
    acked_isa13: str | int,
    status: str = "A",
    note: str = "000",
    isa13: int = 4001,
    created: datetime = WHEN,
) -> str:
    """One TA1 interchange (an ISA with only a TA1 in it) about interchange ``acked_isa13``."""
    acked = f"{acked_isa13:09d}" if isinstance(acked_isa13, int) else acked_isa13
    w = X12Writer()
    w.open_interchange(CLEARINGHOUSE, CLINIC, isa13, created, "T", ack_requested=False)
    w.segment("TA1", acked, f"{created:%y%m%d}", f"{created:%H%M}", status, note)
    w.close_interchange()
    return w.getvalue()


@dataclass
class Eligibility271:
    """One 2000C/D answer in a 271 (X279A1): the segments after TRN, as a payer writes them."""

    trace: str
    segments: list[tuple[str, ...]]
    dependent: bool = False


def eligibility_271(
    answers: list[Eligibility271], isa13: int = 4001, created: datetime = WHEN
) -> str:
    """One 271 interchange (005010X279A1) answering a 270 with ``answers``."""
    w = X12Writer()
    w.open_interchange(PAYER, CLINIC, isa13, created, "T", ack_requested=False)
    w.open_group("HB", PAYER, CLINIC, isa13, created, "005010X279A1")
    w.open_transaction("271", 1, "005010X279A1")
    w.segment("BHT", "0022", "11", str(isa13), d8(created.date()), f"{created:%H%M}")
    w.segment("HL", "1", "", "20", "1")
    w.segment("NM1", "PR", "2", "ACME HEALTH", "", "", "", "", "PI", "ACMEHEALTH")
    w.segment("HL", "2", "1", "21", "1")
    w.segment("NM1", "1P", "2", "MAPLE CLINIC", "", "", "", "", "XX", PROVIDER_NPI)
    hl = 2
    for answer in answers:
        hl += 1
        if answer.dependent:
            w.segment("HL", str(hl), "2", "22", "1")
            w.segment("NM1", "IL", "1", "DOE", "JANE", "", "", "", "MI", "W100000001")
            hl += 1
            w.segment("HL", str(hl), str(hl - 1), "23", "0")
        else:
            w.segment("HL", str(hl), "2", "22", "0")
        w.segment("TRN", "2", answer.trace, "9" + PROVIDER_NPI[:9])
        for seg in answer.segments:
            w.segment(seg[0], *seg[1:])
    w.close_transaction()
    w.close_group()
    w.close_interchange()
    return w.getvalue()
