"""Shared pieces of the worklist tests: a claims context with PHI, the bundled rules."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from edi.worklists.deadlines import terms_lookup
from edi.worklists.inputs import context_frame
from mappings.denial_rules import denial_rules, worklist_settings
from mappings.profiles import payer_profiles

PATIENTS = {
    "ENC-1": ("DOE, JANE", "W123456789", "1980-04-02"),
    "ENC-2": ("ROE, RICHARD", "W987654321", "1975-12-31"),
    "ENC-3": ("POE, EDGAR", "1EG4TE5MK72", "1949-01-19"),
    "ENC-4": ("LOVELACE, ADA", "W555555555", "1990-12-10"),
}
"""Names, member IDs and birth dates that must never reach a Prefect artifact."""


def context_rows(**overrides: dict) -> list[dict]:
    base = {
        "ENC-1": {"payer_id": "87726", "payer_name": "Acme Health Plan", "billed_cents": 17500,
                  "claim_filing_indicator": "CI"},
        "ENC-2": {"payer_id": "87726", "payer_name": "Acme Health Plan", "billed_cents": 9000,
                  "claim_filing_indicator": "CI"},
        "ENC-3": {"payer_id": "00431", "payer_name": "Medicare Part B", "billed_cents": 12000,
                  "claim_filing_indicator": "MB"},
        "ENC-4": {"payer_id": "55555", "payer_name": "Small Commercial", "billed_cents": 30000,
                  "claim_filing_indicator": "CI"},
    }  # fmt: skip
    rows = []
    for clm01, extra in base.items():
        name, member, _ = PATIENTS[clm01]
        rows.append(
            {
                "clm01": clm01,
                "patient_name": name,
                "member_id": member,
                "dos": date(2026, 10, 1),
                "rendering_npi": "1245319599",
                "submitted_on": date(2026, 10, 2),
                "frequency_code": "1",
                "isa13": 9,
                "gs06": 5,
                "st02": {"ENC-3": 1}.get(clm01, 2),
                "responded_on": date(2026, 10, 5),
                **extra,
                **overrides.get(clm01, {}),
            }
        )
    return rows


def context(**overrides: dict) -> pd.DataFrame:
    return context_frame(context_rows(**overrides))


@pytest.fixture
def settings():
    return worklist_settings()


@pytest.fixture
def rules():
    return denial_rules()


@pytest.fixture
def terms(settings):
    return terms_lookup(payer_profiles(), settings.deadlines)
