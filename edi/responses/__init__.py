"""What came back: TA1, 999, 277CA and 835 files as tidy pandas tables.

Public API::

    parse_any(source, name="<input>", *, texts, seen=frozenset(), kinds=KINDS)
        -> ResponseTables
    parse_835(source, name, *, texts, seen=frozenset()); parse_277ca; parse_999; parse_ta1
    CodeTexts       # the code-text lookup the readers take (mappings.code_texts loads one)
    claim_events(tables, lookup), verdicts(tables, lookup)  # what a file means, per claim
    ResponseTables  # acks, ack_errors, claim_status, line_status, payments, claims, lines,
                    # adjustments, remarks, provider_adjustments, findings (DataFrames)
    SCHEMAS         # table name -> ((column, dtype, meaning), ...)
    claim_totals(claims) -> DataFrame      # net paid per CLM01 over several 835s
    fingerprints(tables) -> set[str]; is_duplicate(fp, seen); drop_duplicates(tables, seen)

Money is integer cents in ``Int64`` columns named ``*_cents``; see
:mod:`edi.responses.tables` and ``docs/tables.md`` for every column.  Pure: callers open
files and pass the code texts (:func:`mappings.code_texts.bundled_code_texts`).
"""

from edi.responses.codes import CodeTexts
from edi.responses.duplicates import drop_duplicates, fingerprints, is_duplicate
from edi.responses.events import claim_events, response_kind, verdicts
from edi.responses.parse import (
    KINDS,
    kind_of,
    parse_277ca,
    parse_835,
    parse_999,
    parse_any,
    parse_ta1,
)
from edi.responses.tables import SCHEMAS, ResponseTables
from edi.responses.totals import claim_totals

__all__ = [
    "KINDS",
    "SCHEMAS",
    "CodeTexts",
    "ResponseTables",
    "claim_events",
    "claim_totals",
    "drop_duplicates",
    "fingerprints",
    "is_duplicate",
    "kind_of",
    "parse_277ca",
    "parse_835",
    "parse_999",
    "parse_any",
    "parse_ta1",
    "response_kind",
    "verdicts",
]
