"""The acknowledgments a file would get: a TA1 for envelope errors, a 999 for the rest.

One interchange back per interchange received, sender and receiver swapped.  A rejected
interchange (TA1 note code) gets only its TA1: its content is not looked at.  Otherwise
one 999 (005010X231A1) per functional group, one AK2 per transaction set with an IK3 per
segment in error (CTX with CLM01 when a claim is at fault) and IK4 per element, IK5 and
AK9 accepting, rejecting or partially accepting.  Bad values (IK404) are never copied:
they may be PHI.  Control numbers come from the injected source, as for claims.
"""

from __future__ import annotations

from datetime import datetime

from edi.rules.file_validation import (
    AckItem,
    FileReport,
    GroupInfo,
    InterchangeInfo,
    TransactionVerdict,
)
from edi.x12.control import ControlNumberSource, control_key
from edi.x12.writer import Party, X12Writer

VERSION_999 = "005010X231A1"


def acknowledgments(
    report: FileReport, controls: ControlNumberSource, created: datetime
) -> list[str]:
    """The TA1/999 interchanges answering ``report``'s interchanges, as X12 text."""
    return [_answer(ic, controls, created) for ic in report.interchanges if len(ic.isa) > 16]


def _answer(ic: InterchangeInfo, controls: ControlNumberSource, created: datetime) -> str:
    isa = ic.isa
    sender = Party(isa[7].strip() or "ZZ", isa[8].strip() or "RECEIVER", "")
    receiver = Party(isa[5].strip() or "ZZ", isa[6].strip() or "SENDER", "")
    usage = isa[15] if isa[15] in ("T", "P") else "P"
    isa13 = controls.allocate(control_key("ISA", sender.id, receiver.id))[0]
    w = X12Writer(line_breaks=True)
    w.open_interchange(sender, receiver, isa13, created, usage, ack_requested=False)
    if ic.ta1_code or isa[14] == "1":
        w.segment("TA1", isa[13], isa[9], isa[10], "R" if ic.ta1_code else "A",
                  ic.ta1_code or "000")  # fmt: skip
    if not ic.ta1_code:
        for group in ic.groups:
            if len(group.gs) > 8 and group.gs[1] != "FA":  # acknowledgments are not acknowledged
                _functional_group(w, group, sender, receiver, controls, created)
    w.close_interchange()
    return w.getvalue()


def _functional_group(
    w: X12Writer,
    group: GroupInfo,
    sender: Party,
    receiver: Party,
    controls: ControlNumberSource,
    created: datetime,
) -> None:
    gs = group.gs
    ours = Party(sender.qualifier, sender.id, gs[3] or sender.id)
    theirs = Party(receiver.qualifier, receiver.id, gs[2] or receiver.id)
    gs06 = controls.allocate(control_key("GS", ours.id, theirs.id))[0]
    st02 = controls.allocate(control_key("ST", ours.id, theirs.id))[0]
    w.open_group("FA", ours, theirs, gs06, created, VERSION_999)
    w.open_transaction("999", st02, VERSION_999)
    w.segment("AK1", gs[1], gs[6], gs[8])
    accepted = 0
    for tx in group.transactions:
        accepted += _transaction_response(w, tx)
    received = len(group.transactions)
    codes = sorted(set(group.ack_codes))[:5]
    if codes or (received and not accepted):
        status = "R"
    elif accepted < received:
        status = "P"
    else:
        status = "A"
    w.segment("AK9", status, received, received, accepted, *codes)
    w.close_transaction()
    w.close_group()


def _element_position(item: AckItem) -> list[str]:
    """IK401: element, component and repetition positions."""
    where = [str(item.element)]
    if item.component or item.repetition:
        where.append(str(item.component or ""))
    if item.repetition:
        where.append(str(item.repetition))
    return where


def _transaction_response(w: X12Writer, tx: TransactionVerdict) -> int:
    """Write AK2..IK5 for one transaction set; 1 when it is accepted."""
    w.segment("AK2", tx.code or "837", tx.st02, tx.version or None)
    segments: dict[tuple, list[AckItem]] = {}
    for item in tx.ack_items:
        key = (item.segment_id, item.st_position, item.segment_code, item.clm01)
        segments.setdefault(key, []).append(item)
    for (segment_id, position, code, clm01), items in segments.items():
        # IK303 is an LS/LE loop identifier (at most 4 characters), not a guide loop name.
        w.segment("IK3", segment_id or "ZZZ", position, None, code)
        if clm01:
            w.segment("CTX", ("CLM01", clm01))
        for item in items:
            if item.element is not None and item.element_code:
                w.segment("IK4", _element_position(item), item.element_ref, item.element_code)
    if tx.rejected:
        codes = sorted(set(tx.ack_codes) | ({"5"} if tx.ack_items else set()))
        w.segment("IK5", "R", *codes[:5])
        return 0
    w.segment("IK5", "A")
    return 1
