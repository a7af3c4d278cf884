"""The rule registry: one validation system for encounters, built claims and 837 files.

A :class:`Rule` is data (stable ID, SNIP level, severity, where in X12 and in the
encounter it points, plain-English message and fix, and who fixes it).  A
:class:`~edi.findings.Finding` is one rule firing on one claim.  The CLI, the exceptions output, the
provider queries and the worklists all read the same finding records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from edi.findings import Disposition, Finding, Owner, Severity


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    level: int
    severity: Severity
    owner: Owner
    message: str
    """Plain-English template; ``{placeholders}`` are filled from the finding's context."""
    fix: str
    loop: str | None = None
    segment: str | None = None
    element: str | None = None
    field: str | None = None
    """The encounter field the rule is about, when it is always the same one."""
    disposition: Disposition | None = None
    """The default disposition when a payer profile names none; ``None`` follows the severity.
    ``hold`` is for edits payers deny for certain that a coder can answer (clinical edits,
    bundled pairs without a valid bypass, Medicare-only rules)."""

    @property
    def default_disposition(self) -> Disposition:
        return self.disposition or self.severity

    def __post_init__(self) -> None:
        if not 1 <= self.level <= 7:
            raise ValueError(f"rule {self.id}: SNIP level must be 1..7")


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    """Add ``rule`` to the registry; IDs are stable contracts, so duplicates are a bug."""
    if rule.id in RULES and RULES[rule.id] != rule:
        raise ValueError(f"rule {rule.id} registered twice with different definitions")
    RULES[rule.id] = rule
    return rule


def fire(
    rule: Rule,
    *,
    field: str | None = None,
    encounter_id: str | None = None,
    source: str | None = None,
    owner: Owner | None = None,
    location: tuple[str | None, str | None, str | None] | None = None,
    **context: object,
) -> Finding:
    """Make the finding of ``rule``; ``context`` fills the message and fix templates.

    Context values must be codes or IDs, never names or birth dates: findings travel to
    logs, exceptions and Prefect artifacts.  ``owner`` overrides the rule's owner where the
    field decides who fixes it (a generic format rule on a subscriber field is the front
    desk's, on a procedure code the coder's).  ``location`` (loop, segment, element)
    overrides the rule's X12 location where the field decides it.
    """
    if encounter_id is None and source is None:
        # Checks fire without IDs (run_checks stamps them) and batches repeat the same
        # findings (same code, same line): build each once, findings are immutable.
        try:
            key = (rule.id, field, owner, location, *sorted(context.items()))
            cached = _FIRED.get(key)
        except TypeError:  # an unhashable context value: build it every time
            key, cached = None, None
        if cached is not None:
            return cached
        finding = _fire(rule, field, encounter_id, source, owner, location, context)
        if key is not None:
            if len(_FIRED) >= _FIRED_MAX:
                _FIRED.clear()
            _FIRED[key] = finding
        return finding
    return _fire(rule, field, encounter_id, source, owner, location, context)


_FIRED: dict[tuple, Finding] = {}
_FIRED_MAX = 100_000


def _fire(
    rule: Rule,
    field: str | None,
    encounter_id: str | None,
    source: str | None,
    owner: Owner | None,
    location: tuple[str | None, str | None, str | None] | None,
    context: dict[str, object],
) -> Finding:
    field = field or rule.field
    loop, segment, element = location or (rule.loop, rule.segment, rule.element)
    context.setdefault("field", field)
    context.setdefault("encounter_id", encounter_id)
    return Finding(
        rule_id=rule.id,
        level=rule.level,
        severity=rule.severity,
        owner=owner or rule.owner,
        message=rule.message.format_map(_Lenient(context)),
        fix=rule.fix.format_map(_Lenient(context)),
        field=field,
        loop=loop,
        segment=segment,
        element=element,
        encounter_id=encounter_id,
        source=source,
    )


class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


# -- checks -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What checks may consult besides the encounter; injected, so checks stay pure.

    ``payers`` maps payer ID to a payer profile (:class:`mappings.profiles.PayerProfile`);
    ``code_sets`` is whatever the code-set loaders provide (loaded once per process).
    """

    today: date
    payers: Mapping[str, Any] = field(default_factory=dict)
    code_sets: Any = None


Check = Callable[[Any, CheckContext], Iterable[Finding]]
CHECKS: list[Check] = []


def check(function: Check) -> Check:
    """Register a claim-level check: ``function(encounter, context)`` yields findings."""
    CHECKS.append(function)
    return function


def run_checks(encounter: Any, context: CheckContext, source: str | None = None) -> list[Finding]:
    """Every registered check over one valid encounter, findings stamped with its IDs."""
    eid = encounter.encounter_id
    return [stamped(f, eid, source) for f in check_all(encounter, context)]


def check_all(encounter: Any, context: CheckContext) -> list[Finding]:
    """Every registered check's findings on one valid encounter, as fired: without the
    claim's IDs, and shared between claims (see :func:`fire`); for callers that stamp
    each finding with IDs of their own (a file's claim: its segment)."""
    return [f for check_ in CHECKS for f in check_(encounter, context)]


def stamped(finding: Finding, encounter_id: str | None, source: str | None) -> Finding:
    """``finding`` about one claim: ``dataclasses.replace`` costs several times more."""
    f = finding
    return Finding(f.rule_id, f.level, f.severity, f.owner, f.message, f.fix, f.field, f.loop,
                   f.segment, f.element, encounter_id, source)  # fmt: skip


__all__ = [
    "CHECKS",
    "RULES",
    "CheckContext",
    "Finding",
    "Owner",
    "Rule",
    "Severity",
    "check",
    "check_all",
    "fire",
    "register",
    "run_checks",
    "stamped",
]
