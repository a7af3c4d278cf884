"""Prefect flows: ``nightly-submission``, ``ingest-responses`` and ``backfill``.

Tasks work on batches (files, interchanges), never on single claims.  Tasks and flows
persist no results and cache nothing: what they return is IDs and counts, and what makes a
Retry safe is the ledger (see :mod:`flows.submission`), not Prefect's cache.  Transient
S3 and clearinghouse errors are retried with backoff; permanent ones fail the run with a
message that tells ops what to do.  A submission never ends looking clean with claims
unsent: work another run holds is waited for (``held_wait_seconds``), taken over once its
lease ends, or named in the failure with its holder and the time its lease ends.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.concurrency.sync import concurrency
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.tasks import exponential_backoff

from edi.codesets.ncci import PtpEdits
from edi.worklists.summary import WorklistSummary
from flows import artifacts
from flows.clearinghouse import Clearinghouse, connect
from flows.clearinghouse.base import AuthenticationFailed, HostKeyMismatch, TransientError
from flows.clearinghouse.retry import RetryPolicy
from flows.eligibility import EligibilitySummary, night_pass
from flows.faults import checkpoint
from flows.ingestion import IngestSummary, Limits, day_responses, ingest
from flows.ledger import Ledger
from flows.ledger.files import Unsent
from flows.night_review import (
    checks_for,
    coding_review,
    publish_scrub,
    release_and_build,
    scrub_result,
)
from flows.redaction import install_redaction
from flows.runtime import tune_for_batches
from flows.s3 import Area, S3Object, S3Store, S3Unavailable
from flows.secondary import write_ready
from flows.settings import Settings
from flows.status_inquiry import InquirySummary, send_status_inquiries
from flows.submission import BuildSummary, UploadSummary, build_files, new_encounter_files
from flows.submission import upload_pending as upload_pending_step
from flows.worklists import BuildOptions, build_worklists
from flows.worklists.artifacts import publish_artifacts
from mappings.profiles import payer_profiles

TASK_OPTIONS = {"persist_result": False, "cache_policy": NO_CACHE}
HELD_POLL_SECONDS = 15.0
"""How often a run looks again at work another run holds (``held_wait_seconds`` in all)."""
UPLOAD_SLOT_LEASE_S = 60.0
"""A killed run's upload slot returns to the limit this long after its last renewal
(Prefect's shortest lease)."""
TRANSIENT = (TransientError, S3Unavailable, ConnectionError, TimeoutError)
PERMANENT = (AuthenticationFailed, HostKeyMismatch)


class UnsentWork(RuntimeError):
    """The run ended with claims of its night unsent; the message says which files and
    uploads are held, by which run, until when (names and IDs only)."""


def _transient(task_, task_run, state) -> bool:
    """Retry only what another attempt can fix; a refused key will be refused again."""
    try:
        state.result()
    except PERMANENT:
        return False
    except TRANSIENT:
        return True
    except Exception:
        return False
    return False


RETRYING = {
    "retries": 4,
    "retry_delay_seconds": exponential_backoff(10),
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": _transient,
}


def business_date_of(scheduled: datetime, settings: Settings) -> date:
    """The night a run belongs to: the day before its *scheduled* start, in the clinic's
    time zone, so a Retry the next morning still processes that night."""
    return (scheduled.astimezone(settings.zone) - timedelta(days=1)).date()


def _worker() -> str:
    """Who holds files and uploads in the ledger: the flow-run ID, which survives Prefect's
    Retry, so a retried run resumes its own work at once (``CLAIMS_WORKER`` overrides it)."""
    return os.environ.get("CLAIMS_WORKER") or str(flow_run.get_id() or f"local-{os.getpid()}")


@contextmanager
def _clearinghouse(settings: Settings) -> Iterator[Clearinghouse]:
    adapter = connect(
        settings.clearinghouse_profile().transport,
        retry=RetryPolicy(attempts=settings.sftp_attempts),
        max_response_bytes=settings.response_max_bytes,
    )
    try:
        yield adapter
    finally:
        adapter.close()


# -- tasks ------------------------------------------------------------------------------


@task(name="take-encounter-files", **TASK_OPTIONS, **RETRYING)
def take_encounter_files(settings: Settings, business_date: date) -> list[S3Object]:
    with Ledger.open(settings.ledger) as ledger:
        store = S3Store.from_env()
        write_ready(ledger, store, business_date)  # COB: claims to next payers, this night
        return new_encounter_files(store, ledger, business_date, _worker(), settings.file_lease)


@task(name="build-and-record", **TASK_OPTIONS, **RETRYING)
def build_and_record(
    settings: Settings, files: list[S3Object], business_date: date
) -> BuildSummary:
    tune_for_batches()
    profile = settings.clearinghouse_profile()
    with Ledger.open(settings.ledger) as ledger:
        return build_files(
            files,
            store=S3Store.from_env(),
            ledger=ledger,
            profile=profile,
            # The night is "today" for the rules: a service after it is in the future.
            context=checks_for(settings, business_date),
            business_date=business_date,
            created=datetime.now(settings.zone).replace(tzinfo=None),
            limits=settings.read_limits,
        )


@task(name="release-held-claims", **TASK_OPTIONS, **RETRYING)
def release_held_claims(settings: Settings, business_date: date) -> tuple:
    """Answers dropped in S3 imported; claims their answers released built under their
    original files (exactly once, see :mod:`flows.holds`)."""
    tune_for_batches()
    with Ledger.open(settings.ledger) as ledger:
        return release_and_build(ledger, S3Store.from_env(), settings, business_date, _worker())


@task(name="coding-review", **TASK_OPTIONS, **RETRYING)
def write_coding_review(settings: Settings, business_date: date, summary: BuildSummary, dropped):
    """The coding-review worklist (files, PHI-free) and the scrub artifact (IDs, counts)."""
    today = datetime.now(settings.zone).date()
    with Ledger.open(settings.ledger) as ledger:
        review = coding_review(ledger, settings, business_date, today)
        result = scrub_result(summary, review, dropped, checks_for(settings, business_date))
        publish_scrub(business_date, result, summary, ledger)
    return result


@task(name="upload-interchanges", **TASK_OPTIONS, **RETRYING)
def upload_interchanges(settings: Settings, business_date: date) -> UploadSummary:
    """Upload under the profile's Prefect global concurrency limit (see
    :func:`upload_limit_name`), so runs for many clinics do not stampede one clearinghouse;
    without such a limit the upload goes ahead at once."""
    profile = settings.clearinghouse_profile().name
    limit = upload_limit_name(profile)
    with (
        concurrency(limit, occupy=1, lease_duration=UPLOAD_SLOT_LEASE_S, strict=False),
        Ledger.open(settings.ledger) as ledger,
        _clearinghouse(settings) as clearinghouse,
    ):
        return upload_pending_step(
            ledger,
            clearinghouse,
            S3Store.from_env(),
            _worker(),
            business_date,
            settings.upload_lease,
            profile,
        )


@task(name="claim-status-inquiries", **TASK_OPTIONS, **RETRYING)
def claim_status_inquiries(settings: Settings, business_date: date) -> InquirySummary:
    """276s for the claims gone quiet (issue 15); once per claim and night."""
    with Ledger.open(settings.ledger) as ledger, _clearinghouse(settings) as clearinghouse:
        return send_status_inquiries(
            ledger, clearinghouse, settings.clearinghouse_profile(), payer_profiles(), business_date
        )


@task(name="eligibility-inquiries", **TASK_OPTIONS, **RETRYING)
def eligibility_inquiries(settings: Settings, business_date: date) -> EligibilitySummary:
    """270s for the claims held for their 271, once per claim (issue 16)."""
    return night_pass(settings, business_date, _clearinghouse)


def upload_limit_name(profile: str) -> str:
    """The Prefect global concurrency limit that caps uploads to one clearinghouse profile
    at once, across every worker: ``prefect gcl create clearinghouse-<profile> --limit N``
    with N the connections the clearinghouse allows the account."""
    return f"clearinghouse-{profile}"


@task(name="fetch-and-parse-responses", **TASK_OPTIONS, **RETRYING)
def fetch_and_parse(settings: Settings, today: date) -> IngestSummary:
    tune_for_batches()
    profile = settings.clearinghouse_profile()
    with Ledger.open(settings.ledger) as ledger, _clearinghouse(settings) as clearinghouse:
        limits = Limits(max_bytes=settings.response_max_bytes)
        return ingest(ledger, clearinghouse, S3Store.from_env(), profile, today, limits=limits)


@task(name="refresh-worklists", **TASK_OPTIONS, **RETRYING)
def refresh_worklists(settings: Settings, today: date) -> WorklistSummary:
    """Rebuild today's worklists from the responses the ledger holds for today (whichever
    run read them) and the ledger's claims; publish the artifacts (IDs and codes only).
    The workbook itself, with PHI, goes to files."""
    store = S3Store.from_env()
    with Ledger.open(settings.ledger) as ledger:
        summary = build_worklists(
            ledger,
            day_responses(ledger, store, today),
            None,
            today,
            settings.data_dir / "worklists",
            store,
            options=BuildOptions(worker=_worker(), ptp=_ptp_edits(settings, today)),
        )
    publish_artifacts(summary)
    return summary


def _ptp_edits(settings: Settings, today: date) -> PtpEdits | None:
    """The installed NCCI PTP edits, so CO-97 advice follows each pair's modifier
    indicator (the same cached release the night's scrub checked with)."""
    return checks_for(settings, today).context.code_sets.ptp


# -- flows ------------------------------------------------------------------------------


@flow(name="nightly-submission", persist_result=False, log_prints=False)
def nightly_submission(business_date: date | None = None) -> dict:
    """Submit one night's encounters exactly once.

    ``business_date`` defaults to the day before the run's scheduled start (clinic time).
    """
    install_redaction()
    settings = Settings()
    logger = get_run_logger()
    night = business_date or business_date_of(flow_run.get_scheduled_start_time(), settings)
    summary, uploaded = BuildSummary(), UploadSummary()
    released, dropped = release_held_claims(settings, night)
    summary.add(released)
    waited_until = time.monotonic() + settings.held_wait_seconds
    while True:
        # Files whose lease ran out (a crashed run's) are taken over here, and uploads
        # likewise in upload_interchanges; a live run's work is waited for.
        files = take_encounter_files(settings, night)
        logger.info("business date %s: %d new encounter file(s)", night, len(files))
        _build(settings, files, night, summary)
        part = upload_interchanges(settings, night)
        uploaded.uploaded += part.uploaded
        uploaded.already_confirmed += part.already_confirmed
        uploaded.held.update(part.held)  # issue 18: interchanges the guide engine held
        with Ledger.open(settings.ledger) as ledger:
            unsent = _unsent(ledger, settings, night)
        left = waited_until - time.monotonic()
        if not unsent or left <= 0:
            break
        logger.info("waiting for work another run holds: %s", unsent.describe())
        time.sleep(min(HELD_POLL_SECONDS, left))
    logger.info(
        "built %d claims in %d interchange(s); %d exception(s); uploaded %d file(s)",
        summary.claims,
        len(summary.interchanges),
        summary.exceptions,
        len(uploaded.uploaded),
    )
    inquiries = claim_status_inquiries(settings, night)
    eligibility_inquiries(settings, night)  # issue 16: 270s for claims held for their 271
    logger.info("sent %d claim status inquiry file(s) about %d claim(s)",
                len(inquiries.files), inquiries.claims)  # fmt: skip
    with Ledger.open(settings.ledger) as ledger:
        artifacts.submission_summary(night, summary, uploaded, ledger)
    scrub = write_coding_review(settings, night, summary, dropped)
    if unsent:
        raise UnsentWork(
            f"nightly-submission for {night} did not send everything: {unsent.describe()}. "
            "Retry the run that holds them, or rerun this night after the time shown."
        )
    return artifacts.submission_result(night, summary, uploaded) | {
        "unsent": unsent.as_dict(),
        "unreadable_files": summary.unreadable,
        "warnings_by_rule": dict(sorted(summary.warnings.items())),
        "scrub": scrub,
        "held_interchanges": uploaded.held,
    }


def _unsent(ledger: Ledger, settings: Settings, night: date) -> Unsent:
    """What of this run's night is unsent: its S3 prefix's files and its profile's uploads
    (other clinics sharing the ledger have nights of their own)."""
    return ledger.unsent(
        night,
        file_lease=settings.file_lease,
        upload_lease=settings.upload_lease,
        key_prefix=S3Store.from_env().prefix(Area.ENCOUNTERS, night),
        profile=settings.clearinghouse_profile().name,
    )


def _build(settings: Settings, files: list[S3Object], night: date, summary: BuildSummary) -> None:
    """Build the files in batches on the flow's task runner (threads by default), or on the
    Dask cluster at ``CLAIMS_DASK_ADDRESS`` (prefect-dask's DaskTaskRunner, docs/scaling.md).

    Only so many batches are in flight at once: each holds an interchange's worth of
    encounters, and threads of one process share one core for Python, so more batches at
    once cost memory and gain nothing (a night of 200 files would otherwise be 10 batches
    at once, gigabytes).  On Dask the window is the cluster's threads.
    """
    step = settings.files_per_task
    with _batch_runner(settings) as (submit, window):
        in_flight: deque[PrefectFuture] = deque()
        for start in range(0, len(files), step):
            if len(in_flight) >= window:
                summary.add(in_flight.popleft().result())
            batch = files[start : start + step]
            in_flight.append(submit({"settings": settings, "files": batch, "business_date": night}))
        while in_flight:
            summary.add(in_flight.popleft().result())


@contextmanager
def _batch_runner(
    settings: Settings,
) -> Iterator[tuple[Callable[[dict], PrefectFuture], int]]:
    """How to submit one build batch, and how many to keep in flight: the flow's own task
    runner, or the Dask cluster when one is configured (only the build step goes there;
    listing and uploads stay here)."""
    if not settings.dask_address:
        yield (lambda parameters: build_and_record.submit(**parameters)), settings.build_batches
        return
    from prefect_dask import DaskTaskRunner

    with DaskTaskRunner(address=settings.dask_address) as runner:
        threads = sum(runner.client.nthreads().values())
        yield (lambda parameters: runner.submit(build_and_record, parameters)), max(threads, 1)


@flow(name="ingest-responses", persist_result=False)
def ingest_responses(today: date | None = None) -> dict:
    """Fetch the clearinghouse's answers, archive them, parse them, move claims along."""
    install_redaction()
    settings = Settings()
    day = today or datetime.now(settings.zone).date()
    summary = fetch_and_parse(settings, day)
    checkpoint("ingest_before_worklists")
    worklists = refresh_worklists(settings, day)
    logger = get_run_logger()
    logger.info(
        "parsed %d response file(s), %d repeated, %d unreadable; %d claim event(s)",
        len(summary.files),
        len(summary.repeated),
        len(summary.unreadable),
        summary.events,
    )
    artifacts.ingest_summary(day, summary)
    return artifacts.ingest_result(day, summary) | artifacts.worklist_result(worklists)


@flow(name="backfill", persist_result=False)
def backfill(start: date, end: date) -> list[dict]:
    """Rerun ``nightly-submission`` for each business date from ``start`` to ``end``
    (inclusive).  Safe for nights already done: the ledger skips what went out."""
    if end < start:
        raise ValueError(f"backfill end {end} is before start {start}")
    days = (end - start).days + 1
    return [nightly_submission(start + timedelta(days=n)) for n in range(days)]
