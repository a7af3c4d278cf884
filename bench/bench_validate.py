"""Benchmark: the guide engine (:mod:`edi.validate`) against pyx12, one run, same files.

1. **837P**: a built 837P of ``--claims`` claims (5,000), validated by the engine and by
   pyx12 in process (``validate_x12``): claims per second each, and the ratio, for the
   engine's first run in the process and its best of two more (plans and verdicts kept).
2. **835**: a generated 835 of ``--remit-claims`` claims (100,000, as
   ``bench_parse_835.py`` makes it) read from its file as a stream: the engine's
   validation against our own 835 parse (``parse_835``), in claims per second; pyx12
   on a ``--pyx12-remit-claims`` (5,000) slice of the same shape, scaled per claim.
3. **Memory**: peak resident size of the engine validating the 835 from a file in a
   fresh process, at a fifth of the claims and at all of them: flat means the same.
4. **Whole command**: ``claims validate`` (start-up, SNIP 1-7) on the files of a
   ``--build-claims`` (20,000) build written by ``claims build``, against pyx12's own
   ``x12valid`` script on the same files, both as subprocesses: wall clock and CPU
   seconds (user + system), whose ratio holds on a shared machine.  Ours runs twice:
   in one process (``--jobs 1``, as x12valid does: the CPU comparison) and as a user
   runs it (workers side by side, one per CPU, when the files are large enough: the
   wall a user waits, which also counts the workers' CPU).  Both run as installed
   (bytecode compiled); ours once more before, timed apart, as the first run after an
   install, which derives the package cache.  ``x12valid`` exits 1 even when every file
   is OK: its entry point returns True, which ``sys.exit`` makes status 1.  The three
   runs are repeated ``--whole-rounds`` (3) times in turn, and each ratio is the median of
   the rounds' own: this machine's speed drifts by a third from hour to hour, and a ratio
   of runs taken side by side in time holds where single runs do not.

Run: ``.venv/bin/python bench/bench_validate.py [--claims N] [--remit-claims N]
[--build-claims N] [--whole-rounds N] [--skip-whole]``.  Each part stays within about two
minutes on a shared two-core machine at the default sizes except the whole command, whose
x12valid side is about claims / 500 seconds a round; pass a smaller ``--build-claims`` or
fewer ``--whole-rounds`` to shorten it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def built_837p(claims: int) -> bytes:
    from edi.claims.build_837p import build_interchanges
    from edi.claims.models import Encounter
    from edi.x12.control import MemoryControlNumbers
    from mappings.profiles import clearinghouse_profile
    from sandbox.synthetic import encounters

    day = date(2026, 11, 26)
    models = (Encounter.model_validate(d) for d in encounters(claims, day, broken_share=0.0))
    profile = clearinghouse_profile("sandbox")
    created = datetime(2026, 11, 27, 1, 0)
    return b"".join(
        ic.data for ic in build_interchanges(models, profile, MemoryControlNumbers(), created)
    )


def timed(work) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def part_837(claims: int) -> dict:
    from edi.validate import validate
    from edi.validate.compiled import compiled
    from edi.x12.pyx12_validator import validate_x12

    data = built_837p(claims)
    compile_s, _ = timed(lambda: compiled("837.5010.X222.A1.xml"))
    engine_s, engine = timed(lambda: validate(data))  # first run: plans and verdicts made
    warm_s = min(timed(lambda: validate(data))[0] for _ in range(2))
    pyx12_s, reference = timed(lambda: validate_x12(data))
    return {
        "claims": claims,
        "mb": round(len(data) / 2**20, 1),
        "guide_compile_s": round(compile_s, 2),
        "engine_s": round(engine_s, 2),
        "engine_claims_per_s": round(claims / engine_s),
        "pyx12_s": round(pyx12_s, 2),
        "pyx12_claims_per_s": round(claims / pyx12_s),
        "speedup": round(pyx12_s / engine_s, 1),
        "engine_warm_s": round(warm_s, 2),
        "speedup_warm": round(pyx12_s / warm_s, 1),
        "errors_engine_pyx12": [len(engine.errors), len(reference.errors)],
    }


def part_835(claims: int, pyx12_claims: int, folder: Path) -> dict:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_parse_835 import TEXTS, generate

    from edi.responses import parse_835
    from edi.validate import validate
    from edi.x12.pyx12_validator import validate_x12

    path = folder / "remit.835"
    path.write_text(generate(claims), encoding="ascii")

    def parse() -> object:
        with path.open("rb") as f:
            return parse_835(f, path.name, texts=TEXTS)

    def check() -> object:
        with path.open("rb") as f:
            return validate(f, path.name)

    parse()  # both warm: the first touch of new memory is not the code's cost
    check()
    parse_s = min(timed(parse)[0] for _ in range(2))
    engine_s, report = min((timed(check) for _ in range(2)), key=lambda r: r[0])
    small = generate(pyx12_claims)
    pyx12_s, _ = timed(lambda: validate_x12(small))
    return {
        "claims": claims,
        "mb": round(path.stat().st_size / 2**20, 1),
        "parse_s": round(parse_s, 2),
        "parse_claims_per_s": round(claims / parse_s),
        "engine_s": round(engine_s, 2),
        "engine_claims_per_s": round(claims / engine_s),
        "engine_vs_parse_speed": round(parse_s / engine_s, 2),
        "engine_errors": len(report.errors),  # type: ignore[attr-defined]
        f"pyx12_claims_per_s_on_{pyx12_claims}": round(pyx12_claims / pyx12_s),
    }


def peak_rss(path: Path) -> dict:
    """Run in a fresh process: the engine over ``path`` as a stream, its peak RSS."""
    from peak_memory import own_peak_mb

    from edi.validate import validate

    with path.open("rb") as f:
        report = validate(f, path.name)
    return {
        "mb": round(path.stat().st_size / 2**20, 1),
        "peak_rss_mb": round(own_peak_mb()),
        "errors": len(report.errors),
    }


def part_memory(claims: int, folder: Path) -> list[dict]:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_parse_835 import generate

    out = []
    for count in (claims // 5, claims):
        path = folder / f"memory-{count}.835"
        path.write_text(generate(count), encoding="ascii")
        done = subprocess.run(
            [sys.executable, __file__, "--peak-rss", str(path)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        out.append({"claims": count, **json.loads(done.stdout)})
        path.unlink()
    return out


def part_whole(claims: int, folder: Path, rounds_of: int) -> dict:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_build import generate

    encounters = folder / "encounters.jsonl"
    generate(encounters, claims)
    out = folder / "built"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    claims_cmd = [sys.executable, "-c", "from flows.cli import console; console()"]
    subprocess.run(
        [*claims_cmd, "build", str(encounters), "--out", str(out)],
        check=False,
        capture_output=True,
        env=env,
    )
    files = sorted(str(p) for p in out.rglob("*") if p.is_file() and p.suffix in (".x12", ".837"))
    today = ["--today", "2026-11-27"]
    validate = [*claims_cmd, "validate", *files, *today]
    # As installed: pip compiles a package's bytecode, and x12valid's pyx12 has it; our
    # checkout has none when PYTHONDONTWRITEBYTECODE is set (then every start compiles).
    subprocess.run([sys.executable, "-m", "compileall", "-q", "edi", "flows", "mappings"],
                   cwd=ROOT, check=True, capture_output=True)  # fmt: skip
    # The first run after an install derives the package cache (edi.package_cache): timed
    # apart, in a cache folder of its own; the runs compared are a user's every day.
    first_env = {**env, "CLAIMS_CACHE_DIR": str(folder / "package-cache")}
    first_s, first_cpu, _ = timed_child(validate, env=first_env)
    rounds = []
    for _ in range(rounds_of):  # side by side in time: the machine's drift hits all three
        ours = timed_child([*validate, "--jobs", "1"], env=first_env)
        side = timed_child(validate, env=first_env)
        theirs = timed_child([str(BIN / "x12valid"), "-q", *files])
        rounds.append((ours, side, theirs))
    ours_run, side_run, theirs_run = rounds[0][0][2], rounds[0][1][2], rounds[0][2][2]

    def each(i: int, j: int) -> list[float]:
        return [round(r[i][j], 2) for r in rounds]

    def ratio(i: int, j: int, k: int, m: int) -> float:
        return round(median(r[i][j] / r[k][m] for r in rounds), 1)

    return {
        "claims": claims,
        "files": len(files),
        "bytes": sum(Path(f).stat().st_size for f in files),
        "rounds": rounds_of,
        "claims_validate_first_run_s": round(first_s, 2),
        "claims_validate_first_run_cpu_s": round(first_cpu, 2),
        "claims_validate_jobs_1_s": each(0, 0),
        "claims_validate_jobs_1_cpu_s": each(0, 1),
        "claims_validate_exit": ours_run.returncode,
        "claims_validate_default_jobs_s": each(1, 0),
        "claims_validate_default_jobs_cpu_s": each(1, 1),
        "same_output_both_ways": side_run.stdout == ours_run.stdout
        and side_run.returncode == ours_run.returncode,
        "x12valid_s": each(2, 0),
        "x12valid_cpu_s": each(2, 1),
        "x12valid_exit": theirs_run.returncode,
        "speedup_cpu_jobs_1": ratio(2, 1, 0, 1),
        "speedup_wall_jobs_1": ratio(2, 0, 0, 0),
        "speedup_wall_default_jobs": ratio(2, 0, 1, 0),
    }


def timed_child(command: list[str], **options) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds, CPU seconds (user + system) and result of one subprocess: on a
    shared machine its CPU time is the figure that does not depend on the neighbours."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, done = timed(lambda: subprocess.run(command, capture_output=True, **options))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=5_000)
    parser.add_argument("--remit-claims", type=int, default=100_000)
    parser.add_argument("--pyx12-remit-claims", type=int, default=5_000)
    parser.add_argument("--build-claims", type=int, default=20_000)
    parser.add_argument("--skip-whole", action="store_true")
    parser.add_argument("--whole-rounds", type=int, default=3)
    parser.add_argument("--peak-rss", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peak_rss:
        print(json.dumps(peak_rss(args.peak_rss)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("837P:", json.dumps(part_837(args.claims)), flush=True)
        print(
            "835:",
            json.dumps(part_835(args.remit_claims, args.pyx12_remit_claims, folder)),
            flush=True,
        )
        print("memory:", json.dumps(part_memory(args.remit_claims, folder)), flush=True)
        if not args.skip_whole:
            whole = part_whole(args.build_claims, folder, args.whole_rounds)
            print("whole command:", json.dumps(whole), flush=True)


if __name__ == "__main__":
    main()
