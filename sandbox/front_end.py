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
# -- COB (issue 13): payers that pay only after another --
COB_MISSING = ("A7", "479")
"""No earlier payer's adjudication (2320 AMT*D / 2430): "other payer's EOB/payment info"."""
COB_UNBALANCED = ("A7", "400")
"""The COB loops do not add up: "claim is out of balance"."""


def cob_rejection(claim: Claim837) -> tuple[str, ...] | None:
    """For a payer that pays only after another (Medigap, Medicaid): the STC01 rejecting a
    claim without a balanced earlier adjudication, or None."""
    problems = set(claim.cob_problems)
    if claim.responsibility == "P" or "SNIP4.COB.PRIOR_MISSING" in problems:
        return COB_MISSING
    if not any(sequence < claim.responsibility for sequence, _ in claim.other_payers):
        return COB_MISSING
    if problems:
        return COB_UNBALANCED
    return None


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
