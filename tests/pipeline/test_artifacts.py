"""The run's artifacts say why each encounter was not sent, reason by reason."""

from __future__ import annotations

import json
from datetime import date

from prefect import flow
from prefect.client.orchestration import get_client

from flows import artifacts
from flows.ledger import ClaimException, Ledger
from flows.submission import BuildSummary, UploadSummary

NIGHT = date(2026, 11, 20)
REASONS = [
    {"rule_id": "SNIP5.NPI.LUHN", "field": "rendering_provider.npi", "owner": "credentialing"},
    {"rule_id": "SNIP2.DOB.FUTURE", "field": "subscriber.birth_date", "owner": "front_desk"},
    {"rule_id": "SNIP4.DX.POINTER", "field": "service_lines[0].diagnosis_pointers",
     "owner": "coding"},
]  # fmt: skip


def test_each_reason_shows_its_own_field(prefect_api, sqlite_url):
    with Ledger.open(sqlite_url) as ledger:
        ledger.record_exceptions(
            [
                ClaimException("ENC-1", "a.jsonl", "SNIP5.NPI.LUHN", NIGHT, REASONS),
                ClaimException("ENC-2", "a.jsonl", "LEDGER-DUPLICATE", NIGHT, ()),
            ]
        )

        @flow
        def nightly() -> None:
            artifacts.submission_summary(NIGHT, BuildSummary(), UploadSummary(), ledger)

        run = nightly(return_state=True).state_details.flow_run_id
    with get_client(sync_client=True) as client:
        (artifact,) = [
            a
            for a in client.read_artifacts()
            if a.key == "nightly-exceptions" and a.flow_run_id == run
        ]
    data = artifact.data if isinstance(artifact.data, list) else json.loads(artifact.data)
    rows = [(r["encounter"], r["rule"], r["field"], r["owner"]) for r in data]
    assert rows == [
        *[("ENC-1", r["rule_id"], r["field"], r["owner"]) for r in REASONS],
        ("ENC-2", "LEDGER-DUPLICATE", "", ""),
    ]
