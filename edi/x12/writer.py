"""Write X12 segments and envelopes with correct counts and no injectable text.

The writer knows the envelope (ISA/IEA, GS/GE, ST/SE) and nothing about any transaction
set: builders of 837P, 999, 277CA or 835 call :meth:`X12Writer.segment` in guide order.
Every element value passes through :func:`edi.x12.text.x12_text`, so no value can carry a
separator into the output, and trailing empty elements and components are dropped as
the X12 syntax rules require.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from edi.x12.delimiters import DEFAULT, Delimiters
from edi.x12.text import text_cleaner, x12_text

Element = str | int | Sequence[str] | None
"""An element value: text, a number, a composite (sequence of components) or empty."""


@dataclass(frozen=True, slots=True)
class Party:
    """An interchange sender or receiver: ISA qualifier and ID, and the GS application code."""

    qualifier: str
    id: str
    application_code: str


class X12Writer:
    """Accumulate the segments of one interchange and keep the envelope counts."""

    def __init__(self, delimiters: Delimiters = DEFAULT, line_breaks: bool = False) -> None:
        self.delimiters = delimiters
        self._clean = self.cleaner = text_cleaner(delimiters)
        """:func:`edi.x12.text.x12_text` for this interchange, memoised."""
        self._end = delimiters.segment + ("\n" if line_breaks else "")
        self._parts: list[str] = []
        self._isa13 = ""
        self._gs06 = ""
        self._st02 = ""
        self._groups = 0
        self._transactions = 0
        self._st_start = 0

    # -- segments -----------------------------------------------------------------------
    def segment(self, segment_id: str, *elements: Element) -> None:
        """Append one segment; ``None`` and ``""`` are empty elements."""
        clean = self._clean
        values = [segment_id]
        for value in elements:
            if value.__class__ is str:
                values.append(clean(value))  # type: ignore[arg-type]
            elif value is None:
                values.append("")
            elif isinstance(value, int):
                values.append(str(value))
            else:
                values.append(self._composite(value))  # type: ignore[arg-type]
        while not values[-1]:
            values.pop()
        self._parts.append(self.delimiters.element.join(values) + self._end)

    def clean(self, value: str | None) -> str:
        """``value`` as X12-safe text (``""`` for none), for :meth:`checked_segment`."""
        return self._clean(value) if value else ""

    def checked_segment(self, segment_id: str, *elements: str) -> None:
        """Append a segment whose elements are already safe text: codes, numbers and dates
        that the encounter model validated, composites joined from those, or text passed
        through :meth:`clean`.  Trailing empty elements are dropped.  This is the claim
        builder's hot path (five times cheaper than :meth:`segment`); anything whose
        safety is not certain goes through :meth:`segment`."""
        values = [segment_id, *elements]
        while not values[-1]:
            values.pop()
        self._parts.append(self.delimiters.element.join(values) + self._end)

    @property
    def add(self) -> Callable[[str], None]:
        """Append one finished segment's text: safe, trimmed and ended with
        :attr:`terminator`.  What the segments compiled from a guide
        (:mod:`edi.guides.render`) write with; everyone else calls :meth:`segment`."""
        return self._parts.append

    @property
    def terminator(self) -> str:
        """The segment terminator, with the line break when the profile asks for one."""
        return self._end

    def composite(self, *components: str) -> str:
        """Safe components joined, trailing empty ones dropped (see :meth:`checked_segment`)."""
        return self.delimiters.component.join(components).rstrip(self.delimiters.component)

    def _composite(self, components: Sequence[str | None]) -> str:
        clean = self._clean
        parts = [clean(c) if c else "" for c in components]
        while parts and not parts[-1]:
            parts.pop()
        return self.delimiters.component.join(parts)

    # -- envelopes ----------------------------------------------------------------------
    def open_interchange(
        self,
        sender: Party,
        receiver: Party,
        control_number: int,
        created: datetime,
        usage: str,
        ack_requested: bool = True,
    ) -> None:
        """Write the fixed-width ISA; ``usage`` is ISA15, ``T`` test or ``P`` production."""
        if usage not in ("T", "P"):
            raise ValueError(f"ISA15 usage must be T or P, not {usage!r}")
        d = self.delimiters
        self._isa13 = f"{control_number:09d}"
        if len(self._isa13) != 9:
            raise ValueError(f"ISA13 control number {control_number} exceeds 9 digits")
        fields = [
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            sender.qualifier.ljust(2)[:2],
            x12_text(sender.id, d).ljust(15)[:15],
            receiver.qualifier.ljust(2)[:2],
            x12_text(receiver.id, d).ljust(15)[:15],
            created.strftime("%y%m%d"),
            created.strftime("%H%M"),
            d.repetition,
            "00501",
            self._isa13,
            "1" if ack_requested else "0",
            usage,
            d.component,
        ]
        self._parts.append(d.element.join(fields) + self._end)
        self._groups = 0

    def open_group(
        self,
        functional_id: str,
        sender: Party,
        receiver: Party,
        control_number: int,
        created: datetime,
        version: str,
    ) -> None:
        """Write GS; ``version`` is GS08, the implementation guide (``005010X222A1``)."""
        self._gs06 = str(control_number)
        self._transactions = 0
        self.segment(
            "GS",
            functional_id,
            sender.application_code,
            receiver.application_code,
            created.strftime("%Y%m%d"),
            created.strftime("%H%M"),
            self._gs06,
            "X",
            version,
        )
        self._groups += 1

    def open_transaction(self, code: str, control_number: int, version: str | None) -> None:
        """Write ST; ST03 carries the guide version where the guide asks for it."""
        self._st02 = f"{control_number:04d}"
        self._st_start = len(self._parts)
        self.segment("ST", code, self._st02, version)
        self._transactions += 1

    def close_transaction(self) -> None:
        self.segment("SE", len(self._parts) - self._st_start + 1, self._st02)

    def close_group(self) -> None:
        self.segment("GE", self._transactions, self._gs06)

    def close_interchange(self) -> None:
        self._parts.append(
            self.delimiters.element.join(["IEA", str(self._groups), self._isa13]) + self._end
        )

    def getvalue(self) -> str:
        return "".join(self._parts)
