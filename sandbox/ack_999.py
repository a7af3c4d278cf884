"""999: the implementation acknowledgment a clearinghouse sends for every readable 837.

pyx12 decides (it validates the file against the 837P guide); this module turns its error
tree into 005010X231A1 segments: one 999 transaction set per functional group, an AK2
per 837 transaction set, IK3/IK4 for each segment and element in error, and, when the
segment lies inside a claim, a ``CTX*CLM01:…`` naming the claim so the biller knows which
encounter to fix.  Only transaction sets acknowledged ``A`` go on to the 277CA.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from edi.claims.read_837 import Interchange837
from edi.x12.control import ControlNumberSource
from edi.x12.writer import X12Writer
from sandbox.pyx12_check import Pyx12Result
from sandbox.replies import Route, begin, finish

VERSION = "005010X231A1"
_IK304 = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "I4", "I6", "I7", "I8"})
_IK403 = frozenset(str(n) for n in range(1, 14))
_IK5 = frozenset(str(n) for n in range(1, 28))
_AK9 = frozenset(str(n) for n in range(1, 27))
_MAX_BAD_VALUE = 99


@dataclass(frozen=True, slots=True)
class Ack999:
    data: bytes
    accepted: frozenset[str]
    """ST02 of the 837 transaction sets accepted (IK501 = A in an accepted group)."""


def _codes(errors: Sequence[dict[str, Any]], allowed: frozenset[str]) -> list[str]:
    seen: list[str] = []
    for error in errors:
        code = str(error.get("err_cde", ""))
        if code == "SEG1":
            code = "8"
        if code in allowed and code not in seen:
            seen.append(code)
    return seen


def _claim_at(interchange: Interchange837, st02: str, position: int) -> str | None:
    """CLM01 of the claim whose segments include ``position`` (ST-relative), if any."""
    for tx in interchange.transactions:
        if tx.st02 != st02:
            continue
        for claim in tx.claims:
            if claim.position <= position <= claim.end_position:
                return claim.clm01
    return None


def _segment_errors(w: X12Writer, seg: dict[str, Any], clm01: str | None) -> None:
    position = int(seg.get("seg_count") or 0)
    codes: list[str | None] = list(_codes(seg.get("errors", []), _IK304))
    if seg.get("elements") and "8" not in codes:
        codes.append("8")
    for code in codes or [None]:  # IK304 is left out when pyx12's code has no 999 equivalent
        w.segment("IK3", seg.get("seg_id") or "", position, seg.get("ls_id") or None, code)
    if clm01:
        w.segment("CTX", ("CLM01", clm01))
    for element in seg.get("elements", []):
        where = [str(element.get("ele_pos") or 1)]
        if element.get("subele_pos") or element.get("repeat_pos"):
            where.append(str(element.get("subele_pos") or ""))
        if element.get("repeat_pos"):
            where.append(str(element["repeat_pos"]))
        for error in element.get("errors", []):
            code = str(error.get("err_cde", ""))
            if code not in _IK403:
                continue
            bad = error.get("err_val")
            bad = str(bad)[:_MAX_BAD_VALUE] if bad else None
            w.segment("IK4", where, element.get("ele_ref_num") or None, code, bad)


def build_999(
    route: Route,
    controls: ControlNumberSource,
    interchange: Interchange837,
    result: Pyx12Result,
) -> Ack999:
    """The 999 for one interchange pyx12 could read (``result.tree`` has its groups)."""
    w = X12Writer(line_breaks=True)
    begin(w, route, controls, "FA", VERSION)
    accepted: set[str] = set()
    groups = [g for i in result.tree.get("interchanges", []) for g in i.get("groups", [])]
    for number, group in enumerate(groups, start=1):
        w.open_transaction("999", number, VERSION)
        w.segment("AK1", group.get("fic") or "HC", group.get("gs_control_num"), group.get("vriic"))
        group_codes = _codes(group.get("errors", []), _AK9)
        ok_here: list[str] = []
        for tx in group.get("transactions", []):
            st02 = (tx.get("trn_set_control_num") or "").strip()
            w.segment("AK2", tx.get("trn_set_id"), st02, tx.get("vriic"))
            for seg in tx.get("segments", []):
                position = int(seg.get("seg_count") or 0)
                _segment_errors(w, seg, _claim_at(interchange, st02, position))
            st_codes = _codes(tx.get("errors", []), _IK5)
            if tx.get("segments") and "5" not in st_codes:
                st_codes.append("5")
            if tx.get("ack_code") == "A" and not st_codes:
                w.segment("IK5", "A")
                ok_here.append(st02)
            else:
                w.segment("IK5", "R", *st_codes[:5])
        if group_codes:
            ok_here = []
        received = int(group.get("st_count_recv") or 0)
        included = int(group.get("st_count_orig") or 0)
        if ok_here and len(ok_here) == received:
            status = "A"
        elif ok_here:
            status = "P"
        else:
            status = "R"
        w.segment("AK9", status, included, received, len(ok_here), *group_codes[:5])
        w.close_transaction()
        accepted.update(ok_here)
    return Ack999(finish(w), frozenset(accepted))


def build_999_unsupported(
    route: Route, controls: ControlNumberSource, interchange: Interchange837
) -> Ack999:
    """Reject a group whose guide (GS08) the sandbox does not know: AK905 = 2."""
    envelope = interchange.envelope
    w = X12Writer(line_breaks=True)
    begin(w, route, controls, "FA", VERSION)
    w.open_transaction("999", 1, VERSION)
    w.segment("AK1", "HC", envelope.gs06, envelope.gs08)
    for tx in interchange.transactions:
        w.segment("AK2", "837", tx.st02, tx.st03 or None)
        w.segment("IK5", "R", "1")
    count = len(interchange.transactions)
    w.segment("AK9", "R", count, count, 0, "2")
    w.close_transaction()
    return Ack999(finish(w), frozenset())
