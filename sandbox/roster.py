"""The sandbox payers' members: who a payer knows, and whether it pays first on a date.

One roster answers both the 271 (:mod:`sandbox.eligibility_271`) and the 835
(:mod:`sandbox.adjudication`), so what a 270 would have been told is what the claim gets: a
member the 271 calls unknown is denied CO-31, one whose coverage ended before the date of
service CO-27, one with another plan paying first CO-22; a member with Medicaid paying
after is paid as usual (Medicaid is billed after the 835).

Each member's place is a hash of the seed, the payer and the member ID (cumulative shares
below), so one seed always gives the same roster.  A terminated member's plan end is fixed
the first time the payer hears of them (270 or claim): the last day of the month before
that date of service.  Later dates of service are judged against it, so a late claim for a
service before the end is still paid, as a real payer's would be.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from sandbox.seeded import chance

UNKNOWN_PERCENT = Decimal(4)
TERMINATED_PERCENT = Decimal(10)
OTHER_PRIMARY_PERCENT = Decimal(14)
MEDICAID_AFTER_PERCENT = Decimal(24)
"""Cumulative shares of a payer's roster: unknown, terminated, another primary, Medicaid after."""
OWN_ID = Decimal(15)
"""Share of dependents the payer knows as subscribers with their own member ID."""
OTHER_PRIMARY = ("OTHER COMMERCIAL PLAN", "OTHCOM1")
MEDICAID = ("SANDBOX MEDICAID", "SBXMCD")


class Status(StrEnum):
    UNKNOWN = "unknown"
    TERMINATED = "terminated"
    OTHER_PRIMARY = "other primary"
    MEDICAID_AFTER = "Medicaid after"
    ACTIVE = "active"


@dataclass(frozen=True, slots=True)
class Standing:
    """A member's coverage with one payer on one date of service."""

    status: Status
    plan_end: date | None = None
    """The plan's last day, when it has one (terminated, or ending after this date)."""
    other_payer: tuple[str, str] | None = None
    """(name, payer ID) of the plan paying first (another primary) or after (Medicaid)."""
    other_member_id: str = ""


@dataclass
class Roster:
    """The seed's roster; ``plan_ends`` is where the sandbox's state keeps the plan ends
    already told (``PAYER|MEMBER`` → ISO date), so they hold from night to night."""

    seed: int
    plan_ends: MutableMapping[str, str]

    def known_as(
        self, payer_id: str, member_id: str, dependent: tuple[str, str] | None
    ) -> tuple[str, tuple[str, str] | None]:
        """The (member ID, dependent name) the payer files a patient under: some dependents
        are subscribers of their own, under the subscriber's ID with ``01`` appended."""
        if not (dependent and member_id):
            return member_id, dependent
        if chance(self.seed, "own-member", payer_id, member_id, *dependent) < OWN_ID:
            return f"{member_id}01", None
        return member_id, dependent

    def standing(self, payer_id: str, member_id: str, service: date) -> Standing:
        """The member's coverage with ``payer_id`` on the date of service ``service``."""
        roll = chance(self.seed, "eligibility", payer_id, member_id)
        if roll < UNKNOWN_PERCENT:
            return Standing(Status.UNKNOWN)
        if roll < TERMINATED_PERCENT:
            first_told = (service.replace(day=1) - timedelta(days=1)).isoformat()
            ended = date.fromisoformat(
                self.plan_ends.setdefault(f"{payer_id}|{member_id}", first_told)
            )
            return Standing(Status.TERMINATED if service > ended else Status.ACTIVE, ended)
        if roll < OTHER_PRIMARY_PERCENT:
            return Standing(Status.OTHER_PRIMARY, other_payer=OTHER_PRIMARY)
        if roll < MEDICAID_AFTER_PERCENT:
            medicaid_id = f"{int(chance(self.seed, 'medicaid', member_id) * 100):09d}"
            return Standing(Status.MEDICAID_AFTER, None, MEDICAID, medicaid_id)
        return Standing(Status.ACTIVE)
