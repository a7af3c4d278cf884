"""The sandbox payer answering a 276 claim status inquiry with a 277 (005010X212).

The answer is consistent with what the sandbox itself did with each claim, remembered in
:attr:`sandbox.state.SandboxState.claim_status`: a claim its 835 paid is ``F1``
(finalized, paid: STC05 the amount), one it denied ``F2``, one it accepted and has not
paid (a silent payer) ``P1`` pending, and one it never accepted ``A4`` not found.  The
claim is echoed by TRN02 (the inquiry's trace), REF*EJ (the CLM01) and REF*1K.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby

from edi.x12.reader import Segment, iter_transactions
from edi.x12.reply import Route, close_reply, open_reply, open_reply_group
from edi.x12.writer import X12Writer
from sandbox.replies import Reply, answer_to
from sandbox.state import SandboxState

VERSION = "005010X212"
NOT_FOUND = ("A4", "35")
PENDING = ("P1", "20")
PAID = ("F1", "1")
DENIED = ("F2", "1")


def is_276(data: bytes) -> bool:
    """Whether an upload is a 276 inquiry (GS08 005010X212, ST 276)."""
    head = data[:2000]
    return b"005010X212" in head and b"276" in head


@dataclass
class _Asked:
    payer: tuple[str, str] = ("", "")
    provider: tuple[str, str] = ("", "")
    subscriber: tuple[str, str, str] = ("", "", "")
    trace: str = ""
    clm01: str = ""
    icn: str = ""
    charge: str = "0"
    dates: str = ""


def answer_276(data: bytes, name: str, state: SandboxState, route: Route) -> list[Reply]:
    """The 277 answering every claim of the 276 ``data``."""
    asked = _read(data, name)
    if not asked:
        return []
    text = _build(asked, state, route)
    return [answer_to(name, "277", text)]


def _read(data: bytes, name: str) -> list[_Asked]:
    claims: list[_Asked] = []
    for tx in iter_transactions(data, name):
        if tx.st is None or tx.code != "276":
            continue
        current = _Asked()
        for seg in tx:
            _take(seg, claims, current)
    return [c for c in claims if c.trace]


def _take(seg: Segment, claims: list[_Asked], current: _Asked) -> None:
    """One 276 segment: names go on ``current``, claim facts on the last claim."""
    sid, claim = seg.id, claims[-1] if claims else None
    if sid == "NM1":
        who = seg.get(1)
        if who == "PR":
            current.payer = (seg.get(3), seg.get(9))
        elif who == "1P":
            current.provider = (seg.get(3), seg.get(9))
        elif who == "IL":
            current.subscriber = (seg.get(3), seg.get(4), seg.get(9))
    elif sid == "TRN":
        claims.append(_Asked(current.payer, current.provider, current.subscriber, seg.get(2)))
    elif claim is None:
        return
    elif sid == "REF" and seg.get(1) in ("EJ", "1K"):
        if seg.get(1) == "EJ":
            claim.clm01 = seg.get(2)
        else:
            claim.icn = seg.get(2)
    elif sid == "AMT":
        claim.charge = seg.get(2)
    elif sid == "DTP":
        claim.dates = seg.get(3)


def _build(asked: list[_Asked], state: SandboxState, route: Route) -> bytes:
    """One hierarchy per payer (HL 20), the clinic (21), per billing provider (19) and a
    subscriber (22) with its claim each, as X212 nests them."""
    w = X12Writer()
    open_reply(w, route, state)
    open_reply_group(w, route, state, "HN", VERSION)
    w.open_transaction("277", 1, VERSION)
    today = route.created.date()
    w.segment("BHT", "0010", "08", f"R{today:%Y%m%d}", f"{today:%Y%m%d}", f"{route.created:%H%M}",
              "DG")  # fmt: skip
    hl = 0
    ordered = sorted(asked, key=lambda c: (c.payer, c.provider))
    for payer, by_payer in groupby(ordered, key=lambda c: c.payer):
        hl += 1
        payer_hl = hl
        w.segment("HL", str(hl), "", "20", "1")
        w.segment("NM1", "PR", "2", payer[0], "", "", "", "", "PI", payer[1])
        hl += 1
        clinic_hl = hl
        w.segment("HL", str(hl), str(payer_hl), "21", "1")
        w.segment("NM1", "41", "2", "MAPLE FAMILY CLINIC", "", "", "", "", "46", "CLINIC")
        for provider, claims in groupby(by_payer, key=lambda c: c.provider):
            hl += 1
            provider_hl = hl
            w.segment("HL", str(hl), str(clinic_hl), "19", "1")
            w.segment("NM1", "1P", "2", provider[0], "", "", "", "", "XX", provider[1])
            for claim in claims:
                hl += 1
                w.segment("HL", str(hl), str(provider_hl), "22", "0")
                _claim(w, claim, state, today)
    w.close_transaction()
    return close_reply(w).encode("ascii")


def _claim(w: X12Writer, claim: _Asked, state: SandboxState, today: date) -> None:
    known = state.claim_status.get(claim.clm01.upper())
    category, code = tuple(known[:2]) if known else NOT_FOUND
    icn = (known[2] if known else "") or claim.icn
    paid = known[3] if known and category == PAID[0] else ""
    last, first, member = claim.subscriber
    w.segment("NM1", "IL", "1", last, first, "", "", "", "MI", member)
    w.segment("TRN", "2", claim.trace)
    w.segment("STC", [category, code], f"{today:%Y%m%d}", "", f"{Decimal(claim.charge):.2f}",
              paid)  # fmt: skip
    if icn:
        w.segment("REF", "1K", icn)
    if claim.clm01:
        w.segment("REF", "EJ", claim.clm01)
    if claim.dates:
        w.segment("DTP", "472", "RD8" if "-" in claim.dates else "D8", claim.dates)
