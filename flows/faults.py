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
    "eligibility_recorded",  # issue 16: a 270 recorded with its bytes, not uploaded yet
    "eligibility_sent",  # issue 16: a 270 uploaded, not yet marked sent in the ledger
)
"""Crash points of ``nightly-submission``, in the order a night reaches them.  The
eligibility pass (270s, when a payer is checked) runs after the 837s are uploaded: a kill
there leaves claims held for a 271 that nobody asked for yet, or a 270 the clearinghouse
may already have; the rerun must ask each member exactly once.  ``during_upload`` fires on
the night's first upload, an 837."""
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
    "ingest_271_fetched",
    "ingest_271_recorded",
    "ingest_271_applied",
)
"""Crash points of ``ingest-responses``: per response file (the first file to reach one fires),
and once before the worklists are rebuilt.  The ``ingest_271_*`` points fire only on a 271
(issue 16), which the shared points seldom reach first (the 271s answer the night's last
upload): fetched (not archived), recorded (not decided), applied (its claims decided and
released, the front-desk sheet not rewritten, the file not marked parsed)."""


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
