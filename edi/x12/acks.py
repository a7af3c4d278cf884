"""The acknowledgments of an interchange: a TA1 for its envelope, a 999 for its groups.

One writer for every acknowledgment the project writes: ``claims validate --ack`` and
the sandbox clearinghouse both describe what they found (a TA1 note code, and per group
and transaction set the 999 error codes and the segments in error) and this module
writes it.  One interchange answers one interchange.  A rejected interchange (TA1
``R``) gets only its TA1: nothing inside an untrusted envelope is looked at.  Otherwise
one functional group ``FA`` holds one 999 (005010X231A1) per group received, one AK2 per
transaction set with an IK3 per segment in error (CTX with CLM01 when a claim is at
fault) and IK4 per element, IK5 and AK9 accepting, rejecting or partially accepting.
Bad values (IK404) are never copied: they may be PHI.  Codes the 999 guide does not
list are left out rather than written.  Control numbers come from the injected source.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from edi.x12.control import ControlNumberSource
from edi.x12.pyx12_validator import Pyx12Report, X12Error
from edi.x12.reply import Route, close_reply, open_reply, open_reply_group
from edi.x12.writer import Party, X12Writer

VERSION_999 = "005010X231A1"

# The codes the 999 guide (pyx12's 999.5010X231.A1 map) allows; tests/x12/test_acks.py
# compares them with the map.
IK304_CODES = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "I4", "I6", "I7", "I8", "I9"})
IK403_CODES = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13",
                         "I10", "I11", "I12", "I13", "I6", "I9"})  # fmt: skip
IK502_CODES = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13",
                         "15", "16", "17", "18", "19", "23", "24", "25", "26", "27", "I5",
                         "I6"})  # fmt: skip
AK905_CODES = frozenset({"1", "2", "3", "4", "5", "6", "10", "11", "12", "13", "14", "15",
                         "16", "17", "18", "19", "23", "24", "25", "26"})  # fmt: skip


@dataclass
class AckItem:
    """One IK3 (and IK4) of the 999: a segment in error, where, and why."""

    segment_id: str
    st_position: int
    loop: str | None
    segment_code: str
    element: int | None = None
    component: int | None = None
    element_ref: str | None = None
    element_code: str | None = None
    clm01: str | None = None
    repetition: int | None = None


class AckedTransaction(Protocol):
    """What the 999 says about one transaction set (AK2 to IK5)."""

    @property
    def code(self) -> str: ...
    @property
    def st02(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def ack_codes(self) -> Sequence[str]:
        """IK5 codes: errors of the transaction set as a whole."""
        ...

    @property
    def ack_items(self) -> Sequence[AckItem]: ...
    @property
    def rejected(self) -> bool: ...


class AckedGroup(Protocol):
    """What the 999 says about one functional group (AK1 to AK9)."""

    @property
    def functional_id(self) -> str: ...
    @property
    def gs06(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def sender_code(self) -> str:
        """GS02, the application sender's code."""
        ...

    @property
    def receiver_code(self) -> str:
        """GS03, the application receiver's code."""
        ...

    @property
    def ack_codes(self) -> Sequence[str]:
        """AK905 codes: errors of the group as a whole."""
        ...

    @property
    def transactions(self) -> Sequence[AckedTransaction]: ...


class AckedInterchange(Protocol):
    """What a validator found in one interchange: its ISA, TA1 note code and groups."""

    @property
    def isa(self) -> Sequence[str]:
        """The ISA's elements, ``ISA`` first."""
        ...

    @property
    def ta1_code(self) -> str | None:
        """The TA105 note code rejecting the interchange, if any."""
        ...

    @property
    def groups(self) -> Sequence[AckedGroup]: ...


@dataclass
class TransactionAck:
    """An :class:`AckedTransaction` made from a validator's errors alone."""

    code: str
    st02: str
    version: str
    ack_codes: list[str] = field(default_factory=list)
    ack_items: list[AckItem] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return bool(self.ack_codes or self.ack_items)


@dataclass
class GroupAck:
    """An :class:`AckedGroup` made from a validator's errors alone."""

    functional_id: str
    gs06: str
    version: str
    sender_code: str = ""
    receiver_code: str = ""
    ack_codes: list[str] = field(default_factory=list)
    transactions: list[TransactionAck] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Ta1:
    """The TA1 answering interchange ``isa13`` (ISA09 date, ISA10 time)."""

    isa13: str
    isa09: str
    isa10: str
    note_code: str = "000"
    """TA105; ``000`` accepts the interchange, any other code rejects it."""

    @property
    def rejects(self) -> bool:
        return self.note_code != "000"


@dataclass(frozen=True, slots=True)
class Acknowledgment:
    """The answering interchange, and which transaction sets it accepts."""

    text: str
    accepted: frozenset[str]
    """ST02 of the transaction sets accepted (IK501 ``A`` in a group not rejected)."""


def acknowledge(
    route: Route,
    controls: ControlNumberSource,
    groups: Sequence[AckedGroup],
    ta1: Ta1 | None = None,
) -> Acknowledgment:
    """The interchange answering one interchange: its TA1 when given, then the 999s.

    Groups of acknowledgments (``FA``) are not acknowledged; a rejecting TA1 stands alone.
    """
    answered = [] if ta1 and ta1.rejects else [g for g in groups if _answered(g)]
    w = X12Writer(line_breaks=True)
    open_reply(w, route, controls)
    if ta1 is not None:
        w.segment("TA1", ta1.isa13, ta1.isa09, ta1.isa10, "R" if ta1.rejects else "A",
                  ta1.note_code)  # fmt: skip
    if answered:
        open_reply_group(w, route, controls, "FA", VERSION_999)
    accepted: set[str] = set()
    for number, group in enumerate(answered, start=1):
        accepted |= _functional_group_response(w, number, group)
    return Acknowledgment(close_reply(w, with_group=bool(answered)), frozenset(accepted))


def acknowledgments(
    interchanges: Sequence[AckedInterchange], controls: ControlNumberSource, created: datetime
) -> list[str]:
    """The answers to a file's interchanges, as X12 text, from the receiver (ISA08) to the
    sender (ISA06); a TA1 where the interchange is rejected or ISA14 asks for one."""
    answers = []
    for ic in interchanges:
        isa = ic.isa
        if len(isa) <= 16:
            continue
        first = next((g for g in ic.groups if _answered(g)), None)
        ours = (isa[7].strip() or "ZZ", isa[8].strip() or "RECEIVER")
        theirs = (isa[5].strip() or "ZZ", isa[6].strip() or "SENDER")
        route = Route(
            Party(*ours, (first and first.receiver_code) or ours[1]),
            Party(*theirs, (first and first.sender_code) or theirs[1]),
            isa[15] if isa[15] in ("T", "P") else "P",
            created,
        )
        wanted = ic.ta1_code or isa[14] == "1"
        ta1 = Ta1(isa[13], isa[9], isa[10], ic.ta1_code or "000") if wanted else None
        answers.append(acknowledge(route, controls, ic.groups, ta1).text)
    return answers


def _answered(group: AckedGroup) -> bool:
    """A group a 999 answers: one whose GS could be read, and not itself of acks."""
    return group.functional_id not in ("", "FA")


def _functional_group_response(w: X12Writer, number: int, group: AckedGroup) -> set[str]:
    """One 999 transaction set (AK1 to AK9); the ST02s it accepts."""
    w.open_transaction("999", number, VERSION_999)
    w.segment("AK1", group.functional_id, group.gs06, group.version)
    accepted = {tx.st02 for tx in group.transactions if _transaction_response(w, tx)}
    received = len(group.transactions)
    codes = sorted(set(group.ack_codes) & AK905_CODES)[:5]
    if group.ack_codes:
        accepted = set()
    if group.ack_codes or (received and not accepted):
        status = "R"
    elif len(accepted) < received:
        status = "P"
    else:
        status = "A"
    w.segment("AK9", status, received, received, len(accepted), *codes)
    w.close_transaction()
    return accepted


def _transaction_response(w: X12Writer, tx: AckedTransaction) -> bool:
    """Write AK2..IK5 for one transaction set; True when it is accepted."""
    w.segment("AK2", tx.code or "837", tx.st02, tx.version or None)
    segments: dict[tuple, list[AckItem]] = {}
    for item in tx.ack_items:
        key = (item.segment_id, item.st_position, item.segment_code, item.clm01)
        segments.setdefault(key, []).append(item)
    for (segment_id, position, code, clm01), items in segments.items():
        # IK303 is an LS/LE loop identifier (at most 4 characters), not a guide loop name.
        w.segment("IK3", segment_id or "ZZZ", position, None,
                  code if code in IK304_CODES else None)  # fmt: skip
        if clm01:
            w.segment("CTX", ("CLM01", clm01))
        for item in items:
            if item.element is not None and item.element_code in IK403_CODES:
                w.segment("IK4", _element_position(item), item.element_ref, item.element_code)
    if tx.rejected:
        codes = set(tx.ack_codes) | ({"5"} if tx.ack_items else set())
        w.segment("IK5", "R", *sorted(codes & IK502_CODES)[:5])
        return False
    w.segment("IK5", "A")
    return True


def _element_position(item: AckItem) -> list[str]:
    """IK401: element, component and repetition positions."""
    where = [str(item.element)]
    if item.component or item.repetition:
        where.append(str(item.component or ""))
    if item.repetition:
        where.append(str(item.repetition))
    return where


# -- from pyx12's errors -------------------------------------------------------------------

_PYX12_ONLY = {"HL1": 1, "HL2": 2, "LX": 1, "SEG1": None}
"""pyx12's own segment codes (not 999 codes) → the element they are about."""


def ack_item(error: X12Error, clm01: str | None) -> AckItem:
    """The IK3/IK4 for one segment or element error pyx12 reported."""
    where = (error.segment_id or "", error.st_position or 0, error.loop)
    if error.level == "segment" and error.code in _PYX12_ONLY:
        element = _PYX12_ONLY[error.code]
        return AckItem(*where, "8", element, element_code="I12" if element else None,
                       clm01=clm01)  # fmt: skip
    if error.level == "segment":
        return AckItem(*where, error.code, clm01=clm01)
    return AckItem(*where, "8", error.element, error.component, error.element_ref,
                   error.code, clm01, error.repetition)  # fmt: skip


ClaimAt = Callable[[str, int], "str | None"]
"""CLM01 of the claim holding segment ``position`` (ST is 1) of transaction set ``st02``."""


def pyx12_groups(report: Pyx12Report, claim_at: ClaimAt) -> list[GroupAck]:
    """What a 999 says about a document, from pyx12's verdict alone.

    ``claim_at`` names the claim an error sits in, for the CTX segment; the caller's 837
    reader knows the claims.
    """
    groups = {
        (g.isa13, g.gs06): GroupAck(
            g.functional_id,
            g.gs06,
            g.version,
            transactions=[TransactionAck(t.code, t.st02, t.version) for t in g.transactions],
        )
        for g in report.groups
    }
    for error in report.errors:
        group = groups.get((error.isa13, error.gs06))
        if group is None:
            continue
        if error.level == "group":
            group.ack_codes.append(error.code)
            continue
        tx = next((t for t in group.transactions if t.st02 == error.st02), None)
        if tx is None:
            continue
        if error.level == "transaction":
            tx.ack_codes.append(error.code)
        elif error.level in ("segment", "element"):
            tx.ack_items.append(ack_item(error, claim_at(tx.st02, error.st_position or 0)))
    return list(groups.values())
