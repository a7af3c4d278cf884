"""835 remittances (005010X221A1) as payments, claims, lines, adjustments, remarks and PLB.

Reading is columnar: the reader hands over each transaction set as blocks of many
segments (:meth:`edi.x12.reader.Transaction.blocks`), and the loops of the guide
(header, claim, service line) are found for all segments at once, by running markers
over the segment IDs: the claim of a segment is the last CLP before it, unless an LX, a
PLB or a new transaction set came in between; its line is the last SVC after that CLP.
Each table's elements are then taken as whole Arrow columns, and amounts stay text
until whole columns are converted (see :mod:`.convert`).  No per-segment Python runs
but for the few header segments (BPR, TRN, N1...), so a remittance of millions of
segments reads at a good fraction of the speed of merely splitting its text.

Segments are read in batches of about :data:`BATCH_SEGMENTS` (several small transaction
sets make one batch); a claim or line still open at the end of a batch goes on in the
next, and columns that later segments set (a line's dates, a claim's remarks) are made
once everything is read.  Memory holds one batch and the rows.

Every CLP becomes a claim row, with or without service lines; a PLB-only remittance is a
payment with provider adjustments and no claims.

Reversals and corrections: a CLP with CLP02 ``22`` is a reversal (its amounts are
negative); a later CLP for the same CLP01 in the same transaction is its correction.
Both are rows; summing ``paid_cents`` per CLM01 over every remittance gives what was
really paid (:func:`edi.responses.totals.claim_totals`).

The tables themselves (cents, dates, texts, balancing) are made from the collected
columns by :mod:`.remit_tables`.

Segments out of their loop (a CAS before any CLP, an LQ outside a service line...) and
segments lacking an element the reader needs are skipped with a finding.

Tables and columns: :data:`edi.responses.tables.PAYMENTS`, ``CLAIMS``, ``LINES``,
``ADJUSTMENTS``, ``REMARKS``, ``PROVIDER_ADJUSTMENTS``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from edi.responses.codes import CodeTexts
from edi.responses.findings import Envelope, Findings
from edi.responses.remit_tables import (
    P_BPR,
    P_DTM405,
    P_HASH,
    P_PAYEE,
    P_PAYER,
    P_POS,
    P_REF2U,
    P_TJ,
    P_TRN,
    RemitTables,
)
from edi.x12.blocks import SegmentBlock
from edi.x12.reader import Transaction

BATCH_SEGMENTS = 1 << 15
"""Segments read per batch: enough that Arrow's per-call cost vanishes, few enough that
a chunk of a large file is read alone, without joining chunks (measured: 1 << 18 was
about 7% slower)."""

_PAD = [""] * 20
_HEADER, _PAYER, _PAYEE = 0, 1, 2
_FIELD = pa.scalar("\x1f", pa.large_string())  # joins elements in the fingerprint
_REVERSAL = "22"
_MIA_REMARKS = (5, 20, 21, 22, 23)
_MOA_REMARKS = (3, 4, 5, 6, 7)
_CAS_TRIPLES = (2, 5, 8, 11, 14, 17)
_PLB_PAIRS = (3, 5, 7, 9, 11, 13)
_FINGERPRINTED = ("CLP", "PLB", "N1", "BPR", "TRN")
_COMMA, _EMPTY = (pa.scalar(text, pa.large_string()) for text in (",", ""))

_ORIGINS = pa.array(["LQ", "MOA", "MIA"], pa.large_string())  # of remark rows
_HE = pa.scalar("HE", pa.large_string())

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
_LATER = {
    "claims": (("from", False), ("to", False), ("received", False), ("interest", False),
               ("remarks", True)),
    "lines": (("start", False), ("end", False), ("ref", False), ("allowed", False),
              ("remarks", True)),
}  # fmt: skip
"""Columns set by segments after the row's own (see ``RemitReader._defer``), and whether
their values are joined (remark codes) rather than the last one kept."""
_NUMBERS = frozenset({"pay", "position", "claim", "line", "line_no", "kind"})
"""Columns held as NumPy integers (row indices, positions); the others are Arrow text."""


class _Rows:
    """The rows of one table as they are read: per column, the arrays of each batch."""

    def __init__(self) -> None:
        self.parts: dict[str, list] = {}

    def add(self, **columns) -> None:
        for name, values in columns.items():
            self.parts.setdefault(name, []).append(values)

    def columns(self, names: tuple[str, ...]) -> dict:
        """Every column joined over the batches (empty columns for a table never seen)."""
        out = {}
        for name in names:
            parts = self.parts.get(name, [])
            if name in _NUMBERS:
                out[name] = np.concatenate(parts) if parts else np.zeros(0, np.int64)
            else:
                out[name] = pa.concat_arrays(parts) if parts else pa.array([], pa.large_string())
        return out


@dataclass(slots=True)
class _Open:
    """The loops open at the end of the last batch, for the batch that continues them."""

    pay: int = -1
    claim: int = -1  # claim row, -1 outside a claim
    line: int = -1  # line row, -1 outside a line
    line_no: int = 0  # lines read so far in the open claim
    header: int = _HEADER
    clm01: str | None = None


@dataclass(eq=False, slots=True)
class _Batch:
    """One batch of segments and the loop each is in (see ``RemitReader._loops``)."""

    block: SegmentBlock
    pay: np.ndarray  # payment of each segment
    claim: np.ndarray  # claim row of each segment, -1 outside a claim
    line: np.ndarray  # line row of each segment, -1 outside a service line
    mark: np.ndarray  # the last CLP, LX, PLB or payment start, -1 before the first
    svc_seen: np.ndarray  # SVCs inside claims so far in the batch
    open_lines: int  # lines the claim left open by the last batch already had
    header: Callable[[np.ndarray], np.ndarray]
    unexpected: np.ndarray  # segments outside their loop
    short: np.ndarray  # segments lacking an element the reader needs
    claim_rows: np.ndarray  # the CLPs
    line_rows: np.ndarray  # the SVCs inside a claim

    @property
    def in_claim(self) -> np.ndarray:
        return self.claim >= 0

    @property
    def in_line(self) -> np.ndarray:
        return self.line >= 0

    @property
    def claims(self) -> int:
        return len(self.claim_rows)

    @property
    def lines(self) -> int:
        return len(self.line_rows)

    def lines_in_claim(self, rows: np.ndarray) -> np.ndarray:
        """Service lines so far in the claim of each of ``rows`` (its own included)."""
        mark = self.mark[rows]
        since = self.svc_seen[np.maximum(mark, 0)]
        return np.where(
            mark >= 0, self.svc_seen[rows] - since, self.open_lines + self.svc_seen[rows]
        )


class _Multiset:
    """An order-free digest of segments: the sums of each one's keyed 64-bit hash and of
    its square (mod 2**64), and their count.

    Adding the same segments in any order, in any batches, gives the same fingerprint.
    """

    __slots__ = ("count", "sums")

    def __init__(self) -> None:
        self.count = 0
        self.sums = [0, 0]

    def add(self, texts: np.ndarray) -> None:
        hashes = pd.util.hash_array(texts, hash_key=_HASH_KEY, categorize=False)
        for n, values in enumerate((hashes, hashes * hashes)):  # uint64: wraps mod 2**64
            self.sums[n] = (self.sums[n] + int(values.sum(dtype=np.uint64))) % _WRAP
        self.count += len(texts)

    def fingerprint(self) -> str:
        text = f"{self.sums[0]:016x}{self.sums[1]:016x}{self.count}"
        return hashlib.sha256(text.encode()).hexdigest()


_HASH_KEY = "835-fingerprints"  # 16 characters: a SipHash key
_WRAP = 1 << 64


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
        self.component_separators: list[str] = []  # per payment: ISA16 of its interchange
        self.element_separators: list[str] = []
        self.duplicates: list[bool] = []
        self._digests: list = []
        self._reversed: dict[int, set[str]] = {}  # CLP01s reversed so far, per payment
        self._open = _Open()
        self._finished = 0  # payments whose fingerprint is known
        self._pending: list[tuple[SegmentBlock, int]] = []
        self._pending_segments = 0
        self._cursor = None  # the reader whose ID codes the pending blocks use
        self._codes: dict[str, int] = {}
        self._rows = {name: _Rows() for name in ("claims", "lines", "adjustments", "remarks")}
        self._rows["plb"] = _Rows()
        self._later: dict[tuple[str, str], tuple[list, list]] = {}
        self._claim_count = 0
        self._line_count = 0

    # -- reading ------------------------------------------------------------------------
    def add(self, tx: Transaction) -> None:
        """Read one 835 transaction set; small ones wait to be read with the next."""
        if tx.cursor is not self._cursor:
            self._flush()
            self._cursor = tx.cursor
            self._codes = {}
        pay = len(self.payments)
        self.envelopes.append(Envelope.of(tx))
        self.component_separators.append(tx.delimiters.component)
        self.element_separators.append(tx.delimiters.element)
        self.payments.append(
            [tx.st.position if tx.st else None, _PAD, _PAD, "", _PAD, "", _PAD, "", ""]
        )
        self.duplicates.append(False)
        self._digests.append(_Multiset())
        for block in tx.blocks():
            self._pending.append((block, pay))
            self._pending_segments += len(block)
            if self._pending_segments >= BATCH_SEGMENTS:
                self._flush()

    def _code(self, sid: str) -> int:
        code = self._codes.get(sid)
        if code is None:
            code = self._codes[sid] = self._cursor.code(sid)
        return code

    def _flush(self) -> None:
        """Read the blocks waiting, joined into one batch when there are several."""
        if self._pending:
            block = SegmentBlock.concat([b for b, _ in self._pending])
            sizes = [len(b) for b, _ in self._pending]
            pay = np.repeat(np.array([p for _, p in self._pending], np.int64), sizes)
            self._pending, self._pending_segments = [], 0
            self._read(block, pay)
            self._finish(int(pay[-1]))  # the last payment may go on in the next batch

    def _finish(self, last: int) -> None:
        """Fingerprint the payments before ``last``, all read: a repeat is a duplicate."""
        for pay in range(self._finished, last):
            payment = self.payments[pay]
            fingerprint = payment[P_HASH] = self._digests[pay].fingerprint()
            self._digests[pay] = None
            self._reversed.pop(pay, None)
            if fingerprint in self.seen:
                self.duplicates[pay] = True  # its rows are dropped when tables are made
                message = f"payment {payment[P_TRN][2]} was already read; not counted again"
                self.findings.add(
                    self.envelopes[pay],
                    payment[P_POS],
                    "BPR",
                    "DUPLICATE_TRANSACTION",
                    message,
                    severity="warn",
                )
            self.seen.add(fingerprint)
        self._finished = max(self._finished, last)

    def _defer(self, table: str, column: str, owner: np.ndarray, values: pa.Array, mask) -> None:
        """Keep values for a column set by later segments (a line's DTM, a claim's MOA).

        A claim or line may go on in the next batch, so these columns are made once
        everything is read: per row the last value (dates, amounts) or all of them
        joined (remark codes), in file order.
        """
        owners, parts = self._later.setdefault((table, column), ([], []))
        owners.append(owner[mask])
        parts.append(values.filter(pa.array(mask)))

    # -- one batch ----------------------------------------------------------------------
    def _read(self, b: SegmentBlock, pay: np.ndarray) -> None:
        """Read one batch: the loops found by markers, then each kind of segment."""
        t = self._loops(b, pay)
        clm01 = self._claims_and_lines(t)
        self._dates(t)
        self._references(t)
        self._amounts(t)
        self._adjustments_of(t)
        self._remarks_of(t)
        self._provider_adjustments_of(t)
        self._header_segments(b, pay, t.in_claim)
        self._fingerprint(b, pay)
        self._report_segments(b, pay, t.claim, clm01, t.unexpected, t.short)
        self._open = _Open(
            int(pay[-1]),
            int(t.claim[-1]),
            int(t.line[-1]),
            int(t.lines_in_claim(np.array([len(pay) - 1]))[0]),
            int(t.header(np.array([len(pay) - 1]))[0]),
            self._open.clm01
            if 0 <= t.claim[-1] < self._claim_count
            else self._clm01(clm01, t.claim[-1]),
        )
        self._claim_count += t.claims
        self._line_count += t.lines

    def _loops(self, b: SegmentBlock, pay: np.ndarray) -> _Batch:
        """The claim and service line every segment of the batch is in.

        A segment's claim is the last CLP before it, unless an LX, a PLB or a new
        payment came in between; segments before the batch's first such boundary are in
        the claim the last batch left open.  Its line is the last SVC inside that claim.
        """
        ids = b.ids
        every = np.arange(len(ids))
        was = self._open
        clp, svc, plb = self._is(ids, "CLP"), self._is(ids, "SVC"), self._is(ids, "PLB")
        start = np.r_[pay[0] != was.pay, pay[1:] != pay[:-1]]  # a payment's first segment
        boundary = clp | self._is(ids, "LX") | plb | start
        mark = np.maximum.accumulate(np.where(boundary, every, -1))
        at = np.maximum(mark, 0)
        claim_row = self._claim_count + np.cumsum(clp) - 1
        claim = np.where(mark >= 0, np.where(clp[at], claim_row[at], -1), was.claim)
        in_claim = claim >= 0
        svc_ok = svc & in_claim
        svc_seen = np.cumsum(svc_ok)
        line_row = self._line_count + svc_seen - 1
        line_mark = np.maximum.accumulate(np.where(svc_ok | boundary, every, -1))
        line_at = np.maximum(line_mark, 0)
        line = np.where(line_mark >= 0, np.where(svc_ok[line_at], line_row[line_at], -1), was.line)
        in_line = line >= 0
        unexpected = (svc | self._is(ids, "CAS")) & ~in_claim
        unexpected |= self._is(ids, "LQ") & ~in_line
        unexpected |= (self._is(ids, "MOA") | self._is(ids, "MIA")) & (~in_claim | in_line)
        unexpected |= self._is(ids, "N1") & in_claim
        return _Batch(
            b,
            pay,
            claim,
            line,
            mark,
            svc_seen,
            was.line_no,
            self._header_loop(b, was.header, start, in_claim),
            unexpected,
            np.zeros(len(ids), bool),
            np.flatnonzero(clp),
            np.flatnonzero(svc_ok),
        )

    def _rows_of(self, t: _Batch, sid: str) -> np.ndarray:
        return np.flatnonzero(self._is(t.block.ids, sid))

    def _claims_and_lines(self, t: _Batch) -> pa.Array:
        """A row per CLP and per SVC inside a claim; returns the batch's CLM01s."""
        b = t.block
        claims = dict(zip(CLAIM_COLUMNS[2:11], b.elements(t.claim_rows, range(1, 10)), strict=True))
        lines = dict(zip(LINE_COLUMNS[3:10], b.elements(t.line_rows, range(1, 8)), strict=True))
        clm01 = claims["clp01"]
        self._rows["claims"].add(
            pay=t.pay[t.claim_rows],
            position=b.positions[t.claim_rows],
            kind=self._kinds(clm01, claims["clp02"], t.pay[t.claim_rows]),
            **claims,
        )
        self._rows["lines"].add(
            claim=t.claim[t.line_rows],
            line_no=t.lines_in_claim(t.line_rows),
            position=b.positions[t.line_rows],
            **lines,
        )
        return clm01

    def _dates(self, t: _Batch) -> None:
        """DTM: service dates on lines, statement and received dates on claims."""
        b, count = t.block, t.block.count
        rows = self._rows_of(t, "DTM")
        t.short[rows] |= count[rows] < 3
        rows = rows[count[rows] >= 3]
        qualifier, value = b.elements(rows, (1, 2))
        at_line, at_claim = t.in_line[rows], t.in_claim[rows] & ~t.in_line[rows]
        on = _equals(qualifier, ("472", "150", "151", "232", "233", "050", "405"))
        line, claim = t.line[rows], t.claim[rows]
        self._defer("lines", "start", line, value, at_line & (on["472"] | on["150"]))
        self._defer("lines", "end", line, value, at_line & (on["472"] | on["151"]))
        self._defer("claims", "from", claim, value, at_claim & on["232"])
        self._defer("claims", "to", claim, value, at_claim & on["233"])
        self._defer("claims", "received", claim, value, at_claim & on["050"])
        self._to_payments(rows, ~t.in_claim[rows] & on["405"], t.pay, value, P_DTM405)

    def _references(self, t: _Batch) -> None:
        """REF: the line's 6R; the payer's 2U and the payee's TJ in the header."""
        rows = self._rows_of(t, "REF")
        (qualifier, value), k = t.block.elements(rows, (1, 2)), t.block.count[rows]
        at_line, at_header, loop = t.in_line[rows], ~t.in_claim[rows], t.header(rows)
        is_6r = _equal(qualifier, "6R")
        wanted = ((loop == _PAYER) & _equal(qualifier, "2U")) | (
            (loop == _PAYEE) & _equal(qualifier, "TJ")
        )
        t.short[rows] |= at_line & ((k < 2) | (is_6r & (k < 3)))
        t.short[rows] |= at_header & (loop != _HEADER) & ((k < 2) | (wanted & (k < 3)))
        self._defer("lines", "ref", t.line[rows], value, at_line & is_6r & (k >= 3))
        ok = at_header & wanted & (k >= 3)
        self._to_payments(rows, ok & (loop == _PAYER), t.pay, value, P_REF2U)
        self._to_payments(rows, ok & (loop == _PAYEE), t.pay, value, P_TJ)

    def _amounts(self, t: _Batch) -> None:
        """AMT: the line's allowed amount (B6), the claim's interest (I)."""
        rows = self._rows_of(t, "AMT")
        (qualifier, value), k = t.block.elements(rows, (1, 2)), t.block.count[rows]
        at_line, at_claim = t.in_line[rows], t.in_claim[rows] & ~t.in_line[rows]
        is_b6, is_i = _equal(qualifier, "B6"), _equal(qualifier, "I")
        t.short[rows] |= at_line & ((k < 2) | (is_b6 & (k < 3)))
        t.short[rows] |= at_claim & ((k < 2) | (is_i & (k < 3)))
        self._defer("lines", "allowed", t.line[rows], value, at_line & is_b6 & (k >= 3))
        self._defer("claims", "interest", t.claim[rows], value, at_claim & is_i & (k >= 3))

    def _adjustments_of(self, t: _Batch) -> None:
        """CAS: one adjustment per group/reason/amount/quantity triple that is there."""
        b, count = t.block, t.block.count
        rows = self._rows_of(t, "CAS")
        rows = rows[t.in_claim[rows]]
        t.short[rows] |= count[rows] < 2
        segs, k = _pairs(rows[count[rows] >= 2], count, _CAS_TRIPLES)
        reason = b.pick(segs, k)
        kept = ~_equal(reason, "")
        segs, k = segs[kept], k[kept]
        self._rows["adjustments"].add(
            claim=t.claim[segs],
            line=t.line[segs],
            position=b.positions[segs],
            group=b.pick(segs, 1),
            carc=reason.filter(pa.array(kept)),
            amount=b.pick(segs, k + 1),
            quantity=b.pick(segs, k + 2),
        )

    def _remarks_of(self, t: _Batch) -> None:
        """LQ on lines, MOA/MIA remark codes on claims, in the order they were written."""
        b, count = t.block, t.block.count
        rows = self._rows_of(t, "LQ")
        rows = rows[t.in_line[rows]]
        t.short[rows] |= count[rows] < 3
        rows = rows[count[rows] >= 3]
        at_claim = t.in_claim & ~t.in_line
        moa, mia = self._rows_of(t, "MOA"), self._rows_of(t, "MIA")
        moa = _pairs(moa[at_claim[moa]], count, _MOA_REMARKS)
        mia = _pairs(mia[at_claim[mia]], count, _MIA_REMARKS)
        segs = np.concatenate((rows, moa[0], mia[0]))
        k = np.concatenate((np.full(len(rows), 2), moa[1], mia[1]))
        origin = np.repeat(np.arange(3), (len(rows), len(moa[0]), len(mia[0])))
        order = np.lexsort((k, segs))
        segs, k, origin = segs[order], k[order], origin[order]
        code = b.pick(segs, k)
        kept = (origin == 0) | ~_equal(code, "")  # every LQ is a row, even an empty one
        segs, origin, code = segs[kept], origin[kept], code.filter(pa.array(kept))
        qualifier = pc.if_else(pa.array(origin == 0), b.pick(segs, 1), _HE)
        self._defer("lines", "remarks", t.line[segs], code, (origin == 0) & _equal(qualifier, "HE"))
        self._defer("claims", "remarks", t.claim[segs], code, origin > 0)
        self._rows["remarks"].add(
            claim=t.claim[segs],
            line=t.line[segs],
            position=b.positions[segs],
            origin=pc.take(_ORIGINS, origin),
            qualifier=qualifier,
            code=code,
        )

    def _provider_adjustments_of(self, t: _Batch) -> None:
        """PLB: one row per reason/amount pair that is there."""
        b = t.block
        segs, k = _pairs(self._rows_of(t, "PLB"), b.count, _PLB_PAIRS)
        reason, amount = b.pick(segs, k), b.pick(segs, k + 1)
        kept = ~(_equal(reason, "") & _equal(amount, ""))
        segs, kept_rows = segs[kept], pa.array(kept)
        self._rows["plb"].add(
            pay=t.pay[segs],
            position=b.positions[segs],
            provider=b.pick(segs, 1),
            date=b.pick(segs, 2),
            reason=reason.filter(kept_rows),
            amount=amount.filter(kept_rows),
        )

    def _clm01(self, clm01: pa.Array, claim: int) -> str | None:
        """CLM01 of claim row ``claim`` of the batch being read (None for -1)."""
        return clm01[claim - self._claim_count].as_py() if claim >= 0 else None

    def _is(self, ids: np.ndarray, sid: str) -> np.ndarray:
        return ids == self._code(sid)

    def _header_loop(self, b: SegmentBlock, header: int, start: np.ndarray, in_claim: np.ndarray):
        """Which header loop segments are in: after N1*PR the payer's, after N1*PE the
        payee's (REF*2U and REF*TJ are read there).  ``header`` is the loop left open
        by the last batch; a new payment starts outside both.  Returns a function of
        segment numbers, since only a few segments (the REFs) need the answer.
        """
        n1 = np.flatnonzero(self._is(b.ids, "N1") & ~in_claim)
        entity = b.element(n1, 1)
        loop = np.full(len(n1), -1)
        loop[_equal(entity, "PR")], loop[_equal(entity, "PE")] = _PAYER, _PAYEE
        starts = np.flatnonzero(start)
        at = np.concatenate(([-1], starts, n1[loop >= 0]))
        value = np.concatenate(([header], np.full(len(starts), _HEADER), loop[loop >= 0]))
        order = np.argsort(at, kind="stable")  # at a shared place the N1 comes last: it wins
        at, value = at[order], value[order]
        return lambda rows: value[np.searchsorted(at, rows, side="right") - 1]

    def _header_segments(self, b: SegmentBlock, pay: np.ndarray, in_claim: np.ndarray) -> None:
        """BPR, TRN and the payer's and payee's N1: a few per payment, read one by one."""
        wanted = self._is(b.ids, "BPR") | self._is(b.ids, "TRN")
        wanted |= self._is(b.ids, "N1") & ~in_claim
        vocabulary = self._cursor.vocabulary
        for row in np.flatnonzero(wanted).tolist():
            elements = b.elements_of(row)
            sid = elements[0] = vocabulary[b.ids[row]]
            payment = self.payments[pay[row]]
            elements.extend(_PAD)
            if sid == "BPR":
                payment[P_POS], payment[P_BPR] = int(b.positions[row]), elements
            elif sid == "TRN":
                payment[P_TRN] = elements
            elif elements[1] == "PR":
                payment[P_PAYER] = elements
            elif elements[1] == "PE":
                payment[P_PAYEE] = elements

    def _to_payments(self, rows, mask, pay, values: pa.Array, field: int) -> None:
        """Header values (DTM*405, REF*2U, REF*TJ) onto their payments; the last one wins."""
        for i in np.flatnonzero(mask).tolist():
            self.payments[pay[rows[i]]][field] = values[i].as_py()

    def _kinds(self, clm01: pa.Array, clp02: pa.Array, pays: np.ndarray) -> np.ndarray:
        """Per claim: original (0), reversal (1, CLP02 22) or correction (2): a claim
        whose CLP01 an earlier reversal in the same payment reversed."""
        kinds = np.where(_equal(clp02, _REVERSAL), 1, 0).astype(np.int8)
        if not kinds.any() and not self._reversed:
            return kinds
        for i, (clm, p) in enumerate(zip(clm01.to_pylist(), pays.tolist(), strict=True)):
            reversed_ids = self._reversed.setdefault(p, set())
            if kinds[i]:
                reversed_ids.add(clm)
            elif clm in reversed_ids:
                kinds[i] = 2
        return kinds

    def _fingerprint(self, b: SegmentBlock, pay: np.ndarray) -> None:
        """Add each payment's CLP, PLB, N1, BPR and TRN segments to its fingerprint.

        Each segment is its elements joined by ``\\x1f`` (whatever the file's separator)
        and goes into an order-free digest (:class:`_Multiset`): the same payment with its
        claims in another order, or under other envelope numbers, delimiters or line
        breaks, has the same fingerprint.
        """
        wanted = np.zeros(len(pay), bool)
        for sid in _FINGERPRINTED:
            wanted |= self._is(b.ids, sid)
        rows = np.flatnonzero(wanted)
        if not len(rows):
            return
        tails = b.tails(rows)
        pays = pay[rows]
        separators = {self.element_separators[p] for p in np.unique(pays).tolist()}
        if len(separators) == 1:
            tails = pc.replace_substring(tails, separators.pop(), _FIELD.as_py())
        else:  # rare: payments of interchanges with different separators in one batch
            of_row = np.array([self.element_separators[p] for p in pays.tolist()], object)
            for separator in separators:
                replaced = pc.replace_substring(tails, separator, _FIELD.as_py())
                tails = pc.if_else(pa.array(of_row == separator), replaced, tails)
        vocabulary = pa.array(self._cursor.vocabulary, pa.large_string())
        names = pc.take(vocabulary, b.ids[rows])
        joined = pc.binary_join_element_wise(names, tails, _FIELD)
        records = pc.if_else(pa.array(b.count[rows] > 1), joined, names)
        texts = records.to_numpy(zero_copy_only=False)
        bounds = np.flatnonzero(np.r_[True, pays[1:] != pays[:-1], True])
        for low, high in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            self._digests[pays[low]].add(texts[low:high])

    def _report_segments(self, b, pay, claim, clm01, unexpected, short) -> None:
        """Findings for segments out of their loop or lacking elements (rare: one by one)."""
        vocabulary = self._cursor.vocabulary
        for row in np.flatnonzero(unexpected | short).tolist():
            sid = vocabulary[b.ids[row]]
            env, position = self.envelopes[pay[row]], int(b.positions[row])
            if unexpected[row]:
                message = f"{sid} outside its loop; skipped"
                self.findings.add(env, position, sid, "UNEXPECTED_SEGMENT", message)
            else:
                claim_row = int(claim[row])
                current = (
                    self._open.clm01
                    if 0 <= claim_row < self._claim_count
                    else self._clm01(clm01, claim_row)
                )
                message = f"{sid} has too few elements; skipped"
                self.findings.add(env, position, sid, "SHORT_SEGMENT", message, current)

    # -- tables -------------------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        """Convert the collected rows to the six 835 tables, balancing checked."""
        self._flush()
        self._finish(len(self.payments))
        claims, lines, adjustments, remarks, plbs = self._collect()
        return RemitTables(
            self.texts,
            self.findings,
            self.envelopes,
            self.payments,
            self.component_separators,
            self.duplicates,
            claims,
            lines,
            adjustments,
            remarks,
            plbs,
        ).build()

    def _collect(self) -> tuple[dict, dict, dict, dict, dict]:
        """Each table's batches joined; a duplicate payment's rows are dropped here."""
        rows = self._rows
        claims = rows["claims"].columns(CLAIM_COLUMNS[:12])
        lines = rows["lines"].columns(LINE_COLUMNS[:10])
        for table, columns in (("claims", claims), ("lines", lines)):
            size = len(columns["position"])
            for column, join in _LATER[table]:
                owners, parts = self._later.get((table, column), ([], []))
                owner = np.concatenate(owners) if owners else np.zeros(0, np.int64)
                values = pa.concat_arrays(parts) if parts else pa.array([], pa.large_string())
                columns[column] = (_joined if join else _last)(owner, values, size)
        adjustments = rows["adjustments"].columns(ADJUSTMENT_COLUMNS)
        remarks = rows["remarks"].columns(REMARK_COLUMNS)
        plbs = rows["plb"].columns(PLB_COLUMNS)
        duplicate = np.asarray(self.duplicates, bool)
        if duplicate.any():
            kept_claims = ~duplicate[claims["pay"]]
            kept_lines = kept_claims[lines["claim"]]
            claim_index = np.cumsum(kept_claims) - 1
            line_index = np.cumsum(kept_lines) - 1
            claims = _keep(claims, kept_claims)
            lines = _keep(lines, kept_lines)
            lines["claim"] = claim_index[lines["claim"]]
            for detail in (adjustments, remarks):
                kept = _keep(detail, kept_claims[detail["claim"]])
                kept["claim"] = claim_index[kept["claim"]]
                on_line = kept["line"] >= 0
                kept["line"][on_line] = line_index[kept["line"][on_line]]
                detail.update(kept)
            plbs = _keep(plbs, ~duplicate[plbs["pay"]])
        return claims, lines, adjustments, remarks, plbs


def _keep(columns: dict, mask: np.ndarray) -> dict:
    """The rows of a table's columns (NumPy or Arrow) where ``mask``."""
    arrow_mask = pa.array(mask)
    return {
        name: values[mask] if isinstance(values, np.ndarray) else values.filter(arrow_mask)
        for name, values in columns.items()
    }


def _equal(values: pa.Array, text: str) -> np.ndarray:
    """Where a text column equals ``text``, as a NumPy mask."""
    return pc.equal(values, text).to_numpy(zero_copy_only=False)


def _equals(values: pa.Array, texts: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Where a text column equals each of ``texts``: its few distinct values compared once."""
    encoded = values.dictionary_encode()
    index = encoded.indices.to_numpy(zero_copy_only=False)
    words = encoded.dictionary.to_pylist()
    return {
        t: index == words.index(t) if t in words else np.zeros(len(values), bool) for t in texts
    }


def _last(owner: np.ndarray, values: pa.Array, size: int) -> pa.Array:
    """Per owner row (0..size-1), its last value in file order; '' for none.

    Later segments overwrite earlier ones (a second DTM*472 wins), as in the file.
    """
    slot = np.full(size, -1, np.int64)
    np.maximum.at(slot, owner, np.arange(len(owner)))
    index = pa.array(slot, mask=slot < 0)
    return pc.fill_null(pc.take(values, index), _EMPTY)


def _joined(owner: np.ndarray, codes: pa.Array, size: int) -> pa.Array:
    """Per owner row, its codes joined by commas in file order ('' for none).

    Owners ascend with the file, so each owner's codes are one run: a list array over
    the codes, with offsets from the counts, joins them without a loop.
    """
    offsets = np.concatenate(([0], np.cumsum(np.bincount(owner, minlength=size))))
    lists = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), codes)
    return pc.binary_join(lists, _COMMA)


def _pairs(rows: np.ndarray, count: np.ndarray, ks: tuple[int, ...]) -> tuple:
    """(segment, element) pairs for the element numbers ``ks`` each of ``rows`` has.

    The repeating parts of a segment (CAS triples, MOA remarks, PLB pairs) become one
    row each; pairs come in file order: by segment, then by element.
    """
    has = count[rows][None, :] > np.asarray(ks)[:, None]
    segs = np.broadcast_to(rows, has.shape)[has]
    k = np.broadcast_to(np.asarray(ks)[:, None], has.shape)[has]
    order = np.lexsort((k, segs))
    return segs[order], k[order]
