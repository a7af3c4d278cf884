"""The payer front end: the edits that reject a claim before adjudication (277CA).

Real front ends reject what they cannot adjudicate at all, claim by claim, with a claim
status category and code instead of a denial: a member ID that cannot be theirs
(``A7:164:IL``, "entity's contract/member number", the insured), or a service that needs
prior authorization billed without one (``A6:252``, "authorization/certification").
Both rules come from the payer profiles in ``mappings/payers/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mappings.profiles import PayerProfile
from sandbox.claim_facts import Claim837

ACCEPTED = ("A2", "20")
"""Accepted into adjudication."""
INVALID_MEMBER_ID = ("A7", "164", "IL")
MISSING_PRIOR_AUTH = ("A6", "252")
UNKNOWN_ORIGINAL = ("A7", "21")
"""A void (frequency 8) whose REF*F8 names no claim this payer paid: invalid information."""


@dataclass(frozen=True, slots=True)
class Screening:
    """The front end's verdict on one claim: its STC01 and, when accepted, the ICN."""

    claim: Claim837
    status: tuple[str, ...]
    payer_claim_number: str | None = None

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPTED


def rejection(claim: Claim837, profile: PayerProfile | None) -> tuple[str, ...] | None:
    """The STC01 composite rejecting ``claim``, or None when the front end accepts it."""
    if profile is None:
        return None
    pattern = profile.member_id_pattern
    if pattern and not re.fullmatch(pattern, claim.member_id):
        return INVALID_MEMBER_ID
    needs_auth = set(profile.prior_auth_codes)
    if not claim.prior_auth and any(line.procedure in needs_auth for line in claim.lines):
        return MISSING_PRIOR_AUTH
    return None
