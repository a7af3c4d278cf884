"""pyx12, the reference X12 validator, run in process: its verdict as data, never as log lines.

pyx12 checks syntax and the implementation guide its maps hold for the GS08 of each
group.  It reports through the ``logging`` module and its texts quote element values,
which may be names or member IDs; so its logger is switched off here and only codes and
places leave this module: :class:`X12Error` never carries a value from the data.
Everything that validates X12 (``claims validate``, ``claims build --strict``, the
sandbox clearinghouse's 999, the tests' judge) runs pyx12 through :func:`validate_x12`.
"""

from __future__ import annotations

import io
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

_PYX12_LOG = logging.getLogger("pyx12")
_PYX12_LOG.handlers[:] = [logging.NullHandler()]
_PYX12_LOG.propagate = False  # its messages quote segments (names, member IDs): never logged
_PYX12_LOG.setLevel(logging.CRITICAL + 1)


@dataclass(frozen=True, slots=True)
class X12Error:
    """One error pyx12 reported, with where it sits; never the offending value."""

    level: str
    """``interchange`` (TA1 code), ``group`` (AK905), ``transaction`` (IK5), ``segment``
    (IK304) or ``element`` (IK403)."""
    code: str
    isa13: str = ""
    gs06: str = ""
    st02: str = ""
    segment_id: str | None = None
    position: int | None = None
    """Segment number in the file (ISA is 1), as the reader counts."""
    st_position: int | None = None
    """Segment number inside the transaction set (ST is 1), as the 999 reports it."""
    loop: str | None = None
    element: int | None = None
    component: int | None = None
    repetition: int | None = None
    element_ref: str | None = None
    name: str | None = None
    """The guide's name of the element or segment (from the map, not the data)."""

    @property
    def element_label(self) -> str | None:
        if self.element is None or not self.segment_id:
            return None
        label = f"{self.segment_id}{self.element:02d}"
        return f"{label}-{self.component}" if self.component else label


@dataclass(frozen=True, slots=True)
class TransactionSeen:
    """A transaction set pyx12 read: ST01, ST02 and ST03."""

    code: str
    st02: str
    version: str


@dataclass(frozen=True, slots=True)
class GroupSeen:
    """A functional group pyx12 read: GS01, GS06, GS08 and its transaction sets."""

    isa13: str
    functional_id: str
    gs06: str
    version: str
    transactions: tuple[TransactionSeen, ...]


@dataclass(frozen=True, slots=True)
class Pyx12Report:
    """What pyx12 found in one document."""

    valid: bool
    """pyx12's own verdict on the whole document."""
    errors: tuple[X12Error, ...]
    groups: tuple[GroupSeen, ...]
    """Every group read, errors or not (a 999 acknowledges each)."""


class Pyx12Unavailable(Exception):
    """pyx12 cannot answer for this input (no map for its version, not X12 to it)."""


def validate_x12(data: bytes | str) -> Pyx12Report:
    """Validate ``data`` against the guides its GS08s name; every error, located.

    Bytes outside ASCII are read as ``?``.  Raises :class:`Pyx12Unavailable` where pyx12
    raises or gives up without a report.
    """
    import pyx12.errors
    import pyx12.params
    import pyx12.x12n_document

    text = data.decode("ascii", errors="replace") if isinstance(data, bytes) else data
    loops: dict[int, str] = {}

    def remember_loop(seg: Any, src: Any, node: Any, valid: bool) -> None:
        parent = getattr(node, "parent", None)
        loop = getattr(parent, "id", None)
        if loop and not str(loop).endswith("_LOOP"):
            loops[src.get_cur_line()] = str(loop)

    report, ack = io.StringIO(), io.StringIO()
    try:
        valid = pyx12.x12n_document.x12n_document(
            pyx12.params.params(),
            io.StringIO(text),
            ack,
            None,
            fd_json=report,
            callback=remember_loop,
        )
    except pyx12.errors.EngineError as exc:
        raise Pyx12Unavailable(_engine_reason(str(exc))) from None
    except Exception as exc:  # pyx12 has no documented error contract beyond these
        raise Pyx12Unavailable(f"pyx12 stopped ({type(exc).__name__})") from None
    if not report.getvalue():
        raise Pyx12Unavailable("pyx12 does not recognise the interchange header (ISA)")
    doc = json.loads(report.getvalue())
    return Pyx12Report(bool(valid), tuple(_errors(doc, loops, ack.getvalue())), _groups(doc))


def _engine_reason(message: str) -> str:
    m = re.search(r"vriic=(\S+)", message)
    return f"no pyx12 map for version {m.group(1)}" if m else "pyx12 has no map for this file"


def _groups(doc: dict) -> tuple[GroupSeen, ...]:
    return tuple(
        GroupSeen(
            isa.get("isa_trn_set_id") or "",
            gs.get("fic") or "",
            str(gs.get("gs_control_num") or ""),
            gs.get("vriic") or "",
            tuple(
                TransactionSeen(
                    st.get("trn_set_id") or "",
                    str(st.get("trn_set_control_num") or ""),
                    st.get("vriic") or "",
                )
                for st in gs.get("transactions", [])
            ),
        )
        for isa in doc.get("interchanges", [])
        for gs in isa.get("groups", [])
    )


def _errors(doc: dict, loops: dict[int, str], ack: str) -> list[X12Error]:
    out: list[X12Error] = []
    ta1 = re.search(r"TA1\*[^*~]*\*[^*~]*\*[^*~]*\*R\*(\d{3})", ack)
    for isa in doc.get("interchanges", []):
        isa13 = isa.get("isa_trn_set_id") or ""
        codes = [e["err_cde"] for e in isa.get("errors", [])]
        if ta1 and ta1.group(1) not in codes:
            codes.append(ta1.group(1))
        out += [X12Error("interchange", c, isa13, position=isa.get("cur_line")) for c in codes]
        for gs in isa.get("groups", []):
            gs06 = str(gs.get("gs_control_num") or "")
            out += [X12Error("group", e["err_cde"], isa13, gs06) for e in gs.get("errors", [])]
            for st in gs.get("transactions", []):
                st02 = str(st.get("trn_set_control_num") or "")
                out += [
                    X12Error("transaction", e["err_cde"], isa13, gs06, st02)
                    for e in st.get("errors", [])
                ]
                for seg in st.get("segments", []):
                    out += _segment_errors(seg, loops, isa13, gs06, st02)
    return out


def _segment_errors(
    seg: dict, loops: dict[int, str], isa13: str, gs06: str, st02: str
) -> list[X12Error]:
    where = {
        "isa13": isa13,
        "gs06": gs06,
        "st02": st02,
        "segment_id": seg.get("seg_id"),
        "position": seg.get("cur_line"),
        "st_position": seg.get("seg_count"),
        "loop": loops.get(seg.get("cur_line") or 0),
    }
    out = []
    for e in seg.get("errors", []):
        too_many = re.search(r"Too many elements.*Has (\d+)", e.get("err_str") or "")
        if e["err_cde"] == "8" and too_many:  # pyx12 says it in words only; the 999 has a code
            out.append(X12Error("element", "3", element=int(too_many.group(1)), **where))
        else:
            out.append(X12Error("segment", e["err_cde"], name=seg.get("name"), **where))
    for ele in seg.get("elements", []):
        for e in ele.get("errors", []):
            out.append(
                X12Error(
                    "element",
                    e["err_cde"],
                    element=ele.get("ele_pos"),
                    component=ele.get("subele_pos"),
                    repetition=ele.get("repeat_pos"),
                    element_ref=ele.get("ele_ref_num"),
                    name=ele.get("name"),
                    **where,
                )
            )
    return out
