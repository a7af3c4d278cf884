"""Each payer edit added for issue 14: one encounter that trips it, one that does not.

Cases start from the contract's example, apply one mutation and go through
:func:`edi.claims.intake.admit` as ``claims build`` does, with the small CMS files of
:mod:`tests.rules.cms_files` loaded (NCCI PTP among them).
"""

from __future__ import annotations

from typing import Any

import pytest

from edi.rules.registry import RULES
from tests.factories import encounter
from tests.rules.test_encounter_corpus import (
    Mutation,
    both,
    findings_for,
    line,
    lines,
    put,
)

KNEE = ["M17.11"]
EM_AND_INJECTION = put("diagnoses", KNEE)

CASES: list[tuple[str, Mutation, Mutation]] = [
    # rule, an encounter that trips it, one that does not
    (
        "SNIP7.NCCI.PTP_MODIFIER",  # 99213 without 25 + 20610-RT
        both(EM_AND_INJECTION, lines(line(), line(procedure_code="20610", modifiers=["RT"]))),
        both(
            EM_AND_INJECTION,
            lines(line(modifiers=["25"]), line(procedure_code="20610", modifiers=["RT"])),
        ),
    ),
    (
        "SNIP7.NCCI.BYPASS_INVALID",  # 59 on the E/M
        both(EM_AND_INJECTION, lines(line(modifiers=["59"]), line(procedure_code="20610"))),
        both(EM_AND_INJECTION, lines(line(modifiers=["25"]), line(procedure_code="20610"))),
    ),
    (
        "SNIP7.NCCI.BYPASS_INVALID",  # RT on both lines
        lines(
            line(procedure_code="20610", modifiers=["RT"]),
            line(procedure_code="20605", modifiers=["RT"]),
        ),
        lines(
            line(procedure_code="20610", modifiers=["RT"]),
            line(procedure_code="20605", modifiers=["LT"]),
        ),
    ),
    (
        "SNIP7.NCCI.BYPASS_INVALID",  # the bypass modifier on the column-1 code
        lines(line(procedure_code="20610", modifiers=["59"]), line(procedure_code="20605")),
        lines(line(procedure_code="20610"), line(procedure_code="20605", modifiers=["XS"])),
    ),
    (
        "SNIP6.MODIFIER.25_MISSING",  # no PTP edit for 99214 + 11102 in the test file
        lines(line(procedure_code="99214"), line(procedure_code="11102")),
        lines(line(procedure_code="99214", modifiers=["25"]), line(procedure_code="11102")),
    ),
]


def _ids() -> list[str]:
    return [f"{n}-{rule}" for n, (rule, _, _) in enumerate(CASES)]


@pytest.mark.parametrize(("rule_id", "trips", "clean"), CASES, ids=_ids())
def test_new_edit_trips_and_passes(
    rule_id: str, trips: Mutation, clean: Mutation, context: Any
) -> None:
    assert rule_id in RULES
    tripped, passed = encounter(), encounter()
    trips(tripped)
    clean(passed)
    assert rule_id in {f.rule_id for f in findings_for(tripped, context)}
    assert rule_id not in {f.rule_id for f in findings_for(passed, context)}


def test_unmodified_em_is_told_to_add_25(context: Any) -> None:
    data = encounter(diagnoses=KNEE)
    lines(line(), line(procedure_code="20610", modifiers=["RT"]))(data)
    (finding,) = [f for f in findings_for(data, context) if f.rule_id.startswith("SNIP7.NCCI")]
    assert "Add modifier 25 to the E/M 99213" in finding.fix
    assert "59" not in finding.fix and "XE" not in finding.fix
    assert finding.field == "service_lines[0].modifiers"
    assert RULES[finding.rule_id].default_disposition == "hold"
