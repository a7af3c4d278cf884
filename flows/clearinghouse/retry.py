"""Retry with exponential backoff, for connection trouble only.

Which failures are worth retrying is the caller's decision (``is_transient``); a wrong
key or a changed host key must fail at once, while a reset connection or a timeout
usually goes away.  Jitter spreads reconnects from several workers.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    initial_delay: float = 1.0
    max_delay: float = 30.0
    multiplier: float = 2.0
    jitter: float = 0.1
    """Up to this fraction of the delay is added at random."""

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based)."""
        base = min(self.max_delay, self.initial_delay * self.multiplier ** (attempt - 1))
        return base * (1 + random.uniform(0, self.jitter))


def retrying(
    operation: Callable[[], T],
    policy: RetryPolicy,
    is_transient: Callable[[BaseException], bool],
    describe: str,
    on_retry: Callable[[], None] = lambda: None,
) -> T:
    """Run ``operation``; on a transient failure call ``on_retry``, wait and try again.

    The last transient failure is re-raised once ``policy.attempts`` are spent; anything
    else propagates at once.
    """
    for attempt in range(1, policy.attempts + 1):
        try:
            return operation()
        except Exception as exc:
            if not is_transient(exc) or attempt == policy.attempts:
                raise
            wait = policy.delay(attempt)
            log.warning(
                "%s failed (%s), attempt %d of %d; retrying in %.1fs",
                describe,
                type(exc).__name__,
                attempt,
                policy.attempts,
                wait,
            )
            on_retry()
            time.sleep(wait)
    raise AssertionError("unreachable")  # the loop returns or raises
