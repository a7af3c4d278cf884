"""Prefect artifacts carry counts, IDs and codes, never a name or a birth date."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

from flows.ledger import Ledger
from flows.worklists import build_worklists
from flows.worklists.artifacts import publish_artifacts
from tests.support.x12files import Status, claim_ack
from tests.worklists.conftest import PATIENTS, context
from tests.worklists.tables import parse
from tests.worklists.test_classify import day_one_835, rejected_999


@pytest.mark.slow
def test_artifacts_hold_no_names_or_birth_dates(prefect_api, sqlite_url, tmp_path):
    rejected = claim_ack([Status("ENC-4", "A7", "562", "82")], payer=True, isa13=102,
                         created=datetime(2026, 10, 5, 12))  # fmt: skip
    files = parse(
        ("a.835", day_one_835()),
        ("b.277", rejected),
        ("c.999", rejected_999("ENC-3")),
    )
    with Ledger.open(sqlite_url) as ledger:
        summary = build_worklists(ledger, files, context(), date(2026, 10, 21), tmp_path,
                                  now=datetime(2026, 10, 21, 6, tzinfo=UTC))  # fmt: skip

    @flow
    def nightly() -> None:
        publish_artifacts(summary)

    run_id = nightly(return_state=True).state_details.flow_run_id
    with get_client(sync_client=True) as client:  # this run's only: the server is shared
        artifacts = client.read_artifacts(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id]))
        )
    published = json.dumps([[a.key, a.description, a.data] for a in artifacts], default=str)
    assert {a.key for a in artifacts} >= {"worklists-by-queue", "worklists-top"}
    assert "ENC-1" in published and "CO" in published  # IDs and codes are there
    assert "$25.00" in published
    for name, member_id, birth_date in PATIENTS.values():
        for part in (*name.split(", "), member_id, birth_date, birth_date.replace("-", "")):
            assert part not in published, part
