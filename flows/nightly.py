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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.tasks import exponential_backoff

from edi.worklists.summary import WorklistSummary
from flows import artifacts
from flows.clearinghouse import Clearinghouse, connect
from flows.clearinghouse.base import AuthenticationFailed, HostKeyMismatch, TransientError
from flows.clearinghouse.retry import RetryPolicy
from flows.faults import checkpoint
from flows.ingestion import IngestSummary, Limits, day_responses, ingest
from flows.ledger import Ledger
from flows.redaction import install_redaction
from flows.runtime import tune_for_batches
from flows.s3 import S3Object, S3Store, S3Unavailable
from flows.scrub import check_context
from flows.settings import Settings
from flows.submission import BuildSummary, UploadSummary, build_files, new_encounter_files
from flows.submission import upload_pending as upload_pending_step
from flows.worklists import BuildOptions, build_worklists
from flows.worklists.artifacts import publish_artifacts

TASK_OPTIONS = {"persist_result": False, "cache_policy": NO_CACHE}
HELD_POLL_SECONDS = 15.0
"""How often a run looks again at work another run holds (``held_wait_seconds`` in all)."""
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
        return new_encounter_files(S3Store.from_env(), ledger, business_date, _worker())


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
            context=check_context(today=business_date),
            business_date=business_date,
            created=datetime.now(settings.zone).replace(tzinfo=None),
            limits=settings.read_limits,
        )


@task(name="upload-interchanges", **TASK_OPTIONS, **RETRYING)
def upload_interchanges(settings: Settings, business_date: date) -> UploadSummary:
    with Ledger.open(settings.ledger) as ledger, _clearinghouse(settings) as clearinghouse:
        return upload_pending_step(
            ledger, clearinghouse, S3Store.from_env(), _worker(), business_date
        )


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
            options=BuildOptions(worker=_worker()),
        )
    publish_artifacts(summary)
    return summary


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
            unsent = ledger.unsent(night)
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
    with Ledger.open(settings.ledger) as ledger:
        artifacts.submission_summary(night, summary, uploaded, ledger)
    if unsent:
        raise UnsentWork(
            f"nightly-submission for {night} did not send everything: {unsent.describe()}. "
            "Retry the run that holds them, or rerun this night after the time shown."
        )
    return artifacts.submission_result(night, summary, uploaded) | {
        "unsent": unsent.as_dict(),
        "unreadable_files": summary.unreadable,
        "warnings_by_rule": dict(sorted(summary.warnings.items())),
        "held_interchanges": uploaded.held,
    }


def _build(settings: Settings, files: list[S3Object], night: date, summary: BuildSummary) -> None:
    """Build the files in batches on the flow's task runner (threads by default, a Dask
    cluster with prefect-dask's DaskTaskRunner, see the README)."""
    step = settings.files_per_task
    batches = [
        build_and_record.submit(settings, files[start : start + step], night)
        for start in range(0, len(files), step)
    ]
    for batch in batches:
        summary.add(batch.result())


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
