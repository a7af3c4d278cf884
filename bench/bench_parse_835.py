"""Benchmark: parse a generated 835 of 100,000 claims (about 1.7 M segments).

Reports segments per second of (1) a bare ``str.split`` of the same text into segments and
elements, (2) the streaming reader alone, as element lists, as ``Segment`` objects and as
the columnar blocks the 835 reader uses, (3) the full parse into tables, read from the
file as a stream; and the memory: peak resident size against the file's size and the
tables' size.  Run: ``.venv/bin/python bench/bench_parse_835.py [CLAIMS]``.

The full parse is timed twice over: its first run in the process ("cold"), whose new
tables land in memory the process never touched, and the best of later runs after the
previous tables were released ("warm", as in an ingest that writes each file's tables
and moves on).  On a virtual machine a first touch of memory can cost more than the
parse itself; the CPU time in the kernel (``sys``) shows how much.
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from edi.responses import parse_835
from edi.x12.reader import iter_segments, iter_transactions
from mappings.code_texts import bundled_code_texts

TEXTS = bundled_code_texts()

HEADER = (
    "ISA*00*          *00*          *ZZ*ACMEHEALTH     *ZZ*MAPLECLINIC    *261127*0930*^*00501*"
    "000000001*0*P*:~\nGS*HP*ACMEHEALTH*MAPLECLINIC*20261127*0930*1*X*005010X221A1~\n"
    "ST*835*0001~\nBPR*C*{payment}*C*ACH*CCP*01*999999992*DA*123456*1123456789**01*999988880"
    "*DA*98765*20261125~\nTRN*1*EFT0000001*1123456789~\nDTM*405*20261124~\n"
    "N1*PR*ACME HEALTH PLAN~\nN3*PO BOX 1000~\nN4*SPRINGFIELD*IL*627010000~\nREF*2U*87726~\n"
    "PER*BL*EDI SUPPORT*TE*8005551212~\nN1*PE*MAPLE FAMILY CLINIC*XX*1234567893~\n"
    "REF*TJ*123456789~\nLX*1~\n"
)
# 17 segments per claim: two lines with adjustments and remarks; every amount balances
CLAIM = (
    "CLP*ENC-{i:07d}*1*250.00*150.00*20.00*12*PCN{i:09d}*11*1~\n"
    "NM1*QC*1*DOE*JANE****MI*W123456789~\nMOA***MA01~\nDTM*232*20261120~\nDTM*233*20261120~\n"
    "SVC*HC:99213:25*150.00*100.00**1~\nDTM*472*20261120~\nCAS*CO*45*30.00~\nCAS*PR*3*20.00~\n"
    "REF*6R*L{i}-1~\nAMT*B6*120.00~\nLQ*HE*N130~\n"
    "SVC*HC:93000*100.00*50.00**1~\nDTM*472*20261120~\nCAS*CO*45*30.00**97*20.00~\n"
    "REF*6R*L{i}-2~\nAMT*B6*70.00~\n"
)


def generate(claims: int) -> str:
    body = "".join(CLAIM.format(i=i) for i in range(claims))
    segments = 12 + 17 * claims + 1  # ST..LX, the claims, SE
    payment = f"{150 * claims}.00"
    trailer = f"SE*{segments}*0001~\nGE*1*1~\nIEA*1*000000001~\n"
    return HEADER.format(payment=payment) + body + trailer


def bare_split(text: str) -> int:
    count = 0
    for segment in text.split("~"):
        segment.split("*")
        count += 1
    return count


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, work, segments: int, repeat: int = 1) -> float:
    best, cpu = float("inf"), (0.0, 0.0)
    for _ in range(repeat):
        gc.collect()
        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        work()
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
        if elapsed < best:
            best = elapsed
            cpu = (after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime)
    rate = segments / best
    print(
        f"{label:<40} {best:7.2f} s  {rate:>12,.0f} segments/s"
        f"  (user {cpu[0]:.2f} s, sys {cpu[1]:.2f} s)"
    )
    return rate


def main(claims: int = 100_000) -> None:
    text = generate(claims)
    segments = text.count("~")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.835"
        path.write_text(text)
        del text  # the parse below reads the file as a stream
        size_mb = path.stat().st_size / 2**20
        print(f"835 of {claims:,} claims: {segments:,} segments, {size_mb:.1f} MB")
        split_rate = timed(
            "bare str.split (segments, elements)", lambda: bare_split(path.read_text()), segments,
            repeat=3,
        )  # fmt: skip

        def read_only() -> None:
            with path.open("rb") as f:
                for _ in iter_segments(f, path.name):
                    pass

        def read_elements() -> None:
            with path.open("rb") as f:
                for tx in iter_transactions(f, path.name):
                    for _ in tx.elements():
                        pass

        def read_blocks() -> None:
            with path.open("rb") as f:
                for tx in iter_transactions(f, path.name, columns=True):
                    for _ in tx.blocks():
                        pass

        elements_rate = timed("reader, element lists", read_elements, segments, repeat=2)
        reader_rate = timed("reader, Segment objects", read_only, segments, repeat=2)
        blocks_rate = timed("reader, columnar blocks (835 path)", read_blocks, segments, repeat=2)
        before = rss_mb()
        result = {}

        def parse() -> None:
            result.pop("tables", None)  # release the last run's tables, as an ingest would
            with path.open("rb") as f:
                result["tables"] = parse_835(f, path.name, texts=TEXTS)

        cold_rate = timed("full parse into tables, first run", parse, segments)
        parse_rate = timed("full parse into tables, warm", parse, segments, repeat=3)
        tables = result["tables"]
        table_mb = sum(frame.memory_usage(deep=True).sum() for _, frame in tables.items()) / 2**20
        print(
            f"claims {len(tables.claims):,}, lines {len(tables.lines):,}, "
            f"adjustments {len(tables.adjustments):,}, findings {len(tables.findings):,}"
        )
        print(
            f"against the bare split: reader (element lists) {elements_rate / split_rate:.2f}, "
            f"(Segment objects) {reader_rate / split_rate:.2f}, "
            f"(blocks) {blocks_rate / split_rate:.2f}; full parse, first run "
            f"{cold_rate / split_rate:.2f}, warm {parse_rate / split_rate:.2f} (goal >= 0.50)"
        )
        print(
            f"memory: file {size_mb:.0f} MB, tables {table_mb:.0f} MB, "
            f"peak RSS {rss_mb():.0f} MB (before parse {before:.0f} MB)"
        )
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
