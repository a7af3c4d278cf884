"""``claims validate`` on 837I files: our own (valid), and the public samples, whose
verdicts must say what their contents are (read without loss is not valid)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from edi.rules.file_validation import validate_837
from flows.cli import main
from flows.scrub import check_context
from tests.institutional.factories import FQHC_VISIT, INPATIENT_STAY
from tests.institutional.test_build_837i import build

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "x12-samples"
A3 = SAMPLES / "LinuxForHealth+x12" / "src" / "tests" / "resources" / "837_005010X223A3"
IMSWEB = SAMPLES / "imsweb+x12-parser" / "src" / "test" / "resources" / "837_5010" / "x223-test.txt"
CONTEXT = check_context(today=date(2026, 11, 27))
needs_samples = pytest.mark.skipif(not SAMPLES.exists(), reason="../shared/x12-samples absent")


def ids(report) -> set[str]:
    return {f.rule_id for f in report.all_findings()}


def test_our_837i_is_accepted() -> None:
    (ic,) = build(FQHC_VISIT, INPATIENT_STAY)
    report = validate_837(ic.data, "ours.837i", CONTEXT)
    assert report.pyx12_ran
    assert [c.clm01 for c in report.claims] == ["FQ-20261120-0001", "IP-20261101-0001"]
    assert [f.rule_id for f in report.all_findings() if f.rejects] == []


def test_a_rule_breach_in_our_837i_is_found_in_the_file() -> None:
    (ic,) = build(FQHC_VISIT)
    text = ic.text.replace("SV2*0521*HC:G0466", "SV2*0510*HC:G0466")
    report = validate_837(text.encode(), "g-code.837i", CONTEXT)
    (claim,) = report.claims
    assert claim.rejected and "SNIP7.FQHC.G_CODE_REVENUE" in {f.rule_id for f in claim.findings}


@needs_samples
@pytest.mark.parametrize("path", sorted(A3.glob("*.837i")), ids=lambda p: p.name)
def test_x223a3_labelled_samples_read_without_loss_and_are_not_called_valid(path: Path) -> None:
    data = path.read_bytes()
    report = validate_837(data, path.name, CONTEXT)
    clm_count = len(re.findall(rb"(?:^|~)\s*CLM\*", data))
    assert len(report.claims) == clm_count > 0  # every claim read and judged
    assert "SNIP1.FILE.VERSION_NOT_SUPPORTED" in ids(report)  # GS08 says X223A3
    assert report.rejected


@needs_samples
def test_imsweb_x223a2_sample_rejected_for_what_it_holds() -> None:
    data = IMSWEB.read_bytes()
    assert b"*11:B:1*" in data and b"DTP*434*D8*" in data  # what the findings must name
    report = validate_837(data, IMSWEB.name, CONTEXT)
    assert report.pyx12_ran and report.rejected
    (claim,) = report.claims
    places = {(f.rule_id, f.element) for f in claim.findings}
    assert ("SNIP2.X12.INVALID_CODE", "CLM05-2") in places  # facility code qualifier B, not A
    assert ("SNIP2.X12.INVALID_CODE", "DTP02") in places  # statement dates D8, not RD8


@needs_samples
def test_validate_command_on_the_public_837i_samples(capsys) -> None:
    paths = [str(p) for p in sorted(A3.glob("*.837i"))] + [str(IMSWEB)]
    assert main(["validate", *paths, "--today", "2026-11-27"]) == 1
    out = capsys.readouterr().out
    assert all(f"{p}: REJECTED" in out for p in paths) and "ACCEPTED" not in out
    assert "is not a claim" not in out and "not a professional claim" not in out
