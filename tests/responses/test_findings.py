"""One finding shape: response findings are the same records as claim findings."""

from __future__ import annotations

import random
from dataclasses import fields

from edi.findings import Finding
from edi.responses import parse_any
from edi.responses.findings import CODES, findings_of
from edi.rules.registry import Finding as RuleFinding
from flows.inbound_files import refused_name
from mappings.code_texts import bundled_code_texts
from tests.support.x12files import Cas, Claim, Line, remit

TEXTS = bundled_code_texts()


def _mangled(rng: random.Random) -> str:
    """An unbalanced 835 whose SE count is also wrong: content and envelope findings."""
    paid = f"{rng.randint(10, 99)}.00"
    line = Line(charge="150.00", paid=paid, adjustments=[Cas("CO", "45", "30.00")])
    text = remit([Claim("ENC-7", charge="150.00", paid=paid, lines=[line])], payment="1.00")
    return text.replace("SE*", "SE*9", 1)


def test_response_findings_are_findings_with_level_owner_and_fix() -> None:
    tables = parse_any(_mangled(random.Random(4)), "bad.835", texts=TEXTS)
    found = findings_of(tables.findings)
    assert {f.rule_id for f in found} >= {"BALANCE_CLAIM", "BALANCE_PAYMENT", "SE_COUNT"}
    for finding in found:
        assert isinstance(finding, Finding)
        assert finding.level in (1, 2) and finding.owner in ("billing", "ops")
        assert finding.fix and finding.message and finding.source.startswith("bad.835#")
        assert finding.severity in ("reject", "warn")
    claim = next(f for f in found if f.rule_id == "BALANCE_CLAIM")
    assert (claim.encounter_id, claim.segment, claim.level, claim.owner) == (
        "ENC-7",
        "CLP",
        2,
        "billing",
    )
    assert next(f for f in found if f.rule_id == "SE_COUNT").severity == "warn"


def test_every_code_says_who_fixes_it_and_how() -> None:
    for code, check in CODES.items():
        assert check.meaning and check.fix and check.level in (1, 2), code


def test_claims_responses_and_ingest_share_the_one_type() -> None:
    assert RuleFinding is Finding
    file_finding = refused_name("../x")
    assert isinstance(file_finding, Finding)
    names = {f.name for f in fields(Finding)}
    assert {"rule_id", "level", "severity", "owner", "message", "fix", "source"} <= names
