"""What each queue's sheet shows, in which order, under which header, in which format.

One list per queue serves the workbook, the CSV files and the import of edited workbooks
(which finds ``Item ID``, ``Status``, ``Owner`` and ``Notes`` by header).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Format = Literal["text", "money", "date", "int", "status"]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    """Column of the rows table (:data:`edi.worklists.rows.ROW_COLUMNS`)."""
    header: str
    format: Format = "text"
    width: float = 14


def _c(name: str, header: str, format: Format = "text", width: float = 14) -> Column:
    return Column(name, header, format, width)


_HEAD = (
    _c("priority", "Priority", "int", 9),
    _c("item_id", "Item ID", "text", 22),
    _c("status", "Status", "status", 13),
    _c("owner", "Owner", "text", 14),
    _c("notes", "Notes", "text", 30),
    _c("due_date", "Due", "date", 12),
    _c("days_left", "Days left", "int", 9),
    _c("team", "Team", "text", 14),
    _c("category", "Category", "text", 20),
    _c("clm01", "Claim (CLM01)", "text", 20),
    _c("payer_claim_number", "Payer claim #", "text", 18),
    _c("patient_name", "Patient", "text", 22),
    _c("member_id", "Member ID", "text", 14),
    _c("dos", "DOS", "date", 12),
    _c("payer_name", "Payer", "text", 20),
    _c("payer_id", "Payer ID", "text", 10),
    _c("rendering_npi", "Rendering NPI", "text", 13),
    _c("type_of_bill", "Type of bill", "text", 8),
)
_TAIL = (
    _c("times_seen", "Times seen", "int", 8),
    _c("first_seen", "First seen", "date", 12),
    _c("version", "Row version", "text", 22),
)

DENIALS = (
    *_HEAD,
    _c("payer_sequence", "Payer seq", "text", 6),  # COB: P, S or T
    _c("line_ref", "Line", "text", 16),
    _c("procedure_code", "Code", "text", 8),
    _c("revenue_code", "Rev code", "text", 8),
    _c("modifiers", "Modifiers", "text", 10),
    _c("units", "Units", "text", 7),
    _c("billed_cents", "Billed", "money", 12),
    _c("allowed_cents", "Allowed", "money", 12),
    _c("paid_cents", "Paid", "money", 12),
    _c("patient_resp_cents", "Patient resp.", "money", 12),
    _c("denied_cents", "Denied", "money", 12),
    _c("group", "Group", "text", 7),
    _c("code", "CARC", "text", 7),
    _c("code_text", "CARC text", "text", 40),
    _c("rarcs", "RARCs", "text", 12),
    _c("rarc_texts", "RARC text", "text", 40),
    _c("why", "Why (plain words)", "text", 36),
    _c("action", "What to do", "text", 50),
    _c("appeal_deadline", "Appeal by", "date", 12),
    _c("filing_deadline", "Timely filing by", "date", 14),
    _c("source_ref", "835 TRN02", "text", 16),
    _c("source_date", "835 date", "date", 12),
    _c("source_file", "835 file", "text", 18),
    _c("accepted_277ca_on", "277CA accepted", "date", 14),
    _c("prior_denials", "Denied before", "int", 9),
    *_TAIL,
)
REJECTIONS = (
    *_HEAD,
    _c("billed_cents", "Billed", "money", 12),
    _c("source_kind", "Rejected by", "text", 10),
    _c("group", "Response status", "text", 10),
    _c("code", "Code", "text", 8),
    _c("code_text", "Code text", "text", 40),
    _c("entity", "Entity", "text", 7),
    _c("points_at", "Field to fix", "text", 30),
    _c("line_ref", "Line", "text", 16),
    _c("procedure_code", "Code on line", "text", 8),
    _c("why", "Why (plain words)", "text", 36),
    _c("action", "What to do", "text", 50),
    _c("filing_deadline", "Timely filing by", "date", 14),
    _c("source_date", "Response date", "date", 12),
    _c("source_ref", "Reference", "text", 18),
    _c("source_file", "Response file", "text", 18),
    _c("submitted_on", "Submitted", "date", 12),
    *_TAIL,
)
NO_RESPONSE = (
    *_HEAD,
    _c("billed_cents", "Billed", "money", 12),
    _c("submitted_on", "Submitted", "date", 12),
    _c("days_waiting", "Days waiting", "int", 9),
    _c("last_evidence", "Last answer", "text", 36),
    _c("why", "Why (plain words)", "text", 36),
    _c("action", "What to do", "text", 50),
    _c("filing_deadline", "Timely filing by", "date", 14),
    *_TAIL,
)
INFO_REQUESTED = (
    *_HEAD,
    _c("billed_cents", "Billed", "money", 12),
    _c("source_kind", "Asked in", "text", 8),
    _c("group", "Response status", "text", 10),
    _c("code", "Code", "text", 8),
    _c("code_text", "Code text", "text", 40),
    _c("entity", "Entity", "text", 7),
    _c("points_at", "About", "text", 30),
    _c("line_ref", "Line", "text", 16),
    _c("respond_by", "Respond by", "date", 12),
    _c("why", "Why (plain words)", "text", 36),
    _c("action", "What to do", "text", 50),
    _c("source_date", "Response date", "date", 12),
    _c("source_file", "Response file", "text", 18),
    *_TAIL,
)
PATIENT_RESPONSIBILITY = (
    _c("clm01", "Claim (CLM01)", "text", 20),
    _c("payer_claim_number", "Payer claim #", "text", 18),
    _c("patient_name", "Patient", "text", 22),
    _c("member_id", "Member ID", "text", 14),
    _c("dos", "DOS", "date", 12),
    _c("payer_name", "Payer", "text", 20),
    _c("payer_id", "Payer ID", "text", 10),
    _c("deductible_cents", "Deductible", "money", 12),
    _c("coinsurance_cents", "Coinsurance", "money", 12),
    _c("copay_cents", "Copay", "money", 12),
    _c("other_pr_cents", "Other", "money", 12),
    _c("patient_resp_cents", "Patient owes", "money", 13),
    _c("remit_date", "835 date", "date", 12),
    _c("trn02", "835 TRN02", "text", 16),
)

SHEETS = {
    "denials": ("Denials", DENIALS),
    "rejections": ("Rejections", REJECTIONS),
    "no_response": ("No response", NO_RESPONSE),
    "info_requested": ("Information requested", INFO_REQUESTED),
}
"""Queue -> (sheet title, columns)."""

STATUS_LABELS = {
    "new": "new",
    "in_progress": "in progress",
    "corrected": "corrected",
    "appealed": "appealed",
    "resolved": "resolved",
    "written_off": "written off",
}
EDITABLE_HEADERS = ("Status", "Owner", "Notes")
