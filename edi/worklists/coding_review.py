"""Coding-review queries for held claims, and what an answer does to the encounter.

A query follows AHIMA/ACDIS practice: it states the clinical facts the record holds,
clinical words first and codes second ("type 2 diabetes mellitus without complications
(E11.9)"), asks an open, non-leading question, and offers the clinically reasonable
options plus always "clinically undetermined" and "other".  It carries codes, their
descriptions, the services and the date: no name, birth date or member ID.

An answer's ``value`` says what it does: ``code:E1165`` puts that code in the field the
query is about, ``side:LT`` makes the line's side modifier LT, ``modifier:XS`` adds a
modifier to the line, ``remove-line`` drops the line (all of them dropped: the claim is
not billed, see :func:`bills_nothing`), and "clinically undetermined" changes nothing.
Answers are applied to a copy of the encounter's data: the input is never edited.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from edi.codesets.icd10cm import IcdCode, IcdRelease
from edi.codesets.icd10cm_specificity import ranked
from edi.codesets.procedure_edits import is_laboratory
from edi.findings import Finding
from edi.rules.common import dotted, first_service_date
from edi.rules.duplicates import DUPLICATE_SERVICE
from edi.rules.specificity import SYMPTOM_PRINCIPAL, questions

UNDETERMINED = "clinically undetermined"
OTHER = "other"
_LINE = re.compile(r"service_lines\[(\d+)\]")
_DIAGNOSIS = re.compile(r"diagnoses\[(\d+)\]")
SIBLINGS = 6
"""Codes offered beside a symptom: its own category's, closest in description first."""


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


def query_id(clm01: str, source_file: str, finding: Finding) -> str:
    """Stable across reruns: the claim, its file, the rule and the field."""
    digest = hashlib.sha256(
        f"{clm01}|{source_file}|{finding.rule_id}|{finding.field}".encode()
    ).hexdigest()
    return f"Q-{clm01}-{digest[:8]}"


def facts(encounter: Any, release: IcdRelease) -> dict[str, Any]:
    """The clinical facts a query rests on: codes with descriptions, services, dates."""
    diagnoses = []
    for i, code in enumerate(encounter.diagnoses):
        item = release.lookup(code)
        diagnoses.append(
            {"position": i + 1, "code": dotted(code), "description": item and item.description}
        )
    services = [
        {
            "line": i + 1,
            "code": line.procedure_code,
            "modifiers": list(line.modifiers),
            "units": str(line.units),
            "date": line.service_date.isoformat(),
            "diagnoses": [
                dotted(encounter.diagnoses[p - 1])
                for p in line.diagnosis_pointers
                if p <= len(encounter.diagnoses)
            ],
        }
        for i, line in enumerate(encounter.service_lines)
    ]
    first = first_service_date(encounter)
    return {
        "date_of_service": first.isoformat(),
        "place_of_service": encounter.place_of_service,
        "diagnoses": diagnoses,
        "services": services,
    }


def query_payload(finding: Finding, encounter: Any, release: IcdRelease) -> dict[str, Any]:
    """Question, facts and choices for one finding that held a claim."""
    known = facts(encounter, release)
    question, choices = _question(finding, encounter, release, known)
    choices = [*choices, Choice(UNDETERMINED, "Clinically undetermined (bill as documented)"),
               Choice(OTHER, "Other (explain in the note)")]  # fmt: skip
    return {
        "question": question,
        "reason": finding.message,
        "rule_id": finding.rule_id,
        "field": finding.field,
        "facts": known,
        "choices": [{"value": c.value, "label": c.label} for c in choices],
    }


def _question(
    finding: Finding, encounter: Any, release: IcdRelease, known: dict[str, Any]
) -> tuple[str, list[Choice]]:
    field = finding.field or ""
    dos = known["date_of_service"]
    if (m := _DIAGNOSIS.fullmatch(field)) and int(m.group(1)) < len(encounter.diagnoses):
        return _diagnosis_question(encounter, int(m.group(1)), finding, release, dos)
    if (m := _LINE.match(field)) and int(m.group(1)) < len(encounter.service_lines):
        index = int(m.group(1))
        if finding.rule_id == DUPLICATE_SERVICE.id:
            return _repeat_question(encounter, index, finding)
        if finding.rule_id.startswith("SNIP7.NCCI."):
            return _bundling_question(encounter, index, "NOT_ALLOWED" in finding.rule_id)
        if field.endswith(".modifiers") and "SIDE" in finding.rule_id:
            return _side_question(encounter, index, known)
    text = (
        f"For the visit on {dos}, the claim check found: {finding.message}. "
        "Please review the documentation and state what it supports."
    )
    return text, []


def _diagnosis_question(
    encounter: Any, index: int, finding: Finding, release: IcdRelease, dos: str
) -> tuple[str, list[Choice]]:
    """A symptom as first diagnosis asks whether a condition was established; a code that
    says less than a line shows offers the codes the finding named (the rules' own
    :func:`~edi.rules.specificity.questions`, ranked by closeness to the evidence)."""
    code = encounter.diagnoses[index]
    item = release.lookup(code)
    described = f"{item.description} ({dotted(code)})" if item else dotted(code)
    if finding.rule_id == SYMPTOM_PRINCIPAL.id:
        text = (
            f"The visit on {dos} documents {described} as the first diagnosis. Based on your "
            "clinical judgment and the record, was a condition explaining it established at "
            "this visit, or can the symptom itself be further specified? Please choose the "
            "option the documentation supports, or name the condition under Other."
        )
        same = [c for c in release.category(code) if c.code != code]
        return text, _code_choices(ranked(same, item.description if item else "")[:SIBLINGS])
    asked = next((q for q in questions(encounter, release) if q.pointer == index + 1), None)
    shown = f" and line {asked.line} ({asked.shown})" if asked else ""
    text = (
        f"The visit on {dos} documents {described}{shown}. Based on your clinical judgment "
        "and the record, can the condition be further specified? Please choose the option "
        "the documentation supports."
    )
    return text, _code_choices(asked.choices if asked else ())


def _code_choices(codes: Iterable[IcdCode]) -> list[Choice]:
    return [Choice(f"code:{c.code}", f"{c.description} ({dotted(c.code)})") for c in codes]


def _bundling_question(encounter: Any, index: int, never: bool) -> tuple[str, list[Choice]]:
    """A bundled pair: whether the column-2 service was distinct.  When no modifier can
    separate the pair (NCCI indicator 0), only which service the record supports."""
    line = encounter.service_lines[index]
    others = [
        f"{o.procedure_code} (line {j + 1})"
        for j, o in enumerate(encounter.service_lines)
        if j != index and o.service_date == line.service_date
    ]
    listed = (
        f"On {line.service_date.isoformat()} the record lists the service "
        f"{line.procedure_code} (line {index + 1}) together with "
        f"{', '.join(others) or 'another service'}. "
    )
    drop = Choice("remove-line", f"Part of the other service: do not bill line {index + 1}")
    if never:
        text = listed + (
            "These services are not billed together for one patient on one date. Which "
            "service does the documentation support?"
        )
        return text, [drop]
    text = listed + (
        "Was it a separate and distinct service (a different session, anatomic site or "
        "practitioner), or part of the other service? Please choose what the documentation "
        "supports."
    )
    return text, [
        Choice("modifier:XE", "Separate encounter the same day (XE)"),
        Choice("modifier:XS", "Separate organ or anatomic structure (XS)"),
        Choice("modifier:XP", "Separate practitioner (XP)"),
        Choice("modifier:XU", "Unusual, non-overlapping service (XU)"),
        drop,
    ]


def _repeat_question(encounter: Any, index: int, finding: Finding) -> tuple[str, list[Choice]]:
    """A service already billed under another encounter ID: whether it was repeated
    (76 same practitioner, 77 another, 91 a repeated lab test) or the same service."""
    line = encounter.service_lines[index]
    code = line.procedure_code
    text = (
        f"On {line.service_date.isoformat()} the record lists the service {code} "
        f"(line {index + 1}); the claim check found: {finding.message}. Was the service "
        "performed again that day, or is it the service already billed? Please choose what "
        "the documentation supports."
    )
    choices = [
        Choice("modifier:76", "Repeat procedure by the same provider on the same day (76)"),
        Choice("modifier:77", "Repeat procedure by another provider (77)"),
    ]
    if is_laboratory(code):
        choices.append(Choice("modifier:91", "Repeat clinical diagnostic laboratory test (91)"))
    choices.append(Choice("remove-line", f"Not a separate service: do not bill line {index + 1}"))
    return text, choices


def _side_question(encounter: Any, index: int, known: dict[str, Any]) -> tuple[str, list[Choice]]:
    line = encounter.service_lines[index]
    linked = ", ".join(
        f"{d['description'] or 'code'} ({d['code']})"
        for d in known["diagnoses"]
        if d["code"] in known["services"][index]["diagnoses"]
    )
    text = (
        f"On {line.service_date.isoformat()} the service {line.procedure_code} "
        f"(line {index + 1}) is linked to {linked or 'its diagnoses'}. Which side was treated, "
        "as the documentation records it?"
    )
    return text, [
        Choice("side:RT", "Right side (RT)"),
        Choice("side:LT", "Left side (LT)"),
        Choice("side:50", "Both sides (50)"),
    ]


# -- answers ---------------------------------------------------------------------------


class AnswerError(ValueError):
    """An answer that cannot be applied; the message names the query and the fix."""


def apply_answers(data: dict[str, Any], answers: list[tuple[str | None, str]]) -> dict[str, Any]:
    """A copy of the encounter ``data`` with each ``(field, value)`` answer applied;
    lines are removed last, highest first, so the other answers' line numbers hold.
    Removing every line leaves none: :func:`bills_nothing` says so."""
    result = copy.deepcopy(data)
    removals = []
    for field, value in answers:
        if value in (UNDETERMINED, OTHER):
            continue
        if value == "remove-line":
            removals.append(_line_index(field, value))
            continue
        action, _, code = value.partition(":")
        if action == "code":
            _set_code(result, field, code)
        elif action in ("modifier", "side"):
            line = result["service_lines"][_line_index(field, value)]
            mods = [m for m in line.get("modifiers") or [] if action != "side" or m not in
                    ("RT", "LT", "50")]  # fmt: skip
            line["modifiers"] = [*mods, code] if code not in mods else mods
        else:
            raise AnswerError(f"answer {value!r} is not one of the query's choices")
    for index in sorted(set(removals), reverse=True):
        del result["service_lines"][index]
    return result


def bills_nothing(answered: dict[str, Any]) -> bool:
    """The answers removed every service line: nothing is left to bill (the coder said
    each was not a separate service), so the claim is closed, not sent."""
    return "service_lines" in answered and not answered["service_lines"]


def field_before_answers(field: str, answers: list[tuple[str | None, str]]) -> str:
    """``field`` of the answered encounter as a field of the encounter the answers apply
    to: a line another answer removed shifts the later lines' numbers."""
    m = _LINE.match(field)
    if not m:
        return field
    removed = {_line_index(f, v) for f, v in answers if v == "remove-line"}
    kept = (i for i in itertools.count() if i not in removed)
    original = next(itertools.islice(kept, int(m.group(1)), None))
    return f"service_lines[{original}]{field[m.end() :]}"


def _line_index(field: str | None, value: str) -> int:
    m = _LINE.match(field or "")
    if not m:
        raise AnswerError(f"answer {value!r} needs a service line, but the query is about {field}")
    return int(m.group(1))


def _set_code(data: dict[str, Any], field: str | None, code: str) -> None:
    if m := _DIAGNOSIS.fullmatch(field or ""):
        data["diagnoses"][int(m.group(1))] = code
    elif (m := _LINE.match(field or "")) and (field or "").endswith("procedure_code"):
        data["service_lines"][int(m.group(1))]["procedure_code"] = code
    else:
        raise AnswerError(f"a code cannot answer a query about {field}")


def is_aged(asked_on: date, today: date, days: int) -> bool:
    return (today - asked_on).days > days


# -- worklist rows -----------------------------------------------------------------------


def facts_text(facts: dict[str, Any]) -> str:
    """The clinical facts as lines a provider reads: descriptions first, codes second."""
    lines = [f"Date of service {facts['date_of_service']}, place of service "
             f"{facts['place_of_service']}"]  # fmt: skip
    for d in facts["diagnoses"]:
        lines.append(f"Diagnosis {d['position']}: {d['description'] or 'code'} ({d['code']})")
    for s in facts["services"]:
        mods = f" modifiers {', '.join(s['modifiers'])}" if s["modifiers"] else ""
        lines.append(
            f"Service line {s['line']}: {s['code']}{mods}, {s['units']} unit(s) on {s['date']},"
            f" for {', '.join(s['diagnoses'])}"
        )
    return "\n".join(lines)


def choices_text(choices: list[dict[str, str]]) -> str:
    return "\n".join(f"{c['value']}  ({c['label']})" for c in choices)


def review_row(query: Any, payer_id: str, today: date, aged_days: int) -> dict[str, Any]:
    """One coding-review worklist row of a query (IDs, codes, descriptions, dates)."""
    payload = query.payload
    waiting = (today - query.asked_on).days
    return {
        "query_id": query.query_id,
        "clm01": query.clm01,
        "payer_id": payer_id,
        "asked_on": query.asked_on,
        "days_waiting": waiting,
        "aged": query.status == "pending" and is_aged(query.asked_on, today, aged_days),
        "status": str(query.status),
        "rule_id": query.rule_id,
        "question": payload["question"],
        "facts": facts_text(payload["facts"]),
        "choices": choices_text(payload["choices"]),
        "answer": query.answer,
        "note": query.answer_note,
    }


def normalise_answer(text: str, choices: list[dict[str, str]], field: str | None) -> str:
    """A choice's value from what a person typed: the value, its label, a bare modifier
    of a modifier choice (``76`` -> ``modifier:76``), or a bare code for a query about a
    code (``E11.65`` -> ``code:E1165``).  Raises AnswerError."""
    typed = " ".join(text.split())
    lowered = typed.lower()
    for c in choices:
        value = c["value"].lower()
        if lowered in (value, c["label"].lower()) or value in (f"modifier:{lowered}",
                                                                f"side:{lowered}"):  # fmt: skip
            return c["value"]
    if lowered.startswith("clinically undetermined"):
        return UNDETERMINED
    bare = typed.upper().replace(".", "").removeprefix("CODE:")
    if re.fullmatch(r"[A-Z][0-9][0-9A-Z]{1,5}", bare) and _DIAGNOSIS.fullmatch(field or ""):
        return f"code:{bare}"
    values = ", ".join(c["value"] for c in choices)
    raise AnswerError(f"{typed!r} is not one of the choices ({values})")
