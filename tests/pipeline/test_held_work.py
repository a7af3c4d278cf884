"""A night never ends looking clean with claims unsent, and never stops for one bad file.

Real parts: moto's S3 server, the sandbox clearinghouse, a SQLite ledger and Prefect's
test harness (see ``conftest.py``).
"""

from __future__ import annotations

import gzip
import json
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from flows import submission
from flows.ledger import Ledger
from flows.ledger.files import FILE_LEASE
from flows.nightly import UnsentWork, nightly_submission
from flows.s3 import Area, S3Store
from flows.scrub import check_context
from flows.submission import build_files
from mappings.profiles import clearinghouse_profile
from tests.factories import encounter
from tests.pipeline.conftest import NIGHT, Night, night_encounters


def _hold(night: Night, name: str, worker: str, at: datetime) -> str:
    """Take ``name`` in the ledger as a run ``worker`` that then crashed; its key."""
    key = night.store.key(Area.ENCOUNTERS, NIGHT, name)
    [obj] = [o for o in night.store.list_area(Area.ENCOUNTERS, NIGHT) if o.key == key]
    with night.ledger() as ledger:
        assert ledger.take_file(night.store.config.bucket, key, obj.etag, NIGHT, worker, now=at)
    return key


def test_a_file_held_by_another_run_fails_the_rerun_loudly(
    night: Night, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new flow run (not Prefect's Retry) inside the lease window reported success with
    the crashed run's file unread; now it fails, naming the file, the holder and the time."""
    monkeypatch.setenv("CLAIMS_HELD_WAIT_SECONDS", "0")
    night.put_encounters("held.jsonl", night_encounters(4, broken=0))
    night.put_encounters("free.jsonl", night_encounters(3, seed=8, broken=0))
    taken_at = datetime.now(UTC)
    key = _hold(night, "held.jsonl", "crashed-run", taken_at)

    with pytest.raises(UnsentWork) as failure:
        nightly_submission(NIGHT)

    message = str(failure.value)
    assert f"{key} (held by crashed-run until {taken_at + FILE_LEASE:%Y-%m-%d %H:%M} UTC)" in (
        message
    )
    assert len(night.received_claims()) == 3  # the free file went out all the same


def test_an_expired_lease_is_taken_over_and_the_summary_says_nothing_is_unsent(
    night: Night,
) -> None:
    datas = night_encounters(5, broken=0)
    night.put_encounters("crashed.jsonl", datas)
    _hold(night, "crashed.jsonl", "crashed-run", datetime.now(UTC) - FILE_LEASE - timedelta(1))

    result = nightly_submission(NIGHT)

    assert sorted(night.received_claims()) == sorted(d["encounter_id"].upper() for d in datas)
    assert result["unsent"] == {"files": [], "uploads": [], "claims_not_built": 0}


def test_hostile_files_in_s3_never_stop_the_night(night: Night) -> None:
    """A truncated gzip, a non-gzip .gz, a corrupt Parquet and a record dated 9999-12-31
    beside good encounters: each is an exception naming its file, the rest goes out."""
    good = night_encounters(6, broken=0)
    far = encounter(encounter_id="FAR-FUTURE")
    for item in far["service_lines"]:
        item["service_date"] = "9999-12-31"
    body = "".join(json.dumps(d) + "\n" for d in good[3:]).encode()
    put = night.store.put
    put(night.store.key(Area.ENCOUNTERS, NIGHT, "cut.jsonl.gz"), gzip.compress(body * 20)[:-40])
    put(night.store.key(Area.ENCOUNTERS, NIGHT, "plain.jsonl.gz"), body)
    put(night.store.key(Area.ENCOUNTERS, NIGHT, "broken.parquet"), b"PAR1" + b"\0" * 64 + b"PAR1")
    tomorrow = encounter(encounter_id="AFTER-NIGHT")
    for item in tomorrow["service_lines"]:
        item["service_date"] = (NIGHT + timedelta(days=1)).isoformat()
    night.put_encounters("good.jsonl", [*good[:3], far, tomorrow])

    result = nightly_submission(NIGHT)

    assert sorted(night.received_claims()) == sorted(d["encounter_id"].upper() for d in good[:3])
    unreadable = {k.rsplit("/", 1)[-1] for k in result["unreadable_files"]}
    assert unreadable == {"cut.jsonl.gz", "plain.jsonl.gz", "broken.parquet"}
    with night.ledger() as ledger:
        exceptions = ledger.find_exceptions(business_date=NIGHT)
    rules = Counter(e.rule_id for e in exceptions)
    assert rules["SNIP1.FILE.NOT_READ"] == 3
    future = {
        e.subject for e in exceptions if any(r["rule_id"] == "SNIP4.DATE.FUTURE" for r in e.reasons)
    }
    assert future == {"FAR-FUTURE", "AFTER-NIGHT"}  # after the night billed, not after today


def test_one_encounter_in_two_files_of_parallel_batches_is_one_claim_and_one_duplicate(
    night: Night, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two batches admit the same encounter before either records its interchange: the
    second to record got ``ClaimsAlreadyRecorded`` and failed the run; now it admits
    again and the encounter is a duplicate exception, its other claims built."""
    datas = night_encounters(4, broken=0)
    shared = datas[0]
    night.put_encounters("part-a.jsonl", [shared, datas[1]])
    night.put_encounters("part-b.jsonl", [shared, datas[2], datas[3]])
    files = {o.key.rsplit("/", 1)[-1]: o for o in night.store.list_area(Area.ENCOUNTERS, NIGHT)}
    with night.ledger() as ledger:
        for obj in files.values():
            ledger.take_file(night.store.config.bucket, obj.key, obj.etag, NIGHT, "parallel")

    both_admitted = threading.Barrier(2, timeout=60)
    real_build = submission.build_interchanges
    waited: set[int] = set()

    def build_after_both_admitted(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if threading.get_ident() not in waited:  # the first round of each batch only
            waited.add(threading.get_ident())
            both_admitted.wait()
        return real_build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(submission, "build_interchanges", build_after_both_admitted)
    results: dict[str, object] = {}

    def batch(name: str) -> None:
        try:
            with Ledger.open(night.ledger_url) as ledger:
                results[name] = build_files(
                    [files[name]],
                    store=S3Store(night.store.config),
                    ledger=ledger,
                    profile=clearinghouse_profile("sandbox"),
                    context=check_context(today=NIGHT),
                    business_date=NIGHT,
                    created=datetime(2026, 11, 27, 1, 0),
                )
        except Exception as exc:  # reported below, with the batch's name
            results[name] = exc

    threads = [threading.Thread(target=batch, args=(n,)) for n in ("part-a.jsonl", "part-b.jsonl")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    errors = {n: r for n, r in results.items() if isinstance(r, Exception)}
    assert not errors, errors
    summaries = list(results.values())
    assert sum(s.claims for s in summaries) == 4  # type: ignore[attr-defined]
    assert sum(s.duplicates for s in summaries) == 1  # type: ignore[attr-defined]
    with night.ledger() as ledger:
        [duplicate] = [e for e in ledger.find_exceptions() if e.rule_id == "LEDGER-DUPLICATE"]
        built = Counter(c.clm01 for c in ledger.find_claims())
    assert duplicate.subject == shared["encounter_id"].upper()
    assert built[shared["encounter_id"].upper()] == 1 and len(built) == 4
