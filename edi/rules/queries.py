"""The coder–provider query loop: findings only the provider can resolve become questions.

A query names the encounter (its ID, nothing else about the patient), the problem in the
finding's own words (codes and line numbers only), and one question the provider can
answer from the documentation.  ``claims build`` writes them to provider_queries.jsonl.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from edi.rules.registry import Finding

QUESTIONS = {
    "SNIP5.ICD10.UNSPECIFIED": "Based on the documentation of this visit, can the diagnosis "
    "be further specified? For example one of the closest codes listed, another diagnosis, "
    "or clinically undetermined.",
    "SNIP5.ICD10.SYMPTOM_PRINCIPAL": "Based on the documentation of this visit, was a condition "
    "established that accounts for the symptom? If so, which one; otherwise, clinically "
    "undetermined.",
    "SNIP6.MODIFIER.SIDE_CONFLICT": "Which side was treated: right, left or both?",
}
"""The question per rule; rules owned by the provider without an entry get a generic one."""

GENERIC_QUESTION = "Please review the documentation and clarify."


@dataclass(frozen=True, slots=True)
class ProviderQuery:
    encounter_id: str
    rule_id: str
    field: str | None
    query: str
    """Ready to send: the encounter, the problem and the question in one short text."""

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def provider_queries(findings: Iterable[Finding]) -> list[ProviderQuery]:
    """One query per finding owned by ``provider`` (findings must carry encounter IDs)."""
    out = []
    for f in findings:
        if f.owner != "provider" or not f.encounter_id:
            continue
        question = QUESTIONS.get(f.rule_id, GENERIC_QUESTION)
        text = f"Encounter {f.encounter_id}: {f.message}. {question}"
        out.append(ProviderQuery(f.encounter_id, f.rule_id, f.field, text))
    return out
