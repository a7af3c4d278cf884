"""Clearinghouse and payer profiles: the trading-partner settings people edit as YAML.

Clearinghouse profiles (``mappings/clearinghouses/NAME.yaml``) carry everything an 837's
envelope and header need that must never come from an encounter (ISA/GS identities,
submitter, usage T/P) plus how files travel.  Payer profiles
(``mappings/payers/*.yaml``) carry the payer's own rules (SNIP level 7) and deadlines.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from edi import package_cache
from edi.x12.writer import Party

HERE = Path(__file__).parent


class _Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartyId(_Profile):
    qualifier: str = Field("ZZ", min_length=2, max_length=2)
    id: str = Field(min_length=1, max_length=15)
    application_code: str | None = Field(
        None, max_length=15, description="GS02/GS03; defaults to id"
    )

    def party(self) -> Party:
        return Party(self.qualifier, self.id, self.application_code or self.id)


class Submitter(_Profile):
    name: str
    id: str = Field(description="1000A NM109, the submitter ID the clearinghouse assigned")
    contact_name: str
    contact_phone: str | None = Field(None, pattern=r"^\d{10}$")
    contact_email: str | None = None


class Transport(_Profile):
    """How files reach the clearinghouse and come back (SFTP)."""

    kind: Literal["sftp"] = "sftp"
    host: str = "127.0.0.1"
    port: int = 2222
    username: str = "clinic"
    host_key: str | None = Field(
        None, description="Pinned server key, 'ssh-ed25519 AAAA...'; unknown keys are refused"
    )
    private_key_env: str = Field("CLAIMS_SFTP_KEY", description="env var holding the key path")
    private_key_block: str | None = Field(None, description="Prefect Secret block with the key")
    passphrase_env: str | None = None
    inbound_dir: str = Field("to-clearinghouse", description="where we upload 837s")
    outbound_dir: str = Field("from-clearinghouse", description="where responses appear")
    archive_dir: str | None = Field("archive", description="None deletes fetched responses")
    received_dir: str | None = Field(
        None, description="read-only folder listing the uploads the clearinghouse took, if any"
    )
    file_name: str = Field("{isa13}.837", description="upload name; {isa13} {date} {profile}")


class ClearinghouseProfile(_Profile):
    name: str
    usage: Literal["T", "P"] = "T"
    sender: PartyId
    receiver: PartyId
    submitter: Submitter
    receiver_name: str = Field(description="1000B NM103")
    receiver_id: str = Field(description="1000B NM109")
    claims_per_transaction: int = Field(5000, ge=1, le=5000)
    transactions_per_interchange: int = Field(1, ge=1)
    ack_requested: bool = True
    line_breaks: bool = True
    transport: Transport = Transport()


class Eligibility(_Profile):
    """Eligibility checks before billing (270/271, issue 16); off unless ``enabled``."""

    enabled: bool = Field(False, description="hold claims until a 271 says the member is covered")
    verified_days: int = Field(
        30, ge=0, description="an answer this recent is used again: the member is not asked"
    )
    wait_days: int = Field(
        3, ge=0, description="with no 271 after this many days the claim goes out, with a warning"
    )
    per_file: int = Field(
        1000, ge=1, le=99999, description="most members asked in one 270 file (the payer's cap)"
    )


class PayerProfile(_Profile):
    payer_id: str
    name: str
    claim_filing_indicator: str = "CI"
    member_id_pattern: str | None = Field(None, description="regex a member ID must match")
    requires_zip4: bool = False
    prior_auth_codes: tuple[str, ...] = Field((), description="procedures needing REF*G1")
    timely_filing_days: int = 365
    appeal_days: int = 180
    no_response_days: int = Field(30, ge=0)
    # -- COB (issue 13) --
    secondary_after_denial: bool = Field(
        False, description="bill the next payer even when this payer denied the claim"
    )
    qmb: bool = Field(
        False,
        description="a Medicaid plan for QMB dual eligibles: no patient balance for Medicare "
        "cost sharing",
    )
    # -- end COB --
    eligibility: Eligibility = Eligibility()

    dispositions: dict[str, Literal["reject", "hold", "warn"]] = Field(
        default_factory=dict,
        description="rule ID or ID prefix (ending in '.' or '*') -> reject, hold or warn",
    )

    def disposition_for(self, rule_id: str) -> Literal["reject", "hold", "warn"] | None:
        """This payer's disposition for ``rule_id``: an exact ID first, then the longest
        matching prefix (``SNIP7.NCCI.`` or ``SNIP7.NCCI.*``); None when it names none."""
        return disposition_for(self.dispositions, rule_id)

    @field_validator("member_id_pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value


def disposition_for(
    table: dict[str, Literal["reject", "hold", "warn"]], rule_id: str
) -> Literal["reject", "hold", "warn"] | None:
    """The entry of ``table`` for ``rule_id``: exact, else the longest prefix entry."""
    if rule_id in table:
        return table[rule_id]
    best: tuple[int, Literal["reject", "hold", "warn"]] | None = None
    for key, value in table.items():
        prefix = key.rstrip("*")
        if (key.endswith(("*", ".")) and rule_id.startswith(prefix)) and (
            best is None or len(prefix) > best[0]
        ):
            best = (len(prefix), value)
    return best[1] if best else None


def _load_yaml(path: Path) -> dict:
    """A profile's YAML, read by libyaml when PyYAML has it (a handful of milliseconds a
    file faster than PyYAML's own reader, on every start), as ``edi.guides`` reads its own."""
    import yaml  # not for the bundled payer profiles, read from the cache on most starts

    with path.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}


def _bundled_payers() -> list[dict]:
    """The bundled payer profiles' YAML, read through the user's cache
    (:mod:`edi.package_cache`): they ship with the package, and every command that checks
    claims reads them, which otherwise means importing PyYAML (about 15 ms a start).
    Keyed by each file's name and bytes and PyYAML's version."""
    paths = sorted((HERE / "payers").glob("*.yaml"))
    key = package_cache.key_of(
        version("PyYAML"), *(part for p in paths for part in (p.name, p.read_bytes()))
    )
    return package_cache.cached("payer-profiles", key, lambda: [_load_yaml(p) for p in paths])


def clearinghouse_profile(name_or_path: str = "sandbox") -> ClearinghouseProfile:
    """Load a bundled profile by name, or any profile YAML by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = HERE / "clearinghouses" / f"{name_or_path}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in (HERE / "clearinghouses").glob("*.yaml")))
        raise FileNotFoundError(f"no clearinghouse profile {name_or_path!r} (bundled: {known})")
    return ClearinghouseProfile.model_validate(_load_yaml(path))


@cache
def payer_profiles(folder: str | None = None) -> dict[str, PayerProfile]:
    """All payer profiles of a folder (bundled by default), keyed by payer ID."""
    if folder:
        raw = [_load_yaml(p) for p in sorted(Path(folder).glob("*.yaml"))]
    else:
        raw = _bundled_payers()
    profiles = [PayerProfile.model_validate(data) for data in raw]
    return {p.payer_id: p for p in profiles}
