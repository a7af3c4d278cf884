"""Response files read into tables as the ingest flow reads them."""

from __future__ import annotations

from edi.responses.parse import parse_any
from edi.responses.tables import ResponseTables
from mappings.code_texts import bundled_code_texts

TEXTS = bundled_code_texts()


def parse(*files: tuple[str, str]) -> ResponseTables:
    """Parse ``(name, text)`` files into one set of tables, as the ingest flow does."""
    return ResponseTables.concat(parse_any(text, name, texts=TEXTS) for name, text in files)
