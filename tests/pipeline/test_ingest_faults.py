"""Ingest against hostile clearinghouse files, real servers: one file never stops the rest,
money is never counted twice, and a crash at any point loses no worklist row."""

from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from edi.x12.reader import iter_segments
from flows.clearinghouse.sftp import SftpClearinghouse
from flows.faults import INGEST_POINTS
from flows.ingestion import IngestSummary, Limits, ingest
from flows.ledger import ClaimState, Ledger
from flows.nightly import ingest_responses, nightly_submission
from flows.s3 import Area, S3Config
from flows.settings import Settings
from sandbox.server import SandboxClearinghouse
from tests.pipeline.conftest import NIGHT, Night, night_encounters


def _submitted(night: Night, count: int = 12, seed: int = 3) -> None:
    night.put_encounters("clinic.jsonl", night_encounters(count, seed=seed, broken=0))
    nightly_submission(NIGHT)


def _responses(night: Night) -> dict[str, Path]:
    """The sandbox's answers waiting in its outbound folder, by kind (999, 277, 835)."""
    found: dict[str, Path] = {}
    for path in sorted(night.sandbox.outbound.iterdir()):
        for seg in iter_segments(path.read_bytes(), path.name):
            if seg.id == "ST":
                found.setdefault(seg.get(1), path)
                break
    assert {"999", "835"} <= found.keys(), sorted(p.name for p in night.sandbox.outbound.iterdir())
    return found


class HostileListing:
    """The real SFTP adapter, whose listing also names what a hostile server could send
    (names no file system holds); records what ingest asked to fetch."""

    def __init__(self, real: SftpClearinghouse, extra: list[str]) -> None:
        self.real, self.extra, self.fetched = real, extra, []

    def list_responses(self) -> list[str]:
        return self.extra + self.real.list_responses()

    def fetch(self, name: str) -> bytes:
        self.fetched.append(name)
        return self.real.fetch(name)

    def mark_done(self, name: str) -> None:
        self.real.mark_done(name)


@dataclass
class Ingest:
    night: Night

    def __call__(
        self, extra: list[str] = (), limits: Limits | None = None, max_fetch: int | None = None
    ) -> tuple[IngestSummary, HostileListing]:
        settings = Settings()
        profile = settings.clearinghouse_profile()
        real = SftpClearinghouse(profile.transport, max_response_bytes=max_fetch)
        hostile = HostileListing(real, list(extra))
        with Ledger.open(self.night.ledger_url) as ledger:
            try:
                summary = ingest(
                    ledger, hostile, self.night.store, profile, NIGHT, limits=limits or Limits()
                )
            finally:
                real.close()
        return summary, hostile


def _paid_cents(night: Night) -> int:
    with night.ledger() as ledger:
        return sum(int(c.paid * 100) for c in ledger.find_claims())


def _inbound_keys(night: Night) -> set[str]:
    prefix = night.store.prefix(Area.INBOUND, NIGHT)
    return {o.key.removeprefix(prefix) for o in night.store.list_area(Area.INBOUND, NIGHT)}


def test_hostile_names_become_findings_and_the_other_files_go_on(night: Night) -> None:
    _submitted(night)
    answers = _responses(night)
    rng = random.Random(20)
    # Names a hostile or broken server may list: none may be fetched or become a key.
    impossible = ["", ".", "..", "/etc/x.999", "../../x", "a/b.835", "c\\d.835", "nul\x00.999"]
    impossible += ["../" * rng.randint(1, 6) + "etc/passwd", "/" + "x" * rng.randint(1, 300)]
    # Names a file system does hold: a newline, control and shell characters, a dot-file.
    odd = "new\nline\r\t;$(rm -rf).835"
    os.rename(answers["835"], night.sandbox.outbound / odd)
    hidden = night.sandbox.outbound / ".hidden.999"
    shutil.copy(answers["999"], hidden)

    summary, hostile = Ingest(night)(impossible)

    assert not set(hostile.fetched) & set(impossible), "a path-like name was fetched"
    assert ".hidden.999" not in hostile.fetched
    by_rule = Counter(f.rule_id for f in summary.findings)
    assert by_rule["INGEST.NAME.UNSAFE"] == len(impossible)
    assert by_rule["INGEST.NAME.HIDDEN"] == 1 and hidden.exists(), "left for ops"
    assert by_rule["INGEST.NAME.RENAMED"] == 1
    renamed = next(f for f in summary.findings if f.rule_id == "INGEST.NAME.RENAMED")
    stored = renamed.source
    assert stored and "\n" not in stored and "/" not in stored and "$" not in stored
    assert stored in summary.files, "the oddly named 835 was still read"
    for finding in summary.findings:
        assert finding.message and finding.fix and finding.owner == "ops"
        assert "\n" not in finding.message and "\x00" not in finding.message
    keys = _inbound_keys(night)
    assert keys == set(summary.files), keys
    assert all(k.replace(".", "").replace("_", "").replace("-", "").isalnum() for k in keys)
    with night.ledger() as ledger:
        states = Counter(c.state for c in ledger.find_claims())
    assert states.keys() & {ClaimState.PAID, ClaimState.DENIED, ClaimState.PARTIALLY_PAID}


def test_the_same_name_twice_in_a_day_with_other_content_is_kept_under_a_distinct_key(
    night: Night, tmp_path: Path
) -> None:
    _submitted(night)
    answers = _responses(night)
    held = tmp_path / "held.835"
    shutil.move(answers["835"], held)  # the 835 comes later in the day under a used name
    os.rename(answers["999"], night.sandbox.outbound / "answer.x12")
    first, _ = Ingest(night)()
    assert "answer.x12" in first.files and not first.findings

    shutil.move(held, night.sandbox.outbound / "answer.x12")
    second, _ = Ingest(night)()

    assert second.files == ["answer.x12"], second
    assert [f.rule_id for f in second.findings] == ["INGEST.NAME.REUSED"]
    assert second.findings[0].severity == "warn"
    assert len([k for k in _inbound_keys(night) if k.startswith("answer.x12")]) == 2
    assert _paid_cents(night) > 0, "the 835 delivered second was read"
    assert not list(night.sandbox.outbound.iterdir()), "both deliveries are done"


def _reordered(data: bytes, rng: random.Random) -> bytes:
    """The same 835 with its claims (CLP loops) in another order, and a new ISA13."""
    terminator = data[105:106]
    segments = data.split(terminator)
    starts = [i for i, s in enumerate(segments) if s.strip().startswith(b"CLP")]
    assert len(starts) >= 2, "the 835 carries several claims"
    end = next(
        i for i, s in enumerate(segments) if s.strip().startswith((b"PLB", b"SE")) and i > starts[0]
    )
    loops = [segments[a:b] for a, b in zip(starts, [*starts[1:], end], strict=True)]
    order = list(range(len(loops)))
    while order == sorted(order):
        rng.shuffle(order)
    moved = [seg for n in order for seg in loops[n]]
    segments = [*segments[: starts[0]], *moved, *segments[end:]]
    isa = segments[0]
    segments[0] = isa[:90] + b"%09d" % rng.randint(1, 999_999_999) + isa[99:]
    return terminator.join(segments)


def test_a_reordered_835_delivered_again_does_not_pay_twice(night: Night) -> None:
    _submitted(night, count=20, seed=8)
    answers = _responses(night)
    original = answers["835"].read_bytes()
    first, _ = Ingest(night)()
    paid = _paid_cents(night)
    assert paid > 0 and first.files

    rng = random.Random(7)
    for n in range(3):
        (night.sandbox.outbound / f"again-{n}.835").write_bytes(_reordered(original, rng))
        again, _ = Ingest(night)()
        assert again.files == [f"again-{n}.835"], "new bytes: parsed, never refused"
        assert again.moved == 0
        assert _paid_cents(night) == paid, f"redelivery {n} changed the paid total"


def test_size_caps_leave_the_file_for_ops_with_a_finding(night: Night) -> None:
    _submitted(night)
    _responses(night)
    big = max(night.sandbox.outbound.iterdir(), key=lambda p: p.stat().st_size)
    cap = big.stat().st_size - 1  # the largest answer is over the cap, the others under

    fetched, _ = Ingest(night)(max_fetch=cap)
    too_big = [f for f in fetched.findings if big.name in (f.source or "")]
    assert len(too_big) == 1 and "cap" in too_big[0].message, fetched.findings
    assert too_big[0].rule_id == "INGEST.FILE.TOO_LARGE"
    assert big.exists() and big.name not in _inbound_keys(night)
    assert fetched.files, "the files under the cap were read"

    parsed, _ = Ingest(night)(limits=Limits(max_bytes=cap))
    assert [f.rule_id for f in parsed.findings] == ["INGEST.FILE.TOO_LARGE"]
    assert big.exists() and big.name not in _inbound_keys(night)

    result = ingest_responses(NIGHT)  # the flow reads the setting
    assert result["files"] == [big.name] and not big.exists()


def test_the_flow_reads_the_fetch_cap_from_settings(
    night: Night, monkeypatch: pytest.MonkeyPatch
) -> None:
    _submitted(night)
    smallest = min(p.stat().st_size for p in night.sandbox.outbound.iterdir())
    monkeypatch.setenv("CLAIMS_RESPONSE_MAX_BYTES", str(smallest - 1))
    result = ingest_responses(NIGHT)
    assert result["files"] == [] and len(result["unreadable"]) == len(
        list(night.sandbox.outbound.iterdir())
    )


# -- crashes ------------------------------------------------------------------------------

INGEST = (
    "from datetime import date; from flows.nightly import ingest_responses; "
    f"ingest_responses(date.fromisoformat('{NIGHT.isoformat()}'))"
)


@dataclass
class Trial:
    """One copy of the night after submission: its own sandbox, ledger and S3 prefix."""

    name: str
    sandbox: SandboxClearinghouse
    env: dict[str, str]
    data: Path
    ledger_url: str

    def run(self, **extra: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", INGEST],
            env={**self.env, **extra},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def rows(self) -> dict[str, list[tuple]]:
        """Worklist and front-desk rows per file, without the columns that say when they
        were seen."""
        day = NIGHT.isoformat()
        found = {}
        for path in sorted([*(self.data / "worklists" / day).glob("*.csv"),
                            *(self.data / "front-desk" / day).glob("*.csv")]):  # fmt: skip
            with path.open(newline="", encoding="utf-8") as f:
                table = list(csv.reader(f))
            keep = [i for i, h in enumerate(table[0]) if "seen" not in h.lower()]
            found[path.name] = sorted(tuple(r[i] for i in keep) for r in table)
        return found

    def totals(self) -> tuple:
        """Money paid, claims by state, and each eligibility check's outcome (issue 16):
        its status, its hold's state and the holds its 271 decided."""
        with Ledger.open(self.ledger_url) as ledger:
            claims = ledger.find_claims()
            checks = ledger.eligibility_rows()
        return (
            sum(int(c.paid * 100) for c in claims),
            sorted(Counter(str(c.state) for c in claims).items()),
            sorted((r.trace, str(r.status), str(r.hold_state),
                    [h["code"] for h in (r.answer or {}).get("holds", [])]) for r in checks),
        )  # fmt: skip


@pytest.fixture
def trials(
    night: Night, tmp_path: Path, s3_config: S3Config, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Trial]:
    """Copies of one submitted night (ledger file and the sandbox's answers).  One payer is
    checked by 270/271 (issue 16): its claims wait for the 271s among the answers."""
    monkeypatch.setenv("CLAIMS_ELIGIBILITY_PAYERS", CHECKED_PAYER)  # the trials inherit it
    _submitted(night, count=30, seed=14)
    ledger_file = Path(night.ledger_url.removeprefix("sqlite:///"))
    answers = sorted(night.sandbox.outbound.iterdir())
    made: list[Trial] = []

    def make(name: str) -> Trial:
        root = tmp_path / "trials" / name
        sandbox = SandboxClearinghouse(root / "sandbox", seed=5, respond=False).start()
        for path in answers:
            shutil.copy(path, sandbox.outbound / path.name)
        ledger = root / "ledger.sqlite"
        shutil.copy(ledger_file, ledger)
        env = {
            **os.environ,
            **night.env,
            "CLAIMS_S3_PREFIX": f"{s3_config.prefix}-{name}",
            "CLAIMS_LEDGER_URL": f"sqlite:///{ledger}",
            "CLAIMS_DATA_DIR": str(root / "data"),
            "CLAIMS_SFTP_PORT": str(sandbox.port),
            "CLAIMS_SFTP_HOST_KEY": sandbox.host_key_line,
            "CLAIMS_SFTP_KEY": str(sandbox.client_key_path),
            "CLAIMS_WORKER": f"ingest-{name}",
        }
        trial = Trial(name, sandbox, env, root / "data", f"sqlite:///{ledger}")
        made.append(trial)
        return trial

    try:
        yield make  # type: ignore[misc]
    finally:
        for trial in made:
            trial.sandbox.stop()


CHECKED_PAYER = "87726"


def _finish(process: subprocess.Popen, name: str, code: int | None = 0) -> None:
    _, err = process.communicate(timeout=300)
    if code is not None:
        assert process.returncode == code, (name, err[-2000:])


@pytest.mark.slow
def test_killed_at_any_ingest_step_the_rerun_gives_the_same_worklists_and_totals(
    trials,
) -> None:
    """Kill ``ingest-responses`` (the process dies at once) at every step boundary and at
    random times, rerun it, and compare with an uninterrupted run: the same worklist and
    front-desk rows and the same ledger totals and eligibility outcomes (nothing lost,
    nothing counted or released twice)."""
    baseline = trials("baseline")
    _finish(baseline.run(), "baseline")
    expected_rows, expected_totals = baseline.rows(), baseline.totals()
    assert any(len(rows) > 1 for rows in expected_rows.values()), expected_rows.keys()
    checks = expected_totals[2]
    assert checks and {c[1] for c in checks} == {"answered"}, "the 271s decided every check"
    assert "released" in {c[2] for c in checks}, "a 271 cleared a claim"
    assert any(name.startswith("front-desk") for name in expected_rows), expected_rows.keys()

    named = {point: trials(point) for point in INGEST_POINTS}
    killed = {p: t.run(CLAIMS_FAULT=p, CLAIMS_FAULT_MODE="exit") for p, t in named.items()}
    for point, process in killed.items():
        _finish(process, point, 70)

    rng = random.Random(2026)
    at_random = {f"random-{n}": trials(f"random-{n}") for n in range(2)}
    started = time.monotonic()
    running = {name: (trial.run(), rng.uniform(2.0, 10.0)) for name, trial in at_random.items()}
    for name, (process, after) in sorted(running.items(), key=lambda item: item[1][1]):
        time.sleep(max(0.0, started + after - time.monotonic()))  # side by side, killed in turn
        process.send_signal(signal.SIGKILL)
        _finish(process, name, code=None)

    everyone = {**named, **at_random}
    reruns = {name: trial.run() for name, trial in everyone.items()}
    for name, process in reruns.items():
        _finish(process, name)
    for name, trial in everyone.items():
        assert trial.totals() == expected_totals, name
        assert trial.rows() == expected_rows, name


@pytest.mark.slow
def test_a_trial_copy_is_the_same_night(trials) -> None:
    """The comparison above means something: two uninterrupted copies agree."""
    one, two = trials("one"), trials("two")
    _finish(one.run(), "one")
    _finish(two.run(), "two")
    assert one.rows() == two.rows() and one.totals() == two.totals()
    assert one.totals()[0] > 0


def test_a_lost_archive_leaves_its_rows_out_and_stops_nothing(night: Night) -> None:
    """S3 emptied under a ledger that remembers (the demo's in-memory S3 on a second run
    the same day): the worklists are built from what is left."""
    _submitted(night)
    first = ingest_responses(NIGHT)
    assert first["files"]
    gone = night.store.key(Area.INBOUND, NIGHT, first["files"][0])
    night.store.client.delete_object(Bucket=night.store.config.bucket, Key=gone)
    again = ingest_responses(NIGHT)
    assert again["files"] == [] and again["unreadable"] == []
