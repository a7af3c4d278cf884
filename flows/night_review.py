"""The night's coding-review steps around the build: answers dropped in S3 are imported
and what they complete is released and built; after the build, the coding-review worklist
is written and the run's scrub artifact published (IDs, rule IDs and counts only).

An answers file is taken in the ledger by key and ETag like an encounter file, so each
version is imported once, whichever run sees it first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from flows.holds import release_answered
from flows.ledger import Ledger
from flows.ledger.held import QueryStatus
from flows.outputs.storage import S3Outputs
from flows.reference import location_of
from flows.s3 import S3Store
from flows.scrub import NightChecks, night_checks
from flows.settings import Settings
from flows.submission import BuildSummary, build_released
from flows.worklists.coding_review import ReviewSummary, write_coding_review
from flows.worklists.imports import UnreadableWorklist
from flows.worklists.query_answers import import_answers


@dataclass
class AnswerFiles:
    imported: list[str] = field(default_factory=list)
    answers: int = 0
    problems: int = 0
    unreadable: list[str] = field(default_factory=list)


def answers_prefix(store: S3Store, settings: Settings) -> str:
    base = store.config.prefix.strip("/")
    return "/".join(p for p in (base, settings.queries_s3_prefix.strip("/")) if p) + "/"


def import_dropped_answers(
    ledger: Ledger, store: S3Store, settings: Settings, night: date, worker: str
) -> AnswerFiles:
    """Import each answers file in the S3 drop folder once (key + ETag)."""
    done = AnswerFiles()
    bucket = store.config.bucket
    for obj in store.list(answers_prefix(store, settings)):
        if not obj.key.lower().endswith((".xlsx", ".csv")):
            continue
        if not ledger.take_file(bucket, obj.key, obj.etag, night, worker):
            continue
        with store.open(obj.key, etag=obj.etag) as body:
            data = body.read()
        name = obj.key.rsplit("/", 1)[-1]
        try:
            result = import_answers(ledger, name, data)
        except UnreadableWorklist:
            done.unreadable.append(obj.key)
            ledger.finish_file(bucket, obj.key, obj.etag, encounters=0, exceptions=1)
            continue
        done.imported.append(obj.key)
        done.answers += len(result.outcome.recorded)
        done.problems += len(result.problems)
        ledger.finish_file(
            bucket,
            obj.key,
            obj.etag,
            encounters=len(result.outcome.recorded),
            exceptions=len(result.problems),
        )
    return done


def checks_for(settings: Settings, night: date) -> NightChecks:
    return night_checks(night, location_of(settings))


def release_and_build(
    ledger: Ledger, store: S3Store | None, settings: Settings, night: date, worker: str
) -> tuple[BuildSummary, AnswerFiles]:
    """Answers from S3, then every completed hold released, then released claims built."""
    dropped = (
        import_dropped_answers(ledger, store, settings, night, worker) if store else AnswerFiles()
    )
    release_answered(ledger)
    summary = build_released(
        ledger=ledger,
        profile=settings.clearinghouse_profile(),
        checks=checks_for(settings, night),
        business_date=night,
        created=datetime.now(settings.zone).replace(tzinfo=None),
    )
    return summary, dropped


def coding_review(ledger: Ledger, settings: Settings, night: date, today: date) -> ReviewSummary:
    """The worklist files locally (``DATA/coding-review/DATE/``) and in S3 beside the
    other worklists."""
    folder = settings.data_dir / "coding-review" / today.isoformat()
    s3 = S3Outputs(S3Store.from_env(), today, datetime.now(settings.zone))
    return write_coding_review(ledger, night, today, folder, settings.query_aged_days, s3)


def scrub_result(
    summary: BuildSummary, review: ReviewSummary, dropped: AnswerFiles, checks: NightChecks
) -> dict:
    """The flow's return value of the scrub side: IDs and counts only."""
    gaps = {k: v for k, v in summary.warnings.items() if k.startswith("SNIP5.REFERENCE.")}
    return {
        "held": summary.held,
        "held_for_eligibility": summary.held_for_eligibility,
        "held_for_front_desk": summary.held_for_front_desk,
        "already_held": summary.already_held,
        "holds_by_rule": dict(sorted(summary.holds.items())),
        "released_and_built": summary.released,
        "reference_releases": [r.name for r in checks.releases],
        "reference_gaps": dict(sorted(gaps.items())),
        "queries": review.counts,
        "queries_pending": review.pending[:500],
        "queries_aged": review.aged[:500],
        "answer_files_imported": len(dropped.imported),
        "answers_recorded": dropped.answers,
    }


def publish_scrub(night: date, result: dict, summary: BuildSummary, ledger: Ledger) -> None:
    """The ``nightly-scrub`` artifacts: the summary, and the open queries (IDs only)."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    create_markdown_artifact(
        scrub_markdown(night, result, summary.warnings),
        key="nightly-scrub",
        description=f"Holds, coding queries, warnings and reference data for {night}",
    )
    aged = set(result["queries_aged"])
    rows = [
        {"query": q.query_id, "claim": q.clm01, "rule": q.rule_id,
         "asked_on": q.asked_on.isoformat(), "aged": "yes" if q.query_id in aged else ""}
        for q in ledger.find_queries([QueryStatus.PENDING, QueryStatus.OTHER])
    ][:500]  # fmt: skip
    if rows:
        create_table_artifact(
            rows, key="nightly-open-queries", description=f"Open coding queries after {night}"
        )


def scrub_markdown(night: date, result: dict, warnings: dict[str, int]) -> str:
    gaps = result["reference_gaps"]
    if gaps:
        rows = "\n".join(f"| `{rule}` | {n} |" for rule, n in gaps.items())
        reference = (
            "**Reference data missing or stale: the checks that need it did not run on "
            "these claims.** Install the release with `claims reference load`.\n\n"
            f"| rule | claims |\n|---|---|\n{rows}"
        )
    else:
        reference = "Every date of service had a current release of each kind."
    holds = "\n".join(f"| `{r}` | {n} |" for r, n in result["holds_by_rule"].items())
    warned = "\n".join(f"| `{r}` | {n} |" for r, n in Counter(warnings).most_common())
    queries = "\n".join(f"| {k} | {v} |" for k, v in result["queries"].items())
    releases = ", ".join(f"`{n}`" for n in result["reference_releases"]) or "bundled code sets"
    return f"""# Scrub of {night}

Releases loaded: {releases}

## Reference data

{reference}

## Held for coding review: {result["held"]} new, {result["released_and_built"]} released and built

| rule | claims held |
|---|---|
{holds or "| none | 0 |"}

Not coding review (issue 16): {result["held_for_eligibility"]} waiting for their 271 (sent the
next night once it clears them), {result["held_for_front_desk"]} held for the front desk.

## Coding queries

| | |
|---|---|
{queries}

## Warnings on claims sent (kept in the ledger with each claim)

| rule | claims |
|---|---|
{warned or "| none | 0 |"}
"""
