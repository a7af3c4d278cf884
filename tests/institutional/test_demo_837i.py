"""The demo night includes a health center's 837I claims, end to end: built, answered by
the sandbox (999, 277CA, 835), parsed back into the ledger."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edi.x12.reader import iter_segments
from flows.ledger import ClaimState, Ledger
from sandbox.demo import run_demo


@pytest.mark.slow
def test_the_demo_night_bills_and_settles_fqhc_visits(tmp_path: Path, prefect_api: str) -> None:
    saved = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = prefect_api
    try:
        # the count of tests/pipeline/test_demo.py: the same night writes the same objects to
        # the session's write-once store, whichever test runs first
        run_demo(tmp_path, count=60, quiet=True)
    finally:
        if saved is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = saved
    received = tmp_path / "sandbox" / "sftp" / "received"
    forms = {
        seg.get(8)
        for path in received.iterdir()
        for seg in iter_segments(path.read_bytes(), path.name)
        if seg.id == "GS"
    }
    # both claim forms, and the 270s of the payer the demo checks eligibility with
    assert forms == {"005010X222A1", "005010X223A2", "005010X279A1"}
    with Ledger.open(f"sqlite:///{tmp_path / 'ledger.sqlite'}") as ledger:
        fqhc = [c for c in ledger.find_claims() if "FQ" in c.clm01]
    assert len(fqhc) == 3
    settled = {ClaimState.PAID, ClaimState.PARTIALLY_PAID, ClaimState.REVERSED}
    assert {c.state for c in fqhc} <= settled, [c.state for c in fqhc]
