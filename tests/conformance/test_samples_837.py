"""Conformance over the public 837P samples: ``claims validate``'s findings never assert
what the file contradicts.

The LinuxForHealth samples are 2005 claims coded in ICD-9-CM, billed by organizations
that render the service themselves (no 2310B), for ambulance, oxygen and wheelchair
services whose CR1/CR3 segments are in the file.  Many of them are invalid in other ways
(check digits, ZIP+4, a label of X222A2); those findings are true and not checked here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from edi.codesets import bundled_code_sets
from edi.rules.file_validation import validate_837
from edi.rules.registry import CheckContext
from mappings.profiles import payer_profiles
from tests.fixtures.services import service_missing

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "x12-samples"
FOLDER = SAMPLES / "LinuxForHealth+x12" / "src" / "tests" / "resources" / "837_005010X222A2"
CASES = [
    ("demo.ambulance.example5.837", {"SNIP5.ICD9.FORMAT_ONLY"}),
    ("demo.example7.837", {"SNIP5.ICD9.FORMAT_ONLY"}),  # oxygen, CR3 and its CMN
    ("demo.example8.837", {"SNIP5.ICD9.FORMAT_ONLY"}),  # wheelchair rental, CR3
    ("demo.example1.837", set()),
]
NEVER = {
    "SNIP3.DX_POINTER.RANGE",  # the four ICD-9 codes are diagnoses the pointers may name
    "SNIP5.ICD9.NOT_ACCEPTED",  # ICD-9-CM was the code set of 2005
    "SNIP4.RENDERING.MISSING",  # no 2310B: the billing provider rendered
    "SNIP6.SERVICE.NOT_SUPPORTED",  # the file carries what encounter-v1 cannot
    "SNIP6.SERVICE.DATA_MISSING",  # ... and it is there
}


@pytest.fixture(scope="module")
def context() -> CheckContext:
    return CheckContext(
        today=date(2026, 11, 27), payers=payer_profiles(None), code_sets=bundled_code_sets()
    )


@pytest.mark.parametrize(("name", "expected"), CASES, ids=[c[0] for c in CASES])
def test_findings_on_public_samples_agree_with_the_file(name, expected, context) -> None:
    path = FOLDER / name
    if not path.exists():
        service_missing(f"no public 837P sample at {path}")
    report = validate_837(path.read_bytes(), name, context)
    assert report.claims, "the sample's claims are read"
    found = {f.rule_id for f in report.all_findings()}
    assert expected <= found, sorted(found)
    assert not NEVER & found, sorted(NEVER & found)
