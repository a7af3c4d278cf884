"""Provider queries: only the provider's findings, with the encounter ID and no PHI."""

from __future__ import annotations

import json
import re
from typing import Any

from edi.claims.intake import admit
from edi.claims.records import Record
from edi.rules.queries import provider_queries
from tests.factories import encounter


def test_queries_from_provider_findings(context: Any) -> None:
    data = encounter(diagnoses=["R51.9", "M17.12"])
    data["service_lines"][0] |= {"procedure_code": "20610", "modifiers": ["RT"]}
    (outcome,) = admit([Record("q.jsonl:1", data)], context)
    queries = provider_queries(outcome.findings)
    assert {q.rule_id for q in queries} == {
        "SNIP5.ICD10.SYMPTOM_PRINCIPAL",
        "SNIP6.MODIFIER.SIDE_CONFLICT",
    }
    side = next(q for q in queries if q.rule_id.endswith("SIDE_CONFLICT"))
    assert side.query.startswith("Encounter ENC-20261120-0001: line 1: modifier RT")
    assert side.query.endswith("Which side was treated: right, left or both?")
    dump = json.dumps([q.as_dict() for q in queries])
    for secret in (r"\bDoe\b", "Jane", "W123456789", "1980-04-02", "Oak"):
        assert not re.search(secret, dump)


def test_no_queries_without_provider_findings(context: Any) -> None:
    data = encounter(diagnoses=["I10"])
    (outcome,) = admit([Record("q.jsonl:1", data)], context)
    assert provider_queries(outcome.findings) == []
