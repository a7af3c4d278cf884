"""Benchmark: ingest a night's 277CA and 835 for N claims into the ledger and the worklists.

Setup (not in the figures): a fresh SQLite ledger holding N submitted claims (one 837
interchange per 5,000).  Then, timed step by step as the nightly ingestion runs them:

1. parse the 277CA (N claim statuses: 96 % accepted, 2 % rejected at claim level, 1 %
   with a line rejection, 1 % information requested) and the 835 (N claim payments: 5 %
   with a line denial, a WO recoupment and L6 interest PLB per 1,000 claims);
   Rejected and information-requested claims get no 835 (as a payer would do).
2. apply the claim events and the PLB money to the ledger;
3. build the worklists (classify, merge, save the items, workbook, CSV, Parquet, report,
   posting export).

Reports seconds per step and the peak resident memory.  Run:
``PYTHONPATH=. .venv/bin/python bench/bench_ingest.py [CLAIMS]`` (default 50,000).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd

from edi.responses import ResponseTables, parse_any
from edi.responses.events import claim_events
from edi.responses.plb import link_plb, plb_events, resolve_links
from flows.ledger import ClaimRecord, InterchangeClaim, InterchangeRecord, Ledger
from flows.worklists import build_worklists
from mappings.code_texts import bundled_code_texts

TEXTS = bundled_code_texts()
NIGHT = date(2026, 11, 26)
PER_INTERCHANGE = 5000


def clm01(i: int) -> str:
    return f"ENC-{i:07d}"


def status_277ca(n: int) -> str:
    head = (
        "ISA*00*          *00*          *ZZ*ACMEHEALTH     *ZZ*MAPLECLINIC    *261127*0930*^*00501"
        "*000000001*0*P*:~\nGS*HN*ACMEHEALTH*MAPLECLINIC*20261127*0930*1*X*005010X214~\n"
        "ST*277*0001*005010X214~\nBHT*0085*08*B1*20261127*0930*TH~\nHL*1**20*1~\n"
        "NM1*PR*2*ACME*****PI*87726~\nTRN*1*R1~\nDTP*050*D8*20261126~\nDTP*009*D8*20261127~\n"
        "HL*2*1*21*1~\nNM1*41*2*MAPLE*****46*MAPLE~\nTRN*2*B1~\nSTC*A1:19:PR*20261127*WQ*1~\n"
        "HL*3*2*19*1~\nNM1*85*2*MAPLE*****XX*1245319599~\nTRN*1*P1~\nSTC*A1:19:PR**WQ*1~\n"
    )
    body, segments = [], 16
    for i in range(n):
        kind = i % 100
        stc = "A2:20" if kind < 96 else ("A7:562:82" if kind < 98 else "R4:252:41")
        action = "U" if kind in (96, 97) else "WQ"
        body.append(
            f"HL*{i + 4}*3*PT~\nNM1*QC*1*DOE*JANE****MI*W1~\nTRN*2*{clm01(i)}~\n"
            f"STC*{stc}*20261127*{action}*150.00~\nREF*1K*PCN{i:09d}~\nDTP*472*D8*20261120~\n"
        )
        segments += 6
        if kind == 98:
            body.append("SVC*HC:99213*150.00****1~\nSTC*A7:454*20261127*U~\nREF*FJ*L1~\n"
                        "DTP*472*D8*20261120~\n")  # fmt: skip
            segments += 4
    tail = f"SE*{segments + 1}*0001~\nGE*1*1~\nIEA*1*000000001~\n"
    return head + "".join(body) + tail


def remit_835(n: int) -> str:
    plbs = [(f"WO:PCN{i:09d}", "10.00") for i in range(0, n, 1000)]
    plbs += [(f"L6:PCN{i + 1:09d}", "-2.00") for i in range(0, n, 1000)]
    paid = Decimal(0)
    body = []
    for i in range(n):
        if i % 100 in (96, 97, 98, 99):
            continue  # rejected or asked for information: no 835 yet
        if i % 20 == 0:  # a line denied CO-97
            body.append(
                f"CLP*{clm01(i)}*1*150.00*80.00*20.00*12*PCN{i:09d}*11*1~\n"
                "NM1*QC*1*DOE*JANE****MI*W1~\nSVC*HC:99213*100.00*80.00**1~\n"
                "DTM*472*20261120~\nCAS*PR*3*20.00~\nREF*6R*L1~\n"
                "SVC*HC:93000*50.00*0**1~\nDTM*472*20261120~\nCAS*CO*97*50.00~\nREF*6R*L2~\n"
            )
            paid += Decimal("80.00")
        else:
            body.append(
                f"CLP*{clm01(i)}*1*150.00*100.00*20.00*12*PCN{i:09d}*11*1~\n"
                "NM1*QC*1*DOE*JANE****MI*W1~\nSVC*HC:99213*150.00*100.00**1~\n"
                "DTM*472*20261120~\nCAS*CO*45*30.00~\nCAS*PR*3*20.00~\nREF*6R*L1~\n"
            )
            paid += Decimal("100.00")
    plb_total = sum(Decimal(a) for _, a in plbs)
    plb_segments = [
        "PLB*1234567893*20261231*" + "*".join(f"{r}*{a}" for r, a in plbs[k : k + 6]) + "~\n"
        for k in range(0, len(plbs), 6)
    ]
    head = (
        "ISA*00*          *00*          *ZZ*ACMEHEALTH     *ZZ*MAPLECLINIC    *261127*0930*^*00501"
        "*000000002*0*P*:~\nGS*HP*ACMEHEALTH*MAPLECLINIC*20261127*0930*2*X*005010X221A1~\n"
        f"ST*835*0001~\nBPR*I*{paid - plb_total:.2f}*C*ACH*CCP*01*999999992*DA*1*1123456789**01"
        "*999988880*DA*98765*20261127~\nTRN*1*EFT1*1123456789~\nDTM*405*20261127~\n"
        "N1*PR*ACME HEALTH PLAN~\nREF*2U*87726~\nN1*PE*MAPLE*XX*1234567893~\nLX*1~\n"
    )
    text = "".join(body) + "".join(plb_segments)
    segments = 9 + text.count("~") + 1
    return head + text + f"SE*{segments}*0001~\nGE*1*2~\nIEA*1*000000002~\n"


def setup(ledger: Ledger, n: int) -> None:
    now = datetime(2026, 11, 26, 23, tzinfo=UTC)
    for start in range(0, n, PER_INTERCHANGE):
        records = [
            ClaimRecord(clm01(i), "87726", Decimal("150.00"), NIGHT, f"night/{start}.jsonl")
            for i in range(start, min(start + PER_INTERCHANGE, n))
        ]
        admitted = ledger.admit_claims(records, now=now).admitted
        isa13 = ledger.allocate("ISA:CLINIC:SANDBOXCH")[0]
        record = InterchangeRecord(
            "sandbox", "CLINIC", "SANDBOXCH", isa13, isa13, f"{isa13:09d}.837",
            f"ISA*{isa13}~".encode(), NIGHT,
            [InterchangeClaim(c.clm01, c.generation, st02=1) for c in admitted],
        )  # fmt: skip
        interchange_id = ledger.record_interchange(record, now=now)
        ledger.mark_uploaded(interchange_id, f"remote-{isa13}", at=now)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ledger = Ledger.open(f"sqlite:///{folder / 'ledger.sqlite'}")
        t = time.perf_counter()
        setup(ledger, n)
        print(f"setup: {n:,} submitted claims in the ledger in {time.perf_counter() - t:.1f} s")
        ca, era = status_277ca(n), remit_835(n)
        print(f"files: 277CA {len(ca) / 1e6:.1f} MB, 835 {len(era) / 1e6:.1f} MB; "
              f"peak RSS so far {peak_mb():.0f} MB")  # fmt: skip

        timings = {}
        t = time.perf_counter()
        tables = ResponseTables.concat(
            [parse_any(ca, "night.277", texts=TEXTS), parse_any(era, "night.835", texts=TEXTS)]
        )
        timings["parse 277CA + 835"] = time.perf_counter() - t

        t = time.perf_counter()
        links = link_plb(tables.provider_adjustments, tables.claims, tables.payments)
        links = resolve_links(links, ledger.claims_by_reference)
        outcome = ledger.apply_events(
            list(claim_events(tables, lambda **_: None)) + list(plb_events(links))
        )
        timings["ledger: claim events + PLB"] = time.perf_counter() - t

        t = time.perf_counter()
        summary = build_worklists(
            ledger, tables, pd.DataFrame(), date(2026, 11, 27), folder / "out",
            now=datetime(2026, 11, 27, 6, tzinfo=UTC),
        )  # fmt: skip
        timings["worklists: classify, merge, save, files"] = time.perf_counter() - t
        ledger.close()

        for step, seconds in timings.items():
            print(f"{step:<42} {seconds:7.1f} s")
        print(f"{'total':<42} {sum(timings.values()):7.1f} s")
        print(f"events recorded {outcome.recorded:,}, unknown {len(outcome.unknown)}")
        opened = {r["queue"]: int(r["open_items"]) for r in summary.by_queue.to_dict("records")}
        print(f"open rows by queue: {opened}")
        print(f"peak RSS {peak_mb():.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
