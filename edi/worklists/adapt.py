"""The parsers' tables (:class:`edi.responses.ResponseTables`) as the worklists' inputs.

The parsers keep every detail of every segment; the worklists need a few columns under
names of their own (:mod:`edi.worklists.inputs`), so a change on either side is one edit
here.  The code texts the parsers already looked up (CARC, RARC, claim status) come along
as a :class:`~edi.worklists.texts.TextTable`.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from edi.responses.plb import link_plb
from edi.responses.tables import ResponseTables
from edi.worklists.inputs import (
    ACK_COLUMNS,
    ADJUSTMENT_COLUMNS,
    LINE_COLUMNS,
    REMARK_COLUMNS,
    REMIT_COLUMNS,
    STATUS_COLUMNS,
    TA1_COLUMNS,
    Responses,
)
from edi.worklists.texts import TextTable


def from_response_tables(tables: ResponseTables) -> tuple[Responses, TextTable]:
    """The worklists' view of parsed responses, and the code texts found in them."""
    return (
        Responses(
            remits=_remits(tables),
            lines=_lines(tables.lines),
            adjustments=_adjustments(tables.adjustments),
            remarks=_remarks(tables.remarks),
            statuses=_statuses(tables.claim_status, tables.line_status),
            acks=_acks(tables.acks, tables.ack_errors),
            ta1=_ta1(tables.acks),
            plbs=link_plb(tables.provider_adjustments, tables.claims, tables.payments),
        ),
        TextTable(
            carcs=_texts(tables.adjustments, "carc", "carc_text"),
            rarcs=_texts(tables.remarks, "code", "text"),
            statuses=_texts(tables.claim_status, "status_code", "status_code_text")
            | _texts(tables.line_status, "status_code", "status_code_text"),
        ),
    )


def _remits(tables: ResponseTables) -> pd.DataFrame:
    c = tables.claims
    if tables.payments is not None and len(tables.payments):
        production = tables.payments.drop_duplicates(["source", "remit_trace"]).set_index(
            ["source", "remit_trace"]
        )["production_date"]
        fallback = pd.Series(
            [production.get((s, t)) for s, t in zip(c["source"], c["remit_trace"], strict=True)],
            index=c.index,
            dtype="datetime64[s]",
        )
        remit_date = c["payment_date"].fillna(fallback)
    else:
        remit_date = c["payment_date"]
    return pd.DataFrame(
        {
            "file": c["source"],
            "trn02": c["remit_trace"],
            "remit_date": remit_date,
            "seq": c["claim_seq"],
            "clm01": c["clm01"],
            "status": c["claim_status"],
            "adjustment_kind": c["adjustment_kind"],
            "billed_cents": c["charge_cents"],
            "paid_cents": c["paid_cents"],
            "patient_resp_cents": c["patient_responsibility_cents"],
            "payer_claim_number": c["payer_claim_number"],
            "payer_id": c["payer_id"],
            "payer_name": c["payer_name"],
        },
        columns=list(REMIT_COLUMNS),
    )


def _lines(lines: pd.DataFrame) -> pd.DataFrame:
    units = lines["units_paid"].where(lines["units_paid"].notna(), lines["units_submitted"])
    return pd.DataFrame(
        {
            "file": lines["source"],
            "seq": lines["claim_seq"],
            "line_no": lines["line_no"],
            "line_ref": lines["line_ref"],
            "procedure_code": lines["procedure_code"],
            "revenue_code": lines["revenue_code"].where(
                lines["revenue_code"].notna() | (lines["procedure_qualifier"] != "NU"),
                lines["procedure_code"],
            ),
            "modifiers": lines["modifiers"].str.replace(",", "|"),
            "units": [None if pd.isna(u) else str(u) for u in units],
            "billed_cents": lines["charge_cents"],
            "paid_cents": lines["paid_cents"],
            "allowed_cents": lines["allowed_cents"],
            "service_date": lines["service_date_start"],
        },
        columns=list(LINE_COLUMNS),
    )


def _adjustments(adj: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file": adj["source"],
            "seq": adj["claim_seq"],
            "line_no": adj["line_no"],
            "group": adj["group_code"],
            "carc": adj["carc"],
            "amount_cents": adj["amount_cents"],
        },
        columns=list(ADJUSTMENT_COLUMNS),
    )


def _remarks(remarks: pd.DataFrame) -> pd.DataFrame:
    rarcs = remarks[remarks["qualifier"].fillna("HE") == "HE"]
    return pd.DataFrame(
        {
            "file": rarcs["source"],
            "seq": rarcs["claim_seq"],
            "line_no": rarcs["line_no"],
            "rarc": rarcs["code"],
        },
        columns=list(REMARK_COLUMNS),
    )


def _statuses(status: pd.DataFrame, lines: pd.DataFrame | None = None) -> pd.DataFrame:
    """Claim-, provider- and receiver-level statuses, and line-level ones when given."""
    frames = [_status_rows(status, status["level"].fillna("claim"))]
    if lines is not None and len(lines):
        frames.append(_status_rows(lines, pd.Series("line", index=lines.index)))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=list(STATUS_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(STATUS_COLUMNS)]


def _status_rows(status: pd.DataFrame, level: pd.Series) -> pd.DataFrame:
    def column(name: str) -> pd.Series:
        return status[name] if name in status.columns else pd.Series(None, index=status.index)

    on = column("status_date").fillna(column("process_date"))
    return pd.DataFrame(
        {
            "file": status["source"],
            "status_date": on,
            "clm01": column("clm01"),
            "payer_claim_number": column("payer_claim_number"),
            "category": status["status_category"],
            "code": status["status_code"],
            "entity": status["entity_code"],
            "level": level,
            "provider_id": column("provider_id"),
            "batch_trace": column("batch_trace"),
            "line_ref": column("line_ref"),
            "procedure_code": column("procedure_code"),
            "status_kind": column("status_kind")
            .astype(object)
            .where(column("status_kind").notna(), "277CA"),
        },
        columns=list(STATUS_COLUMNS),
    )


def _acks(acks: pd.DataFrame, errors: pd.DataFrame) -> pd.DataFrame:
    """999 rejections per transaction set; a group-level rejection only where no set is listed."""
    rows = acks[acks["kind"] == "999"]
    sets = rows[rows["level"] == "transaction"]
    listed = set(zip(sets["source"], sets["acked_gs06"], strict=True))
    groups = rows[rows["level"] == "group"]
    groups = groups[
        [(s, g) not in listed for s, g in zip(groups["source"], groups["acked_gs06"], strict=True)]
    ]
    details = _error_details(errors[errors["kind"] == "999"])
    chosen = pd.concat([sets, groups], ignore_index=True)
    return pd.DataFrame(
        {
            "file": chosen["source"],
            "ack_date": chosen["ack_date"],
            "gs06": chosen["acked_gs06"],
            "st02": chosen["acked_st02"].where(chosen["level"] == "transaction"),
            "status": chosen["status"],
            "errors": [
                details.get((s, g, t)) or (None if pd.isna(text) else str(text))
                for s, g, t, text in zip(
                    chosen["source"],
                    chosen["acked_gs06"],
                    chosen["acked_st02"],
                    chosen["error_text"],
                    strict=True,
                )
            ],
        },
        columns=list(ACK_COLUMNS),
    )


def _error_details(errors: pd.DataFrame) -> dict[tuple, str]:
    """Per (file, GS06, ST02): 'NM1 in 2010BA: text; NM109: text (claim X)'."""
    found: dict[tuple, list[str]] = defaultdict(list)
    for e in errors.to_dict("records") if len(errors) else []:
        if e["level"] not in ("segment", "element"):
            continue
        where = e["segment_id"] if e["level"] == "segment" else e["element_ref"]
        parts = [str(where) if not pd.isna(where) else ""]
        if e["level"] == "segment" and not pd.isna(e["loop_id"]):
            parts.append(f"in {e['loop_id']}")
        text = "" if pd.isna(e["error_text"]) else str(e["error_text"])
        claim = "" if pd.isna(e["clm01"]) else f" (claim {e['clm01']})"
        found[(e["source"], e["acked_gs06"], e["acked_st02"])].append(
            f"{' '.join(p for p in parts if p)}: {text}{claim}".strip(": ")
        )
    return {k: "; ".join(v) for k, v in found.items()}


def _ta1(acks: pd.DataFrame) -> pd.DataFrame:
    rows = acks[acks["kind"] == "TA1"]
    return pd.DataFrame(
        {
            "file": rows["source"],
            "ack_date": rows["ack_date"],
            "isa13": rows["acked_isa13"],
            "ack_code": rows["status"],
            "note_code": rows["error_codes"],
        },
        columns=list(TA1_COLUMNS),
    )


def _texts(table: pd.DataFrame, code: str, text: str) -> dict[str, str]:
    pairs = table[[code, text]].dropna().drop_duplicates(code)
    return {
        str(c): str(t)
        for c, t in zip(pairs[code], pairs[text], strict=True)
        if not str(t).startswith("unknown code")
    }
