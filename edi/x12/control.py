"""Control numbers (ISA13, GS06, ST02) as an injected sequence.

The X12 layer never invents a control number: it asks a :class:`ControlNumberSource`,
which the pipeline backs with its ledger so numbers stay unique and monotonic per
sender/receiver pair across runs and machines.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol


class ControlNumberSource(Protocol):
    def allocate(self, key: str, count: int = 1) -> range:
        """Reserve ``count`` consecutive numbers for ``key`` and return them; never reused."""
        ...


def control_key(kind: str, sender: str, receiver: str) -> str:
    """The sequence key of one kind (``ISA``, ``GS``, ``ST``) for a sender/receiver pair."""
    return f"{kind}:{sender}:{receiver}"


class MemoryControlNumbers:
    """An in-process source for tests and one-off validation; not persistent."""

    def __init__(self) -> None:
        self._last: defaultdict[str, int] = defaultdict(int)

    def allocate(self, key: str, count: int = 1) -> range:
        start = self._last[key] + 1
        self._last[key] += count
        return range(start, start + count)
