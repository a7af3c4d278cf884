"""``claims demo``: a whole night on one machine, with nothing to install or configure.

Everything runs on 127.0.0.1 under one data folder: S3 is moto's server, the
clearinghouse is the sandbox, the ledger is SQLite and Prefect runs in its local mode
(analytics off, its home inside the folder).  Each run is the next business night: the
first is a week back, a second run on the same folder is the night after, and so on up
to yesterday; a few of the previous night's encounters are exported again, as EHRs do, to
show that a claim never goes out twice.

The folder's own state is free of PHI: ``demo-nights.json`` lists the nights run, and
``demo-previous.json`` the previous night's run number, count and the encounter IDs to
export again; the encounters themselves are made again from their seed.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from moto.server import ThreadedMotoServer

from edi.x12.reader import Segment, iter_segments
from flows.ledger import Ledger
from flows.s3 import Area, S3Config, S3Store, make_client
from sandbox.institutional import fqhc_visits
from sandbox.server import SandboxClearinghouse
from sandbox.synthetic import encounters

BUCKET = "claims-demo"
FILES = 3
FIRST_NIGHT_DAYS_AGO = 6
"""The first run is a week back, so the following runs are the nights after it."""
RESENT = 5
"""Encounters of the previous night exported again in the next night's files."""
ELIGIBILITY_PAYER = "87726"
"""The payer whose claims the demo checks by 270/271 before billing (issue 16)."""

Progress = Callable[[str, str], None]
"""``progress(stage, detail)``: what the demo is doing, for a person watching."""


@dataclass
class DemoResult:
    business_date: date
    encounters: int
    claims_sent: int
    exceptions: int
    exceptions_by_rule: dict[str, int]
    already_submitted: int
    """Encounters of earlier nights exported again: refused, not sent twice."""
    sent_twice: int
    """Claims the clearinghouse received more than once over every night (must be 0)."""
    states: dict[str, int]
    paid: Decimal
    denied: Decimal
    """Recoverable dollars open in the denials worklist."""
    queues: dict[str, int]
    """Open worklist rows per queue (rejections, denials, no_response)."""
    workbook: Path | None
    report: Path | None
    exceptions_file: Path
    nights: list[str] = field(default_factory=list)
    held: int = 0
    """Claims held tonight for coding review (the unbundled ECG pair among them)."""
    released: int = 0
    """Claims whose answered queries released them into tonight's build."""
    coding_review: Path | None = None
    next_payer: dict[str, int] = field(default_factory=dict)
    """COB: next-payer claims by state (sent this night, awaiting a crossover, denied...)."""
    waiting_eligibility: int = 0
    """Issue 16: claims held tonight until their 271 (sent the next night once cleared)."""
    front_desk_held: int = 0
    """Issue 16: claims held tonight on a recent 271 the front desk must act on (not asked)."""
    eligibility: dict[str, int] = field(default_factory=dict)
    """Issue 16: what the morning's 271s did with tonight's held claims (released, held for
    the front desk, other coverage found, sent unverified)."""
    front_desk: Path | None = None
    next_night: date | None = None
    """The business date of the next run: the date a fix imported before it is made on
    (``claims eligibility import FILE --date``), so the new 270's wait counts from it."""

    def as_dict(self) -> dict:
        data = asdict(self)
        return {k: str(v) if isinstance(v, Path | Decimal | date) else v for k, v in data.items()}


def quiet_console() -> None:
    """Progress lines instead of every request log (see also ``offline_prefect(quiet=)``)."""
    for name in ("werkzeug", "asyncssh", "paramiko", "flows", "prefect"):
        logging.getLogger(name).setLevel(logging.WARNING)


def offline_prefect(data_dir: Path, quiet: bool = False) -> dict:
    """Prefect settings of the demo: local, offline, its home in the data folder; ``quiet``
    keeps run logs out of the console (Prefect still stores them)."""
    from prefect.settings import (
        PREFECT_HOME,
        PREFECT_LOGGING_LEVEL,
        PREFECT_LOGGING_TO_API_BATCH_INTERVAL,
        PREFECT_SERVER_ANALYTICS_ENABLED,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
    )

    os.environ.setdefault("DO_NOT_TRACK", "1")
    return ({PREFECT_LOGGING_LEVEL: "WARNING"} if quiet else {}) | {
        PREFECT_HOME: str(data_dir / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED: False,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS: 180,
        PREFECT_LOGGING_TO_API_BATCH_INTERVAL: 0.3,
    }


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def local_services(
    data_dir: Path, seed: int = 7, clock: Callable[[], datetime] | None = None
) -> Iterator[tuple[S3Store, SandboxClearinghouse]]:
    """moto's S3 and the sandbox clearinghouse on 127.0.0.1, and the settings to reach
    them in the environment for as long as the block runs.  ``clock``: the sandbox's
    "now", so a demo night's answers are dated the morning after it (default: real time)."""
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    options = {"clock": clock} if clock is not None else {}
    sandbox = SandboxClearinghouse(data_dir / "sandbox", seed=seed, **options).start()
    host, port = moto.get_host_and_port()
    config = S3Config(bucket=BUCKET, endpoint_url=f"http://{host}:{port}")
    env = {
        "AWS_ACCESS_KEY_ID": "demo",
        "AWS_SECRET_ACCESS_KEY": "demo",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": "127.0.0.1",
        "CLAIMS_DATA_DIR": str(data_dir),
        "CLAIMS_LEDGER_URL": f"sqlite:///{(data_dir / 'ledger.sqlite').resolve()}",
        "CLAIMS_S3_BUCKET": BUCKET,
        "CLAIMS_S3_ENDPOINT_URL": config.endpoint_url or "",
        "CLAIMS_SFTP_PORT": str(sandbox.port),
        "CLAIMS_SFTP_HOST_KEY": sandbox.host_key_line,
        "CLAIMS_SFTP_KEY": str(sandbox.client_key_path),
        # issue 16: Acme's claims wait for a 271 (270/271 with the sandbox's roster)
        "CLAIMS_ELIGIBILITY_PAYERS": ELIGIBILITY_PAYER,
    }
    try:
        with _environment(env):
            make_client(config).create_bucket(Bucket=BUCKET)
            yield S3Store(config), sandbox
    finally:
        sandbox.stop()
        moto.stop()


def next_night(nights: list[str]) -> date:
    """The business night the next run is: a week back on a fresh folder, then the night
    after the last one run, up to yesterday."""
    yesterday = date.today() - timedelta(days=1)
    if nights:
        return min(date.fromisoformat(nights[-1]) + timedelta(days=1), yesterday)
    return yesterday - timedelta(days=FIRST_NIGHT_DAYS_AGO)


def _nights(data_dir: Path) -> list[str]:
    path = data_dir / "demo-nights.json"
    return json.loads(path.read_text()) if path.exists() else []


def _night_encounters(night: date, count: int, run: int) -> list[dict]:
    """The synthetic encounters of one run; encounter IDs carry the run number, so a night
    repeated (runs past yesterday) brings new visits, and the same run makes the same ones."""
    made = list(encounters(count, night, seed=run, broken_share=0.06, prefix=f"R{run}-"))
    # issue 17: a community health center's Medicare visits, billed on the 837I
    return made + fqhc_visits(max(1, count // 20), night, prefix=f"R{run}-")


def _previous(data_dir: Path) -> list[dict]:
    """The encounters of the previous night to export again, made again from their seed."""
    path = data_dir / "demo-previous.json"
    state = json.loads(path.read_text()) if path.exists() else {}
    if not isinstance(state, dict) or not state.get("resend"):
        return []  # a first run, or a folder from before IDs-only state
    wanted = set(state["resend"])
    night = date.fromisoformat(state["night"])
    made = _night_encounters(night, state["count"], state["run"])
    return [d for d in made if d["encounter_id"] in wanted]


def _export(store: S3Store, night: date, datas: list[dict]) -> None:
    """Write the night's encounter files (NDJSON) to ``encounters/DATE/``."""
    size = -(-len(datas) // FILES)
    for n in range(FILES):
        part = datas[n * size : (n + 1) * size]
        body = "".join(json.dumps(d) + "\n" for d in part).encode()
        store.put(store.key(Area.ENCOUNTERS, night, f"ehr-export-{n + 1}.jsonl"), body)


def received_claims(sandbox: SandboxClearinghouse) -> Counter[tuple[str, str]]:
    """How often the clearinghouse received each claim, over every night: by CLM01 and the
    payer's sequence (2000B SBR01), since a claim goes to each of a patient's payers once."""
    return Counter(
        claim
        for path in sorted(sandbox.received.iterdir())
        for claim in claims_sent(iter_segments(path.read_bytes(), path.name))
    )


def claims_sent(segments: Iterable[Segment]) -> Iterator[tuple[str, str]]:
    """(CLM01, SBR01 of its 2000B) of each claim in 837 segments."""
    sequence, in_claim = "P", False
    for seg in segments:
        if seg.id == "HL":
            in_claim = False
        elif seg.id == "SBR" and not in_claim:  # 2000B; the 2320 SBRs follow CLM
            sequence = seg.get(1)
        elif seg.id == "CLM":
            in_claim = True
            yield seg.get(1), sequence


def run_demo(
    data_dir: Path, count: int = 300, progress: Progress | None = None, quiet: bool = False
) -> DemoResult:
    """Run the next business night end to end; see the module docstring."""
    from prefect.settings import temporary_settings

    from flows.nightly import ingest_responses, nightly_submission

    say = progress or (lambda stage, detail: None)
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    nights = _nights(data_dir)
    night = next_night(nights)
    run = len(nights) + 1
    made = _night_encounters(night, count, run)
    datas = made + _previous(data_dir)[:RESENT]
    # Answers are dated the morning after the night, so nights spread over days (issue 15).
    morning = night + timedelta(days=1)
    started = datetime.now()

    def clock() -> datetime:
        return datetime.combine(morning, time(5)) + (datetime.now() - started)

    with (
        temporary_settings(updates=offline_prefect(data_dir, quiet)),
        local_services(data_dir, clock=clock) as (
            store,
            sandbox,
        ),
    ):
        say("services", f"S3 (moto) and the sandbox clearinghouse on 127.0.0.1:{sandbox.port}")
        install_reference(data_dir)
        _export(store, night, datas)
        say("encounters", f"{len(datas)} encounters for {night} written to S3 in {FILES} files")
        submitted = nightly_submission(night)
        say(
            "submission",
            f"{submitted['claims']} claims sent in "
            f"{len(submitted['interchanges'])} interchange(s); "
            f"{submitted['exceptions']} exceptions",
        )
        answered = ingest_responses(morning)
        say(
            "responses",
            f"{len(answered['files'])} response files parsed (999, 277CA, 835; "
            f"271s: {answered['eligibility_answers']}); worklists refreshed",
        )
        sent_twice = sum(1 for n in received_claims(sandbox).values() if n > 1)

    with Ledger.open(f"sqlite:///{data_dir / 'ledger.sqlite'}") as ledger:
        sent = {c.clm01 for c in ledger.find_claims() if c.business_date == night}
    resend = [d["encounter_id"] for d in made if d["encounter_id"].upper() in sent][:RESENT]
    state = {"night": night.isoformat(), "run": run, "count": count, "resend": resend}
    (data_dir / "demo-previous.json").write_text(json.dumps(state))
    nights.append(night.isoformat())
    (data_dir / "demo-nights.json").write_text(json.dumps(nights))
    result = _result(data_dir, night, len(datas), submitted, answered, sent_twice, nights, morning)
    result.next_night = next_night(nights)
    return _with_eligibility(_with_next_payers(result, data_dir, night), data_dir, night, morning)


def _with_eligibility(result: DemoResult, data_dir: Path, night: date, morning: date) -> DemoResult:
    """Issue 16: what the 270s of the night and the 271s of the morning did (counts)."""
    with Ledger.open(f"sqlite:///{data_dir / 'ledger.sqlite'}") as ledger:
        rows = [r for r in ledger.eligibility_rows() if r.business_date == night]
    counts: Counter[str] = Counter()
    for r in rows:
        answer = r.answer or {}
        if r.status == "answered" and answer.get("holds"):
            counts["held for the front desk"] += 1
        elif r.status == "answered":
            counts["released by their 271"] += 1
        elif r.status == "expired":
            counts["sent unverified (no 271)"] += 1
        if len((r.encounter or {}).get("other_coverage", [])) < len(answer.get("later_payers", [])):
            counts["other coverage found"] += 1
    result.eligibility = dict(counts)
    sheet = data_dir / "front-desk" / morning.isoformat() / f"front-desk-{morning}.xlsx"
    result.front_desk = sheet if sheet.exists() else None
    return result


def _with_next_payers(result: DemoResult, data_dir: Path, night: date) -> DemoResult:
    """COB: the night's encounters include the claims to next payers written for it."""
    with Ledger.open(f"sqlite:///{data_dir / 'ledger.sqlite'}") as ledger:
        rows = ledger.next_payer_rows().values()
    tonight = f"/{night.isoformat()}/"
    sent = sum(1 for r in rows if r.written_key and tonight in r.written_key)
    states = Counter("sent tonight" if r.written_key and tonight in r.written_key else r.state
                     for r in rows)  # fmt: skip
    result.encounters += sent
    result.next_payer = dict(states)
    return result


REFERENCE = Path(__file__).parent / "reference"
"""Tiny CMS-layout reference files (NCCI PTP, MUE, HCPCS, an ICD-10-CM FY2027 order file
with the codes the synthetic encounters use): the night checks with them, so the
unbundled ECG pair is held before it leaves.  Demo data, not a CMS release."""


def install_reference(data_dir: Path) -> None:
    from flows.reference import FolderLocation
    from flows.reference.install import install

    install(str(REFERENCE), FolderLocation(data_dir / "reference"))


def _result(
    data_dir: Path,
    night: date,
    count: int,
    submitted: dict,
    answered: dict,
    sent_twice: int,
    nights: list[str],
    morning: date,
) -> DemoResult:
    with Ledger.open(f"sqlite:///{data_dir / 'ledger.sqlite'}") as ledger:
        claims = [c for c in ledger.find_claims() if c.business_date == night]
        exceptions = ledger.find_exceptions(business_date=night)
    out = data_dir / "exceptions" / f"exceptions-{night}.jsonl"
    out.parent.mkdir(exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for e in exceptions:
            f.write(
                json.dumps(
                    {
                        "encounter": e.subject,
                        "file": e.source_file,
                        "rule": e.rule_id,
                        "reasons": list(e.reasons),
                    }
                )
                + "\n"
            )
    folder = data_dir / "worklists" / morning.isoformat()
    workbook = next(folder.glob("*.xlsx"), None) if folder.exists() else None
    report = next(folder.glob("*.html"), None) if folder.exists() else None
    queues = answered["queues"]
    return DemoResult(
        business_date=night,
        encounters=count,
        claims_sent=submitted["claims"],
        exceptions=submitted["exceptions"],
        exceptions_by_rule=submitted["exceptions_by_rule"],
        already_submitted=submitted["duplicates"],
        sent_twice=sent_twice,
        states=dict(Counter(str(c.state) for c in claims)),
        paid=sum((c.paid for c in claims), Decimal("0.00")),
        denied=Decimal(queues.get("denials", {}).get("recoverable", "0")),
        queues={q: v["open"] for q, v in queues.items()},
        workbook=workbook,
        report=report,
        exceptions_file=out,
        nights=nights,
        held=submitted.get("scrub", {}).get("held", 0),
        waiting_eligibility=submitted.get("scrub", {}).get("held_for_eligibility", 0),
        front_desk_held=submitted.get("scrub", {}).get("held_for_front_desk", 0),
        released=submitted.get("scrub", {}).get("released_and_built", 0),
        coding_review=next((data_dir / "coding-review").glob("*/coding-review-*.xlsx"), None)
        if (data_dir / "coding-review").exists()
        else None,
    )
