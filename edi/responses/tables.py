"""The tidy tables every response file becomes: columns, dtypes and meaning, in one place.

Each table is declared once here as ``(column, dtype, meaning)``; the parsers fill them,
``docs/tables.md`` documents them, and consumers (the denial worklists, the ledger) rely
on the names staying stable.

Conventions of every table:

* Money is **integer cents** in ``Int64`` columns whose names end in ``_cents``; no float
  ever holds an amount.  Units and quantities are :class:`~decimal.Decimal` objects.
* Dates are ``datetime64[s]`` at midnight; text is pandas ``string``; empty X12 elements
  are null (``<NA>``), not ``''``.  Plain-English descriptions (``*_text``) are
  ``category``: a few distinct texts repeated over many rows.
* Every row carries ``source`` (the file name), ``isa13``, ``gs06`` and ``st02`` of the
  envelope it came from and ``position``, the 1-based segment index in that file of the
  segment the row was read from, so any number can be traced back to its segment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields

import pandas as pd

from edi.responses.convert import BOOL, DATE, DECIMAL, INT, STRING, TEXT

Column = tuple[str, object, str]

TRACE: tuple[Column, ...] = (
    ("source", STRING, "file name the row was read from"),
    ("isa13", STRING, "interchange control number of the response file"),
    ("gs06", STRING, "group control number of the response file"),
    ("st02", STRING, "transaction set control number of the response file"),
    ("position", INT, "1-based position in the file of the segment the row comes from"),
)

ACKS: tuple[Column, ...] = (
    *TRACE,
    ("kind", STRING, "'TA1' or '999'"),
    ("level", STRING, "'interchange' (TA1), 'group' (AK9) or 'transaction' (IK5)"),
    ("ack_date", DATE, "TA102, or GS04 of the 999"),
    ("acked_isa13", STRING, "TA101: the ISA13 of our interchange (TA1 only)"),
    ("acked_functional_id", STRING, "AK101, e.g. HC"),
    ("acked_gs06", STRING, "AK102: the GS06 of our functional group"),
    ("acked_version", STRING, "AK203 or AK103, e.g. 005010X222A1"),
    ("acked_st01", STRING, "AK201, e.g. 837"),
    ("acked_st02", STRING, "AK202: the ST02 of our transaction set"),
    ("status", STRING, "TA104 / AK901 / IK501: A, E, P, R, M, W, X"),
    ("status_text", TEXT, "plain-English status"),
    ("accepted", BOOL, "True for A/E, False for R/M/W/X, null for P (partial)"),
    ("error_codes", STRING, "TA105 / AK905-909 / IK502-506, comma-separated"),
    ("error_text", TEXT, "plain-English texts of error_codes"),
    ("error_count", INT, "rows in ack_errors below this transaction set (IK3/IK4)"),
    ("sets_included", INT, "AK902 (group rows)"),
    ("sets_received", INT, "AK903 (group rows)"),
    ("sets_accepted", INT, "AK904 (group rows)"),
)

ACK_ERRORS: tuple[Column, ...] = (
    *TRACE,
    ("kind", STRING, "'TA1' or '999'"),
    ("level", STRING, "'interchange', 'group', 'transaction', 'segment' (IK3) or 'element' (IK4)"),
    ("acked_isa13", STRING, "TA101 (TA1 only)"),
    ("acked_gs06", STRING, "AK102"),
    ("acked_st02", STRING, "AK202"),
    ("clm01", STRING, "CTX*CLM01 business unit: the claim the error is about"),
    ("segment_id", STRING, "IK301: the segment in error"),
    ("segment_position", INT, "IK302: its position in our transaction set"),
    ("loop_id", STRING, "IK303, e.g. 2010BA"),
    ("element_position", INT, "IK401-1"),
    ("component_position", INT, "IK401-2"),
    ("repetition_position", INT, "IK401-3"),
    ("element_ref", STRING, "IK402: data element reference number"),
    ("error_code", STRING, "IK304 / IK403 / IK50x / AK90x / TA105"),
    ("error_text", TEXT, "plain-English text of error_code"),
    ("bad_value", STRING, "IK404: copy of the bad element"),
    ("context", STRING, "CTX segment context, e.g. 'SITUATIONAL TRIGGER NM1 at 12 in 2010BA'"),
)

_STATUS: tuple[Column, ...] = (
    ("status_seq", INT, "1 for STC01, 2 for STC10, 3 for STC11"),
    ("status_category", STRING, "STC0x-1: A1..A8, F0.., P0.., R0.., E0.."),
    ("status_category_text", TEXT, "plain-English category"),
    ("outcome", STRING, "accepted, rejected, pending, finalized, information_requested, error"),
    ("status_code", STRING, "STC0x-2: claim status code"),
    ("status_code_text", TEXT, "plain-English status code"),
    ("entity_code", STRING, "STC0x-3: whose data the status is about (85 billing provider...)"),
    ("entity_text", TEXT, "plain-English entity"),
    ("action_code", STRING, "STC03: WQ accepted, U rejected"),
    ("status_date", DATE, "STC02"),
)

CLAIM_STATUS: tuple[Column, ...] = (
    *TRACE,
    ("level", STRING, "'receiver' (2200B), 'provider' (2200C) or 'claim' (2200D)"),
    ("responder", STRING, "'clearinghouse' (NM1*AY) or 'payer' (NM1*PR) of loop 2100A"),
    ("responder_name", STRING, "2100A NM103"),
    ("responder_id", STRING, "2100A NM109"),
    ("receipt_date", DATE, "2200A DTP*050: when the responder received the claims"),
    ("process_date", DATE, "2200A DTP*009: when it processed them"),
    ("batch_trace", STRING, "2200B TRN02: echoes the BHT03 of our 837"),
    ("provider_id", STRING, "2100C NM109: billing provider NPI"),
    ("clm01", STRING, "2200D TRN02: our CLM01"),
    ("payer_claim_number", STRING, "REF*1K: the payer's claim control number"),
    ("clearinghouse_trace", STRING, "REF*D9: the clearinghouse's claim trace number"),
    ("bill_type", STRING, "REF*BLT (institutional)"),
    ("service_date_start", DATE, "DTP*472 from"),
    ("service_date_end", DATE, "DTP*472 through"),
    *_STATUS,
    ("charge_cents", INT, "STC04: total claim charge"),
    ("message", STRING, "STC12: free-form text"),
    ("status_kind", STRING, "'277CA' (X214 acknowledgment) or '277' (X212 answer to a 276)"),
    ("paid_cents", INT, "STC05: claim payment amount, when a 277 (X212) reports it"),
    ("inquiry_trace", STRING, "2200D TRN02 of a 277 (X212): the trace our 276 sent"),
)

LINE_STATUS: tuple[Column, ...] = (
    *TRACE,
    ("responder", STRING, "'clearinghouse' or 'payer'"),
    ("clm01", STRING, "2200D TRN02"),
    ("payer_claim_number", STRING, "REF*1K of the claim"),
    ("line_ref", STRING, "REF*FJ: echoes our REF*6R line control number"),
    ("procedure_qualifier", STRING, "SVC01-1, e.g. HC"),
    ("procedure_code", STRING, "SVC01-2"),
    ("modifiers", STRING, "SVC01-3..6, comma-separated"),
    ("charge_cents", INT, "SVC02"),
    ("revenue_code", STRING, "SVC04"),
    ("units", DECIMAL, "SVC07 (Decimal)"),
    ("service_date_start", DATE, "DTP*472 from"),
    ("service_date_end", DATE, "DTP*472 through"),
    *_STATUS,
    ("status_kind", STRING, "'277CA' (X214 acknowledgment) or '277' (X212 answer to a 276)"),
    ("paid_cents", INT, "SVC03: line payment amount, when a 277 (X212) reports it"),
)

PAYMENTS: tuple[Column, ...] = (
    *TRACE,
    ("handling_code", STRING, "BPR01: C payment with remittance, I information only, H..."),
    ("payment_cents", INT, "BPR02: total actual provider payment"),
    ("credit_debit", STRING, "BPR03: C credit, D debit"),
    ("method", STRING, "BPR04: ACH, CHK, BOP, FWT, NON"),
    ("method_text", TEXT, "plain-English method"),
    ("payment_format", STRING, "BPR05: CCP, CTX"),
    ("payment_date", DATE, "BPR16: check issue or EFT effective date"),
    ("trace_type", STRING, "TRN01"),
    ("remit_trace", STRING, "TRN02: check or EFT trace number"),
    ("originator_id", STRING, "TRN03: payer's originating company ID"),
    ("production_date", DATE, "DTM*405"),
    ("payer_name", STRING, "N1*PR N102"),
    ("payer_id", STRING, "REF*2U, else N1*PR N104"),
    ("payee_name", STRING, "N1*PE N102"),
    ("payee_id_qualifier", STRING, "N1*PE N103: XX NPI, FI TIN, XV"),
    ("payee_id", STRING, "N1*PE N104"),
    ("payee_tax_id", STRING, "REF*TJ"),
    ("claim_count", INT, "CLP segments in the transaction"),
    ("claims_paid_cents", INT, "sum of CLP04"),
    ("plb_cents", INT, "sum of PLB amounts (positive reduces the payment)"),
    ("balance_difference_cents", INT, "BPR02 - (sum CLP04 - sum PLB); 0 when balanced"),
    ("balanced", BOOL, "transaction balancing rule holds; null if an amount is unreadable"),
    (
        "fingerprint",
        STRING,
        "content fingerprint: the same 835 delivered twice, its claims in any order, has the same",
    ),
    ("duplicate", BOOL, "True when the fingerprint was seen before (rows not counted)"),
)

_REMIT_REF: tuple[Column, ...] = (
    ("remit_trace", STRING, "TRN02 of the payment"),
    ("payment_date", DATE, "BPR16 of the payment"),
)

CLAIMS: tuple[Column, ...] = (
    *TRACE,
    ("claim_seq", INT, "0-based order of the CLP in the file; (source, claim_seq) is its key"),
    *_REMIT_REF,
    ("payer_id", STRING, "of the payment"),
    ("payer_name", STRING, "of the payment"),
    ("payee_id", STRING, "of the payment"),
    ("clm01", STRING, "CLP01: our CLM01"),
    ("claim_status", STRING, "CLP02: 1/2/3 processed, 4 denied, 19-21/23 forwarded, 22 reversal"),
    ("claim_status_text", TEXT, "plain-English CLP02"),
    ("charge_cents", INT, "CLP03"),
    ("paid_cents", INT, "CLP04"),
    ("patient_responsibility_cents", INT, "CLP05"),
    ("filing_indicator", STRING, "CLP06"),
    ("payer_claim_number", STRING, "CLP07: payer claim control number"),
    ("facility_type", STRING, "CLP08"),
    ("frequency_code", STRING, "CLP09"),
    ("adjustment_kind", STRING, "'original', 'reversal' (CLP02 22) or 'correction' (after one)"),
    ("statement_from", DATE, "DTM*232"),
    ("statement_to", DATE, "DTM*233"),
    ("received_date", DATE, "DTM*050"),
    ("interest_cents", INT, "AMT*I"),
    ("remark_codes", STRING, "MOA/MIA remark codes, comma-separated"),
    ("line_count", INT, "SVC segments of the claim"),
    ("denied_line_count", INT, "lines with charge but no payment"),
    ("adjustments_cents", INT, "sum of claim- and line-level CAS amounts"),
    ("balance_difference_cents", INT, "CLP03 - sum CAS - CLP04; 0 when balanced"),
    ("balanced", BOOL, "claim balancing rule holds; null if an amount is unreadable"),
)

LINES: tuple[Column, ...] = (
    *TRACE,
    ("claim_seq", INT, "the claim's key within the file"),
    ("line_no", INT, "1-based order of the SVC within the claim"),
    *_REMIT_REF,
    ("clm01", STRING, "CLP01"),
    ("payer_claim_number", STRING, "CLP07"),
    ("line_ref", STRING, "REF*6R: our line control number"),
    ("procedure_qualifier", STRING, "SVC01-1 as paid"),
    ("procedure_code", STRING, "SVC01-2 as paid"),
    ("modifiers", STRING, "SVC01-3..6 as paid, comma-separated"),
    ("submitted_qualifier", STRING, "SVC06-1, else as paid"),
    ("submitted_code", STRING, "SVC06-2, else as paid"),
    ("submitted_modifiers", STRING, "SVC06-3..6, else as paid"),
    ("charge_cents", INT, "SVC02"),
    ("paid_cents", INT, "SVC03"),
    ("revenue_code", STRING, "SVC04"),
    ("units_paid", DECIMAL, "SVC05 (Decimal; null means 1 per the guide)"),
    ("units_submitted", DECIMAL, "SVC07 (Decimal)"),
    ("service_date_start", DATE, "DTM*472 or DTM*150"),
    ("service_date_end", DATE, "DTM*472 or DTM*151"),
    ("allowed_cents", INT, "AMT*B6"),
    ("remark_codes", STRING, "LQ*HE remark codes, comma-separated"),
    (
        "line_status",
        STRING,
        "'paid', 'reduced', 'denied' (no payment, payer kept it), 'patient' (no payment, "
        "all to deductible/coinsurance/copay) or 'reversed'",
    ),
    ("adjustments_cents", INT, "sum of the line's CAS amounts"),
    ("balance_difference_cents", INT, "SVC02 - sum CAS - SVC03; 0 when balanced"),
    ("balanced", BOOL, "line balancing rule holds; null if an amount is unreadable"),
)

ADJUSTMENTS: tuple[Column, ...] = (
    *TRACE,
    ("claim_seq", INT, "the claim's key within the file"),
    ("line_no", INT, "null for claim-level CAS"),
    ("level", STRING, "'claim' or 'line'"),
    *_REMIT_REF,
    ("clm01", STRING, "CLP01"),
    ("payer_claim_number", STRING, "CLP07"),
    ("line_ref", STRING, "REF*6R of the line"),
    ("group_code", STRING, "CAS01: CO, PR, OA, PI (CR in old files)"),
    ("group_text", TEXT, "plain-English group"),
    ("carc", STRING, "claim adjustment reason code"),
    ("carc_text", TEXT, "plain-English CARC"),
    ("amount_cents", INT, "adjustment amount (negative gives money back)"),
    ("quantity", DECIMAL, "adjustment quantity (Decimal)"),
)

REMARKS: tuple[Column, ...] = (
    *TRACE,
    ("claim_seq", INT, "the claim's key within the file"),
    ("line_no", INT, "null for claim-level remarks"),
    ("level", STRING, "'claim' or 'line'"),
    *_REMIT_REF,
    ("clm01", STRING, "CLP01"),
    ("payer_claim_number", STRING, "CLP07"),
    ("line_ref", STRING, "REF*6R of the line"),
    ("origin", STRING, "'MOA', 'MIA' or 'LQ'"),
    ("qualifier", STRING, "LQ01: HE remark code, RX NCPDP reject code; HE for MOA/MIA"),
    ("code", STRING, "the remark code (RARC)"),
    ("text", TEXT, "plain-English RARC"),
)

PROVIDER_ADJUSTMENTS: tuple[Column, ...] = (
    *TRACE,
    *_REMIT_REF,
    ("provider_id", STRING, "PLB01"),
    ("fiscal_period_date", DATE, "PLB02"),
    ("reason_code", STRING, "PLB03-1 (and 05-1...): WO, L6, FB, CS..."),
    ("reason_text", TEXT, "plain-English reason"),
    ("reference", STRING, "PLB03-2: often the claim or ICN it concerns"),
    ("amount_cents", INT, "positive reduces the payment, negative adds to it"),
)

FINDINGS: tuple[Column, ...] = (
    *TRACE,
    ("segment_id", STRING, "the segment concerned"),
    ("clm01", STRING, "the claim concerned, when one"),
    ("code", STRING, "the rule ID, stable: SE_COUNT, BALANCE_CLAIM, BAD_AMOUNT..."),
    ("severity", STRING, "'reject' (a number cannot be trusted) or 'warn'"),
    ("message", STRING, "plain English; IDs and amounts only, no PHI"),
    ("level", INT, "1: the file and its envelope; 2: a segment or value in it"),
    ("owner", STRING, "who fixes it: 'billing' (with the payer) or 'ops' (with the sender)"),
    ("fix", STRING, "what to do about it"),
)

SCHEMAS: dict[str, tuple[Column, ...]] = {
    "acks": ACKS,
    "ack_errors": ACK_ERRORS,
    "claim_status": CLAIM_STATUS,
    "line_status": LINE_STATUS,
    "payments": PAYMENTS,
    "claims": CLAIMS,
    "lines": LINES,
    "adjustments": ADJUSTMENTS,
    "remarks": REMARKS,
    "provider_adjustments": PROVIDER_ADJUSTMENTS,
    "findings": FINDINGS,
}
"""Every table by name, in the order the CLI writes them."""


def empty(schema: tuple[Column, ...]) -> pd.DataFrame:
    """A table with no rows and every column of ``schema`` in its dtype."""
    if schema not in _EMPTY:
        _EMPTY[schema] = pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype, _ in schema})
    return _EMPTY[schema].copy()


_EMPTY: dict[tuple[Column, ...], pd.DataFrame] = {}


def conform(frame: pd.DataFrame, schema: tuple[Column, ...]) -> pd.DataFrame:
    """``frame`` with exactly the columns of ``schema``, in order and in their dtypes."""
    names = [name for name, _, _ in schema]
    if list(frame.columns) == names and all(
        have == want for have, (_, want, _) in zip(frame.dtypes, schema, strict=True)
    ):
        return frame
    out = {}
    for name, dtype, _ in schema:
        column = frame[name] if name in frame else pd.Series([None] * len(frame), dtype=object)
        out[name] = column if column.dtype == dtype else column.astype(dtype)
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)), copy=False)


@dataclass(frozen=True)
class ResponseTables:
    """Everything read from response files: one DataFrame per table of :data:`SCHEMAS`.

    Tables of kinds absent from the input are empty but keep their columns and dtypes,
    so consumers never test for a missing column.
    """

    acks: pd.DataFrame
    ack_errors: pd.DataFrame
    claim_status: pd.DataFrame
    line_status: pd.DataFrame
    payments: pd.DataFrame
    claims: pd.DataFrame
    lines: pd.DataFrame
    adjustments: pd.DataFrame
    remarks: pd.DataFrame
    provider_adjustments: pd.DataFrame
    findings: pd.DataFrame

    @classmethod
    def build(cls, tables: Mapping[str, pd.DataFrame]) -> ResponseTables:
        """From whichever tables a parser produced; the others are empty."""
        unknown = set(tables) - set(SCHEMAS)
        if unknown:
            raise ValueError(f"unknown tables {sorted(unknown)}")
        return cls(
            **{
                name: conform(tables[name], schema) if name in tables else empty(schema)
                for name, schema in SCHEMAS.items()
            }
        )

    @classmethod
    def concat(cls, parts: Iterable[ResponseTables]) -> ResponseTables:
        """Several files' tables as one (rows keep their ``source``)."""
        parts = list(parts)
        merged = {}
        for name in SCHEMAS:
            frames = [getattr(p, name) for p in parts if len(getattr(p, name))]
            if frames:
                merged[name] = pd.concat(frames, ignore_index=True)
        return cls.build(merged)

    def items(self) -> Iterator[tuple[str, pd.DataFrame]]:
        """``(name, table)`` pairs in :data:`SCHEMAS` order."""
        for f in fields(self):
            yield f.name, getattr(self, f.name)

    def replace(self, **tables: pd.DataFrame) -> ResponseTables:
        return type(self).build({**dict(self.items()), **tables})


_DTYPE_NAMES = {
    STRING: "string",
    INT: "Int64",
    BOOL: "boolean",
    DATE: "datetime64[s]",
    DECIMAL: "Decimal (object)",
    TEXT: "category (of str)",
}


def markdown() -> str:
    """``docs/tables.md``: every table, column, dtype and meaning, from :data:`SCHEMAS`."""
    lines = [
        "# Response tables",
        "",
        "Generated from `edi/responses/tables.py` (`python -c 'from edi.responses.tables import",
        'markdown; print(markdown(), end="")\' > docs/tables.md`); a test keeps them equal.',
        "",
        "Read any TA1, 999, 277CA or 835 file with `edi.responses.parse_any(source, name)` or",
        "`claims parse FILE... --out DIR [--format csv|parquet|jsonl]`.  Money is **integer",
        "cents** (`Int64`, names ending in `_cents`), never float; units and quantities are",
        "`Decimal`; empty X12 elements are null.  Every row carries `source`, `isa13`, `gs06`,",
        "`st02` and `position` (the 1-based segment index in the file).",
        "",
    ]
    for name, schema in SCHEMAS.items():
        lines += table_section(name, [(c, _DTYPE_NAMES[d], m) for c, d, m in schema])
    from edi.eligibility.tables import markdown as eligibility_markdown  # issue 16

    return "\n".join(lines + eligibility_markdown())


def table_section(name: str, columns: Iterable[tuple[str, str, str]]) -> list[str]:
    """One table's lines of ``docs/tables.md``: (column, dtype name, meaning) rows."""
    lines = [f"## {name}", "", "| column | dtype | meaning |", "|---|---|---|"]
    lines += [f"| `{c}` | {d} | {m.replace('|', '/')} |" for c, d, m in columns]
    return [*lines, ""]
