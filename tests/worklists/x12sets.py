"""Hand-written response files for the worklist tests: 835, 277CA, 999 and TA1 as X12 text.

Each builder returns the text of one interchange; the tests parse it with the real
parsers (:func:`edi.responses.parse.parse_any`), so the worklists are tested on what the
pipeline will read.  Segment counts and control numbers are computed, never typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from edi.responses.parse import parse_any
from edi.responses.tables import ResponseTables
from mappings.code_texts import bundled_code_texts

TEXTS = bundled_code_texts()


def _d8(day: date) -> str:
    return day.strftime("%Y%m%d")


def _envelope(gs01: str, version: str, st01: str, body: Sequence[str], on: date, ctrl: int) -> str:
    isa = (
        f"ISA*00*          *00*          *ZZ*{'PAYERSENDER':<15}*ZZ*{'CLINICSUBMIT01':<15}*"
        f"{on.strftime('%y%m%d')}*1200*^*00501*{ctrl:09d}*0*T*:"
    )
    st = [f"ST*{st01}*0001*{version}" if st01 != "835" else f"ST*{st01}*0001", *body]
    segments = [
        isa,
        f"GS*{gs01}*PAYERSENDER*CLINICSUBMIT01*{_d8(on)}*1200*{ctrl}*X*{version}",
        *st,
        f"SE*{len(st) + 1}*0001",
        f"GE*1*{ctrl}",
        f"IEA*1*{ctrl:09d}",
    ]
    return "~\n".join(segments) + "~\n"


@dataclass
class Adj:
    group: str
    carc: str
    amount: str


@dataclass
class Line:
    code: str
    charge: str
    paid: str
    ref: str
    adjustments: list[Adj] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    modifiers: str = ""
    units: str = "1"
    allowed: str | None = None
    dos: date = date(2026, 10, 1)


@dataclass
class ClaimPayment:
    clm01: str
    status: str
    charge: str
    paid: str
    patient_resp: str
    pcn: str
    lines: list[Line] = field(default_factory=list)
    adjustments: list[Adj] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    patient: tuple[str, str] = ("DOE", "JANE")
    member_id: str = "W123456789"


def remit_835(
    trace: str, paid_on: date, claims: Sequence[ClaimPayment], ctrl: int, payer_id: str = "87726"
) -> str:
    total = sum(float(c.paid) for c in claims)  # only the BPR total; never used as money
    body = [
        f"BPR*I*{total:.2f}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999999999*DA*654321*"
        f"{_d8(paid_on)}",
        f"TRN*1*{trace}*1512345678",
        f"DTM*405*{_d8(paid_on)}",
        "N1*PR*ACME HEALTH PLAN",
        "N3*1 PAYER WAY",
        "N4*HARTFORD*CT*06101",
        f"REF*2U*{payer_id}",
        "N1*PE*MAPLE FAMILY CLINIC*XX*1234567893",
        "LX*1",
    ]
    for c in claims:
        body.append(
            f"CLP*{c.clm01}*{c.status}*{c.charge}*{c.paid}*{c.patient_resp}*12*{c.pcn}*11*1"
        )
        body += [f"CAS*{a.group}*{a.carc}*{a.amount}" for a in c.adjustments]
        body.append(f"NM1*QC*1*{c.patient[0]}*{c.patient[1]}****MI*{c.member_id}")
        if c.remarks:
            body.append("MOA***" + "*".join(c.remarks))
        for line in c.lines:
            mods = f":{line.modifiers}" if line.modifiers else ""
            body.append(f"SVC*HC:{line.code}{mods}*{line.charge}*{line.paid}**{line.units}")
            body.append(f"DTM*472*{_d8(line.dos)}")
            body += [f"CAS*{a.group}*{a.carc}*{a.amount}" for a in line.adjustments]
            body.append(f"REF*6R*{line.ref}")
            if line.allowed is not None:
                body.append(f"AMT*B6*{line.allowed}")
            body += [f"LQ*HE*{r}" for r in line.remarks]
    return _envelope("HP", "005010X221A1", "835", body, paid_on, ctrl)


@dataclass
class Status:
    clm01: str
    category: str
    code: str
    entity: str = ""
    pcn: str = ""
    charge: str = "175"


def status_277ca(on: date, statuses: Sequence[Status], ctrl: int) -> str:
    body = [
        f"BHT*0085*08*277CA{ctrl}*{_d8(on)}*1200*TH",
        "HL*1**20*1",
        "NM1*PR*2*ACME HEALTH PLAN*****PI*87726",
        f"TRN*1*{ctrl}",
        f"DTP*050*D8*{_d8(on)}",
        f"DTP*009*D8*{_d8(on)}",
        "HL*2*1*21*1",
        "NM1*41*2*MAPLE FAMILY CLINIC*****46*CLINICSUBMIT01",
        "TRN*2*BATCH1",
        f"STC*A1:19*{_d8(on)}*WQ*175",
        "HL*3*2*19*1",
        "NM1*85*2*MAPLE FAMILY CLINIC*****XX*1234567893",
    ]
    hl = 4
    for s in statuses:
        entity = f":{s.entity}" if s.entity else ""
        action = "WQ" if s.category in ("A1", "A2") else "U"
        body += [
            f"HL*{hl}*3*PT",
            "NM1*QC*1*DOE*JANE****MI*W123456789",
            f"TRN*2*{s.clm01}",
            f"STC*{s.category}:{s.code}{entity}*{_d8(on)}*{action}*{s.charge}",
        ]
        if s.pcn:
            body.append(f"REF*1K*{s.pcn}")
        body.append(f"DTP*472*D8*{_d8(date(2026, 10, 1))}")
        hl += 1
    return _envelope("HN", "005010X214", "277", body, on, ctrl)


def ack_999(on: date, gs06: int, st02: int, status: str, ctrl: int, clm01: str = "") -> str:
    body = [f"AK1*HC*{gs06}*005010X222A1", f"AK2*837*{st02:04d}*005010X222A1"]
    if status == "R":
        body += ["IK3*NM1*12*2010BA*8"]
        if clm01:
            body += [f"CTX*CLM01:{clm01}"]
        body += ["IK4*9*67*7*BADID"]
    ik5 = f"IK5*{status}*5" if status == "R" else f"IK5*{status}"
    body += [ik5, f"AK9*{status}*1*1*{int(status != 'R')}"]
    return _envelope("FA", "005010X231A1", "999", body, on, ctrl)


def ta1(on: date, isa13: int, code: str, note: str, ctrl: int) -> str:
    isa = (
        f"ISA*00*          *00*          *ZZ*{'SANDBOXCH':<15}*ZZ*{'CLINICSUBMIT01':<15}*"
        f"{on.strftime('%y%m%d')}*1200*^*00501*{ctrl:09d}*0*T*:"
    )
    ta1_segment = f"TA1*{isa13:09d}*{on.strftime('%y%m%d')}*1200*{code}*{note}"
    segments = [isa, ta1_segment, f"IEA*0*{ctrl:09d}"]
    return "~\n".join(segments) + "~\n"


def parse(*files: tuple[str, str]) -> ResponseTables:
    """Parse ``(name, text)`` files into one set of tables, as the ingest flow does."""
    return ResponseTables.concat(parse_any(text, name, texts=TEXTS) for name, text in files)
