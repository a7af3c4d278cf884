"""270 build and 271 parse for a night of eligibility checks (issue 16), on one core.

Encounters come from the project's synthetic generator (fixed seed, no defects) and are
validated before the clock starts.  Timed, each alone:

1. **270 build**: each encounter's inquiry (:func:`flows.eligibility.inquiry_of`) and the
   270 files, 1,000 members a file (a common payer cap);
2. **271 parse**: the sandbox payer's answers to those files (made untimed, beforehand) read
   by :func:`edi.eligibility.read_271.read_271`, each answer decided
   (:func:`edi.eligibility.decide.decide`) and turned into ``claims parse``'s tables;
3. optionally the same 271s read by x12sdk's X279A1 models (``--peer N`` files), a peer
   (read only, no decisions; members answered with AAA left out: its 2100C model refuses
   AAA reason 75).

Peak memory is the process's peak RSS (start-up, generation and all steps).  For the whole
process with start-up, run it under ``/usr/bin/time -v``.

    .venv/bin/python bench/bench_eligibility.py [--count 50000] [--peer 2]
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from edi.claims.models import Encounter
from edi.eligibility.build_270 import build_270
from edi.eligibility.decide import decide
from edi.eligibility.read_271 import read_271
from edi.eligibility.tables import eligibility_tables
from flows.eligibility import inquiry_of, trace_of
from mappings.profiles import clearinghouse_profile
from sandbox.responder import Responder
from sandbox.state import SandboxState
from sandbox.synthetic import encounters

DAY = date(2026, 11, 26)
CREATED = datetime(2026, 11, 27, 1, 0)
PER_FILE = 1000


class Clock:
    """CPU and wall time since creation."""

    def __init__(self) -> None:
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    def rate(self, count: int, what: str) -> str:
        cpu = time.process_time() - self.cpu
        wall = time.perf_counter() - self.wall
        return f"{count / cpu:,.0f} {what}/s per CPU second ({cpu:.2f} s CPU, {wall:.2f} s wall)"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--peer", type=int, default=0, metavar="N", help="x12sdk on N 271s")
    args = parser.parse_args()

    started = time.perf_counter()
    made = [Encounter.model_validate(d) for d in encounters(args.count, DAY, broken_share=0)]
    profile = clearinghouse_profile("sandbox")
    sender, receiver = profile.sender.party(), profile.receiver.party()
    gc.freeze()
    print(f"setup {time.perf_counter() - started:.1f} s: {len(made):,} encounters; "
          f"peak RSS so far {peak_mb():.0f} MB")  # fmt: skip

    clock = Clock()
    files = []
    for n, start in enumerate(range(0, len(made), PER_FILE), start=1):
        batch = [inquiry_of(e, trace_of(e.claim_id, "bench.jsonl"))
                 for e in made[start : start + PER_FILE]]  # fmt: skip
        files.append((batch, build_270(batch, sender, receiver, n, n, CREATED).encode("ascii")))
    size = sum(len(text) for _, text in files)
    print(f"270 build: {clock.rate(len(made), 'members')}; {len(files)} files, "
          f"{size / 1e6:.1f} MB")  # fmt: skip

    responder = Responder(state=SandboxState(), seed=7, clock=lambda: CREATED)
    answers_271 = [(responder.respond(text, f"{n:09d}.270")[0].data, batch)
                   for n, (batch, text) in enumerate(files, start=1)]  # fmt: skip
    print(f"(untimed) the sandbox answered with {sum(len(d) for d, _ in answers_271) / 1e6:.1f} "
          "MB of 271s")  # fmt: skip

    clock = Clock()
    held = read = 0
    pairs = []
    for n, (data, batch) in enumerate(answers_271, start=1):
        answers = {a.inquiry_id: a for a in read_271(data, f"{n}.271")}
        read += len(answers)
        held += sum(bool(decide(q, answers[q.inquiry_id]).holds) for q in batch)
        pairs += [(f"{n}.271", a) for a in answers.values()]
    tables = eligibility_tables(pairs)
    print(f"271 parse + decide + tables: {clock.rate(read, 'answers')}; {held:,} held, "
          f"{len(tables['eligibility_benefits']):,} benefit rows")  # fmt: skip

    if args.peer:
        from x12sdk.io import X12ModelReader

        # x12sdk's 2100C AAA takes 2100B's reason codes (its own comment says "identical"),
        # so it refuses AAA*N**75 (subscriber not found): its members are asked again
        # without those members.
        sample = []
        for n, (data, batch) in enumerate(answers_271[: args.peer], start=1):
            found = {a.inquiry_id for a in read_271(data) if not a.rejections}
            kept = [q for q in batch if q.inquiry_id in found]
            text = build_270(kept, sender, receiver, n, n, CREATED).encode("ascii")
            sample.append((responder.respond(text, f"peer{n}.270")[0].data, kept))
        clock = Clock()
        for data, _ in sample:
            with X12ModelReader(data.decode("ascii")) as reader:
                list(reader.models())
        print(
            f"peer, x12sdk X279A1 models: {clock.rate(sum(len(b) for _, b in sample), 'answers')}"
        )
    print(f"peak RSS {peak_mb():.0f} MB; whole run {time.perf_counter() - started:.1f} s wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
