"""The 837P guide description: pyx12's facts, our bindings, its page and its locations."""

from __future__ import annotations

from pathlib import Path

import pytest

from edi.guides.doc import guide_markdown
from edi.guides.locations import x12_location
from edi.guides.model import X222A1, GuideError, load_guide, x222a1

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "guide-837p.md"


def test_loaded_once_per_process() -> None:
    assert x222a1() is x222a1()


def test_element_facts_come_from_pyx12s_map() -> None:
    guide = x222a1()
    clm01 = guide["claim"].elements[0]
    assert (clm01.position, clm01.facts.data_type, clm01.facts.max_length) == ("CLM01", "AN", 38)
    assert clm01.facts.usage == "R"
    frequency = next(e for e in guide["claim"].elements if e.position == "CLM05-3")
    assert frequency.binding.value == "frequency_code"
    npi = next(e for e in guide["billing_provider_name"].elements if e.position == "NM109")
    assert (npi.facts.usage, npi.facts.max_length) == ("S", 80)
    assert guide["prior_authorization"].usage == "S"
    assert guide["billing_level"].qualifier == "20"
    assert "ABK" in guide["diagnoses"].elements[0].facts.codes


def _scratch(tmp_path: Path, old: str, new: str) -> Path:
    text = X222A1.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "x222a1.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("      SBR09: payer.claim_filing_indicator", "      SBR99: x", "no SBR99 in 2000B SBR"),
        ("      NM101: \"=85\"", "      NM101: \"=ZZ\"", "no NM1 with code 'ZZ'"),
        ("      CLM05-2: \"=B\"", "      CLM05-2: \"=Q\"", "CLM05-2 code 'Q' is not one of B"),
        ("      NM107: suffix\n      NM108: \"=MI\"", "      NM106: prefix\n      NM108: \"=MI\"",
         "NM106 is not used in this guide (usage N); remove it"),
        ("    loop: 2010AA\n", "    loop: 2010ZZ\n", "loop '2010ZZ' is not in pyx12's map"),
        ("      NM109: npi\n", "      NM109: npi or 1\n", "'npi or 1' is not a field path"),
    ],
)  # fmt: skip
def test_a_description_pyx12_contradicts_is_refused_by_name(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(GuideError, match="segment '") as raised:
        load_guide(_scratch(tmp_path, old, new))
    assert message in str(raised.value)


def test_the_doc_page_is_the_description() -> None:
    expected = guide_markdown(x222a1())
    assert PAGE.read_text(encoding="utf-8") == expected, (
        'docs/guide-837p.md is stale; regenerate it: python -c "from edi.guides.doc import '
        "guide_markdown; from edi.guides.model import x222a1; "
        "open('docs/guide-837p.md', 'w').write(guide_markdown(x222a1()))\""
    )


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("encounter_id", ("2300", "CLM", "CLM01")),
        ("frequency_code", ("2300", "CLM", "CLM05-3")),
        ("diagnoses[7]", ("2300", "HI", "HI01-2")),
        ("service_lines[3].charge", ("2400", "SV1", "SV102")),
        ("service_lines[0].modifiers[2]", ("2400", "SV1", "SV101-3")),
        ("service_lines[0].service_date_end", ("2400", "DTP", "DTP03")),
        ("service_lines[1].rendering_provider.npi", ("2420A", "NM1", "NM109")),
        ("service_lines[1]", ("2400", "SV1", None)),
        ("billing_provider.tax_id", ("2010AA", "REF", "REF02")),
        ("billing_provider", ("2010AA", "NM1", None)),
        ("subscriber.group_number", ("2000B", "SBR", "SBR03")),
        ("patient", ("2010CA", "NM1", None)),
        ("patient.address.postal_code", ("2010CA", "N4", "N403")),
        ("payer.claim_filing_indicator", ("2000B", "SBR", "SBR09")),
        ("not_a_field", None),
    ],
)
def test_rule_locations_come_from_the_bindings(path: str, location: tuple | None) -> None:
    assert x12_location(path) == location
