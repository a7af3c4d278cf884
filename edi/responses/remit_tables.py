"""The six 835 tables made from the columns the remittance reader collected.

:class:`edi.responses.remit835.RemitReader` reads segments into raw columns (element text,
row numbers, positions); this module turns them into the documented tables: amounts to
integer cents, dates, code texts, the procedure composites split, envelope and claim
columns spread to the detail rows, and the three balancing rules checked:

* line: ``SVC02 - sum(line CAS) = SVC03``;
* claim: ``CLP03 - sum(claim and line CAS) = CLP04``;
* payment: ``BPR02 = sum(CLP04) - sum(PLB amounts)``.

Unreadable values and unbalanced rows become findings, never exceptions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from edi.responses import convert
from edi.responses.codes import CodeTexts
from edi.responses.findings import Envelope, Findings
from edi.responses.tables import (
    ADJUSTMENTS,
    CLAIMS,
    LINES,
    PAYMENTS,
    PROVIDER_ADJUSTMENTS,
    REMARKS,
    conform,
)

P_POS, P_BPR, P_TRN, P_DTM405, P_PAYER, P_REF2U, P_PAYEE, P_TJ, P_HASH = range(9)
"""Fields of a payment row: BPR position, BPR/TRN/N1 element lists, header values."""

_LINE_LEVEL, _CLAIM_LEVEL, _COMMA, _EMPTY = (
    pa.scalar(text, pa.large_string()) for text in ("line", "claim", ",", "")
)  # Arrow scalars of the type pandas' string columns store
_KINDS = pa.array(["original", "reversal", "correction"], pa.large_string())
_LINE_STATUSES = pa.array(
    ["paid", "reduced", "denied", "reversed", "", "patient"], pa.large_string()
)
_CONTRACTUAL_CARCS = ("45", "253")
"""CARCs that reduce to the contract (fee schedule, sequestration): never a denial."""


class RemitTables:
    """The tables of one reading: payment rows, the collected columns, the findings."""

    def __init__(
        self,
        texts: CodeTexts,
        findings: Findings,
        envelopes: list[Envelope],
        payments: list[list],
        component_separators: list[str],
        duplicates: list[bool],
        claims: dict,
        lines: dict,
        adjustments: dict,
        remarks: dict,
        plbs: dict,
    ) -> None:
        self.texts, self.findings = texts, findings
        self.envelopes, self.payments, self.duplicates = envelopes, payments, duplicates
        self.component_separators = component_separators
        self.claims, self.lines, self.adjustments = claims, lines, adjustments
        self.remarks, self.plbs = remarks, plbs

    def build(self) -> dict[str, pd.DataFrame]:
        """The six 835 tables, balancing checked."""
        payments = self._payments()
        claims = self._claims(payments)
        lines = self._lines(claims)
        adjustments = self._adjustments(claims, lines)
        remarks = self._remarks(claims, lines)
        plb = self._plb(payments)
        self._balance(payments, claims, lines, adjustments, plb)
        return {
            "payments": conform(payments, PAYMENTS),
            "claims": conform(claims, CLAIMS),
            "lines": conform(lines, LINES),
            "adjustments": conform(adjustments, ADJUSTMENTS),
            "remarks": conform(remarks, REMARKS),
            "provider_adjustments": conform(plb, PROVIDER_ADJUSTMENTS),
        }

    def _trace(self, pay: np.ndarray) -> dict:
        """The envelope columns of rows belonging to the payments ``pay``.

        Tables are built as dicts of arrays and made DataFrames once: inserting columns
        one by one into a DataFrame costs more than the conversions themselves.
        """
        envelopes = list(zip(*self.envelopes, strict=True)) or [(), (), (), ()]
        out = {}
        for k, column in enumerate(Envelope._fields):
            values = convert.strings(envelopes[k])
            out[column] = values.take(pay) if len(pay) else values[:0]
        return out

    def _money(self, frame, column, texts, positions, segment, clm01s=None) -> None:
        values, wrong = convert.cents(texts)
        frame[column] = values
        self._report(frame, wrong, positions, segment, "BAD_AMOUNT", column, clm01s)

    def _date(self, frame, column, texts, positions, segment, clm01s=None) -> None:
        values, wrong = convert.dates(texts)
        frame[column] = values.array
        self._report(frame, wrong, positions, segment, "BAD_DATE", column, clm01s)

    def _number(self, frame, column, texts, positions, segment, clm01s=None) -> None:
        values, wrong = convert.decimals(texts)
        frame[column] = values
        self._report(frame, wrong, positions, segment, "BAD_NUMBER", column, clm01s)

    def _report(self, frame, wrong, positions, segment, code, column, clm01s) -> None:
        for i in np.flatnonzero(wrong):
            env = Envelope(*(frame[c][i] for c in Envelope._fields))
            clm01 = clm01s[i] if clm01s is not None else None  # only looked up when wrong
            message = f"{column} unreadable; left empty"
            self.findings.add(env, positions[i], segment, code, message, clm01)

    def _texts(self, kind: str, codes) -> pd.Categorical:
        """Plain-English texts of a code column."""
        text = self.texts.text
        return convert.lookup(codes, lambda code: text(kind, code))

    def _payments(self) -> pd.DataFrame:
        rows = self.payments
        df = self._trace(np.arange(len(rows)))
        positions = [r[P_POS] for r in rows]
        df["position"] = convert.integers(positions)
        bpr, trn = [r[P_BPR] for r in rows], [r[P_TRN] for r in rows]
        payer, payee = [r[P_PAYER] for r in rows], [r[P_PAYEE] for r in rows]
        df["handling_code"] = convert.strings([b[1] for b in bpr])
        self._money(df, "payment_cents", [b[2] for b in bpr], positions, "BPR")
        df["credit_debit"] = convert.strings([b[3] for b in bpr])
        df["method"] = convert.strings([b[4] for b in bpr])
        df["method_text"] = self._texts("payment_method", [b[4] for b in bpr])
        df["payment_format"] = convert.strings([b[5] for b in bpr])
        self._date(df, "payment_date", [b[16] for b in bpr], positions, "BPR")
        df["trace_type"] = convert.strings([t[1] for t in trn])
        df["remit_trace"] = convert.strings([t[2] for t in trn])
        df["originator_id"] = convert.strings([t[3] for t in trn])
        self._date(df, "production_date", [r[P_DTM405] for r in rows], positions, "DTM")
        df["payer_name"] = convert.strings([p[2] for p in payer])
        df["payer_id"] = convert.strings(
            [r[P_REF2U] or p[4] for r, p in zip(rows, payer, strict=True)]
        )
        df["payee_name"] = convert.strings([p[2] for p in payee])
        df["payee_id_qualifier"] = convert.strings([p[3] for p in payee])
        df["payee_id"] = convert.strings([p[4] for p in payee])
        df["payee_tax_id"] = convert.strings([r[P_TJ] for r in rows])
        df["fingerprint"] = convert.strings([r[P_HASH] for r in rows])
        df["duplicate"] = convert.booleans(self.duplicates)
        return pd.DataFrame(df, copy=False)

    def _claims(self, payments: pd.DataFrame) -> pd.DataFrame:
        c = self.claims
        pay = np.asarray(c["pay"], dtype=np.int64)
        df = self._trace(pay)
        positions = c["position"]
        clm01s = c["clp01"]
        df["position"] = convert.integers(positions)
        df["claim_seq"] = convert.integers(np.arange(len(positions)))
        for column in ("remit_trace", "payment_date", "payer_id", "payer_name", "payee_id"):
            df[column] = payments[column].array.take(pay)
        df["clm01"] = convert.strings(clm01s)
        df["claim_status"] = convert.strings(c["clp02"])
        df["claim_status_text"] = self._texts("clp_status", c["clp02"])
        self._money(df, "charge_cents", c["clp03"], positions, "CLP", clm01s)
        self._money(df, "paid_cents", c["clp04"], positions, "CLP", clm01s)
        self._money(df, "patient_responsibility_cents", c["clp05"], positions, "CLP", clm01s)
        df["filing_indicator"] = convert.strings(c["clp06"])
        df["payer_claim_number"] = convert.strings(c["clp07"])
        df["facility_type"] = convert.strings(c["clp08"])
        df["frequency_code"] = convert.strings(c["clp09"])
        df["adjustment_kind"] = convert.strings(pc.take(_KINDS, c["kind"]))
        self._date(df, "statement_from", c["from"], positions, "DTM", clm01s)
        self._date(df, "statement_to", c["to"], positions, "DTM", clm01s)
        self._date(df, "received_date", c["received"], positions, "DTM", clm01s)
        self._money(df, "interest_cents", c["interest"], positions, "AMT", clm01s)
        df["remark_codes"] = convert.strings(c["remarks"])
        return pd.DataFrame(df, copy=False)

    def _of_claims(self, claims: pd.DataFrame, owner: np.ndarray) -> dict:
        """Trace and claim columns for detail rows owned by the claims ``owner``."""
        columns = (*Envelope._fields, "remit_trace", "payment_date", "clm01", "payer_claim_number")
        df = {c: claims[c].array.take(owner) for c in columns}
        df["claim_seq"] = convert.integers(owner)
        return df

    def _lines(self, claims: pd.DataFrame) -> pd.DataFrame:
        c = self.lines
        owner = np.asarray(c["claim"], dtype=np.int64)
        df = self._of_claims(claims, owner)
        positions = c["position"]
        df["position"] = convert.integers(positions)
        df["line_no"] = convert.integers(c["line_no"])
        clm01s = df["clm01"]
        df["line_ref"] = convert.strings(c["ref"])
        paid_as = convert.text(c["svc01"])
        paid_columns = self._procedure_columns(paid_as, c["claim"])
        df["procedure_qualifier"], df["procedure_code"], df["modifiers"] = paid_columns
        if pc.any(pc.not_equal(c["svc06"], _EMPTY)).as_py():
            submitted = convert.text(c["svc06"])
            submitted = pc.if_else(pc.equal(submitted, ""), paid_as, submitted)
            paid_columns = self._procedure_columns(submitted, c["claim"])
        (df["submitted_qualifier"], df["submitted_code"], df["submitted_modifiers"]) = paid_columns
        self._money(df, "charge_cents", c["svc02"], positions, "SVC", clm01s)
        self._money(df, "paid_cents", c["svc03"], positions, "SVC", clm01s)
        df["revenue_code"] = convert.strings(c["svc04"])
        self._number(df, "units_paid", c["svc05"], positions, "SVC", clm01s)
        self._number(df, "units_submitted", c["svc07"], positions, "SVC", clm01s)
        self._date(df, "service_date_start", c["start"], positions, "DTM", clm01s)
        self._date(df, "service_date_end", c["end"], positions, "DTM", clm01s)
        self._money(df, "allowed_cents", c["allowed"], positions, "AMT", clm01s)
        df["remark_codes"] = convert.strings(c["remarks"])
        return pd.DataFrame(df, copy=False)

    def _procedure_columns(self, values: pa.Array, owners: np.ndarray) -> tuple:
        """Qualifier, code and modifiers of SVC01/SVC06 composites, split on their
        interchange's component separator.

        With one separator (the usual case) each distinct composite is split once (a
        remittance repeats a few hundred codes); a file mixing interchanges whose ISA16
        differ is split row by row.
        """
        separators = self.component_separators
        if len(set(separators)) == 1:
            encoded = values.dictionary_encode()
            columns = _procedures(pc.split_pattern(encoded.dictionary, separators[0]))
            return tuple(convert.strings(pc.take(c, encoded.indices)) for c in columns)
        pay_of_claim = self.claims["pay"]
        seps = [separators[pay_of_claim[o]] for o in owners.tolist()]
        parts = [v.split(s) for v, s in zip(values.to_pylist(), seps, strict=True)]
        columns = _procedures(pa.array(parts, pa.list_(pa.large_string())))
        return tuple(convert.strings(c) for c in columns)

    def _detail(self, c: dict, claims: pd.DataFrame, lines: pd.DataFrame) -> dict:
        """Trace, claim and line columns shared by adjustments and remarks."""
        owner = np.asarray(c["claim"], dtype=np.int64)
        df = self._of_claims(claims, owner)
        df["position"] = convert.integers(c["position"])
        at = np.asarray(c["line"], dtype=np.int64)
        on_line = at >= 0
        if len(lines):
            numbers = lines["line_no"].to_numpy(dtype=np.int64)[np.where(on_line, at, 0)]
            refs = lines["line_ref"].array
            df["line_ref"] = refs.take(np.where(on_line, at, -1), allow_fill=True)
        else:
            numbers = np.zeros(len(at), dtype=np.int64)
            df["line_ref"] = convert.strings([""] * len(at))
        df["line_no"] = pd.arrays.IntegerArray(numbers, ~on_line)
        df["level"] = convert.strings(pc.if_else(pa.array(on_line), _LINE_LEVEL, _CLAIM_LEVEL))
        return df

    def _adjustments(self, claims: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
        c = self.adjustments
        df = self._detail(c, claims, lines)
        positions = c["position"]
        clm01s = df["clm01"]
        group, carc = convert.text(c["group"]), convert.text(c["carc"])
        df["group_code"] = convert.strings(group)
        df["group_text"] = self._texts("cas_group", group)
        df["carc"] = convert.strings(carc)
        df["carc_text"] = self._texts("carc", carc)
        self._money(df, "amount_cents", c["amount"], positions, "CAS", clm01s)
        self._number(df, "quantity", c["quantity"], positions, "CAS", clm01s)
        return pd.DataFrame(df, copy=False)

    def _remarks(self, claims: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
        c = self.remarks
        df = self._detail(c, claims, lines)
        qualifier, code = convert.text(c["qualifier"]), convert.text(c["code"])
        df["origin"] = convert.strings(c["origin"])
        df["qualifier"] = convert.strings(qualifier)
        df["code"] = convert.strings(code)
        rarc = self.texts.text
        # only HE codes are RARCs; a null code is never described, so it gets no text
        he_codes = pc.if_else(pc.equal(qualifier, "HE"), code, convert.NULL_TEXT)
        df["text"] = convert.lookup(he_codes, lambda he_code: rarc("rarc", he_code))
        return pd.DataFrame(df, copy=False)

    def _plb(self, payments: pd.DataFrame) -> pd.DataFrame:
        c = self.plbs
        pay = np.asarray(c["pay"], dtype=np.int64)
        df = self._trace(pay)
        positions = c["position"]
        df["position"] = convert.integers(positions)
        for column in ("remit_trace", "payment_date"):
            df[column] = payments[column].array.take(pay)
        df["provider_id"] = convert.strings(c["provider"])
        self._date(df, "fiscal_period_date", c["date"], positions, "PLB")
        seps = self.component_separators
        parts = [
            r.split(seps[p])
            for r, p in zip(c["reason"].to_pylist(), c["pay"].tolist(), strict=True)
        ]
        reasons = [p[0] for p in parts]
        df["reason_code"] = convert.strings(reasons)
        df["reason_text"] = self._texts("plb_reason", reasons)
        df["reference"] = convert.strings([p[1] if len(p) > 1 else "" for p in parts])
        self._money(df, "amount_cents", c["amount"], positions, "PLB")
        return pd.DataFrame(df, copy=False)

    # -- balancing ----------------------------------------------------------------------
    def _balance(self, payments, claims, lines, adjustments, plb) -> None:
        """Apply the three balancing rules; results go on the rows and into findings."""
        amount = adjustments["amount_cents"]
        cents = amount.fillna(0).to_numpy(dtype="int64")
        unreadable = amount.isna().to_numpy()
        owner = np.asarray(self.adjustments["claim"], dtype=np.int64)
        line_of = np.asarray(self.adjustments["line"], dtype=np.int64)
        on_line = line_of >= 0

        _check(
            lines,
            lines["charge_cents"],
            lines["paid_cents"],
            _sum_by(line_of[on_line], cents[on_line], len(lines)),
            _any_by(line_of[on_line], unreadable[on_line], len(lines)),
        )
        group = adjustments["group_code"].fillna("")
        to_patient = group.eq("PR").to_numpy(dtype=bool)
        write_off = adjustments["carc"].fillna("").isin(_CONTRACTUAL_CARCS).to_numpy(dtype=bool)
        by_payer = on_line & ~to_patient & ~write_off
        lines["line_status"] = _line_status(
            lines,
            _sum_by(line_of[on_line & to_patient], cents[on_line & to_patient], len(lines)),
            _any_by(line_of, by_payer & (cents != 0), len(lines)),
        )
        _check(
            claims,
            claims["charge_cents"],
            claims["paid_cents"],
            _sum_by(owner, cents, len(claims)),
            _any_by(owner, unreadable, len(claims)),
        )
        line_owner = np.asarray(self.lines["claim"], dtype=np.int64)
        claims["line_count"] = pd.array(np.bincount(line_owner, minlength=len(claims)), "Int64")
        denied = (lines["line_status"] == "denied").fillna(False).to_numpy(dtype=bool)
        claims["denied_line_count"] = pd.array(
            np.bincount(line_owner[denied], minlength=len(claims)), "Int64"
        )

        n = len(payments)
        pay_of_claim = np.asarray(self.claims["pay"], dtype=np.int64)
        pay_of_plb = np.asarray(self.plbs["pay"], dtype=np.int64)
        paid, plb_amount = claims["paid_cents"], plb["amount_cents"]
        paid_sum = _sum_by(pay_of_claim, paid.fillna(0).to_numpy(dtype="int64"), n)
        plb_sum = _sum_by(pay_of_plb, plb_amount.fillna(0).to_numpy(dtype="int64"), n)
        payments["claim_count"] = pd.array(np.bincount(pay_of_claim, minlength=n), "Int64")
        payments["claims_paid_cents"] = pd.array(paid_sum, "Int64")
        payments["plb_cents"] = pd.array(plb_sum, "Int64")
        unknown = _any_by(pay_of_claim, paid.isna().to_numpy(), n) | _any_by(
            pay_of_plb, plb_amount.isna().to_numpy(), n
        )
        # BPR02 = sum CLP04 - sum PLB, i.e. BPR02 - 0 - (sum CLP04 - sum PLB) = 0
        unknown |= np.asarray(self.duplicates, dtype=bool)  # its rows were not kept
        _check(payments, payments["payment_cents"], paid_sum - plb_sum, 0, unknown)

        self._balance_findings(lines, "BALANCE_LINE", "SVC", "line")
        self._balance_findings(claims, "BALANCE_CLAIM", "CLP", "claim")
        self._balance_findings(payments, "BALANCE_PAYMENT", "BPR", "payment")

    def _balance_findings(self, frame: pd.DataFrame, code: str, segment: str, what: str) -> None:
        off = frame[(frame["balanced"] == False).fillna(False).to_numpy(dtype=bool)]  # noqa: E712
        if off.empty:
            return
        label = what
        if what == "line":
            label = "line " + off["line_no"].astype("string")
        difference = off["balance_difference_cents"].astype("string")
        self.findings.add_frame(
            pd.DataFrame(
                {
                    **{c: off[c] for c in (*Envelope._fields, "position")},
                    "segment_id": segment,
                    "clm01": off.get("clm01"),
                    "code": code,
                    "severity": "reject",
                    "message": label + " out of balance by " + difference + " cents",
                }
            ).reset_index(drop=True)
        )


def _procedures(parts: pa.ListArray) -> tuple:
    """Qualifier, code and comma-joined modifiers columns of SVC01/SVC06 composites.

    Joining a slice of at most one component gives that component or ``''``, which is
    how a missing code reads.
    """
    modifiers = pc.binary_join(pc.list_slice(parts, 2, 6), _COMMA)
    return (
        pc.list_element(parts, 0),
        pc.binary_join(pc.list_slice(parts, 1, 2), _EMPTY),
        pc.utf8_trim(modifiers, ","),
    )


def _check(frame: pd.DataFrame, start, expected, adjustments, unknown: np.ndarray) -> None:
    """Set ``adjustments_cents`` (when per row), ``balance_difference_cents``, ``balanced``.

    difference = start - adjustments - expected; null where an amount is unreadable.
    """
    if isinstance(adjustments, np.ndarray):
        frame["adjustments_cents"] = pd.array(adjustments, "Int64")
        adjustments = frame["adjustments_cents"]
    expected = expected if isinstance(expected, pd.Series) else pd.array(expected, "Int64")
    difference = (start - adjustments - expected).astype("Int64")
    difference[unknown] = pd.NA
    frame["balance_difference_cents"] = difference
    frame["balanced"] = (difference == 0).astype("boolean")


def _sum_by(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Exact integer sums of ``values`` grouped by ``index`` (bincount would use floats)."""
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, index, values)
    return out


def _any_by(index: np.ndarray, flags: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size, dtype=bool)
    out[index[flags]] = True
    return out


def _line_status(
    lines: pd.DataFrame, patient_cents: np.ndarray, payer_kept: np.ndarray
) -> pd.api.extensions.ExtensionArray:
    """paid, reduced, denied, patient or reversed (negative charge).

    A line with no payment is ``denied`` only when the payer kept some of the charge for
    a reason other than the contract (CO-45, CO-253).  When everything unpaid went to the
    patient (deductible, coinsurance, copay) beside at most a contractual write-off, the
    line is ``patient``: a normal outcome, nothing to appeal.
    """
    charge, paid = lines["charge_cents"], lines["paid_cents"]
    status = np.zeros(len(lines), np.int8)  # index into _LINE_STATUSES
    status[(paid < charge).fillna(False).to_numpy(dtype=bool)] = 1
    unpaid = ((paid == 0) & (charge > 0)).fillna(False).to_numpy(dtype=bool)
    status[unpaid] = 2
    status[unpaid & (patient_cents > 0) & ~payer_kept] = 5
    status[(charge < 0).fillna(False).to_numpy(dtype=bool)] = 3
    status[(paid.isna() | charge.isna()).to_numpy()] = 4
    return convert.strings(pc.take(_LINE_STATUSES, status))
