"""The front-desk worklist: what each 271 said about a patient's coverage, and what to do.

One row per recent eligibility check: held claims first (the payer's own words, what to fix,
and a column for the corrected member ID that ``claims eligibility import`` reads back), then
the claims that went on, with the patient's cost sharing the 271 gave (copay, coinsurance,
deductible and out-of-pocket left) for collection at the next visit.  Rows carry names and
member IDs: the sheet is for the front desk's files, never for logs or artifacts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

TITLE = "Front desk"
COLUMNS = (
    ("check_id", "Check ID", 32),
    ("clm01", "Claim (CLM01)", 18),
    ("payer_id", "Payer", 10),
    ("service_date", "Date of service", 12),
    ("patient", "Patient", 24),
    ("member_id", "Member ID on file", 16),
    ("payer_member_id", "Member ID the payer has", 16),
    ("status", "Status", 18),
    ("payer_said", "What the payer said", 50),
    ("fix", "What to fix", 50),
    ("copay", "Copay", 9),
    ("coinsurance", "Coinsurance", 9),
    ("deductible_left", "Deductible left", 10),
    ("out_of_pocket_left", "Out of pocket left", 10),
    ("plan_dates", "Plan dates", 22),
    ("other_payers", "Other payers", 30),
    ("corrected_member_id", "Corrected member ID", 18),
)
EDITABLE = "corrected_member_id"
STATUS = {
    "answered": "released",
    "expired": "sent unverified",
}


def front_desk_rows(checks: Iterable[Any], since: date) -> list[dict[str, Any]]:
    """Rows of the claims still held for the front desk, however old, and of the checks
    answered (or given up on) since ``since``; ``checks`` are
    :class:`flows.ledger.eligibility.EligibilityView` records."""
    rows = []
    for c in checks:
        if c.answered_on is None or c.answer is None:
            continue  # still waiting for its 271
        if c.answered_on < since and not (c.answer.get("holds") and c.hold_state == "held"):
            continue
        rows.append(_row(c))
    rows.sort(key=lambda r: (r["status"] != "held: fix registration", r["clm01"]))
    return rows


def _row(c: Any) -> dict[str, Any]:
    answer, encounter = c.answer, c.encounter
    holds = answer.get("holds", [])
    person = encounter.get("patient") or encounter["subscriber"]
    said = [h["said"] for h in holds] + list(answer.get("messages", []))
    if answer.get("warning"):
        said.append(answer["warning"])
    held = bool(holds) and c.hold_state == "held"
    money = answer.get("cost_sharing", {})
    dates = answer.get("plan_dates", {})
    return {
        "check_id": c.trace,
        "clm01": c.clm01,
        "payer_id": c.payer_id,
        "service_date": c.service_date,
        "patient": f"{person['last_name']}, {person['first_name']}",
        "member_id": encounter["subscriber"]["member_id"],
        "payer_member_id": answer.get("member", {}).get("member_id", ""),
        "status": "held: fix registration" if held else STATUS.get(str(c.status), str(c.status)),
        "payer_said": "; ".join(said),
        "fix": " ".join(h["fix"] for h in holds) if held else "",
        "copay": money.get("copay", ""),
        "coinsurance": money.get("coinsurance", ""),
        "deductible_left": money.get("deductible", ""),
        "out_of_pocket_left": money.get("out_of_pocket", ""),
        "plan_dates": ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(dates.items())),
        "other_payers": "; ".join(
            f"{p['name']} ({'primary' if p['role'] == 'PRP' else 'pays after'})"
            for p in answer.get("other_payers", [])
        ),
        "corrected_member_id": "",
    }
