"""Realistic synthetic encounters with a fixed seed, for the demo and the benchmarks.

Every value is invented: names come from short lists, NPIs are generated with valid
check digits, member IDs fit the bundled payer profiles.  ``broken_share`` of them carry
one deliberate defect of a kind the scrubber names, so a demo shows exceptions too.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from edi.claims.models import npi_is_valid

LAST = [
    "Garcia",
    "Smith",
    "Nguyen",
    "Johnson",
    "Okafor",
    "Müller",
    "Peña",
    "O'Brien",
    "Kowalski",
    "Brown",
    "Rossi",
    "Haddad",
    "Kim",
    "Jensen",
    "Dubois",
    "Ivanova",
    "Silva",
    "Patel",
]
FIRST = [
    "Maria",
    "James",
    "Linh",
    "Robert",
    "Chidi",
    "Anna",
    "José",
    "Siobhan",
    "Piotr",
    "Emma",
    "Luca",
    "Omar",
    "Ji-woo",
    "Freja",
    "Chloé",
    "Olga",
    "Thiago",
    "Priya",
]
STREETS = ["Oak Ave", "Main St", "Elm St", "Maple Dr", "Cedar Ln", "Lincoln Way", "Park Blvd"]
CITIES = [
    ("Springfield", "IL", "627"),
    ("Peoria", "IL", "616"),
    ("Madison", "WI", "537"),
    ("St. Louis", "MO", "631"),
]
PAYERS = [
    {"payer_id": "87726", "name": "Acme Health Plan", "claim_filing_indicator": "CI"},
    {"payer_id": "00431", "name": "Medicare Part B", "claim_filing_indicator": "MB"},
    # The sandbox's silent payer: acknowledges, never answers (the no-response worklist).
    {"payer_id": "SBXSLOW", "name": "Sandbox Silent Payer", "claim_filing_indicator": "CI"},
]
PAYER_WEIGHTS = (60, 37, 3)
# (procedure, code set, charge, diagnoses it fits, units, modifiers)
VISITS = [
    [("99213", "CPT", "150.00", ["E11.9", "I10"], "1", [])],
    [
        ("99214", "CPT", "220.00", ["E11.40", "I10", "E78.5"], "1", ["25"]),
        ("36415", "CPT", "15.00", ["E11.40"], "1", []),
        ("80053", "CPT", "48.00", ["E11.40", "E78.5"], "1", []),
    ],
    [("99213", "CPT", "150.00", ["J06.9"], "1", [])],
    [("G0438", "HCPCS", "240.00", ["Z00.00"], "1", [])],
    [
        ("93000", "CPT", "45.00", ["I10", "R00.2"], "1", []),
        ("99213", "CPT", "150.00", ["I10"], "1", ["25"]),
    ],
    [("90686", "CPT", "38.00", ["Z23"], "1", []), ("90471", "CPT", "25.00", ["Z23"], "1", [])],
    [
        ("20610", "CPT", "180.00", ["M17.11"], "1", ["RT"]),
        ("J1030", "HCPCS", "12.00", ["M17.11"], "1", []),
    ],
    [("81002", "CPT", "12.00", ["N39.0"], "1", []), ("99212", "CPT", "95.00", ["N39.0"], "1", [])],
    # Payers deny these: an ECG at a routine exam (medical necessity), and the tracing
    # billed beside the complete ECG (bundled).
    [
        ("99214", "CPT", "220.00", ["Z00.00"], "1", ["25"]),
        ("93000", "CPT", "45.00", ["Z00.00"], "1", []),
    ],
    [("93000", "CPT", "45.00", ["R00.2"], "1", []), ("93005", "CPT", "30.00", ["R00.2"], "1", [])],
]
BILLING = {
    "npi": "1234567893",
    "organization_name": "Maple Family Clinic",
    "tax_id": "123456789",
    "taxonomy_code": "207Q00000X",
    "address": {
        "line1": "100 Main St",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701-1234",
    },
}
_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"
DEFECTS = ("npi", "member_id", "po_box", "pointer", "money", "zip4", "frequency")
WRONG_VOID_EVERY = 40
"""One encounter in this many (a fixed one, so every demo night has some) is a void
that cites a claim number the payer never issued: no scrubber can know, the payer's
front end rejects it (277CA), so the rejections worklist has work too."""


def valid_npi(rng: random.Random) -> str:
    while True:
        npi = "1" + "".join(rng.choice("0123456789") for _ in range(9))
        if npi_is_valid(npi):
            return npi


def _mbi(rng: random.Random) -> str:
    a, an = _MBI_LETTERS, _MBI_LETTERS + "0123456789"
    d = "0123456789"
    pattern = [d[1:], a, an, d, a, an, d, a, a, d, d]
    return "".join(rng.choice(chars) for chars in pattern)


def _person(rng: random.Random, born: date) -> dict[str, Any]:
    city, state, zip3 = rng.choice(CITIES)
    return {
        "last_name": rng.choice(LAST),
        "first_name": rng.choice(FIRST),
        "birth_date": born.isoformat(),
        "sex": rng.choice("MF"),
        "address": {
            "line1": f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
            "city": city,
            "state": state,
            "postal_code": f"{zip3}{rng.randint(0, 99):02d}",
        },
    }


def encounters(
    count: int,
    service_date: date,
    seed: int = 7,
    broken_share: float = 0.05,
    prefix: str = "ENC",
) -> Iterator[dict[str, Any]]:
    """``count`` encounter dicts (contract shape) for one day of service."""
    rng = random.Random(seed)
    renderers = [
        {
            "npi": valid_npi(rng),
            "last_name": rng.choice(LAST),
            "first_name": rng.choice(FIRST),
            "taxonomy_code": "207Q00000X",
        }
        for _ in range(6)
    ]
    panel = _panel(service_date.year, max(count, PANEL_SIZE))
    seen_today = rng.sample(range(len(panel)), min(count, len(panel)))
    for i in range(count):
        payer, subscriber, dependent = panel[seen_today[i % len(seen_today)]]
        visit = rng.choice(VISITS)
        diagnoses = list(dict.fromkeys(dx for line in visit for dx in line[3]))
        lines = [
            {
                "line_id": f"{prefix}{service_date:%Y%m%d}-{i:06d}-{n}",
                "code_set": code_set,
                "procedure_code": code,
                "modifiers": mods,
                "charge": charge,
                "units": units,
                "service_date": service_date.isoformat(),
                "diagnosis_pointers": [diagnoses.index(dx) + 1 for dx in dxs][:4],
            }
            for n, (code, code_set, charge, dxs, units, mods) in enumerate(visit, 1)
        ]
        encounter: dict[str, Any] = {
            "encounter_id": f"{prefix}{service_date:%Y%m%d}-{i:06d}",
            "place_of_service": "11",
            "billing_provider": BILLING,
            "rendering_provider": rng.choice(renderers),
            "payer": payer,
            "subscriber": subscriber,
            "diagnoses": diagnoses,
            "service_lines": lines,
        }
        if dependent is not None and rng.random() < 0.5:
            encounter["patient"] = dependent
        if other := other_coverage(payer, subscriber):
            encounter["other_coverage"] = other
        if rng.random() < broken_share:
            _break(encounter, rng.choice(DEFECTS))
        elif i % WRONG_VOID_EVERY == WRONG_VOID_EVERY // 2:
            encounter["frequency_code"] = "8"
            encounter["original_payer_claim_number"] = f"{rng.randint(10**9, 10**10 - 1)}"
        yield encounter


PANEL_SIZE = 600


def _panel(year: int, size: int) -> list[tuple[dict, dict, dict | None]]:
    """The practice's patients: the same every night, so patients come back, deductibles
    get met over the nights and payments flow as in a real practice; each is seen at most
    once a night, as a payer would otherwise deny the second visit as a duplicate (and the
    night holds it, ``SNIP7.DUPLICATE.SERVICE``).  A night larger than the practice's
    ``PANEL_SIZE`` (a benchmark's) has more patients; the first ``PANEL_SIZE`` are the same."""
    rng = random.Random(year)
    reference = date(year, 7, 1)
    return [_member(rng, reference) for _ in range(size)]


def _member(rng: random.Random, service_date: date) -> tuple[dict, dict, dict | None]:
    """A payer, its subscriber and maybe a dependent."""
    payer = rng.choices(PAYERS, weights=PAYER_WEIGHTS)[0]
    medicare = payer["payer_id"] == "00431"
    age_days = rng.randint(66 * 365, 90 * 365) if medicare else rng.randint(20 * 365, 64 * 365)
    subscriber = _person(rng, service_date - timedelta(days=age_days))
    subscriber["member_id"] = _mbi(rng) if medicare else f"W{rng.randint(0, 10**9 - 1):09d}"
    dependent = None
    if not medicare and rng.random() < 0.3:
        dependent = _person(rng, service_date - timedelta(days=rng.randint(365, 17 * 365)))
        dependent["relationship_to_subscriber"] = "19"
        dependent["address"] = subscriber["address"]
    return payer, subscriber, dependent


# -- COB (issue 13): patients with two and three coverages -------------------------------

MEDIGAP = {"payer_id": "SBXGAP", "name": "Sandbox Medigap Plan", "claim_filing_indicator": "CI"}
MEDICAID = {"payer_id": "SBXMCD", "name": "Sandbox Medicaid", "claim_filing_indicator": "MC"}


def other_coverage(payer: dict, subscriber: dict) -> list[dict]:
    """The later payers of a Medicare patient: 40% have a Medigap plan (a quarter of them
    Medicaid too: three coverages), 10% Medicaid alone (dual eligibles).  Decided from the
    member ID, so a patient keeps the same coverages every night and the other encounters'
    random choices are unchanged."""
    if payer["payer_id"] != "00431":
        return []
    rng = random.Random(f"cob|{subscriber['member_id']}")
    roll = rng.random()
    insured = {k: v for k, v in subscriber.items() if k != "member_id"}
    medigap = {
        "payer": MEDIGAP,
        "subscriber": {**insured, "member_id": f"GAP{rng.randint(0, 10**7 - 1):07d}"},
    }
    medicaid = {
        "payer": MEDICAID,
        "subscriber": {**insured, "member_id": f"{rng.randint(0, 10**9 - 1):09d}"},
    }
    if roll < 0.10:
        return [medigap, medicaid]
    if roll < 0.40:
        return [medigap]
    if roll < 0.50:
        return [medicaid]
    return []


def _break(encounter: dict[str, Any], defect: str) -> None:
    """Give one encounter a defect of a kind front desks and coders really make."""
    billing = {**encounter["billing_provider"], "address": dict(BILLING["address"])}
    line = encounter["service_lines"][0]
    if defect == "npi":
        encounter["rendering_provider"] = {**encounter["rendering_provider"], "npi": "1234567890"}
    elif defect == "member_id":
        encounter["subscriber"] = {
            k: v for k, v in encounter["subscriber"].items() if k != "member_id"
        }
    elif defect == "po_box":
        billing["address"]["line1"] = "PO Box 4410"
    elif defect == "zip4":
        billing["address"]["postal_code"] = "62701"
    elif defect == "pointer":
        line["diagnosis_pointers"] = [len(encounter["diagnoses"]) + 1]
    elif defect == "money":
        line["charge"] = str(Decimal(line["charge"]) + Decimal("0.005"))
    elif defect == "frequency":
        encounter["frequency_code"] = "7"
    encounter["billing_provider"] = billing
