"""Duplicates against the services already billed, as intake asks the ledger: once per
batch of records, each key answered with the CLM01s billing it."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pytest

from edi.claims.intake import Accepted, admit
from edi.claims.models import Encounter
from edi.claims.records import Record
from edi.rules.duplicates import service_keys
from tests.factories import encounter

DUPLICATE = "SNIP7.DUPLICATE.SERVICE"
EARLIER = encounter(encounter_id="ENC-A")


class Ledger:
    """Services billed on an earlier night, and how often intake asked."""

    def __init__(self) -> None:
        billed = Encounter.model_validate(EARLIER)
        self.billed = {key: ("ENC-A",) for key in service_keys(billed)}
        self.asked: list[int] = []

    def __call__(self, keys: Collection[str]) -> dict[str, tuple[str, ...]]:
        self.asked.append(len(keys))
        return {k: self.billed[k] for k in keys if k in self.billed}


def _duplicates(datas: list[dict[str, Any]], context: Any, batch: int = 1000) -> dict:
    records = [Record(f"night2.jsonl:{i}", d) for i, d in enumerate(datas, 1)]
    outcomes = list(admit(records, context, Ledger(), batch))
    assert all(isinstance(o, Accepted) for o in outcomes)
    return {o.encounter.encounter_id: [f for f in o.findings if f.rule_id == DUPLICATE]
            for o in outcomes}  # fmt: skip


def test_a_service_billed_under_another_claim_names_it(context: Any) -> None:
    found = _duplicates([encounter(encounter_id="ENC-B")], context)["ENC-B"]
    assert len(found) == 2  # both lines of the example
    assert "already billed on claim ENC-A" in found[0].message
    assert found[0].field == "service_lines[0].procedure_code"


def test_the_claim_itself_billed_before_is_a_rerun(context: Any) -> None:
    assert _duplicates([EARLIER], context) == {"ENC-A": []}


@pytest.mark.parametrize("modifier", ["76", "77", "91"])
def test_a_repeat_said_with_its_modifier_is_not_a_duplicate(modifier: str, context: Any) -> None:
    data = encounter(encounter_id="ENC-R")
    for line in data["service_lines"]:
        line["modifiers"] = [*line.get("modifiers", []), modifier]
    assert _duplicates([data], context) == {"ENC-R": []}


@pytest.mark.parametrize("frequency", ["7", "8"])
def test_a_replacement_or_void_is_not_a_duplicate(frequency: str, context: Any) -> None:
    data = encounter(encounter_id="ENC-A2", frequency_code=frequency,
                     original_payer_claim_number="PCN1")  # fmt: skip
    assert _duplicates([data], context) == {"ENC-A2": []}


def test_the_ledger_is_asked_once_per_batch_not_per_claim(context: Any) -> None:
    datas = [encounter(encounter_id=f"ENC-{i}") for i in range(5)]
    ledger = Ledger()
    records = [Record(f"n.jsonl:{i}", d) for i, d in enumerate(datas, 1)]
    outcomes = list(admit(records, context, ledger, batch=3))
    assert [o.encounter.encounter_id for o in outcomes] == [f"ENC-{i}" for i in range(5)]
    assert ledger.asked == [2, 2]  # the example's two services, once for each batch of 3
    flagged = [f for o in outcomes for f in o.findings if f.rule_id == DUPLICATE]
    assert len(flagged) == 10 and all("on claim ENC-A" in f.message for f in flagged)
