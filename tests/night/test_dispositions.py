"""Each finding's disposition: the payer profile's (exact rule ID, else the longest
prefix), else the rule's default; reject wins over hold, hold over warn."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from edi.claims.intake import Accepted, Refused
from edi.claims.records import Record
from edi.rules.registry import CheckContext
from flows.reference import FolderLocation, load_reference
from flows.reference.install import install
from flows.scrub import Held, NightChecks, triage
from mappings.profiles import PayerProfile
from tests.factories import encounter
from tests.night.conftest import CMS, NIGHT, ecg_pair


def _profile(**dispositions: str) -> PayerProfile:
    return PayerProfile(payer_id="87726", name="Acme", dispositions=dispositions)


@pytest.mark.parametrize(
    ("table", "rule", "expected"),
    [
        ({"SNIP7.NCCI.": "hold"}, "SNIP7.NCCI.PTP_MODIFIER", "hold"),
        ({"SNIP7.*": "warn", "SNIP7.NCCI.*": "reject"}, "SNIP7.NCCI.PTP_MODIFIER", "reject"),
        ({"SNIP7.NCCI.": "hold", "SNIP7.NCCI.PTP_MODIFIER": "warn"}, "SNIP7.NCCI.PTP_MODIFIER",
         "warn"),
        ({"SNIP7.NCCI": "hold"}, "SNIP7.NCCI.PTP_MODIFIER", None),  # a prefix ends in . or *
        ({}, "SNIP7.NCCI.PTP_MODIFIER", None),
    ],
)  # fmt: skip
def test_an_exact_rule_wins_then_the_longest_prefix(table: dict, rule: str, expected) -> None:
    assert _profile(**table).disposition_for(rule) == expected


def _triage(data: dict, profile: PayerProfile, code_sets: object = None) -> object:
    context = CheckContext(today=NIGHT, payers={"87726": profile}, code_sets=code_sets)
    [outcome] = triage([Record("day.jsonl:1", None, raw=json.dumps(data))], NightChecks(context))
    return outcome


@pytest.fixture
def cms_sets(tmp_path: Path) -> object:
    location = FolderLocation(tmp_path / "reference")
    install(str(CMS), location)
    return load_reference(location).code_sets


def test_a_profile_can_send_what_a_rule_rejects_and_hold_what_it_warns(cms_sets) -> None:
    pair = ecg_pair("ECG-20")
    assert isinstance(_triage(pair, _profile(), cms_sets), Refused)
    sent = _triage(pair, _profile(**{"SNIP7.NCCI.PTP_NOT_ALLOWED": "warn"}), cms_sets)
    assert isinstance(sent, Accepted)
    assert "SNIP7.NCCI.PTP_NOT_ALLOWED" in {f.rule_id for f in sent.findings}
    held = _triage(pair, _profile(**{"SNIP7.NCCI.": "hold"}), cms_sets)
    assert isinstance(held, Held) and [f.rule_id for f in held.holding] == [
        "SNIP7.NCCI.PTP_NOT_ALLOWED"
    ]


def test_a_profile_can_reject_a_warning_and_a_broken_record_stays_refused() -> None:
    clean = encounter(encounter_id="W-1")
    warned = _triage(clean, _profile())
    assert isinstance(warned, Accepted) and warned.findings
    rule = warned.findings[0].rule_id
    refused = _triage(clean, _profile(**{rule: "reject"}))
    assert isinstance(refused, Refused)
    assert any(f.rule_id == rule and f.rejects for f in refused.findings)
    broken = encounter(encounter_id="W-2", place_of_service="X")
    assert isinstance(_triage(broken, _profile(**{"SNIP": "warn", "SNIP2.": "warn"})), Refused)


def test_a_profile_can_hold_a_claim_whose_reference_release_is_missing(cms_sets) -> None:
    from flows.reference.releases import Release

    releases = (Release("icd10cm", "FY2027", date(2026, 10, 1), date(2027, 9, 30)),)
    context = CheckContext(
        today=NIGHT,
        payers={"87726": _profile(**{"SNIP5.REFERENCE.": "hold"})},
        code_sets=cms_sets,
    )
    data = encounter(encounter_id="REF-1")
    [outcome] = triage(
        [Record("day.jsonl:1", None, raw=json.dumps(data))], NightChecks(context, releases)
    )
    assert isinstance(outcome, Held)
    assert {f.rule_id for f in outcome.holding} == {
        "SNIP5.REFERENCE.NCCI_PTP.MISSING",
        "SNIP5.REFERENCE.MUE.MISSING",
        "SNIP5.REFERENCE.HCPCS.MISSING",
    }
    assert all(f.encounter_id == "REF-1" for f in outcome.holding)
