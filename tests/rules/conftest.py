"""A check context with every code set loaded: bundled ICD-10-CM, POS and states, and
small CMS files (HCPCS, CPT, NCCI PTP, MUE) written in their published layouts."""

from __future__ import annotations

from datetime import date

import pytest

from edi.codesets import CodeSets, bundled_code_sets
from edi.codesets.ncci import read_mue_file, read_ptp_file
from edi.codesets.procedures import read_cpt_file, read_hcpcs_file
from edi.rules.registry import CheckContext
from mappings.profiles import payer_profiles
from tests.rules import cms_files

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="session")
def code_sets() -> CodeSets:
    return bundled_code_sets().with_files(
        hcpcs=read_hcpcs_file(cms_files.hcpcs_text().splitlines(), "HCPC2026_OCT_ANWEB.txt"),
        cpt=read_cpt_file(cms_files.cpt_text().splitlines(), "cpt.txt"),
        ptp=read_ptp_file(cms_files.ptp_text().splitlines(), "ccipra-v323r0-f1.txt"),
        mue=read_mue_file(cms_files.mue_csv().splitlines(), "MCR_MUE_Practitioner.csv"),
    )


@pytest.fixture(scope="session")
def context(code_sets: CodeSets) -> CheckContext:
    return CheckContext(today=TODAY, payers=payer_profiles(), code_sets=code_sets)
