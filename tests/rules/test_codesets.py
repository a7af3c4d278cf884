"""The code-set readers on files in the CMS layouts, and the ICD-10-CM release choice."""

from __future__ import annotations

from datetime import date

import pytest

from edi.codesets import bundled_code_sets
from edi.codesets.icd10cm import IcdCatalog, read_order_file, sides
from edi.codesets.ncci import read_mue_file, read_ptp_file
from edi.codesets.procedures import procedure_kind, read_cpt_file, read_hcpcs_file
from tests.rules import cms_files

ORDER_2027 = [
    "00001 A00     0 Cholera                                                      Cholera",
    "00002 A000    1 Cholera due to Vibrio cholerae 01, biovar cholerae           "
    "Cholera due to Vibrio cholerae 01, biovar cholerae",
    "00003 Z9999   1 Invented code for the test                                   "
    "Invented code for the test",
]


def test_bundled_release_is_named_and_dated() -> None:
    release, covered = bundled_code_sets().icd.release_for(date(2026, 5, 1))
    assert covered
    assert release.name.startswith("ICD-10-CM FY2026")
    assert (release.valid_from, release.valid_to) == (date(2025, 10, 1), date(2026, 9, 30))
    assert release.lookup("E119").billable
    assert not release.lookup("E11").billable
    assert release.lookup("E1198") is None


def test_release_chosen_by_date_of_service() -> None:
    fy2027 = read_order_file(ORDER_2027, 2027)
    catalog = IcdCatalog((fy2027, *bundled_code_sets().icd.releases))
    release, covered = catalog.release_for(date(2026, 11, 20))
    assert (release.name, covered) == ("ICD-10-CM FY2027 (CMS order file)", True)
    assert release.lookup("Z9999").billable and not release.lookup("A00").billable
    older, covered = catalog.release_for(date(2026, 3, 1))
    assert older.name.startswith("ICD-10-CM FY2026") and covered
    nearest, covered = catalog.release_for(date(2020, 1, 1))
    assert nearest.name.startswith("ICD-10-CM FY2026") and not covered


def test_order_file_layout_is_enforced() -> None:
    with pytest.raises(ValueError, match="line 1"):
        read_order_file(["not an order file"], 2027)


def test_ptp_file_in_cms_layout() -> None:
    edits = read_ptp_file(cms_files.ptp_text().splitlines(), "ccipra.txt")
    assert len(edits) == len(cms_files.PTP_ROWS)
    edit = edits.edit_for("20610", "27447", date(2026, 11, 20))
    assert edit and (edit.column1, edit.modifier_indicator) == ("27447", "0")
    assert edits.edit_for("93005", "93000", date(2026, 1, 1)) is None  # deleted 2020
    assert edits.edit_for("93005", "93000", date(2019, 1, 1)) is not None
    with pytest.raises(ValueError):
        read_ptp_file(["Column 1\tColumn 2"], "empty.txt")


def test_mue_file_in_cms_layout() -> None:
    limits = read_mue_file(cms_files.mue_csv().splitlines(), "mue.csv")
    assert len(limits) == 4
    limit = limits.get("11042")
    assert limit and (limit.units, limit.indicator) == (1, "1")
    assert limits.get("99999") is None


def test_hcpcs_and_cpt_files() -> None:
    hcpcs = read_hcpcs_file(cms_files.hcpcs_text().splitlines(), "HCPC.txt")
    assert "J1100" in hcpcs.procedures and "XS" in hcpcs.modifiers
    assert "00100" not in hcpcs.procedures
    cpt = read_cpt_file(cms_files.cpt_text().splitlines(), "cpt.txt")
    assert "99213" in cpt and len(cpt) == len(cms_files.CPT_CODES)
    with pytest.raises(ValueError):
        read_hcpcs_file(["nothing here"], "x.txt")


@pytest.mark.parametrize(
    ("code", "kind"),
    [("99213", "cpt_category_i"), ("0001F", "cpt_category_ii"), ("0042T", "cpt_category_iii"),
     ("0001U", "cpt_pla"), ("J1100", "hcpcs_level_ii"), ("W1234", None), ("9921", None)],
)  # fmt: skip
def test_procedure_kinds(code: str, kind: str | None) -> None:
    assert procedure_kind(code) == kind


def test_places_of_service_and_states_come_from_pyx12() -> None:
    sets = bundled_code_sets()
    assert {"11", "02", "22"} <= sets.places_of_service and "00" not in sets.places_of_service
    assert {"IL", "PR"} <= sets.states and "ZZ" not in sets.states


def test_laterality_from_descriptions() -> None:
    assert sides("Pain in right knee") == {"right"}
    assert sides("Bilateral primary osteoarthritis of knee") == {"bilateral"}
    assert sides("Headache, unspecified") == frozenset()
