"""The worklists' settings (``mappings/worklists.yaml``) as validated models.

Kept in ``edi`` because the classification and the priority formula read them; loading
the YAML is :func:`mappings.denial_rules.worklist_settings`'s job.
"""

from __future__ import annotations

import itertools

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from edi.worklists.rules import REJECTION_CATEGORIES, RejectionRule


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PayerTerms(_Settings):
    """The three deadlines of one payer, in days."""

    timely_filing_days: int = Field(gt=0)
    """From the date of service to the last day a claim (or a corrected claim) is accepted."""
    appeal_days: int = Field(gt=0)
    """From the remittance date to the last day of an appeal (Medicare: redetermination)."""
    no_response_days: int = Field(ge=0, description="0: listed from the day after submission")
    """After submission, how long to wait for a 277CA or an 835 before chasing the claim."""


class DeadlineDefaults(_Settings):
    medicare_filing_indicators: tuple[str, ...] = ("MA", "MB")
    medicare: PayerTerms = PayerTerms(timely_filing_days=365, appeal_days=120, no_response_days=30)
    commercial: PayerTerms = PayerTerms(
        timely_filing_days=180, appeal_days=180, no_response_days=30
    )


class DeadlineBucket(_Settings):
    max_days_left: int
    points: int = Field(ge=0)


class PriorityFormula(_Settings):
    """``score = deadline points + min(dollars // dollars_per_point, max_dollar_points)``."""

    deadline_buckets: tuple[DeadlineBucket, ...] = (
        DeadlineBucket(max_days_left=0, points=6000),
        DeadlineBucket(max_days_left=7, points=5000),
        DeadlineBucket(max_days_left=14, points=4000),
        DeadlineBucket(max_days_left=30, points=3000),
        DeadlineBucket(max_days_left=60, points=2000),
    )
    later_points: int = Field(1000, ge=0)
    no_deadline_points: int = Field(0, ge=0)
    dollars_per_point: int = Field(10, gt=0)
    max_dollar_points: int = Field(999, ge=0)

    @model_validator(mode="after")
    def _deadline_first(self) -> PriorityFormula:
        limits = [b.max_days_left for b in self.deadline_buckets]
        if limits != sorted(limits):
            raise ValueError("priority.deadline_buckets must go from nearest to farthest")
        points = [b.points for b in self.deadline_buckets] + [self.later_points]
        gaps = [a - b for a, b in itertools.pairwise(points)]
        if gaps and min(gaps) <= self.max_dollar_points:
            raise ValueError(
                "priority: each deadline bucket must outscore the next by more than "
                "max_dollar_points, so dollars never outrank a nearer deadline"
            )
        return self


class _Rule(_Settings):
    category: str
    team: str
    why: str
    action: str

    @field_validator("category")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in REJECTION_CATEGORIES:
            raise ValueError(f"unknown category {value!r}; use one of {REJECTION_CATEGORIES}")
        return value

    def rule(self) -> RejectionRule:
        return RejectionRule(self.category, self.team, self.why, self.action)


class StatusRules(_Settings):
    default: _Rule
    codes: dict[str, _Rule] = {}


class RejectionSettings(_Settings):
    ta1: _Rule
    ack_999: _Rule
    status_277ca: StatusRules

    def for_status(self, code: str | None) -> RejectionRule:
        """The rule for a 277CA claim status code (STC01-2), or the default."""
        return self.status_277ca.codes.get(code or "", self.status_277ca.default).rule()


class NoResponseSettings(_Settings):
    category: str = "no response"
    team: str = "billing"
    why: str = "No 277CA and no 835 since submission"
    action: str = "Check the claim's status with the payer and resubmit if it never arrived"


class AcceptedNotPaidSettings(_Settings):
    category: str = "accepted, not paid"
    why: str = "Accepted by the payer, but no 835 since"
    action: str = (
        "Ask the payer for the claim's status (276/277 or portal) and what it waits for; "
        "the acceptance is proof of timely filing"
    )


class CrossoverSettings(_Settings):
    """A claim the primary forwarded to the next payer (crossover) whose 835 never came."""

    category: str = "crossover, no response"
    why: str = "Crossed over to {payer_id} by the earlier payer on {decided_on}; no 835 from it"
    action: str = (
        "Ask {payer_id} whether the crossover arrived; if it has no record of the claim, "
        "bill it directly as the next payer with the earlier payer's 835"
    )


class InfoRequestedSettings(_Settings):
    """R (requests for information) and P (pended) 277CA/277 statuses."""

    category: str = "information requested"
    team: str = "billing"
    response_days: int = Field(30, gt=0)
    """The 277 carries no due date: the payer's usual window from the status date."""
    why: str = "The payer asks for more information before it adjudicates"
    action: str = (
        "Send what the status code names (records, attachment, the entity's details) to the "
        "payer before the deadline, citing the payer claim number"
    )
    pended_why: str = "The payer pended the claim"
    pended_action: str = "Check what the payer waits for (the status code) and follow up"


class RecoupmentSettings(_Settings):
    category: str = "recoupment"
    team: str = "billing"
    why: str = "The payer took money back from this claim in a later payment (PLB)"
    action: str = (
        "Check the recoupment against the claim: if the overpayment is real, post it and "
        "settle with the patient; if not, dispute it with the payer citing the reference"
    )


class ReportSettings(_Settings):
    trend_days: int = Field(30, gt=0)
    top_rows: int = Field(20, gt=0)


class WorklistSettings(_Settings):
    deadlines: DeadlineDefaults = DeadlineDefaults()
    due_soon_days: int = Field(7, ge=0)
    priority: PriorityFormula = PriorityFormula()
    report: ReportSettings = ReportSettings()
    rejections: RejectionSettings
    no_response: NoResponseSettings = NoResponseSettings()
    accepted_not_paid: AcceptedNotPaidSettings = AcceptedNotPaidSettings()
    crossover: CrossoverSettings = CrossoverSettings()
    info_requested: InfoRequestedSettings = InfoRequestedSettings()
    recoupment: RecoupmentSettings = RecoupmentSettings()
