"""What the response readers need from a code-text table, as a Protocol.

The tables themselves are data people edit, loaded by :mod:`mappings.code_texts` (whose
``CodeTexts`` is one); the readers take any object with these methods, so ``edi`` reads
no files and imports nothing from ``mappings``.  A lookup never fails: an unknown code
has a text saying so, because a new payer code must not stop a remittance posting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol


class CodeTexts(Protocol):
    def text(self, kind: str, code: str) -> str:
        """The text of ``code`` in the table ``kind`` (``carc``, ``claim_status`` ...)."""
        ...

    def describe(self, kind: str, codes: Iterable[str], sep: str = "; ") -> str:
        """The texts of several codes joined."""
        ...

    def column(self, kind: str, name: str) -> Mapping[str, str]:
        """An extra column of a table by code, e.g. the 277CA category's ``outcome``."""
        ...
