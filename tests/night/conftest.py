"""A night's build against moto's S3 and a SQLite ledger, with the CMS reference files of
``tests/reference/cms`` installed: no Prefect, no clearinghouse (nothing is uploaded)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from edi.rules.registry import CheckContext
from edi.x12.reader import iter_segments
from flows.ledger import Ledger
from flows.reference import FolderLocation, load_reference
from flows.reference.install import install
from flows.s3 import Area, S3Config, S3Store
from flows.scrub import NightChecks
from flows.submission import BuildSummary, build_files, build_released, new_encounter_files
from mappings.profiles import PayerProfile, clearinghouse_profile
from tests.factories import encounter

NIGHT = date(2026, 11, 26)
CMS = Path(__file__).parent.parent / "reference" / "cms"
HOLD_NCCI = PayerProfile(
    payer_id="87726",
    name="Acme Health Plan",
    member_id_pattern=r"^W\d{9}$",
    dispositions={"SNIP7.NCCI.": "hold"},
)


def ecg_pair(encounter_id: str) -> dict:
    """The complete ECG and its tracing billed together (NCCI PTP, indicator 0)."""
    line = {"charge": "45.00", "units": "1", "service_date": NIGHT.isoformat(),
            "diagnosis_pointers": [1]}  # fmt: skip
    return encounter(
        encounter_id=encounter_id,
        diagnoses=["I10"],
        service_lines=[
            {**line, "procedure_code": "93000"},
            {**line, "procedure_code": "93005", "charge": "30.00"},
        ],
    )


def office_visit(encounter_id: str) -> dict:
    return encounter(
        encounter_id=encounter_id,
        diagnoses=["I10"],
        service_lines=[
            {
                "procedure_code": "99213",
                "charge": "150.00",
                "units": "1",
                "service_date": NIGHT.isoformat(),
                "diagnosis_pointers": [1],
            }
        ],
    )


@dataclass
class Build:
    store: S3Store
    ledger: Ledger
    checks: NightChecks

    def put(self, name: str, datas: list[dict], day: date = NIGHT) -> None:
        body = "".join(json.dumps(d) + "\n" for d in datas).encode()
        self.store.put(self.store.key(Area.ENCOUNTERS, day, name), body)

    def night(self, names: list[str] | None = None, day: date = NIGHT) -> BuildSummary:
        files = [
            o
            for o in new_encounter_files(self.store, self.ledger, day, "test")
            if names is None or o.key.rsplit("/", 1)[-1] in names
        ]
        return build_files(
            files,
            store=self.store,
            ledger=self.ledger,
            profile=clearinghouse_profile("sandbox"),
            context=self.checks,
            business_date=day,
            created=datetime.combine(day + timedelta(days=1), time(1, 0)),
        )

    def crash_after(self, name: str, day: date = NIGHT) -> None:
        """Leave ``name`` as a crashed run would: taken, not finished, so it is read again."""
        key = self.store.key(Area.ENCOUNTERS, day, name)
        [obj] = [o for o in self.store.list_area(Area.ENCOUNTERS, day) if o.key == key]
        bucket = self.store.config.bucket
        self.ledger.finish_file(bucket, key, obj.etag, encounters=0, exceptions=0, failed=True)

    def released(self, day: date = NIGHT) -> BuildSummary:
        return build_released(
            ledger=self.ledger,
            profile=clearinghouse_profile("sandbox"),
            checks=self.checks,
            business_date=day,
            created=datetime(2026, 11, 28, 1, 0),
        )

    def sent(self) -> dict[str, list[str]]:
        """CLM01 -> procedure codes of every claim recorded in an interchange."""
        claims: dict[str, list[str]] = {}
        for item in self.ledger.claim_pending_interchanges("test", limit=1000):
            current = None
            for seg in iter_segments(item.content, item.file_name):
                if seg.id == "CLM":
                    current = seg.get(1)
                    assert current not in claims, f"{current} built twice"
                    claims[current] = []
                elif seg.id == "SV1" and current:
                    claims[current].append(seg.get(1).split(":")[1])
            self.ledger.release_interchange(item.id, "test")
        return claims


@pytest.fixture
def build(tmp_path: Path, s3_config: S3Config, ledger_url: str) -> Iterator[Build]:
    """On SQLite and (marked ``postgres``) PostgreSQL: the hold's keys and locks are the
    ledger's, so both databases must keep them."""
    location = FolderLocation(tmp_path / "reference")
    install(str(CMS), location)
    reference = load_reference(location)
    context = CheckContext(today=NIGHT, payers={"87726": HOLD_NCCI}, code_sets=reference.code_sets)
    with Ledger.open(ledger_url) as ledger:
        yield Build(S3Store(s3_config), ledger, NightChecks(context, reference.releases))
