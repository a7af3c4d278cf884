"""Compare the engine's errors with pyx12's on one document: the judge of the agreement tests.

An error is compared by what a 999/TA1 says of it: level, code, envelope control numbers
and, inside a transaction set, the segment (ID and position) and element (position,
component).  Names and loops are the map's words, not findings, and are left out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from edi.validate import EngineUnavailable, validate
from edi.x12.pyx12_validator import Pyx12Unavailable, X12Error, validate_x12


def key(e: X12Error) -> tuple:
    if e.level in ("segment", "element"):
        return (e.level, e.code, e.isa13, e.gs06, e.st02, e.segment_id, e.position,
                e.element, e.component)  # fmt: skip
    return (e.level, e.code, e.isa13, e.gs06, e.st02)


@dataclass
class Comparison:
    pyx12: Counter
    engine: Counter
    pyx12_unavailable: str | None = None
    engine_unavailable: str | None = None

    @property
    def agree(self) -> bool:
        if self.pyx12_unavailable or self.engine_unavailable:
            return bool(self.pyx12_unavailable) == bool(self.engine_unavailable)
        return self.pyx12 == self.engine

    @property
    def matched(self) -> int:
        return sum((self.pyx12 & self.engine).values())

    @property
    def only_pyx12(self) -> Counter:
        return self.pyx12 - self.engine

    @property
    def only_engine(self) -> Counter:
        return self.engine - self.pyx12


def compare(data: bytes | str) -> Comparison:
    text = data.decode("ascii", errors="replace") if isinstance(data, bytes) else data
    out = Comparison(Counter(), Counter())
    try:
        out.pyx12 = Counter(key(e) for e in validate_x12(text).errors)
    except Pyx12Unavailable as exc:
        out.pyx12_unavailable = str(exc)
    try:
        out.engine = Counter(key(e) for e in validate(text).errors)
    except EngineUnavailable as exc:
        out.engine_unavailable = str(exc)
    return out
