"""What an adjustment or a rejection means for the billers: the rules as plain records.

The table itself is data people edit (``mappings/denials.csv``, loaded by
:mod:`mappings.denial_rules`); this module only says how a lookup falls back, so the
classification stays pure and testable with a handful of hand-made rules.

A lookup of group + CARC with the line's remark codes tries, most specific first:
group+CARC+RARC, any group+CARC+RARC (for each remark in the order the payer sent them),
then group+CARC, any group+CARC, then group+any CARC, then the catch-all row.  A remark
code only matters where a row names it: that is how ``CO-16`` with ``MA130`` (unprocessable,
no appeal rights: resubmit as a new claim) differs from plain ``CO-16`` (corrected claim).

*Conditions* are facts about the claim that are not in the 835 but change the advice; they
sit in the RARC column under names no remark code has: ``NCCI-0`` / ``NCCI-1`` (the NCCI
modifier indicator of the pair the line was bundled into, when the edits are loaded) are
tried after the remarks and before the plain group+CARC rows.  ``MEDICARE-B`` (the claim
went to Medicare Part B, SBR09 ``MB``) rewrites any ``correct`` advice with the ``*,*,MEDICARE-B``
row: Part B takes no frequency-7 claim, a clerical reopening is the way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

Kind = Literal["denial", "normal"]
ANY = "*"

DENIAL_CATEGORIES = (
    "eligibility/registration",
    "authorization",
    "coding",
    "medical necessity",
    "missing information",
    "duplicate",
    "timely filing",
    "non-covered",
    "credentialing",
    "payer error",
)
"""Categories a denial may have; rejections add ``submission format`` (999/TA1)."""

REJECTION_CATEGORIES = (*DENIAL_CATEGORIES, "submission format")

ACTION_KINDS = (
    "correct",  # corrected claim, frequency 7 with REF*F8
    "reopen",  # Medicare Part B: a clerical reopening instead of a corrected claim
    "resubmit",  # new original claim, frequency 1 (unprocessable or rejected)
    "appeal",  # written appeal / redetermination, with records
    "records",  # send the requested documentation
    "rebill",  # bill another payer (COB, workers' comp, right contractor)
    "follow_up",  # call or check with the payer; nothing to send yet
    "write_off",
    "bill_patient",
    "post",  # a normal adjustment: post it, nothing to work
)
"""What kind of work the action is; it decides which deadline applies (appeal or filing)."""

GROUPS = ("CO", "PR", "OA", "PI", "CR")
MEDICARE_B = "MEDICARE-B"
"""Condition: the claim went to Medicare Part B (see the module docstring)."""


@dataclass(frozen=True, slots=True)
class AdjustmentRule:
    """One row of the denials table."""

    group: str
    """CAS group (CO, PR, OA, PI, CR) or ``*``."""
    carc: str
    """Claim adjustment reason code or ``*``."""
    rarc: str
    """Remark code that changes the meaning, or empty."""
    kind: Kind
    category: str
    team: str
    action_kind: str
    why: str
    """The reason in the project's plain words."""
    action: str


@dataclass(frozen=True, slots=True)
class RejectionRule:
    """What a rejection (TA1, 999 or 277CA status code) means for the billers."""

    category: str
    team: str
    why: str
    action: str


class DenialRules:
    """The denials table with its fallback lookup; build it from rows in file order."""

    def __init__(self, rules: Iterable[AdjustmentRule]) -> None:
        self._rules: dict[tuple[str, str, str], AdjustmentRule] = {}
        for rule in rules:
            key = (rule.group, rule.carc, rule.rarc)
            if key in self._rules:
                raise ValueError(f"denial rules: {'-'.join(k or '' for k in key)} appears twice")
            self._rules[key] = rule
        if (ANY, ANY, "") not in self._rules:
            raise ValueError("denial rules: the catch-all row *,* (no RARC) is missing")

    def __len__(self) -> int:
        return len(self._rules)

    def __iter__(self):
        return iter(self._rules.values())

    def lookup(
        self, group: str, carc: str, rarcs: Sequence[str] = (), conditions: Sequence[str] = ()
    ) -> AdjustmentRule:
        """The most specific rule for an adjustment (see the module docstring)."""
        rule = self._lookup(group.strip().upper(), carc.strip().upper(), (*rarcs, *conditions))
        reopening = self._rules.get((ANY, ANY, MEDICARE_B))
        if MEDICARE_B in conditions and rule.action_kind == "correct" and reopening:
            return replace(
                rule,
                action_kind=reopening.action_kind,
                action=f"{reopening.action}: {rule.why[:1].lower()}{rule.why[1:]}",
            )
        return rule

    def _lookup(self, group: str, carc: str, rarcs: Sequence[str]) -> AdjustmentRule:
        rules = self._rules
        for rarc in rarcs:
            for key in ((group, carc, rarc), (ANY, carc, rarc)):
                if key in rules:
                    return rules[key]
        for key in ((group, carc, ""), (ANY, carc, ""), (group, ANY, "")):
            if key in rules:
                return rules[key]
        return rules[(ANY, ANY, "")]
