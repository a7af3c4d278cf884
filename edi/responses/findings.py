"""Findings about response files: what could not be trusted, said once, with its place.

A finding here is the columnar form of :class:`edi.findings.Finding`, the one shape the
claim checks produce too: code (the rule ID), level, severity, owner, message, fix, and
where (file, envelope, position, segment, claim); :func:`findings_of` turns the rows
into records.  A response parser never crashes on content (only on input that is not X12 at all, see
:class:`edi.x12.reader.X12ParseError`): an unbalanced claim, an unreadable amount or a
wrong SE01 becomes a finding row, and the number it concerns becomes null or keeps its
row flag (``balanced = False``).  Messages carry control numbers, CLM01s, codes and
amounts only; never names, birth dates, member IDs or addresses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

from edi.findings import Finding, Owner, Severity
from edi.responses.tables import FINDINGS, conform, empty
from edi.x12.reader import ENVELOPE_CODES, EnvelopeFinding, Transaction


@dataclass(frozen=True, slots=True)
class Check:
    """What a response finding's code means, at which level, and who fixes it how."""

    meaning: str
    level: int
    """1: the file and its envelope; 2: a segment or value in it."""
    owner: Owner
    fix: str


_ASK_RESEND = "Ask the sender (clearinghouse or payer) for a corrected file"
_ASK_PAYER = "Call the payer with the TRN and claim number before posting this amount"
CODES: dict[str, Check] = {
    "BAD_AMOUNT": Check(
        "an amount is not a decimal with at most two places; it is left empty",
        2, "billing", _ASK_PAYER),
    "BAD_DATE": Check(
        "a date is not a valid CCYYMMDD; it is left empty", 2, "billing", _ASK_RESEND),
    "BAD_NUMBER": Check(
        "a quantity is not a decimal number; it is left empty", 2, "billing", _ASK_RESEND),
    "SHORT_SEGMENT": Check(
        "a segment lacks elements the guide requires; it was skipped", 2, "ops", _ASK_RESEND),
    "UNEXPECTED_SEGMENT": Check(
        "a segment appears where the guide does not allow it; it was skipped",
        2, "ops", _ASK_RESEND),
    "BALANCE_LINE": Check(
        "service line does not balance: SVC02 - sum CAS != SVC03", 2, "billing", _ASK_PAYER),
    "BALANCE_CLAIM": Check(
        "claim does not balance: CLP03 - sum CAS != CLP04", 2, "billing", _ASK_PAYER),
    "BALANCE_PAYMENT": Check(
        "payment does not balance: BPR02 != sum CLP04 - sum PLB", 2, "billing", _ASK_PAYER),
    "DUPLICATE_TRANSACTION": Check(
        "the same 835 was already read; its rows are not counted again", 1, "ops",
        "Nothing to do: the payment was counted once"),
    "NOT_A_RESPONSE": Check(
        "transaction set is not a TA1, 999, 277CA or 835; it was skipped", 1, "ops",
        "Route this kind of file elsewhere, or ask the clearinghouse not to send it here"),
    "WRONG_KIND": Check(
        "transaction set is of another kind than the one asked for; it was skipped", 1, "ops",
        "Read the file as the kind it is (parse_any reads every kind)"),
    **{
        code: Check(meaning, 1, "ops", _ASK_RESEND + "; the rows read are kept")
        for code, meaning in ENVELOPE_CODES.items()
    },
}  # fmt: skip
"""Every code a response finding carries (envelope codes come from the reader)."""
_OTHER = Check("", 1, "ops", _ASK_RESEND)


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
        severity: Severity = "reject",
    ) -> None:
        self.rows.append((*env, position, segment_id, clm01, code, severity, message))

    def envelope(self, found: Iterable[EnvelopeFinding]) -> None:
        """Take over the reader's envelope findings (SE01 counts, control numbers...)."""
        for f in found:
            env = Envelope(f.source, f.isa13, f.gs06, f.st02)
            self.add(env, f.position, f.segment_id, f.code, f.message, severity="warn")

    def add_frame(self, frame: pd.DataFrame) -> None:
        """Many findings at once (a column of unbalanced claims), built vectorised."""
        if len(frame):
            self.frames.append(conform(frame, FINDINGS))

    def frame(self) -> pd.DataFrame:
        names = [name for name, _, _ in FINDINGS if name not in _FROM_CODE]
        parts = list(self.frames)
        if self.rows:
            parts.insert(0, conform(pd.DataFrame(self.rows, columns=names), FINDINGS))
        if not parts:
            return empty(FINDINGS)
        table = pd.concat(parts, ignore_index=True)
        checks = [CODES.get(code, _OTHER) for code in table["code"]]
        for column in _FROM_CODE:
            table[column] = [getattr(check, column) for check in checks]
        return conform(table, FINDINGS)


_FROM_CODE = ("level", "owner", "fix")
"""Columns of the findings table that follow from the code (see :data:`CODES`)."""


def findings_of(table: pd.DataFrame) -> list[Finding]:
    """The rows of a ``findings`` table as :class:`~edi.findings.Finding` records, the one
    shape the claim checks produce too (``source`` is ``file#position``)."""
    found = []
    for row in table.itertuples(index=False):
        position = "" if pd.isna(row.position) else f"#{row.position}"
        found.append(
            Finding(
                rule_id=row.code,
                level=int(row.level),
                severity=row.severity,
                owner=row.owner,
                message=row.message,
                fix=row.fix,
                segment=None if pd.isna(row.segment_id) else row.segment_id,
                encounter_id=None if pd.isna(row.clm01) else row.clm01,
                source=f"{row.source}{position}",
            )
        )
    return found
