"""TA1 and 999 (005010X231A1) acknowledgments as ack and ack-error tables.

One ``acks`` row per acknowledged unit: each TA1 (our interchange), each AK9 (our
functional group) and each IK5 (our transaction set).  One ``ack_errors`` row per
reported error: the TA105 note of a TA1 that is not ``000``, each AK905-909 and IK502-506
code, each IK3 (segment) and each IK4 (element) with the IK3 it belongs to.  The CTX
business unit ``CLM01`` of an IK3 loop is carried to its rows, so that a rejection lands
on the claim it is about; codes get their plain-English text.

Tables and columns: :data:`edi.responses.tables.ACKS` and ``ACK_ERRORS``.
"""

from __future__ import annotations

import pandas as pd

from edi.responses import convert
from edi.responses.codes import CodeTexts
from edi.responses.findings import Envelope, Findings
from edi.responses.tables import ACK_ERRORS, ACKS, Column, conform
from edi.x12.reader import Segment, Transaction

_ACCEPTED = {"A": True, "E": True, "R": False, "M": False, "W": False, "X": False}
_INTS = frozenset(
    {
        "position",
        "error_count",
        "sets_included",
        "sets_received",
        "sets_accepted",
        "segment_position",
        "element_position",
        "component_position",
        "repetition_position",
    }
)


class AckReader:
    """Accumulates the rows of TA1 segments and 999 transactions handed to it."""

    def __init__(self, texts: CodeTexts, findings: Findings) -> None:
        self.texts = texts
        self.findings = findings
        self.acks: list[dict] = []
        self.errors: list[dict] = []

    # -- TA1 ----------------------------------------------------------------------------
    def add_ta1(self, tx: Transaction, seg: Segment) -> None:
        """One TA1 segment (it sits in the interchange, outside any ST/SE)."""
        env = Envelope.of(tx)
        status, note = seg.get(4), seg.get(5)
        base = {"env": env, "kind": "TA1", "level": "interchange", "acked_isa13": seg.get(1)}
        errors = [] if note in ("", "000") else [note]
        self.acks.append(
            {
                **base,
                "position": seg.position,
                "ack_date": _ccyymmdd(seg.get(2)),
                "status": status,
                "status_text": self.texts.text("ta1_status", status),
                "accepted": _ACCEPTED.get(status),
                "error_codes": ",".join(errors),
                "error_text": self.texts.describe("ta1_note", errors),
                "error_count": len(errors),
            }
        )
        for code in errors:
            self._error(base, seg, code, "ta1_note")

    # -- 999 ----------------------------------------------------------------------------
    def add(self, tx: Transaction) -> None:
        """One 999 transaction set."""
        env = Envelope.of(tx)
        ack_date = tx.gs.get(4) if tx.gs else ""
        group: dict = {"env": env, "kind": "999"}
        current: dict | None = None  # the IK5 row being built (AK2 .. IK5)
        segment_error: dict | None = None  # the IK3 row, context for IK4 and CTX
        element_error: dict | None = None
        for seg in tx:
            sid = seg.id
            if sid == "AK1":
                group = {
                    "env": env,
                    "kind": "999",
                    "acked_functional_id": seg.get(1),
                    "acked_gs06": seg.get(2),
                    "acked_version": seg.get(3),
                }
            elif sid == "AK2":
                current = {
                    **group,
                    "level": "transaction",
                    "acked_st01": seg.get(1),
                    "acked_st02": seg.get(2),
                    "acked_version": seg.get(3) or group.get("acked_version", ""),
                    "error_count": 0,
                }
                segment_error = element_error = None
            elif sid == "IK3":
                base = current if current is not None else {**group, "level": "transaction"}
                segment_error = self._error(
                    base,
                    seg,
                    seg.get(4),
                    "ik3_error",
                    level="segment",
                    segment_id=seg.get(1),
                    segment_position=seg.get(2),
                    loop_id=seg.get(3),
                )
                element_error = None
                if current is not None:
                    current["error_count"] += 1
            elif sid == "IK4":
                parts = [*seg.components(1), "", "", ""]
                context = segment_error or current or {**group, "level": "transaction"}
                element_error = self._error(
                    context,
                    seg,
                    seg.get(3),
                    "ik4_error",
                    level="element",
                    element_position=parts[0],
                    component_position=parts[1],
                    repetition_position=parts[2],
                    element_ref=seg.get(2),
                    bad_value=seg.get(4),
                )
                if current is not None:
                    current["error_count"] += 1
            elif sid == "CTX":
                self._context(seg, element_error or segment_error)
            elif sid == "IK5":
                base = current if current is not None else {**group, "level": "transaction"}
                codes = [seg.get(k) for k in range(2, 7) if seg.get(k)]
                self._ack(base, seg, seg.get(1), codes, "ik5_error", ack_date)
                for code in codes:
                    self._error(base, seg, code, "ik5_error")
                current = segment_error = element_error = None
            elif sid == "AK9":
                codes = [seg.get(k) for k in range(5, 10) if seg.get(k)]
                base = {**group, "level": "group"}
                self._ack(
                    base,
                    seg,
                    seg.get(1),
                    codes,
                    "ak9_error",
                    ack_date,
                    sets_included=seg.get(2),
                    sets_received=seg.get(3),
                    sets_accepted=seg.get(4),
                )
                for code in codes:
                    self._error(base, seg, code, "ak9_error")

    def _ack(self, base: dict, seg: Segment, status: str, codes, kind: str, date, **more) -> None:
        self.acks.append(
            {
                **base,
                **more,
                "position": seg.position,
                "ack_date": date,
                "status": status,
                "status_text": self.texts.text("ack_status", status),
                "accepted": _ACCEPTED.get(status),
                "error_codes": ",".join(codes),
                "error_text": self.texts.describe(kind, codes),
            }
        )

    def _error(self, base: dict, seg: Segment, code: str, kind: str, **more) -> dict:
        row = {
            **{k: v for k, v in base.items() if k in _ERROR_KEYS},
            **more,
            "position": seg.position,
            "error_code": code,
            "error_text": self.texts.text(kind, code),
        }
        self.errors.append(row)
        return row

    @staticmethod
    def _context(seg: Segment, row: dict | None) -> None:
        """CTX: the claim (business unit CLM01) or the situational trigger of an error."""
        if row is None:
            return
        name, value = seg.component(1, 1).upper(), seg.component(1, 2)
        if name == "CLM01":
            row["clm01"] = value
            return
        if name == "SITUATIONAL TRIGGER":
            where = " ".join(
                p
                for p in (
                    seg.get(2),
                    f"at {seg.get(3)}" if seg.get(3) else "",
                    f"in {seg.get(4)}" if seg.get(4) else "",
                    f"element {seg.component(5, 1)}" if seg.component(5, 1) else "",
                )
                if p
            )
            text = f"SITUATIONAL TRIGGER {where}".strip()
        else:
            text = f"{name} {value}".strip()
        row["context"] = f"{row['context']}; {text}" if row.get("context") else text

    # -- tables -------------------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "acks": self._frame(self.acks, ACKS),
            "ack_errors": self._frame(self.errors, ACK_ERRORS),
        }

    def _frame(self, rows: list[dict], schema: tuple[Column, ...]) -> pd.DataFrame:
        df = {
            name: convert.strings([r["env"][k] for r in rows])
            for k, name in enumerate(Envelope._fields)
        }
        for name, dtype, _ in schema:
            if name in df:
                continue
            values = [r.get(name) for r in rows]
            if name in _INTS:
                df[name] = convert.integers([_integer(v) for v in values])
            elif dtype == convert.DATE:
                df[name], _ = convert.dates([v or "" for v in values])
            elif dtype == convert.BOOL:
                df[name] = convert.booleans(values)
            else:
                df[name] = convert.strings([v or "" for v in values])
        return conform(pd.DataFrame(df), schema)


_ERROR_KEYS = frozenset(
    {
        "env",
        "kind",
        "level",
        "acked_isa13",
        "acked_gs06",
        "acked_st02",
        "clm01",
        "segment_id",
        "segment_position",
        "loop_id",
        "context",
    }
)


def _integer(value: object) -> int | None:
    """Counts and positions; anything that is not a plain number stays empty."""
    if isinstance(value, int):
        return value
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 16 else None


def _ccyymmdd(yymmdd: str) -> str:
    """TA102 is YYMMDD; X12 interchange dates are this century."""
    return f"20{yymmdd}" if len(yymmdd) == 6 and yymmdd.isdigit() else ""
