"""835 remittances (005010X221A1) as payments, claims, lines, adjustments, remarks and PLB.

Reading is one pass over the element lists of each transaction set with a small state
(header, payer, payee, claim, line): no tree, no per-segment object, and amounts kept as
text until the end, where whole columns are converted at once (see :mod:`.convert`).
Every CLP becomes a claim row, with or without service lines; a PLB-only remittance is a
payment with provider adjustments and no claims.

Reversals and corrections: a CLP with CLP02 ``22`` is a reversal (its amounts are
negative); a later CLP for the same CLP01 in the same transaction is its correction.
Both are rows; summing ``paid_cents`` per CLM01 over every remittance gives what was
really paid (:func:`edi.responses.totals.claim_totals`).

Balancing (findings, never exceptions), per the guide's section on balancing:

* line: ``SVC02 - sum(line CAS) = SVC03``;
* claim: ``CLP03 - sum(claim and line CAS) = CLP04``;
* payment: ``BPR02 = sum(CLP04) - sum(PLB amounts)``.

Tables and columns: :data:`edi.responses.tables.PAYMENTS`, ``CLAIMS``, ``LINES``,
``ADJUSTMENTS``, ``REMARKS``, ``PROVIDER_ADJUSTMENTS``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Set as AbstractSet

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from edi.responses import convert
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
from edi.x12.reader import ENVELOPE_IDS, Transaction
from mappings.code_texts import CodeTexts

_PAD = [""] * 20
_HEADER, _PAYER, _PAYEE = 0, 1, 2
_FIELD = "\x1f"  # joins elements for the fingerprint: not in the X12 character sets
_REVERSAL = "22"
_MIA_REMARKS = (5, 20, 21, 22, 23)
_MOA_REMARKS = (3, 4, 5, 6, 7)
_CAS_TRIPLES = (2, 5, 8, 11, 14, 17)
_PLB_PAIRS = (3, 5, 7, 9, 11, 13)
_LINE_LEVEL, _CLAIM_LEVEL, _COMMA, _EMPTY = (
    pa.scalar(text, pa.large_string()) for text in ("line", "claim", ",", "")
)  # Arrow scalars of the type pandas' string columns store

# payment rows (few): lists, completed by later segments
P_POS, P_BPR, P_TRN, P_DTM405, P_PAYER, P_REF2U, P_PAYEE, P_TJ, P_HASH = range(9)
CLAIM_COLUMNS = (
    "pay", "position", "clp01", "clp02", "clp03", "clp04", "clp05", "clp06", "clp07", "clp08",
    "clp09", "kind", "from", "to", "received", "interest", "remarks",
)  # fmt: skip
LINE_COLUMNS = (
    "claim", "line_no", "position", "svc01", "svc02", "svc03", "svc04", "svc05", "svc06",
    "svc07", "start", "end", "ref", "allowed", "remarks",
)  # fmt: skip
ADJUSTMENT_COLUMNS = ("claim", "line", "position", "group", "carc", "amount", "quantity")
REMARK_COLUMNS = ("claim", "line", "position", "origin", "qualifier", "code")
PLB_COLUMNS = ("pay", "position", "provider", "date", "reason", "amount")


class _Columns:
    """One table being read, as a list per column: rows are appended column by column.

    Column lists are what Arrow and NumPy convert fastest, and building them while
    reading avoids transposing millions of row objects scattered over the heap later.
    """

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.lists: list[list] = [[] for _ in names]

    def __len__(self) -> int:
        return len(self.lists[0])

    def __getitem__(self, name: str) -> list:
        return self.lists[self.names.index(name)]

    def truncate(self, size: int) -> None:
        for values in self.lists:
            del values[size:]


class RemitReader:
    """Accumulates the rows of every 835 transaction handed to :meth:`add`."""

    def __init__(
        self, texts: CodeTexts, findings: Findings, seen: AbstractSet[str] = frozenset()
    ) -> None:
        self.texts = texts
        self.findings = findings
        self.seen = set(seen)
        self.envelopes: list[Envelope] = []
        self.payments: list[list] = []
        self.claims = _Columns(CLAIM_COLUMNS)
        self.lines = _Columns(LINE_COLUMNS)
        self.adjustments = _Columns(ADJUSTMENT_COLUMNS)
        self.remarks = _Columns(REMARK_COLUMNS)
        self.plbs = _Columns(PLB_COLUMNS)
        self.component_separators: list[str] = []  # per payment: ISA16 of its interchange
        self.duplicates: list[bool] = []

    # -- reading ------------------------------------------------------------------------
    def add(self, tx: Transaction) -> None:
        """Read one 835 transaction set; the hot loop of the whole project."""
        env = Envelope.of(tx)
        pay_index = len(self.payments)
        self.envelopes.append(env)
        self.component_separators.append(tx.delimiters.component)
        payment = [tx.st.position if tx.st else None, _PAD, _PAD, "", _PAD, "", _PAD, "", ""]
        self.payments.append(payment)
        self.duplicates.append(False)
        tables = (self.claims, self.lines, self.adjustments, self.remarks, self.plbs)
        marks = [len(t) for t in tables]
        digest = hashlib.sha256()
        (c_pay, c_pos, c_1, c_2, c_3, c_4, c_5, c_6, c_7, c_8, c_9, c_kind, c_from, c_to,
         c_received, c_interest, c_remarks) = self.claims.lists  # fmt: skip
        (l_claim, l_no, l_pos, l_1, l_2, l_3, l_4, l_5, l_6, l_7, l_start, l_end, l_ref,
         l_allowed, l_remarks) = self.lines.lists  # fmt: skip
        a_claim, a_line, a_pos, a_group, a_carc, a_amount, a_quantity = self.adjustments.lists
        r_claim, r_line, r_pos, r_origin, r_qualifier, r_code = self.remarks.lists
        plbs = self.plbs.lists
        cursor = tx.cursor
        header = _HEADER
        claim = line = -1  # rows of the current claim and line, -1 outside them
        line_no = 0
        clm01 = None
        reversed_ids: set[str] = set()
        trailer = None
        for e in tx.unchecked():
            sid = e[0]
            try:
                if sid == "CAS":
                    if claim < 0:
                        self._unexpected(env, cursor.position, sid)
                        continue
                    group = e[1]
                    position = cursor.position
                    triples = _CAS_TRIPLES[: len(e) // 3]  # only those the segment has
                    e.extend(_PAD)
                    for k in triples:
                        if e[k]:
                            a_claim.append(claim)
                            a_line.append(line)
                            a_pos.append(position)
                            a_group.append(group)
                            a_carc.append(e[k])
                            a_amount.append(e[k + 1])
                            a_quantity.append(e[k + 2])
                elif sid == "DTM":
                    qualifier, value = e[1], e[2]
                    if line >= 0:
                        if qualifier == "472":
                            l_start[line] = l_end[line] = value
                        elif qualifier == "150":
                            l_start[line] = value
                        elif qualifier == "151":
                            l_end[line] = value
                    elif claim >= 0:
                        if qualifier == "232":
                            c_from[claim] = value
                        elif qualifier == "233":
                            c_to[claim] = value
                        elif qualifier == "050":
                            c_received[claim] = value
                    elif qualifier == "405":
                        payment[P_DTM405] = value
                elif sid == "REF":
                    if line >= 0:
                        if e[1] == "6R":
                            l_ref[line] = e[2]
                    elif claim < 0:
                        if header == _PAYER and e[1] == "2U":
                            payment[P_REF2U] = e[2]
                        elif header == _PAYEE and e[1] == "TJ":
                            payment[P_TJ] = e[2]
                elif sid == "SVC":
                    if claim < 0:
                        self._unexpected(env, cursor.position, sid)
                        continue
                    e.extend(_PAD)
                    line_no += 1
                    line = len(l_claim)
                    l_claim.append(claim)
                    l_no.append(line_no)
                    l_pos.append(cursor.position)
                    l_1.append(e[1])
                    l_2.append(e[2])
                    l_3.append(e[3])
                    l_4.append(e[4])
                    l_5.append(e[5])
                    l_6.append(e[6])
                    l_7.append(e[7])
                    l_start.append("")
                    l_end.append("")
                    l_ref.append("")
                    l_allowed.append("")
                    l_remarks.append(None)
                elif sid == "CLP":
                    digest.update((_FIELD.join(e) + "\x1e").encode())
                    e.extend(_PAD)
                    clm01 = e[1]
                    if e[2] == _REVERSAL:
                        kind = "reversal"
                        reversed_ids.add(clm01)
                    else:
                        kind = "correction" if clm01 in reversed_ids else "original"
                    claim = len(c_pay)
                    c_pay.append(pay_index)
                    c_pos.append(cursor.position)
                    c_1.append(clm01)
                    c_2.append(e[2])
                    c_3.append(e[3])
                    c_4.append(e[4])
                    c_5.append(e[5])
                    c_6.append(e[6])
                    c_7.append(e[7])
                    c_8.append(e[8])
                    c_9.append(e[9])
                    c_kind.append(kind)
                    c_from.append("")
                    c_to.append("")
                    c_received.append("")
                    c_interest.append("")
                    c_remarks.append(None)
                    line = -1
                    line_no = 0
                elif sid == "AMT":
                    if line >= 0:
                        if e[1] == "B6":
                            l_allowed[line] = e[2]
                    elif claim >= 0 and e[1] == "I":
                        c_interest[claim] = e[2]
                elif sid == "LQ":
                    if line < 0:
                        self._unexpected(env, cursor.position, sid)
                        continue
                    qualifier, code = e[1], e[2]
                    r_claim.append(claim)
                    r_line.append(line)
                    r_pos.append(cursor.position)
                    r_origin.append("LQ")
                    r_qualifier.append(qualifier)
                    r_code.append(code)
                    if qualifier == "HE":
                        if l_remarks[line] is None:
                            l_remarks[line] = [code]
                        else:
                            l_remarks[line].append(code)
                elif sid == "MOA" or sid == "MIA":
                    if claim < 0 or line >= 0:
                        self._unexpected(env, cursor.position, sid)
                        continue
                    e.extend(_PAD)
                    codes = [e[k] for k in (_MOA_REMARKS if sid == "MOA" else _MIA_REMARKS) if e[k]]
                    position = cursor.position
                    for code in codes:
                        r_claim.append(claim)
                        r_line.append(-1)
                        r_pos.append(position)
                        r_origin.append(sid)
                        r_qualifier.append("HE")
                        r_code.append(code)
                    if codes:
                        c_remarks[claim] = (c_remarks[claim] or []) + codes
                elif sid == "LX":
                    claim = line = -1
                elif sid == "PLB":
                    digest.update((_FIELD.join(e) + "\x1e").encode())
                    claim = line = -1
                    e.extend(_PAD)
                    position = cursor.position
                    for k in _PLB_PAIRS:
                        if e[k] or e[k + 1]:
                            for values, value in zip(
                                plbs, (pay_index, position, e[1], e[2], e[k], e[k + 1]), strict=True
                            ):
                                values.append(value)
                elif sid == "N1":
                    digest.update((_FIELD.join(e) + "\x1e").encode())
                    if claim >= 0:
                        self._unexpected(env, cursor.position, sid)
                        continue
                    e.extend(_PAD)
                    if e[1] == "PR":
                        header = _PAYER
                        payment[P_PAYER] = e
                    elif e[1] == "PE":
                        header = _PAYEE
                        payment[P_PAYEE] = e
                elif sid == "BPR":
                    digest.update((_FIELD.join(e) + "\x1e").encode())
                    e.extend(_PAD)
                    payment[P_POS] = cursor.position
                    payment[P_BPR] = e
                elif sid == "TRN":
                    digest.update((_FIELD.join(e) + "\x1e").encode())
                    e.extend(_PAD)
                    payment[P_TRN] = e
                elif sid in ENVELOPE_IDS:
                    trailer = e
                    break
            except IndexError:
                message = f"{sid} has too few elements; skipped"
                current = clm01 if claim >= 0 else None
                self.findings.add(env, cursor.position, sid, "SHORT_SEGMENT", message, current)
        tx.close(trailer)
        fingerprint = payment[P_HASH] = digest.hexdigest()
        if fingerprint in self.seen:
            for table, mark in zip(tables, marks, strict=True):
                table.truncate(mark)  # a duplicate is not counted twice
            self.duplicates[pay_index] = True
            message = f"payment {payment[P_TRN][2]} was already read; not counted again"
            self.findings.add(
                env, payment[P_POS], "BPR", "DUPLICATE_TRANSACTION", message, severity="warning"
            )
        self.seen.add(fingerprint)

    def _unexpected(self, env: Envelope, position: int, sid: str) -> None:
        message = f"{sid} outside its loop; skipped"
        self.findings.add(env, position, sid, "UNEXPECTED_SEGMENT", message)

    # -- tables -------------------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        """Convert the collected rows to the six 835 tables, balancing checked."""
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
        return pd.DataFrame(df)

    def _claims(self, payments: pd.DataFrame) -> pd.DataFrame:
        c = self.claims
        pay = np.asarray(c["pay"], dtype=np.int64)
        df = self._trace(pay)
        positions = c["position"]
        clm01s = c["clp01"]
        df["position"] = convert.integers(positions)
        df["claim_seq"] = convert.integers(range(len(c)))
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
        df["adjustment_kind"] = convert.strings(c["kind"])
        self._date(df, "statement_from", c["from"], positions, "DTM", clm01s)
        self._date(df, "statement_to", c["to"], positions, "DTM", clm01s)
        self._date(df, "received_date", c["received"], positions, "DTM", clm01s)
        self._money(df, "interest_cents", c["interest"], positions, "AMT", clm01s)
        df["remark_codes"] = convert.strings([",".join(r) if r else "" for r in c["remarks"]])
        return pd.DataFrame(df)

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
        paid_columns = _procedures(self._composites(paid_as, c["claim"]))
        df["procedure_qualifier"], df["procedure_code"], df["modifiers"] = paid_columns
        if any(c["svc06"]):
            submitted = convert.text(c["svc06"])
            submitted = pc.if_else(pc.equal(submitted, ""), paid_as, submitted)
            paid_columns = _procedures(self._composites(submitted, c["claim"]))
        (df["submitted_qualifier"], df["submitted_code"], df["submitted_modifiers"]) = paid_columns
        self._money(df, "charge_cents", c["svc02"], positions, "SVC", clm01s)
        self._money(df, "paid_cents", c["svc03"], positions, "SVC", clm01s)
        df["revenue_code"] = convert.strings(c["svc04"])
        self._number(df, "units_paid", c["svc05"], positions, "SVC", clm01s)
        self._number(df, "units_submitted", c["svc07"], positions, "SVC", clm01s)
        self._date(df, "service_date_start", c["start"], positions, "DTM", clm01s)
        self._date(df, "service_date_end", c["end"], positions, "DTM", clm01s)
        self._money(df, "allowed_cents", c["allowed"], positions, "AMT", clm01s)
        df["remark_codes"] = convert.strings([",".join(r) if r else "" for r in c["remarks"]])
        return pd.DataFrame(df)

    def _composites(self, values: pa.Array, owners: list[int]) -> pa.ListArray:
        """SVC01/SVC06 composites split on their interchange's component separator.

        With one separator (the usual case) Arrow splits the whole column at once; a file
        mixing interchanges whose ISA16 differ is split row by row.
        """
        separators = self.component_separators
        if len(set(separators)) == 1:
            return pc.split_pattern(values, separators[0])
        pay_of_claim = self.claims["pay"]
        seps = [separators[pay_of_claim[o]] for o in owners]
        parts = [v.split(s) for v, s in zip(values.to_pylist(), seps, strict=True)]
        return pa.array(parts, pa.list_(pa.large_string()))

    def _detail(self, c: _Columns, claims: pd.DataFrame, lines: pd.DataFrame) -> dict:
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
        return pd.DataFrame(df)

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
        return pd.DataFrame(df)

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
        parts = [r.split(seps[p]) for r, p in zip(c["reason"], c["pay"], strict=True)]
        reasons = [p[0] for p in parts]
        df["reason_code"] = convert.strings(reasons)
        df["reason_text"] = self._texts("plb_reason", reasons)
        df["reference"] = convert.strings([p[1] if len(p) > 1 else "" for p in parts])
        self._money(df, "amount_cents", c["amount"], positions, "PLB")
        return pd.DataFrame(df)

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
        lines["line_status"] = _line_status(lines)
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
                    "severity": "error",
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
        convert.strings(pc.list_element(parts, 0)),
        convert.strings(pc.binary_join(pc.list_slice(parts, 1, 2), _EMPTY)),
        convert.strings(pc.utf8_trim(modifiers, ",")),
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


def _line_status(lines: pd.DataFrame) -> pd.api.extensions.ExtensionArray:
    """paid, reduced, denied (charge but no payment) or reversed (negative charge)."""
    charge, paid = lines["charge_cents"], lines["paid_cents"]
    status = np.full(len(lines), "paid", dtype=object)
    status[(paid < charge).fillna(False).to_numpy(dtype=bool)] = "reduced"
    status[((paid == 0) & (charge > 0)).fillna(False).to_numpy(dtype=bool)] = "denied"
    status[(charge < 0).fillna(False).to_numpy(dtype=bool)] = "reversed"
    status[(paid.isna() | charge.isna()).to_numpy()] = ""
    return convert.strings(status.tolist())
