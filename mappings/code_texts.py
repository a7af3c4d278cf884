"""Plain-English texts for the codes that come back in 999, TA1, 277CA and 835 files.

The bundled tables in ``mappings/codes/KIND.csv`` (``code,text`` plus optional columns) are
the project's own short wording for the codes clinics meet most; they are data people edit.
An official list a user supplies (for example the CARC or RARC list exported from X12/WPC
as CSV) replaces the bundled table of that kind entirely, so what the biller reads is
exactly the official wording.  A code that is in neither shows as ``unknown code X``:
a text lookup never fails, because a new payer code must not stop a remittance posting.

Kinds (file stem = kind): ``carc`` (CAS reason), ``rarc`` (LQ*HE, MOA, MIA remarks),
``claim_status_category`` (277 STC01-1, with an ``outcome`` column), ``claim_status``
(STC01-2), ``entity`` (STC01-3), ``cas_group``, ``clp_status`` (CLP02), ``plb_reason``
(PLB03-1), ``payment_method`` (BPR04), ``ack_status`` (IK501/AK901), ``ik3_error``
(IK304), ``ik4_error`` (IK403), ``ik5_error`` (IK502-506), ``ak9_error`` (AK905-909),
``ta1_status`` (TA104), ``ta1_note`` (TA105).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CODES_DIR = Path(__file__).parent / "codes"
_TEXT_COLUMNS = ("text", "description", "desc", "meaning", "name")


def unknown(code: str) -> str:
    """The text shown for a code no table knows."""
    return f"unknown code {code}"


@dataclass(frozen=True)
class CodeTexts:
    """Code tables by kind: ``texts[kind][code] -> text``, plus any extra columns."""

    texts: Mapping[str, Mapping[str, str]]
    extra: Mapping[str, Mapping[str, Mapping[str, str]]]

    def text(self, kind: str, code: str) -> str:
        """The text of ``code``; ``''`` for an empty code, ``unknown code X`` if unknown."""
        code = code.strip()
        if not code:
            return ""
        found = self.texts.get(kind, {}).get(code)
        return found if found is not None else unknown(code)

    def describe(self, kind: str, codes: Iterable[str], sep: str = "; ") -> str:
        """The texts of several codes joined, e.g. for IK502..IK506."""
        return sep.join(self.text(kind, c) for c in codes if c)

    def column(self, kind: str, name: str) -> Mapping[str, str]:
        """An extra column of a kind's table, e.g. ``column('claim_status_category',
        'outcome')``; empty when the table has no such column."""
        return self.extra.get(kind, {}).get(name, {})

    def kinds(self) -> list[str]:
        return sorted(self.texts)


def read_code_table(path: str | Path) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Read a ``code,text[,more...]`` CSV; a header names the columns.

    Official lists come with different headers (``Code,Description``...), so the code is
    the column named ``code`` (any case) or the first one, and the text the first column
    named text/description/meaning/name, or the second.  Without a header row (the
    first row's first cell is not ``code``) the first two columns are code and text.
    """
    with Path(path).open(encoding="utf-8-sig", newline="") as f:
        rows = [row for row in csv.reader(f) if row and any(cell.strip() for cell in row)]
    if not rows:
        return {}, {}
    header = [cell.strip().lower() for cell in rows[0]]
    if "code" in header:
        code_at = header.index("code")
        text_at = next((header.index(c) for c in _TEXT_COLUMNS if c in header), 1)
        body = rows[1:]
        others = [(i, name) for i, name in enumerate(header) if i not in (code_at, text_at)]
    else:
        code_at, text_at, body, others = 0, 1, rows, []
    texts: dict[str, str] = {}
    extra: dict[str, dict[str, str]] = {name: {} for _, name in others}
    for row in body:
        code = row[code_at].strip() if code_at < len(row) else ""
        if not code:
            continue
        texts[code] = row[text_at].strip() if text_at < len(row) else ""
        for i, name in others:
            extra[name][code] = row[i].strip() if i < len(row) else ""
    return texts, extra


@cache
def bundled_code_texts() -> CodeTexts:
    """The project's own tables, read once per process."""
    return load_code_texts()


def load_code_texts(official: Mapping[str, str | Path] | None = None) -> CodeTexts:
    """The bundled tables, with each kind in ``official`` replaced by the user's file.

    ``official`` maps a kind (``carc``, ``rarc``...) to a CSV path.  An official table
    replaces the bundled one entirely rather than merging: mixed wording would be
    impossible to audit.  Extra columns of the bundled table (such as the 277CA
    ``outcome``) are kept when the official file lacks them.
    """
    texts: dict[str, Mapping[str, str]] = {}
    extra: dict[str, Mapping[str, Mapping[str, str]]] = {}
    for path in sorted(CODES_DIR.glob("*.csv")):
        texts[path.stem], extra[path.stem] = read_code_table(path)
    for kind, path in (official or {}).items():
        if kind not in texts:
            known = ", ".join(sorted(texts))
            raise ValueError(f"no code table kind {kind!r} (known: {known})")
        user_texts, user_extra = read_code_table(path)
        if not user_texts:
            raise ValueError(f"{Path(path).name}: no codes found for {kind}")
        texts[kind] = user_texts
        extra[kind] = {**extra[kind], **user_extra}
    return CodeTexts(texts, extra)
