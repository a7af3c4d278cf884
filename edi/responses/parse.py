"""Read any response file (TA1, 999, 277CA, 835) into :class:`ResponseTables`.

Dispatch is per transaction set on ST01 (and the guide in ST03/GS08 for the 277, since a
277 claim status response to a 276 is not a 277CA); a TA1 has no ST and is found in the
interchange.  A file may mix kinds and interchanges.  Transaction sets of other kinds
(837, 270...) are skipped with a finding, never an error; only input that is not X12 at
all raises :class:`edi.x12.reader.X12ParseError`.

The same 835 delivered twice is detected by its fingerprint (see
:data:`edi.responses.tables.PAYMENTS`): pass the fingerprints already read as ``seen``
and a repeated payment keeps its ``payments`` row, flagged ``duplicate``, while its
claims, lines, adjustments, remarks and PLB rows are not added again.  Within one file
the first delivery counts.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager

from edi.responses.acks import AckReader
from edi.responses.codes import CodeTexts
from edi.responses.findings import Envelope, Findings
from edi.responses.remit835 import RemitReader
from edi.responses.status277 import StatusReader
from edi.responses.tables import ResponseTables
from edi.x12.reader import EnvelopeFinding, Source, Transaction, iter_transactions

KINDS = ("TA1", "999", "277CA", "277", "835")
"""The response kinds, as ``kinds=`` of :func:`parse_any` names them."""
TABLES_OF_KIND = {
    "TA1": ("acks", "ack_errors"),
    "999": ("acks", "ack_errors"),
    "277CA": ("claim_status", "line_status"),
    "277": ("claim_status", "line_status"),
    "835": ("payments", "claims", "lines", "adjustments", "remarks", "provider_adjustments"),
}
"""The tables each kind fills: a file of that kind has all of them, though some be empty
(an 835 paying no claim still has its claims table, with no rows)."""
_NOT_READ = {
    "997": "ST 997 is a 4010 functional acknowledgment, which this reader does not read: its "
    "accepted and rejected transaction sets (AK5/AK9) are not in the tables; ask the "
    "clearinghouse for 999 acknowledgments",
}
"""Why a kind this reader does not know is skipped, where more than "unknown" is owed."""


def kind_of(tx: Transaction) -> str | None:
    """The response kind of a transaction set, or None for anything else."""
    code = tx.code
    if code == "835":
        return "835"
    if code == "999":
        return "999"
    if code == "277":
        return "277" if "X212" in tx.version else "277CA"
    return None


def parse_any(
    source: Source,
    name: str = "<input>",
    *,
    texts: CodeTexts,
    seen: AbstractSet[str] = frozenset(),
    kinds: AbstractSet[str] = frozenset(KINDS),
) -> ResponseTables:
    """Every table of the response file ``source`` (text, bytes or an open stream).

    ``texts`` gives the code descriptions and the 277CA categories' outcomes (the
    bundled tables are :func:`mappings.code_texts.bundled_code_texts`); ``seen`` the 835
    fingerprints already read, whose payments are not counted again; ``kinds`` which
    kinds to read (others are skipped with a ``WRONG_KIND`` finding).
    """
    with _collector_paused():
        return _parse(source, name, texts, seen, kinds)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a file is read.

    Reading a large 277CA or 999 keeps many small lists and tuples alive until the
    tables are built; none of them form cycles, yet the collector would rescan them all
    again and again as they pile up, which made large files several times slower.  Reference
    counting still frees everything; the collector's state is restored afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse(
    source: Source, name: str, texts: CodeTexts, seen: AbstractSet[str], kinds: AbstractSet[str]
) -> ResponseTables:
    findings = Findings()
    envelope_findings: list[EnvelopeFinding] = []
    acks = AckReader(texts, findings)
    statuses = StatusReader(texts, findings)
    remits = RemitReader(texts, findings, seen)
    readers = {"999": acks, "277CA": statuses, "277": statuses, "835": remits}
    # Columns: the 835's reader takes whole columns (the others read either kind).
    for tx in iter_transactions(source, name, envelope_findings, columns=True):
        if tx.st is None:
            _outside(tx, acks if "TA1" in kinds else None, findings)
            continue
        kind = kind_of(tx)
        if kind is None:
            message = _NOT_READ.get(
                tx.code, f"ST {tx.code} {tx.version} is not a response this reader knows; skipped"
            )
            findings.add(
                Envelope.of(tx), tx.st.position, "ST", "NOT_A_RESPONSE", message, severity="warn"
            )
        elif kind not in kinds:
            message = f"ST {tx.code} ({kind}) was not asked for; skipped"
            findings.add(
                Envelope.of(tx), tx.st.position, "ST", "WRONG_KIND", message, severity="warn"
            )
        else:
            readers[kind].add(tx)
    findings.envelope(envelope_findings)
    tables = {}
    for reader, used in (
        (acks, acks.acks or acks.errors),
        (statuses, statuses.claim_rows or statuses.line_rows),
        (remits, remits.payments),
    ):
        if used:  # building empty tables costs more than reading a small file
            tables.update(reader.tables())
    tables["findings"] = findings.frame()
    return ResponseTables.build(tables)


def _outside(tx: Transaction, acks: AckReader | None, findings: Findings) -> None:
    """Segments in an interchange but outside ST/SE: TA1s, or strays worth a finding."""
    for seg in tx:
        if seg.id == "TA1" and acks is not None:
            acks.add_ta1(tx, seg)
        elif seg.id != "TA1":
            message = f"{seg.id} outside any transaction set; skipped"
            findings.add(
                Envelope.of(tx),
                seg.position,
                seg.id,
                "UNEXPECTED_SEGMENT",
                message,
                severity="warn",
            )


def parse_835(
    source: Source,
    name: str = "<input>",
    *,
    texts: CodeTexts,
    seen: AbstractSet[str] = frozenset(),
) -> ResponseTables:
    """Only the 835 remittances of ``source``; see :func:`parse_any`."""
    return parse_any(source, name, texts=texts, seen=seen, kinds=frozenset({"835"}))


def parse_277ca(source: Source, name: str = "<input>", *, texts: CodeTexts) -> ResponseTables:
    """Only the 277CA acknowledgments of ``source``; see :func:`parse_any`."""
    return parse_any(source, name, texts=texts, kinds=frozenset({"277CA"}))


def parse_999(source: Source, name: str = "<input>", *, texts: CodeTexts) -> ResponseTables:
    """Only the 999 acknowledgments of ``source``; see :func:`parse_any`."""
    return parse_any(source, name, texts=texts, kinds=frozenset({"999"}))


def parse_ta1(source: Source, name: str = "<input>", *, texts: CodeTexts) -> ResponseTables:
    """Only the TA1 acknowledgments of ``source``; see :func:`parse_any`."""
    return parse_any(source, name, texts=texts, kinds=frozenset({"TA1"}))
