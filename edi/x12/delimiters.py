"""The four X12 separators, fixed per interchange by the ISA segment."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Delimiters:
    """Separators of one interchange.

    Defaults are the ones nearly every 5010 trading partner uses; readers must still take
    them from the ISA (element separator at ISA position 3, repetition ISA11, component
    ISA16, segment terminator right after ISA16).
    """

    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"

    def all(self) -> str:
        return self.element + self.component + self.repetition + self.segment


DEFAULT = Delimiters()
