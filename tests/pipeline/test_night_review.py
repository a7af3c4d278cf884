"""The nightly flow with CMS reference files installed under an S3 prefix: the unbundled
pair is held, the run's scrub artifact counts holds, queries and warnings (IDs only), and
an answers file dropped in S3 releases the claim into the next night, sent once."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from flows.ledger.held import HoldState
from flows.night_review import answers_prefix
from flows.nightly import nightly_submission
from flows.reference.install import install
from flows.reference.loader import S3Location
from flows.s3 import S3Store
from flows.settings import Settings
from tests.night.conftest import CMS, ecg_pair
from tests.pipeline.conftest import NIGHT, Night, night_encounters


@pytest.mark.slow
def test_the_night_holds_and_a_dropped_answer_releases(
    night: Night, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMS_REFERENCE_S3_PREFIX", "reference/")
    install(str(CMS), S3Location(S3Store(night.store.config), "reference/"))
    datas = night_encounters(8, broken=0)
    pair = ecg_pair("ECG-NIGHT")
    pair["service_lines"][0]["service_date"] = pair["service_lines"][1]["service_date"] = (
        NIGHT.isoformat()
    )
    night.put_encounters("day.jsonl", [*datas, pair])

    first = nightly_submission(NIGHT)

    scrub = first["scrub"]
    held = scrub["held"]
    assert held >= 1 and scrub["holds_by_rule"] == {"SNIP7.NCCI.PTP_NOT_ALLOWED": held}
    assert "ccipra-v323r0-f1.txt" in scrub["reference_releases"]
    assert scrub["reference_gaps"] == {}
    assert scrub["queries"]["queries pending"] == held
    assert "ECG-NIGHT" not in night.received_claims()
    worklists = [o.key for o in night.store.list(night.store.config.prefix)]
    assert any(k.endswith(".xlsx") and "/coding-review-" in k for k in worklists)
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        artifacts = json.dumps([a.data for a in client.read_artifacts()], default=str)
    assert "Scrub of" in artifacts
    for data in [*datas, pair]:
        assert data["subscriber"]["last_name"] not in artifacts
        assert data["subscriber"]["member_id"] not in artifacts

    rows = "".join(f"{q},remove-line,\n" for q in scrub["queries_pending"])
    answers = f"Query ID,Answer,Note\n{rows}".encode()
    drop = answers_prefix(night.store, Settings()) + "answers-1.csv"
    night.store.put(drop, answers)
    second = nightly_submission(NIGHT + timedelta(days=1))

    assert second["scrub"]["answer_files_imported"] == 1
    assert second["scrub"]["released_and_built"] == held
    assert night.received_claims().count("ECG-NIGHT") == 1
    third = nightly_submission(NIGHT + timedelta(days=2))  # the same drop is not read twice
    assert third["scrub"]["answer_files_imported"] == 0 and third["claims"] == 0
    with night.ledger() as ledger:
        holds = ledger.find_holds()
    assert {h.state for h in holds} == {HoldState.SENT} and len(holds) == held
