"""Code texts (CARC, RARC, claim status) as the classification needs them.

The texts themselves are reference data kept by :mod:`mappings.code_texts`; the core takes
any object with these three methods, so it stays pure and tests can pass a small dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


class CodeTexts(Protocol):
    def carc(self, code: str) -> str: ...
    def rarc(self, code: str) -> str: ...
    def claim_status(self, code: str) -> str: ...


@dataclass(frozen=True)
class TextTable:
    """Code texts from plain mappings; an unknown code has empty text."""

    carcs: Mapping[str, str] = field(default_factory=dict)
    rarcs: Mapping[str, str] = field(default_factory=dict)
    statuses: Mapping[str, str] = field(default_factory=dict)

    def carc(self, code: str) -> str:
        return self.carcs.get(code, "")

    def rarc(self, code: str) -> str:
        return self.rarcs.get(code, "")

    def claim_status(self, code: str) -> str:
        return self.statuses.get(code, "")
