"""A plain, independent reading of 835 money: split the text, add up CLP and CAS per claim.

It shares no code with the parser (not even the reader), so agreeing with it means the
tables lose and invent nothing.  It knows only what a person would: delimiters sit in the
ISA, segments end with the terminator, CLP starts a claim and CAS amounts follow it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

_ISA = re.compile(r"isa", re.IGNORECASE)


def _cents(text: str) -> int:
    return int(Decimal(text or "0") * 100)


def interchanges(text: str) -> list[list[list[str]]]:
    """Each interchange's segments as element lists, IDs upper-cased."""
    text = text.lstrip("\ufeff \r\n")
    starts = [m.start() for m in _ISA.finditer(text) if not text[m.start() + 3].isalnum()]
    out = []
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        chunk = text[start:end]
        sep = chunk[3]
        pos = -1
        for _ in range(16):
            pos = chunk.index(sep, pos + 1)
        terminator = chunk[pos + 2]
        segments = []
        for raw in chunk.split(terminator):
            raw = raw.strip(" \r\n\t")
            if raw:
                elements = raw.split(sep)
                elements[0] = elements[0].upper()
                segments.append(elements)
        out.append(segments)
    return out


def claim_money(text: str) -> dict[str, dict[str, int]]:
    """Per CLM01: remits (CLP count), charge, paid, patient responsibility, CAS, in cents."""
    totals: dict[str, dict[str, int]] = defaultdict(
        lambda: {"remits": 0, "paid": 0, "patient": 0, "cas": 0}
    )
    for segments in interchanges(text):
        current = None
        for e in segments:
            if e[0] == "CLP":
                current = totals[e[1]]
                current["remits"] += 1
                current["paid"] += _cents(e[4])
                current["patient"] += _cents(e[5] if len(e) > 5 else "")
            elif e[0] == "CAS" and current is not None:
                current["cas"] += sum(_cents(e[k]) for k in range(3, len(e), 3))
            elif e[0] in ("PLB", "LX", "SE"):
                current = None
    return dict(totals)


def tables_money(claims) -> dict[str, dict[str, int]]:
    """The same figures from a parsed ``claims`` table."""
    out: dict[str, dict[str, int]] = {}
    for clm01, group in claims.groupby("clm01"):
        out[clm01] = {
            "remits": len(group),
            "paid": int(group["paid_cents"].sum()),
            "patient": int(group["patient_responsibility_cents"].fillna(0).sum()),
            "cas": int(group["adjustments_cents"].sum()),
        }
    return out


def plb_by_reference(text: str) -> dict[str, int]:
    """Per PLB reference (first word), the cents the PLBs take from it (minus: give)."""
    taken: dict[str, int] = defaultdict(int)
    for segments in interchanges(text):
        for e in segments:
            if e[0] != "PLB":
                continue
            for k in range(3, len(e) - 1, 2):
                reason = e[k].split(":")
                reference = reason[1].split()[0] if len(reason) > 1 and reason[1].split() else ""
                taken[reference] += _cents(e[k + 1])
    return dict(taken)


def status_answers(text: str) -> list[tuple[str, str, str, str]]:
    """Every STC of a 277CA/277 as (HL level code, trace of its claim or '', category,
    status code): a person's reading of who was told what."""
    found = []
    for segments in interchanges(text):
        level, trace, in_line = "", "", False
        for e in segments:
            if e[0] == "HL":
                level, trace, in_line = e[3], "", False
            elif e[0] == "TRN" and level in ("PT", "22", "23"):
                trace, in_line = e[2], False
            elif e[0] == "SVC":
                in_line = True
            elif e[0] == "STC":
                category, code = [*e[1].split(":"), ""][:2]
                found.append(("line" if in_line else level, trace, category, code))
    return found
