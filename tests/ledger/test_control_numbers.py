"""Control numbers from the ledger: monotonic per key, never handed out twice."""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

import pytest

from edi.x12.control import ControlNumberSource, control_key
from flows.ledger import Ledger


def test_numbers_continue_across_reopening_and_keys_are_independent(ledger_url: str) -> None:
    isa = control_key("ISA", "CLINIC", "SANDBOXCH")
    with Ledger.open(ledger_url) as ledger:
        source: ControlNumberSource = ledger
        assert source.allocate(isa) == range(1, 2)
        assert source.allocate(isa, 3) == range(2, 5)
        assert source.allocate(control_key("GS", "CLINIC", "SANDBOXCH")) == range(1, 2)
    with Ledger.open(ledger_url) as ledger:
        assert ledger.allocate(isa) == range(5, 6)


def test_count_must_be_positive(ledger: Ledger) -> None:
    with pytest.raises(ValueError):
        ledger.allocate("ISA:A:B", 0)


def _allocate_many(url: str, rounds: int, start: Any) -> list[int]:
    """``rounds`` allocations of 1-3 numbers, all workers starting together at ``start``."""
    with Ledger.open(url, migrate=False) as ledger:
        start.wait()
        numbers: list[int] = []
        for n in range(rounds):
            numbers.extend(ledger.allocate("ISA:CLINIC:SANDBOXCH", 1 + n % 3))
        return numbers


def test_threads_with_their_own_connections_never_share_a_number(ledger_url: str) -> None:
    Ledger.open(ledger_url).close()
    start = threading.Barrier(4)
    results: list[list[int]] = []
    threads = [
        threading.Thread(target=lambda: results.append(_allocate_many(ledger_url, 25, start)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = [n for result in results for n in result]
    assert len(results) == 4
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    for result in results:
        assert result == sorted(result)


def _allocating_process(url: str, start: Any, results: Any) -> None:
    results.put(_allocate_many(url, 15, start))


@pytest.mark.slow
def test_processes_never_share_a_number(sqlite_url: str) -> None:
    """SQLite locks are per process, so threads alone would not prove this; PostgreSQL
    connections are the same from a thread or a process, the thread test covers it."""
    Ledger.open(sqlite_url).close()
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    processes = [
        context.Process(target=_allocating_process, args=(sqlite_url, start, results))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    numbers = [n for _ in processes for n in results.get(timeout=30)]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
