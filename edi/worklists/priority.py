"""Priority: the deadline first, then the dollars that can still be recovered.

``score = deadline points + min(recoverable dollars // dollars_per_point, max_dollar_points)``

Deadline points come from the first bucket of ``priority.deadline_buckets``
(``mappings/worklists.yaml``) whose ``max_days_left`` is at least the row's days left, so a
past-due or nearly due row always outranks a later one (the settings refuse buckets closer
together than the dollar cap).  Recoverable dollars are the denied amount for a denial and
the billed amount for a rejected or unanswered claim.  Rows are ranked by score, then by
exact dollars, then days left, then item ID (so the order is stable); rank 1 is the top.
"""

from __future__ import annotations

from edi.worklists.settings import PriorityFormula


def deadline_points(days_left: int | None, formula: PriorityFormula) -> int:
    if days_left is None:
        return formula.no_deadline_points
    for bucket in formula.deadline_buckets:
        if days_left <= bucket.max_days_left:
            return bucket.points
    return formula.later_points


def score(days_left: int | None, recoverable_cents: int, formula: PriorityFormula) -> int:
    dollars = max(recoverable_cents, 0) // 100
    dollar_points = min(dollars // formula.dollars_per_point, formula.max_dollar_points)
    return deadline_points(days_left, formula) + dollar_points


def sort_key(
    score_: int, recoverable_cents: int, days_left: int | None, item_id: str
) -> tuple[int, int, int, str]:
    """Ascending sort key: highest score, most dollars, fewest days left first."""
    return (-score_, -recoverable_cents, days_left if days_left is not None else 10**6, item_id)
