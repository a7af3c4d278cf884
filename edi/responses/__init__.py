"""What came back: TA1, 999, 277CA and 835 files as tidy pandas tables.

Public API::

    parse_any(source, name="<input>", texts=None, seen=frozenset(), kinds=KINDS)
        -> ResponseTables
    parse_835(source, name, texts=None, seen=frozenset()); parse_277ca; parse_999; parse_ta1
    ResponseTables  # acks, ack_errors, claim_status, line_status, payments, claims, lines,
                    # adjustments, remarks, provider_adjustments, findings (DataFrames)
    SCHEMAS         # table name -> ((column, dtype, meaning), ...)
    claim_totals(claims) -> DataFrame      # net paid per CLM01 over several 835s
    fingerprints(tables) -> set[str]; is_duplicate(fp, seen); drop_duplicates(tables, seen)

Money is integer cents in ``Int64`` columns named ``*_cents``; see
:mod:`edi.responses.tables` and ``docs/tables.md`` for every column.  Pure: callers open
files; the only data read here are the code texts of :mod:`mappings.code_texts`.
"""

from edi.responses.duplicates import drop_duplicates, fingerprints, is_duplicate
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
    "ResponseTables",
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
]
