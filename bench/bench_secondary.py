"""Benchmark: secondary claims built from 10,000 primary remittances.

One 835 of N claim payments (Medicare paid part of each two-line claim) is parsed into
tables; each payment, with its encounter (Medicare primary, a Medigap plan second), goes
through the next-payer decision (:func:`edi.claims.cob.next_step`), and the secondary
claims are built into 837P interchanges with their 2320/2330/2430 loops.  Reports claims
per second for the decision and for decision + build, and the peak resident memory.
Run: ``.venv/bin/python bench/bench_secondary.py [CLAIMS]``.
"""

from __future__ import annotations

import resource
import sys
import time
from datetime import datetime

from edi.claims.build_837p import build_interchanges
from edi.claims.cob import Step, next_step, remit_claims
from edi.claims.models import Encounter
from edi.responses import parse_835
from edi.x12.control import MemoryControlNumbers
from mappings.code_texts import bundled_code_texts
from mappings.profiles import clearinghouse_profile

TEXTS = bundled_code_texts()
HEADER = (
    "ISA*00*          *00*          *ZZ*MEDICARE       *ZZ*MAPLECLINIC    *261127*0930*^*00501*"
    "000000001*0*P*:~\nGS*HP*MEDICARE*MAPLECLINIC*20261127*0930*1*X*005010X221A1~\n"
    "ST*835*0001~\nBPR*I*{payment}*C*CHK************20261125~\nTRN*1*CHK0000001*1123456789~\n"
    "DTM*405*20261124~\nN1*PR*MEDICARE~\nN3*PO BOX 1000~\nN4*SPRINGFIELD*IL*627010000~\n"
    "REF*2U*00431~\nN1*PE*MAPLE FAMILY CLINIC*XX*1234567893~\nREF*TJ*123456789~\nLX*1~\n"
)
CLAIM = (
    "CLP*ENC-{i:07d}*1*175.00*120.00*25.00*MB*MCR{i:09d}*11*1~\n"
    "NM1*QC*1*DOE*JANE****MI*W123456789~\n"
    "SVC*HC:99213:25*150.00*100.00**1~\nDTM*472*20261120~\nCAS*CO*45*30.00~\nCAS*PR*2*20.00~\n"
    "REF*6R*ENC-{i:07d}-1~\n"
    "SVC*HC:J1100*25.00*20.00**2~\nDTM*472*20261120~\nCAS*PR*1*5.00~\nREF*6R*ENC-{i:07d}-2~\n"
)
PER_CLAIM = 11
ADDRESS = {"line1": "5 Oak Ave", "city": "Springfield", "state": "IL", "postal_code": "62704"}
SUBSCRIBER = {"member_id": "1EG4TE5MK73", "last_name": "Doe", "first_name": "Jane",
              "birth_date": "1950-04-02", "sex": "F", "address": ADDRESS}  # fmt: skip


def encounter(i: int) -> Encounter:
    return Encounter.model_validate(
        {
            "encounter_id": f"ENC-{i:07d}",
            "place_of_service": "11",
            "billing_provider": {
                "npi": "1234567893", "organization_name": "Maple Family Clinic",
                "tax_id": "123456789", "address": {**ADDRESS, "line1": "100 Main St",
                                                   "postal_code": "62701-1234"},
            },
            "payer": {"payer_id": "00431", "name": "Medicare Part B",
                      "claim_filing_indicator": "MB"},
            "subscriber": SUBSCRIBER,
            "other_coverage": [{"payer": {"payer_id": "SBXGAP", "name": "Sandbox Medigap"},
                                "subscriber": {**SUBSCRIBER, "member_id": f"GAP{i:07d}"}}],
            "diagnoses": ["E11.40"],
            "service_lines": [
                {"procedure_code": "99213", "modifiers": ["25"], "charge": "150.00",
                 "units": "1", "service_date": "2026-11-20", "diagnosis_pointers": [1]},
                {"procedure_code": "J1100", "charge": "25.00", "units": "2",
                 "service_date": "2026-11-20", "diagnosis_pointers": [1]},
            ],
        }
    )  # fmt: skip


def generate(claims: int) -> str:
    body = "".join(CLAIM.format(i=i) for i in range(claims))
    trailer = f"SE*{12 + PER_CLAIM * claims + 1}*0001~\nGE*1*1~\nIEA*1*000000001~\n"
    return HEADER.format(payment=f"{120 * claims}.00") + body + trailer


def main(claims: int) -> None:
    encounters = {f"ENC-{i:07d}": encounter(i) for i in range(claims)}
    text = generate(claims)
    started = time.perf_counter()
    tables = parse_835(text, "bench.835", texts=TEXTS)
    remits = list(remit_claims(tables.claims, tables.lines, tables.adjustments))
    parsed = time.perf_counter()
    steps = [next_step(encounters[r.clm01], r) for r in remits]
    decided = time.perf_counter()
    secondary = [s.encounter for s in steps if s.step is Step.BILL and s.encounter]
    built = list(
        build_interchanges(
            secondary, clearinghouse_profile("sandbox"), MemoryControlNumbers(),
            datetime(2026, 11, 28, 1, 0),
        )
    )  # fmt: skip
    done = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = sum(len(ic.text) for ic in built)
    print(f"{claims} primary remittances -> {len(secondary)} secondary claims")
    print(f"  parse 835 + tables -> remittances: {parsed - started:6.2f} s")
    print(f"  next-payer decisions:              {decided - parsed:6.2f} s "
          f"({len(steps) / (decided - parsed):,.0f} claims/s)")  # fmt: skip
    print(f"  build 837P (2320/2330/2430):       {done - decided:6.2f} s "
          f"({len(secondary) / (done - decided):,.0f} claims/s, {size / 1e6:.1f} MB)")  # fmt: skip
    print(f"  decisions + build:                 {done - parsed:6.2f} s "
          f"({len(secondary) / (done - parsed):,.0f} claims/s)")  # fmt: skip
    print(f"  peak resident memory:              {peak_mb:6.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
