"""Named crash points, so the exactly-once promise can be proven at every step boundary.

A run with ``CLAIMS_FAULT=<point>`` stops at that point: by raising
:class:`InjectedFault` (what Prefect shows as a failed run, for the demo's Retry) or, with
``CLAIMS_FAULT_MODE=exit``, by killing the process outright as a power cut would.  With
``CLAIMS_FAULT_ONCE=<file>`` the fault fires only while that file does not exist yet.
``CLAIMS_FAULT_MODE=hang`` stops the process there for good, its PID written to that file,
so a test can SIGKILL it from outside at a known point (a worker's flow run, mid-night).
Without the variables a checkpoint costs one dictionary lookup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

POINTS = (
    "after_next_payer_file",  # COB: a next-payer file written, its claims not marked yet
    "after_read",
    "after_build",
    "after_record",
    "during_upload",
    "after_upload",
    "after_mark",
)
"""Crash points of ``nightly-submission``."""
TRANSFER_POINTS = ("mid_upload",)
"""Crash points inside a transfer: ``mid_upload`` fires in the SFTP adapter once the first
32 KiB of an interchange are on their way and more is still to send (an interchange of one
chunk never fires it), so a test can kill a run with an upload truly in flight."""
INGEST_POINTS = (
    "ingest_fetched",
    "ingest_archived",
    "ingest_recorded",
    "ingest_applied",
    "ingest_done",
    "ingest_before_worklists",
)
"""Crash points of ``ingest-responses``: per response file (the first file to reach one fires),
and once before the worklists are rebuilt."""


class InjectedFault(RuntimeError):
    """A deliberate failure at a named step boundary (``CLAIMS_FAULT``)."""


def checkpoint(point: str) -> None:
    if os.environ.get("CLAIMS_FAULT") != point:
        return
    once = os.environ.get("CLAIMS_FAULT_ONCE")
    if once:
        marker = Path(once)
        if marker.exists():
            return
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    mode = os.environ.get("CLAIMS_FAULT_MODE")
    if mode == "exit":
        os._exit(70)
    if mode == "hang" and once:
        Path(once).write_text(str(os.getpid()))
        while True:
            time.sleep(60)
    raise InjectedFault(f"injected fault at {point} (CLAIMS_FAULT); rerun to recover")
