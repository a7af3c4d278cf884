"""277CA claim acknowledgments (005010X214) and 277 claim status answers (005010X212) as
claim and line status tables.

The 277CA is a hierarchy (HL 20 information source, 21 receiver, 19 billing provider,
PT patient/claim); each STC composite (STC01, STC10, STC11) becomes one row so that a
claim rejected for two reasons shows both.  Receiver- and provider-level statuses (a
whole batch or a provider rejected) are rows too, with ``level`` saying which, because
they concern every claim below them.  Who answered comes from loop 2100A: ``AY`` is the
clearinghouse, ``PR`` the payer.  The patient's name (NM1*QC) is never read.

A 277 answering our 276 (X212) has the same shape with a subscriber (HL 22) or dependent
(23) above each claim; the claim is found by REF*EJ (our CLM01, echoed) or else by the
TRN02 trace our 276 made (:func:`edi.status.build_276.trace_of`); STC05 is the amount paid
when the payer reports it.  ``status_kind`` tells the two apart.

Tables and columns: :data:`edi.responses.tables.CLAIM_STATUS` and ``LINE_STATUS``.
"""

from __future__ import annotations

import pandas as pd

from edi.responses import convert
from edi.responses.codes import CodeTexts
from edi.responses.findings import Envelope, Findings
from edi.responses.tables import CLAIM_STATUS, LINE_STATUS, Column, conform
from edi.status.build_276 import clm01_of_trace
from edi.x12.reader import Segment, Transaction

_LEVELS = {"20": "source", "21": "receiver", "19": "provider", "PT": "claim", "22": "claim",
           "23": "claim"}  # fmt: skip
_RESPONDERS = {"AY": "clearinghouse", "PR": "payer"}
_COMPOSITES = ((1, 1), (10, 2), (11, 3))  # STC element, status_seq
_REFS = {
    "1K": "payer_claim_number",
    "D9": "clearinghouse_trace",
    "BLT": "bill_type",
    "FJ": "line_ref",
    "EJ": "clm01",  # X212: the patient control number we sent in the 276
}
_DATES = ("status_date", "service_date_start", "service_date_end")


class StatusReader:
    """Accumulates the rows of every 277 transaction handed to :meth:`add`.

    A status row is kept as ``(source, context, own)`` dicts: the context of its claim or
    line is still open when the STC is read (REF*1K and DTP*472 follow it), so rows are
    resolved only when the tables are made.
    """

    def __init__(self, texts: CodeTexts, findings: Findings) -> None:
        self.texts = texts
        self.findings = findings
        self.claim_rows: list[tuple[dict, dict, dict]] = []
        self.line_rows: list[tuple[dict, dict, dict]] = []

    def add(self, tx: Transaction) -> None:
        env = Envelope.of(tx)
        kind = "277" if "X212" in (tx.version or "") else "277CA"
        source: dict = {"env": env, "status_kind": kind}
        context: dict = {}
        line: dict | None = None
        level = ""
        for seg in tx:
            sid = seg.id
            if sid == "HL":
                level = _LEVELS.get(seg.get(3), "")
                line = None
                if level == "source":
                    source = {"env": env, "status_kind": kind}
                context = _child_context(context, level)
            elif sid == "NM1":
                if level == "source":
                    source["responder"] = _RESPONDERS.get(seg.get(1), seg.get(1))
                    source["responder_name"] = seg.get(3)
                    source["responder_id"] = seg.get(9)
                elif level == "provider":
                    context["provider_id"] = seg.get(9)
            elif sid == "TRN":
                if level == "receiver":
                    context["batch_trace"] = seg.get(2)
                elif level == "claim":
                    if "clm01" in context:  # another 2200D under the same patient
                        context = _child_context(context, level)
                    if kind == "277":
                        context["inquiry_trace"] = seg.get(2)
                        context["clm01"] = clm01_of_trace(seg.get(2))
                    else:
                        context["clm01"] = seg.get(2)
                    line = None
            elif sid == "DTP":
                _date(seg, level, source, line if line is not None else context)
            elif sid == "STC":
                if line is not None:
                    self.line_rows += [(source, line, own) for own in _statuses(seg, False)]
                elif level in ("receiver", "provider", "claim"):
                    self.claim_rows += [(source, context, own) for own in _statuses(seg, True)]
                else:
                    self._unexpected(env, seg)
            elif sid == "REF":
                key = _REFS.get(seg.get(1))
                if key is not None:
                    (line if line is not None else context)[key] = seg.get(2)
            elif sid == "SVC":
                if level != "claim":
                    self._unexpected(env, seg)
                    continue
                line = {
                    "level": "line",
                    "clm01": context.get("clm01", ""),
                    "payer_claim_number": context.get("payer_claim_number", ""),
                    "svc": seg,
                    "charge": seg.get(2),
                    "paid": seg.get(3),
                }

    def _unexpected(self, env: Envelope, seg: Segment) -> None:
        message = f"{seg.id} outside its loop; skipped"
        self.findings.add(env, seg.position, seg.id, "UNEXPECTED_SEGMENT", message)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "claim_status": self._frame(self.claim_rows, CLAIM_STATUS),
            "line_status": self._frame(self.line_rows, LINE_STATUS),
        }

    def _frame(self, kept: list[tuple[dict, dict, dict]], schema: tuple[Column, ...]):
        rows = [{**source, **context, **own} for source, context, own in kept]
        texts = self.texts
        outcome = texts.column("claim_status_category", "outcome")
        df = {
            name: convert.strings([r["env"][k] for r in rows])
            for k, name in enumerate(Envelope._fields)
        }
        df["position"] = convert.integers([r["position"] for r in rows])
        df["status_seq"] = convert.integers([r["status_seq"] for r in rows])
        categories = [r["status_category"] for r in rows]
        df["status_category_text"] = convert.strings(
            [texts.text("claim_status_category", c) for c in categories]
        )
        df["outcome"] = convert.strings([outcome.get(c, "") for c in categories])
        df["status_code_text"] = convert.strings(
            [texts.text("claim_status", r["status_code"]) for r in rows]
        )
        df["entity_text"] = convert.strings([texts.text("entity", r["entity_code"]) for r in rows])
        names = {name for name, _, _ in schema}
        for column in (*_DATES, "receipt_date", "process_date"):
            if column in names:
                values, wrong = convert.dates([r.get(column, "") for r in rows])
                df[column] = values.array
                self._report(rows, wrong, "BAD_DATE", column)
        values, wrong = convert.cents([r.get("charge", "") for r in rows])
        df["charge_cents"] = values
        self._report(rows, wrong, "BAD_AMOUNT", "charge_cents")
        values, wrong = convert.cents([r.get("paid", "") for r in rows])
        df["paid_cents"] = values
        self._report(rows, wrong, "BAD_AMOUNT", "paid_cents")
        if "units" in names:
            svc = [[*r["svc"].components(1), "", ""] for r in rows]
            df["procedure_qualifier"] = convert.strings([p[0] for p in svc])
            df["procedure_code"] = convert.strings([p[1] for p in svc])
            df["modifiers"] = convert.strings([",".join(m for m in p[2:6] if m) for p in svc])
            df["revenue_code"] = convert.strings([r["svc"].get(4) for r in rows])
            units, wrong = convert.decimals([r["svc"].get(7) for r in rows])
            df["units"] = units
            self._report(rows, wrong, "BAD_NUMBER", "units")
        for name, dtype, _ in schema:
            if name not in df and dtype is convert.STRING:
                df[name] = convert.strings([r.get(name, "") for r in rows])
        return conform(pd.DataFrame(df), schema)

    def _report(self, rows: list[dict], wrong, code: str, column: str) -> None:
        for i in wrong.nonzero()[0]:
            row = rows[i]
            message = f"{column} unreadable; left empty"
            self.findings.add(
                row["env"], row["position"], "STC", code, message, row.get("clm01") or None
            )


def _child_context(parent: dict, level: str) -> dict:
    """What a new HL (or 2200D) inherits: the receiver's batch trace, the provider's NPI."""
    inherited = {k: parent[k] for k in ("batch_trace", "provider_id") if k in parent}
    if level == "receiver":
        inherited = {}
    elif level == "provider":
        inherited.pop("provider_id", None)
    return {**inherited, "level": level}


def _date(seg: Segment, level: str, source: dict, target: dict) -> None:
    qualifier, value = seg.get(1), seg.get(3)
    if level == "source" and qualifier in ("050", "009"):
        source["receipt_date" if qualifier == "050" else "process_date"] = value
    elif qualifier == "472":
        start, _, end = value.partition("-") if seg.get(2) == "RD8" else (value, "", "")
        target["service_date_start"], target["service_date_end"] = start, end or start


def _statuses(seg: Segment, claim_level: bool) -> list[dict]:
    """One dict per STC composite present (STC01, STC10, STC11)."""
    found = []
    for element, seq in _COMPOSITES:
        parts = seg.components(element)
        if not any(parts):
            continue
        parts += ["", "", ""]
        own = {
            "position": seg.position,
            "status_seq": seq,
            "status_category": parts[0],
            "status_code": parts[1],
            "entity_code": parts[2],
            "action_code": seg.get(3),
            "status_date": seg.get(2),
            "message": seg.get(12),
        }
        if claim_level:
            own["charge"] = seg.get(4)
            own["paid"] = seg.get(5)
        found.append(own)
    return found
