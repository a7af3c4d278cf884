"""Responses in, observations out: which problem each response shows, in which queue.

* **Rejections** never reached adjudication: a TA1 rejecting the interchange, a 999
  rejecting the transaction set (every claim of the set), a 277CA A3/A6/A7/A8.  The fix is a
  new original claim, never an appeal.
* **Denials** come from 835 adjustments whose rule (:mod:`edi.worklists.rules`) says
  ``denial``, at claim or line level, whatever the claim status: a line denied inside a
  claim paid as processed (CLP02 1) is a denial too.  Normal adjustments (CO-45, PR-1/2/3,
  CO-253, OA-23 …) are posted, not queued; patient-responsibility amounts are summed per
  claim for the patient statement.  A reversal (CLP02 22) only takes back an earlier
  payment: it shows no problem and pays nothing; the re-adjudication that follows it is
  classified like any other claim payment.
* **No response**: claims submitted longer ago than the payer's ``no_response_days`` with
  no 277CA, no 835 and no rejection, neither in this batch of responses nor in the ledger.

Everything here is pure: tables in, records out, ``today`` given.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from edi.codesets.ncci import PtpEdits
from edi.worklists.conditions import line_conditions
from edi.worklists.deadlines import TermsLookup
from edi.worklists.ids import fallback_line_ref, item_id
from edi.worklists.inputs import (
    DENIED_CLAIM,
    REJECTED_ACK,
    Responses,
)
from edi.worklists.model import Acceptance, Adjudication, Observation, evidence_key
from edi.worklists.recoupments import recoupments
from edi.worklists.rules import AdjustmentRule, DenialRules
from edi.worklists.settings import WorklistSettings
from edi.worklists.statuses import status_signals
from edi.worklists.texts import CodeTexts, TextTable

PR_BUCKETS = {"1": "deductible_cents", "2": "coinsurance_cents", "3": "copay_cents"}
PR_COLUMNS = (
    "clm01",
    "payer_claim_number",
    "payer_id",
    "payer_name",
    "remit_date",
    "trn02",
    "source_file",
    "deductible_cents",
    "coinsurance_cents",
    "copay_cents",
    "other_pr_cents",
    "patient_resp_cents",
)


@dataclass(frozen=True)
class Classified:
    observations: tuple[Observation, ...]
    adjudications: tuple[Adjudication, ...]
    acceptances: tuple[Acceptance, ...]
    patient_responsibility: pd.DataFrame
    """One row per 835 claim payment with patient responsibility (:data:`PR_COLUMNS`)."""
    answered: frozenset[str]
    """CLM01s with any 277CA, 835 or rejection in these responses."""


def classify(
    responses: Responses,
    context: pd.DataFrame,
    rules: DenialRules,
    settings: WorklistSettings,
    terms: TermsLookup,
    today: date,
    texts: CodeTexts | None = None,
    ptp: PtpEdits | None = None,
    asked: frozenset[str] = frozenset(),
) -> Classified:
    """Every problem the responses show, plus the claims still waiting for an answer.

    ``ptp``: the NCCI edits, when loaded, sharpen the advice on bundling denials.
    ``asked``: claims with an open information-requested row; they are worked there, not
    listed again as waiting.
    """
    texts = texts or TextTable()
    advice = _Advice(rules, texts, _medicare_b(context), ptp)
    denials, adjudications, pr_rows = _remittances(responses, advice)
    denials += recoupments(responses.plbs, settings)
    rejections = _rejections(responses, context, settings)
    signals = status_signals(responses.statuses, settings, texts)
    settled = set(_text(responses.remits["clm01"])) | {o.clm01 for o in rejections}
    settled |= signals.rejected | asked
    settled |= {o.clm01 for o in signals.observations if o.queue == "info_requested"}
    answered = settled | set(_text(responses.statuses["clm01"]))
    waiting = list(_no_response(context, settled, signals.last_evidence, settings, terms, today))
    return Classified(
        observations=tuple(signals.observations + rejections + denials + waiting),
        adjudications=tuple(adjudications),
        acceptances=tuple(signals.acceptances),
        patient_responsibility=pd.DataFrame(pr_rows, columns=list(PR_COLUMNS)),
        answered=frozenset(answered),
    )


# -- 835 ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Advice:
    """The rules and what they need to pick the advice for one adjustment."""

    rules: DenialRules
    texts: CodeTexts
    medicare_b: frozenset[str]
    ptp: PtpEdits | None

    def rule(
        self,
        clm01: str,
        group: str,
        carc: str,
        rarcs: list[str],
        line: dict[str, Any] | None,
        claim_codes: list[str],
    ) -> AdjustmentRule:
        conditions = line_conditions(clm01 in self.medicare_b, carc, line, claim_codes, self.ptp)
        return self.rules.lookup(group, carc, rarcs, conditions)


def _medicare_b(context: pd.DataFrame) -> frozenset[str]:
    if "claim_filing_indicator" not in context.columns or context.empty:
        return frozenset()
    part_b = context["claim_filing_indicator"].astype("string").str.strip().eq("MB").fillna(False)
    return frozenset(context.loc[part_b.to_numpy(dtype=bool), "clm01"].astype(str).str.upper())


def _remittances(
    responses: Responses, advice: _Advice
) -> tuple[list[Observation], list[Adjudication], list[dict[str, Any]]]:
    lines = _by_claim(responses.lines)
    adjustments = _by_claim(responses.adjustments)
    remarks = _by_claim(responses.remarks)
    observations: list[Observation] = []
    adjudications: list[Adjudication] = []
    pr_rows: list[dict[str, Any]] = []
    for clp in _records(responses.remits):
        if clp["adjustment_kind"] == "reversal":
            continue
        key = (clp["file"], int(clp["seq"]))
        found, adjudication, pr = _claim_payment(
            clp, lines.get(key, []), adjustments.get(key, []), remarks.get(key, []), advice
        )
        observations.extend(found)
        adjudications.append(adjudication)
        if pr is not None:
            pr_rows.append(pr)
    return observations, adjudications, pr_rows


def _claim_payment(
    clp: dict[str, Any],
    lines: list[dict[str, Any]],
    adjustments: list[dict[str, Any]],
    remarks: list[dict[str, Any]],
    advice: _Advice,
) -> tuple[list[Observation], Adjudication, dict[str, Any] | None]:
    texts = advice.texts
    clm01 = str(clp["clm01"]).strip().upper()
    by_line = {int(line["line_no"]): line for line in lines}
    codes = [_str(line["procedure_code"]) for line in lines]
    remit_date = _date(clp["remit_date"])
    evidence = evidence_key(remit_date, str(clp["file"]), int(clp["seq"]))
    line_refs = _line_refs(lines)
    claim_rarcs = [str(r["rarc"]) for r in remarks if _null(r["line_no"])]
    line_rarcs: dict[int, list[str]] = defaultdict(list)
    for r in remarks:
        if not _null(r["line_no"]):
            line_rarcs[int(r["line_no"])].append(str(r["rarc"]))

    # (line_no or None, group, carc) -> (amount, rule, rarcs); PR totals per bucket
    denied: dict[tuple[int | None, str, str], list[Any]] = {}
    pr: dict[str, int] = defaultdict(int)
    pr_by_line: dict[int | None, int] = defaultdict(int)
    for adj in adjustments:
        amount = _cents(adj["amount_cents"])
        group, carc = str(adj["group"]).strip().upper(), str(adj["carc"]).strip().upper()
        line_no = None if _null(adj["line_no"]) else int(adj["line_no"])
        rarcs = line_rarcs.get(line_no, []) + claim_rarcs if line_no else claim_rarcs
        rule = advice.rule(clm01, group, carc, rarcs, by_line.get(line_no or 0), codes)
        if group == "PR":
            pr[PR_BUCKETS.get(carc, "other_pr_cents")] += amount
            pr_by_line[line_no] += amount
        if rule.kind == "denial" and amount > 0:
            slot = denied.setdefault((line_no, group, carc), [0, rule, rarcs])
            slot[0] += amount

    billed, paid = _cents(clp["billed_cents"]), _cents(clp["paid_cents"])
    if str(clp["status"]).strip() == DENIED_CLAIM and not denied:
        # A denied claim whose adjustments all look normal still needs a person.
        group, carc = _largest_non_pr(adjustments)
        rule = advice.rule(clm01, group, carc, claim_rarcs, None, codes)
        denied[(None, group, carc)] = [max(billed - paid - sum(pr.values()), 0), rule, claim_rarcs]

    observations = []
    for (line_no, group, carc), (amount, rule, rarcs) in denied.items():
        line = by_line.get(line_no) if line_no is not None else None
        line_ref = line_refs.get(line_no) if line_no is not None else None
        fields = _claim_fields(clp, evidence) | {
            "level": "line" if line is not None else "claim",
            "group": group,
            "code": carc,
            "code_text": texts.carc(carc),
            "rarcs": "|".join(rarcs),
            "rarc_texts": "; ".join(f"{r}: {texts.rarc(r)}".rstrip(": ") for r in rarcs),
            "denied_cents": amount,
            "category": rule.category,
            "team": rule.team,
            "why": rule.why,
            "action": rule.action,
            "action_kind": rule.action_kind,
        }
        if line is not None:
            line_paid = _cents(line["paid_cents"])
            allowed = line["allowed_cents"]
            line_pr = pr_by_line.get(line_no, 0)
            fields |= {
                "procedure_code": _str(line["procedure_code"]),
                "revenue_code": _str(line["revenue_code"]) or None,
                "modifiers": _str(line["modifiers"]),
                "units": _str(line["units"]),
                "service_date": _iso(line["service_date"]),
                "billed_cents": _cents(line["billed_cents"]),
                "paid_cents": line_paid,
                "patient_resp_cents": line_pr,
                "allowed_cents": line_paid + line_pr if _null(allowed) else _cents(allowed),
            }
        ident = item_id("denials", clm01, line_ref, group, carc)
        observations.append(
            Observation(ident, "denials", clm01, line_ref, rule.category, evidence, fields)
        )

    adjudication = Adjudication(
        clm01=clm01,
        evidence=evidence,
        remit_date=remit_date,
        payer_id=_str(clp["payer_id"]) or None,
        billed_cents=billed,
        paid_cents=paid,
        denied_cents=sum(int(v[0]) for v in denied.values()),
        lines=frozenset(line_refs.values()),
        paid_lines=frozenset(
            line_refs[int(line["line_no"])] for line in lines if _cents(line["paid_cents"]) > 0
        ),
        item_ids=frozenset(o.item_id for o in observations),
    )
    total_pr = sum(pr.values())
    pr_row = None
    if total_pr > 0:
        pr_row = {
            "clm01": clm01,
            "payer_claim_number": _str(clp["payer_claim_number"]),
            "payer_id": _str(clp["payer_id"]),
            "payer_name": _str(clp["payer_name"]),
            "remit_date": remit_date,
            "trn02": _str(clp["trn02"]),
            "source_file": str(clp["file"]),
            "deductible_cents": pr["deductible_cents"],
            "coinsurance_cents": pr["coinsurance_cents"],
            "copay_cents": pr["copay_cents"],
            "other_pr_cents": pr["other_pr_cents"],
            "patient_resp_cents": total_pr,
        }
    return observations, adjudication, pr_row


def _claim_fields(clp: dict[str, Any], evidence: str) -> dict[str, Any]:
    return {
        "source_kind": "835",
        "source_file": str(clp["file"]),
        "source_ref": _str(clp["trn02"]),
        "source_date": _iso(clp["remit_date"]),
        "remit_date": _iso(clp["remit_date"]),
        "claim_status": _str(clp["status"]),
        "payer_claim_number": _str(clp["payer_claim_number"]),
        "payer_id": _str(clp["payer_id"]),
        "payer_name": _str(clp["payer_name"]),
        "billed_cents": _cents(clp["billed_cents"]),
        "paid_cents": _cents(clp["paid_cents"]),
        "patient_resp_cents": _cents(clp["patient_resp_cents"]),
        "evidence": evidence,
    }


def _line_refs(lines: list[dict[str, Any]]) -> dict[int, str]:
    """Each line's reference: REF*6R when sent, else code+modifiers+date (numbered if twice)."""
    refs: dict[int, str] = {}
    used: dict[str, int] = defaultdict(int)
    for line in sorted(lines, key=lambda r: int(r["line_no"])):
        ref = _str(line["line_ref"]) or fallback_line_ref(
            _str(line["procedure_code"]), _str(line["modifiers"]), _iso(line["service_date"])
        )
        used[ref] += 1
        refs[int(line["line_no"])] = ref if used[ref] == 1 else f"{ref}#{used[ref]}"
    return refs


def _largest_non_pr(adjustments: list[dict[str, Any]]) -> tuple[str, str]:
    candidates = [a for a in adjustments if str(a["group"]).upper() != "PR"]
    if not candidates:
        return "", ""
    top = max(candidates, key=lambda a: _cents(a["amount_cents"]))
    return str(top["group"]).upper(), str(top["carc"]).upper()


# -- TA1, 999, 277CA ------------------------------------------------------------------------


def _rejections(
    responses: Responses, context: pd.DataFrame, settings: WorklistSettings
) -> list[Observation]:
    """TA1 and 999 rejections: every claim of the interchange, group or transaction set."""
    observations: list[Observation] = []
    by_group: dict[str, list[str]] = defaultdict(list)
    by_set: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_isa: dict[str, list[str]] = defaultdict(list)
    for row in _records(context):
        clm01 = str(row["clm01"]).upper()
        if not _null(row["gs06"]):
            by_group[_num(row["gs06"])].append(clm01)
            if not _null(row["st02"]):
                by_set[(_num(row["gs06"]), _num(row["st02"]))].append(clm01)
        if not _null(row["isa13"]):
            by_isa[_num(row["isa13"])].append(clm01)

    rule = settings.rejections.ack_999.rule()
    for ack in _records(responses.acks):
        if _str(ack["status"]).upper() not in REJECTED_ACK:
            continue
        gs06 = _num(ack["gs06"])
        claims = by_group[gs06] if _null(ack["st02"]) else by_set[(gs06, _num(ack["st02"]))]
        evidence = evidence_key(_date(ack["ack_date"]), str(ack["file"]))
        fields = _rejection_fields("999", ack["file"], ack["ack_date"], evidence, rule) | {
            "group": "999",
            "code": _str(ack["status"]).upper(),
            "code_text": _str(ack["errors"]),
            "source_ref": f"GS06 {gs06} ST02 {_num(ack['st02'])}".rstrip(" "),
        }
        for clm01 in claims:
            ident = item_id("rejections", clm01, None, "999")
            observations.append(
                Observation(ident, "rejections", clm01, None, rule.category, evidence, fields)
            )

    rule = settings.rejections.ta1.rule()
    for ta1 in _records(responses.ta1):
        if _str(ta1["ack_code"]).upper() != "R":
            continue
        isa13 = _num(ta1["isa13"])
        evidence = evidence_key(_date(ta1["ack_date"]), str(ta1["file"]))
        fields = _rejection_fields("TA1", ta1["file"], ta1["ack_date"], evidence, rule) | {
            "group": "TA1",
            "code": _str(ta1["note_code"]),
            "code_text": "",
            "source_ref": f"ISA13 {isa13}",
        }
        for clm01 in by_isa[isa13]:
            ident = item_id("rejections", clm01, None, "TA1")
            observations.append(
                Observation(ident, "rejections", clm01, None, rule.category, evidence, fields)
            )
    return observations


def _rejection_fields(kind: str, file: Any, on: Any, evidence: str, rule: Any) -> dict[str, Any]:
    return {
        "level": "claim",
        "source_kind": kind,
        "source_file": str(file),
        "source_ref": "",
        "source_date": _iso(on),
        "category": rule.category,
        "team": rule.team,
        "why": rule.why,
        "action": rule.action,
        "action_kind": "resubmit",
        "evidence": evidence,
    }


# -- no response --------------------------------------------------------------------------


def _no_response(
    context: pd.DataFrame,
    settled: set[str],
    evidence: Mapping[str, tuple[date, str]],
    settings: WorklistSettings,
    terms: TermsLookup,
    today: date,
) -> Iterator[Observation]:
    """Claims with no 835 and no rejection after the payer's days, from the business date
    they were submitted; an accepted (or pended) claim shows its last evidence."""
    for row in _records(context):
        clm01 = str(row["clm01"]).upper()
        if _null(row["submitted_on"]) or clm01 in settled or _str(row["frequency_code"]) == "8":
            continue
        if not (_null(row.get("adjudicated_on")) and _null(row.get("rejected_on"))):
            continue
        if not _null(row["responded_on"]) and _null(row.get("last_evidence")):
            continue  # answered, and the context does not say it was short of an 835
        submitted = _date(row["submitted_on"])
        waited = (today - submitted).days
        if waited <= terms(row).no_response_days:
            continue
        last = _last_evidence(row, evidence.get(clm01))
        yield _waiting(clm01, submitted, waited, last, settings)


def _last_evidence(row: Mapping[str, Any], batch: tuple[date, str] | None) -> str:
    """The latest answer short of an 835: this batch's status, else the ledger's."""
    known = _str(row.get("last_evidence"))
    if batch is None:
        return known
    ledger_day = _null(row.get("responded_on")) or _date(row["responded_on"]) <= batch[0]
    return batch[1] if ledger_day or not known else known


def _waiting(
    clm01: str, submitted: date, waited: int, last: str, settings: WorklistSettings
) -> Observation:
    cfg = settings.no_response
    category, why, action = cfg.category, cfg.why, cfg.action
    if last:
        other = settings.accepted_not_paid
        category, action = other.category, other.action
        why = f"{other.why} {waited} days: last answer {last}"
    evidence = evidence_key(submitted, "ledger")
    fields = {
        "level": "claim",
        "source_kind": "ledger",
        "source_file": "",
        "source_ref": "",
        "source_date": submitted.isoformat(),
        "submitted_on": submitted.isoformat(),
        "days_waiting": waited,
        "last_evidence": last or None,
        "category": category,
        "team": cfg.team,
        "why": why,
        "action": action,
        "action_kind": "follow_up",
        "evidence": evidence,
    }
    ident = item_id("no_response", clm01, None)
    return Observation(ident, "no_response", clm01, None, category, evidence, fields)


# -- small helpers --------------------------------------------------------------------------


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return df.to_dict("records") if len(df) else []


def _by_claim(df: pd.DataFrame) -> dict[tuple[str, int], list[dict[str, Any]]]:
    grouped: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for row in _records(df):
        grouped[(row["file"], int(row["seq"]))].append(row)
    return grouped


def _null(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _str(value: Any) -> str:
    return "" if _null(value) else str(value).strip()


def _text(series: pd.Series) -> list[str]:
    return [str(v).strip().upper() for v in series if not _null(v)]


def _cents(value: Any) -> int:
    return 0 if _null(value) else int(value)


def _num(value: Any) -> str:
    """A control number as digits without leading zeros, whatever type it came as."""
    text = _str(value)
    return text.lstrip("0") or "0" if text.isdigit() else text


def _date(value: Any) -> date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value if type(value) is date else value.date()  # type: ignore[attr-defined]
    return date.fromisoformat(str(value)[:10])


def _iso(value: Any) -> str:
    return "" if _null(value) else _date(value).isoformat()
