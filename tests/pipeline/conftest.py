"""A whole night on one machine: moto S3, the sandbox clearinghouse, a ledger, Prefect."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from edi.claims.models import Encounter
from edi.rules.registry import CheckContext, run_checks
from edi.x12.reader import iter_segments
from flows.ledger import Ledger
from flows.s3 import Area, S3Config, S3Store
from flows.scrub import check_context, disposition
from sandbox.server import SandboxClearinghouse
from sandbox.synthetic import encounters

NIGHT = date(2026, 11, 26)


@dataclass
class Night:
    store: S3Store
    sandbox: SandboxClearinghouse
    ledger_url: str
    env: dict[str, str]

    def put_encounters(self, name: str, datas: list[dict], day: date = NIGHT) -> None:
        body = "".join(json.dumps(d) + "\n" for d in datas).encode()
        self.store.put(self.store.key(Area.ENCOUNTERS, day, name), body)

    def received_claims(self) -> list[str]:
        """CLM01 of every claim the clearinghouse took, once per time it was sent."""
        return [
            seg.get(1)
            for path in sorted(self.sandbox.received.iterdir())
            for seg in iter_segments(path.read_bytes(), path.name)
            if seg.id == "CLM"
        ]

    def received_bills(self) -> list[tuple[str, str]]:
        """(CLM01, payer sequence) of every claim the clearinghouse took, once per time it
        was sent: a claim billed to its primary and later to the next payer is two bills."""
        bills, sequence, previous = [], "", ""
        for path in sorted(self.sandbox.received.iterdir()):
            for seg in iter_segments(path.read_bytes(), path.name):
                if seg.id == "SBR" and previous == "HL":  # 2000B, not a 2320 other payer
                    sequence = seg.get(1)
                elif seg.id == "CLM":
                    bills.append((seg.get(1), sequence))
                previous = seg.id
        return bills

    def received_inquiries(self) -> list[str]:
        """TRN02 of every 270 inquiry the clearinghouse took, once per time it was sent
        (by content: a second upload of a name is kept as ``NAME.1``)."""
        traces, kind = [], ""
        for path in sorted(self.sandbox.received.iterdir()):
            for seg in iter_segments(path.read_bytes(), path.name):
                kind = seg.get(1) if seg.id == "ST" else kind
                if kind == "270" and seg.id == "TRN":
                    traces.append(seg.get(2))
        return traces

    def ledger(self) -> Ledger:
        return Ledger.open(self.ledger_url)


def night_encounters(count: int, seed: int = 3, broken: float = 0.2) -> list[dict]:
    """Synthetic encounters of the night; with ``broken=0`` only those the night sends at
    once (no rule holds them for coding review), so a test can count each one at the
    clearinghouse."""
    if broken:
        return list(encounters(count, NIGHT, seed=seed, broken_share=broken))
    context = check_context(today=NIGHT)
    made = encounters(count * 4, NIGHT, seed=seed, broken_share=0)
    return list(itertools.islice((d for d in made if _sent_at_once(d, context)), count))


def _sent_at_once(data: dict, context: CheckContext) -> bool:
    encounter = Encounter.model_validate(data)
    payer = encounter.payer.payer_id
    return all(disposition(f, payer, context) == "warn" for f in run_checks(encounter, context))


@pytest.fixture
def night(
    tmp_path: Path,
    s3_config: S3Config,
    sqlite_url: str,
    prefect_api: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Night]:
    sandbox = SandboxClearinghouse(tmp_path / "sandbox", seed=5).start()
    env = {
        "CLAIMS_DATA_DIR": str(tmp_path / "data"),
        "CLAIMS_LEDGER_URL": sqlite_url,
        "CLAIMS_S3_BUCKET": s3_config.bucket,
        "CLAIMS_S3_PREFIX": s3_config.prefix,
        "CLAIMS_S3_ENDPOINT_URL": s3_config.endpoint_url or "",
        "CLAIMS_SFTP_PORT": str(sandbox.port),
        "CLAIMS_SFTP_HOST_KEY": sandbox.host_key_line,
        "CLAIMS_SFTP_KEY": str(sandbox.client_key_path),
        "CLAIMS_SFTP_ATTEMPTS": "2",
        "PREFECT_API_URL": prefect_api,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        yield Night(S3Store(s3_config), sandbox, sqlite_url, env)
    finally:
        sandbox.stop()
