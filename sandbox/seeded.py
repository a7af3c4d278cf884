"""The sandbox's "sometimes", decided by its seed: one seed always gives the same answers.

A hash of the seed and what is being decided, never a global RNG, so the order in which
files arrive or the tests run cannot change an answer.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

HUNDRED = Decimal(100)


def chance(seed: int, *parts: object) -> Decimal:
    """A deterministic percentage in [0, 100) for ``parts`` under ``seed``."""
    digest = hashlib.sha256("|".join(map(str, (seed, *parts))).encode()).digest()
    return Decimal(int.from_bytes(digest[:8], "big") % 10_000) / HUNDRED
