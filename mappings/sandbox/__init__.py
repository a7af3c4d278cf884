"""The sandbox clearinghouse's payer rules: fee schedules and denial rules people edit.

``payer_rules.yaml`` says how each sandbox payer adjudicates (cost sharing, which pairs it
denies and why, how often it reprocesses); ``fee_schedule.csv`` holds allowed amounts per
procedure, one column per schedule.  Both are data so that a biller can make the sandbox
deny exactly the case they want to rehearse without touching code.  Money is ``Decimal``.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

HERE = Path(__file__).parent

Percent = Decimal


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PayerAddress(_Rules):
    line1: str
    city: str
    state: str = Field(pattern=r"^[A-Z]{2}$")
    postal_code: str = Field(pattern=r"^\d{5}(\d{4})?$")


class MedicalNecessity(_Rules):
    """CO-50: ``procedure`` is not covered with any diagnosis starting with these prefixes."""

    procedure: str
    diagnosis_prefixes: tuple[str, ...]


class Bundle(_Rules):
    """CO-97 + M15: ``procedure`` is included in ``with`` billed on the same claim and date."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    procedure: str
    with_procedure: str = Field(alias="with")


class RequiredData(_Rules):
    """CO-16 + ``rarc``: lines whose code starts with a prefix must carry ``requires``."""

    procedure_prefixes: tuple[str, ...]
    requires: Literal["ndc", "referring_provider", "line_control_number"]
    rarc: str


class PayerRules(_Rules):
    payer_id: str
    name: str
    tax_id: str = Field("999999999", pattern=r"^\d{9}$", description="BPR10/TRN03 after '1'")
    address: PayerAddress
    technical_contact_phone: str = Field(pattern=r"^\d{10}$")
    fee_schedule: str = Field(description="column of fee_schedule.csv")
    claim_filing_code: str = Field("12", description="835 CLP06")
    payment_method: Literal["ACH", "CHK"] = "ACH"
    copay: Decimal = Decimal("0")
    copay_codes: tuple[str, ...] = ()
    deductible: Decimal = Decimal("0")
    deductible_met_percent: Percent = Field(
        Decimal("0"), description="members who met the year's deductible at other providers"
    )
    coinsurance_percent: Percent = Decimal("0")
    unlisted_percent: Percent = Decimal("50")
    timely_filing_days: int | None = Field(None, description="None: the payer profile's")
    medical_necessity: tuple[MedicalNecessity, ...] = ()
    bundled: tuple[Bundle, ...] = ()
    required_data: tuple[RequiredData, ...] = ()
    reprocess_percent: Percent = Decimal("0")
    reprocess_fee_percent: Percent = Decimal("0")
    plb_percent: Percent = Decimal("0")
    silent: bool = Field(
        False, description="never answers beyond the 999: its claims wait for the no-response list"
    )
    # -- COB (issue 13) --
    secondary_only: bool = Field(
        False,
        description="pays only after another payer (Medigap, Medicaid): adjudicates COB claims "
        "that balance, rejects the rest at the front end (277CA A7:479, A7:400)",
    )
    crossover_to: str | None = Field(
        None,
        description="forwards claims to this payer when the claim names it as secondary "
        "(CLP02 19 + NM1*TT); that payer's 835 follows in the next payment cycle",
    )

    @model_validator(mode="after")
    def _sane(self) -> PayerRules:
        for name in (
            "coinsurance_percent",
            "unlisted_percent",
            "reprocess_percent",
            "plb_percent",
            "deductible_met_percent",
        ):
            if not Decimal(0) <= getattr(self, name) <= Decimal(100):
                raise ValueError(f"{name} must be between 0 and 100")
        if self.copay < 0 or self.deductible < 0:
            raise ValueError("copay and deductible must not be negative")
        return self


class SandboxRules(_Rules):
    default: PayerRules = Field(description="rules for payer IDs not listed under payers")
    payers: dict[str, PayerRules] = {}
    fees: dict[str, dict[str, Decimal]] = Field(
        default_factory=dict, description="schedule -> procedure -> allowed per unit"
    )

    def for_payer(self, payer_id: str) -> PayerRules:
        return self.payers.get(payer_id, self.default)

    def fee(self, schedule: str, procedure: str) -> Decimal | None:
        """Allowed amount per unit, or None when the schedule does not list the procedure."""
        return self.fees.get(schedule, {}).get(procedure)

    @model_validator(mode="after")
    def _schedules_exist(self) -> SandboxRules:
        if self.fees:
            for rules in (self.default, *self.payers.values()):
                if rules.fee_schedule not in self.fees:
                    raise ValueError(
                        f"payer {rules.payer_id}: fee_schedule {rules.fee_schedule!r} is not a "
                        f"column of the fee schedule ({', '.join(sorted(self.fees))})"
                    )
        return self


def read_fee_schedule(path: Path) -> dict[str, dict[str, Decimal]]:
    """``procedure_code`` plus one column per schedule; empty cells mean "not listed"."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return {}
    schedules = [c for c in rows[0] if c != "procedure_code"]
    return {
        schedule: {
            row["procedure_code"].strip().upper(): Decimal(row[schedule])
            for row in rows
            if (row.get(schedule) or "").strip()
        }
        for schedule in schedules
    }


@cache
def sandbox_rules(folder: str | None = None) -> SandboxRules:
    """Load ``payer_rules.yaml`` and ``fee_schedule.csv`` from ``folder`` (bundled by default)."""
    root = Path(folder) if folder else HERE
    with (root / "payer_rules.yaml").open(encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    data["fees"] = read_fee_schedule(root / "fee_schedule.csv")
    return SandboxRules.model_validate(data)
