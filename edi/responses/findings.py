"""Findings about response files: what could not be trusted, said once, with its place.

A response parser never crashes on content (only on input that is not X12 at all, see
:class:`edi.x12.reader.X12ParseError`): an unbalanced claim, an unreadable amount or a
wrong SE01 becomes a finding row, and the number it concerns becomes null or keeps its
row flag (``balanced = False``).  Messages carry control numbers, CLM01s, codes and
amounts only; never names, birth dates, member IDs or addresses.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import pandas as pd

from edi.responses.tables import FINDINGS, conform, empty
from edi.x12.reader import EnvelopeFinding, Transaction

CODES = {
    "BAD_AMOUNT": "an amount is not a decimal with at most two places; it is left empty",
    "BAD_DATE": "a date is not a valid CCYYMMDD; it is left empty",
    "BAD_NUMBER": "a quantity is not a decimal number; it is left empty",
    "SHORT_SEGMENT": "a segment lacks elements the guide requires; it was skipped",
    "UNEXPECTED_SEGMENT": "a segment appears where the guide does not allow it; it was skipped",
    "BALANCE_LINE": "service line does not balance: SVC02 - sum CAS != SVC03",
    "BALANCE_CLAIM": "claim does not balance: CLP03 - sum CAS != CLP04",
    "BALANCE_PAYMENT": "payment does not balance: BPR02 != sum CLP04 - sum PLB",
    "DUPLICATE_TRANSACTION": "the same 835 was already read; its rows are not counted again",
    "NOT_A_RESPONSE": "transaction set is not a TA1, 999, 277CA or 835; it was skipped",
    "WRONG_KIND": "transaction set is of another kind than the one asked for; it was skipped",
}
"""Codes of findings raised by the response parsers (envelope codes come from the reader)."""


class Envelope(NamedTuple):
    """The trace columns every row of a transaction shares."""

    source: str
    isa13: str
    gs06: str
    st02: str

    @classmethod
    def of(cls, tx: Transaction) -> Envelope:
        return cls(tx.source, tx.isa13, tx.gs06, tx.st02)


class Findings:
    """Collects finding rows while files are read; :meth:`frame` makes the table."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self.frames: list[pd.DataFrame] = []

    def add(
        self,
        env: Envelope,
        position: int | None,
        segment_id: str | None,
        code: str,
        message: str,
        clm01: str | None = None,
        severity: str = "error",
    ) -> None:
        self.rows.append((*env, position, segment_id, clm01, code, severity, message))

    def envelope(self, found: Iterable[EnvelopeFinding]) -> None:
        """Take over the reader's envelope findings (SE01 counts, control numbers...)."""
        for f in found:
            env = Envelope(f.source, f.isa13, f.gs06, f.st02)
            self.add(env, f.position, f.segment_id, f.code, f.message, severity="warning")

    def add_frame(self, frame: pd.DataFrame) -> None:
        """Many findings at once (a column of unbalanced claims), built vectorised."""
        if len(frame):
            self.frames.append(conform(frame, FINDINGS))

    def frame(self) -> pd.DataFrame:
        names = [name for name, _, _ in FINDINGS]
        parts = list(self.frames)
        if self.rows:
            parts.insert(0, conform(pd.DataFrame(self.rows, columns=names), FINDINGS))
        if not parts:
            return empty(FINDINGS)
        return conform(pd.concat(parts, ignore_index=True), FINDINGS)
