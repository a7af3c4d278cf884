"""Rules for institutional claims (837I, 005010X223A2) and for which claim an encounter is.

An encounter is one claim: a professional one needs a place of service and service lines,
an institutional one the ``institutional`` block and revenue lines.  The institutional
rules check what the 837I guide and the payers' billing instructions ask beyond the
model's shapes: the type of bill, revenue codes (valid, with HCPCS where required),
present-on-admission indicators, inpatient facts, and the FQHC/RHC specifics of Medicare
(the PPS G-codes with revenue code 052X and a qualifying visit).  The code lists are in
:mod:`edi.codesets.institutional_lists`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from edi.claims.models import Institutional
from edi.codesets import institutional_lists as lists
from edi.rules.registry import CheckContext, Finding, Rule, check, fire, register

_R = register


def _rule(
    rule_id: str,
    level: int,
    severity: Any,
    owner: Any,
    message: str,
    fix: str,
    loop: str = "2300",
    segment: str = "CLM",
    element: str | None = None,
) -> Rule:
    """Register a rule located in the 837I (the 2300 CLM unless told)."""
    return _R(Rule(rule_id, level, severity, owner, message, fix, loop, segment, element))


WRONG_LINES = _rule(
    "SNIP4.CLAIM_TYPE.LINES", 4, "reject", "billing",
    "a {claim_type} claim carries {wrong}, which its X12 form has no place for",
    "Give {right} instead of {wrong}",
)  # fmt: skip
BILLING_PERSON = _rule(
    "SNIP4.INSTITUTIONAL.BILLING_PROVIDER", 4, "reject", "billing",
    "the 837I's billing provider is the facility, an organisation with an EIN "
    "(2010AA NM102 2, REF*EI); this one is {what}",
    "Bill as the facility: its organization_name and EIN tax_id",
    "2010AA", "NM1",
)  # fmt: skip
TYPE_OF_BILL = _rule(
    "SNIP5.TYPE_OF_BILL.INVALID", 5, "reject", "billing",
    "type of bill {tob} is not a NUBC facility type with one of its classifications "
    "and a claim frequency",
    "Use the type of bill from the facility's UB-04 set-up (0771 FQHC, 0711 RHC, 0131 "
    "hospital outpatient, 0111 inpatient)",
    element="CLM05",
)  # fmt: skip
ORIGINAL_MISSING = _rule(
    "SNIP4.INSTITUTIONAL.ORIGINAL_CLAIM", 4, "reject", "billing",
    "type of bill {tob} replaces or voids a claim, so the payer's claim number is needed "
    "(REF*F8)",
    "Give original_payer_claim_number from the payer's remittance",
    segment="REF",
)  # fmt: skip
INPATIENT_FACTS = _rule(
    "SNIP4.INSTITUTIONAL.INPATIENT", 4, "reject", "billing",
    "inpatient bill {tob} needs {missing} (837I DTP*435, CL101, CL102)",
    "Give {missing} from the admission record",
    segment="CL1",
)  # fmt: skip
ATTENDING = _rule(
    "SNIP4.INSTITUTIONAL.ATTENDING", 4, "reject", "billing",
    "the 837I needs the attending provider (2310A) on every claim but non-scheduled "
    "transportation",
    "Give institutional.attending_provider: the clinician responsible for the visit or stay",
    "2310A", "NM1",
)  # fmt: skip
OPERATING = _rule(
    "SNIP4.INSTITUTIONAL.OPERATING", 4, "reject", "coder",
    "a principal ICD-10-PCS procedure is billed, so the 837I needs the operating "
    "physician (2310B)",
    "Give institutional.operating_provider: the surgeon who performed the procedure",
    "2310B", "NM1",
)  # fmt: skip
PROCEDURES_ORDER = _rule(
    "SNIP4.INSTITUTIONAL.PRINCIPAL_PROCEDURE", 4, "reject", "coder",
    "other procedures are billed without a principal procedure (HI*BBQ needs HI*BBR)",
    "Make the main procedure institutional.principal_procedure",
    segment="HI",
)  # fmt: skip
POA_COUNT = _rule(
    "SNIP4.POA.COUNT", 4, "reject", "coder",
    "{count} present-on-admission indicators for {diagnoses} diagnoses: each diagnosis "
    "needs its own, in the same order",
    "Give one indicator (Y, N, U or W) per diagnosis, or none on a POA-exempt bill",
    segment="HI", element="HI01-9",
)  # fmt: skip
POA_MISSING = _rule(
    "SNIP4.POA.MISSING", 4, "reject", "coder",
    "inpatient acute hospital bill {tob} needs a present-on-admission indicator for each "
    "diagnosis (CMS HAC-POA); the claim has none",
    "Give institutional.present_on_admission from the coded record (Y, N, U or W)",
    segment="HI", element="HI01-9",
)  # fmt: skip
REVENUE_INVALID = _rule(
    "SNIP5.REVENUE_CODE.INVALID", 5, "reject", "coder",
    "line {line}: revenue code {code} is not a NUBC revenue code in use",
    "Use the line's revenue code from the facility's chargemaster (0100-0999)",
    "2400", "SV2", "SV201",
)  # fmt: skip
REVENUE_NEEDS_HCPCS = _rule(
    "SNIP7.REVENUE_CODE.HCPCS", 7, "reject", "coder",
    "line {line}: revenue code {code} on outpatient bill {tob} needs its HCPCS code",
    "Give procedure_code for the line (CMS Claims Processing Manual, Chapter 4, "
    "section 20)",
    "2400", "SV2", "SV202",
)  # fmt: skip
OUTPATIENT_DATE = _rule(
    "SNIP4.REVENUE_LINE.DATE", 4, "reject", "billing",
    "line {line}: outpatient bill {tob} needs each line's service date (837I DTP*472)",
    "Give service_date for the line",
    "2400", "DTP",
)  # fmt: skip
DAYS_UNIT = _rule(
    "SNIP5.REVENUE_LINE.DAYS", 5, "warn", "billing",
    "line {line}: units of days (DA) are for accommodation revenue codes 010X-021X, not "
    "{code}",
    "Bill the line in units (UN)",
    "2400", "SV2", "SV204",
)  # fmt: skip
G_CODE_REVENUE = _rule(
    "SNIP7.FQHC.G_CODE_REVENUE", 7, "reject", "billing",
    "line {line}: FQHC payment code {hcpcs} goes with revenue code 052X or 0900, not {code}",
    "Bill the G-code on the clinic-visit revenue code (0521 clinic visit by a member "
    "of the clinic)",
    "2400", "SV2", "SV201",
)  # fmt: skip
G_CODE_MISSING = _rule(
    "SNIP7.FQHC.G_CODE_MISSING", 7, "reject", "billing",
    "a Medicare FQHC bill (077X) needs one FQHC payment code (G0466-G0470) per visit; "
    "this claim has none",
    "Add the G-code line for the visit, with the qualifying service under it",
    "2400", "SV2", "SV202",
)  # fmt: skip
QUALIFYING_VISIT = _rule(
    "SNIP7.FQHC.QUALIFYING_VISIT", 7, "reject", "coder",
    "line {line}: FQHC payment code {hcpcs} on {day} has no qualifying visit (E/M, "
    "preventive, mental health...) billed on the same day",
    "Add the qualifying service the G-code stands for, on its own line with the same date",
    "2400", "SV2", "SV202",
)  # fmt: skip
G_CODE_NOT_FQHC = _rule(
    "SNIP7.FQHC.G_CODE_TYPE_OF_BILL", 7, "reject", "billing",
    "line {line}: {hcpcs} is an FQHC payment code, and bill {tob} is not an FQHC bill (077X)",
    "Bill an RHC visit with its CPT code on revenue code 052X; use the G-codes on 077X only",
    "2400", "SV2", "SV202",
)  # fmt: skip
RHC_HCPCS = _rule(
    "SNIP7.RHC.HCPCS", 7, "reject", "coder",
    "line {line}: RHC bills (071X) report a HCPCS code on each 052X line",
    "Give the visit's CPT/HCPCS code as procedure_code",
    "2400", "SV2", "SV202",
)  # fmt: skip


PERSON_ONLY = _rule(
    "SNIP4.INSTITUTIONAL.PERSON_ONLY", 4, "reject", "billing",
    "the 837I names its {role} provider as a person (2310{loop} NM102 1); this one is an "
    "organisation",
    "Give the {role} clinician's last_name and first_name, or leave {field} out",
    "2310D", "NM1", "NM102",
)  # fmt: skip
DISCHARGE_HOUR = _rule(
    "SNIP4.INSTITUTIONAL.DISCHARGE_HOUR", 4, "reject", "billing",
    "bill {tob} is a final inpatient bill with patient status {status}, so the 837I needs "
    "the hour of discharge (DTP*096, UB-04 FL 16)",
    "Give institutional.discharge_hour as HHMM (1430)",
    "2300", "DTP", "DTP03",
)  # fmt: skip
STILL_A_PATIENT = "30"
FINAL_FREQUENCIES = frozenset({"1", "4"})
"""Type of bill frequencies that end a stay: admit through discharge, last interim."""


@check
def claim_form(enc: Any, ctx: CheckContext) -> Iterator[Finding]:
    """Each claim type has what its X12 form needs, and nothing the other form carries."""
    if enc.claim_type == "professional":  # what each form requires, the model requires
        if enc.revenue_lines or enc.institutional:
            yield fire(WRONG_LINES, field="revenue_lines", claim_type="professional",
                       wrong="institutional and revenue_lines",
                       right="service_lines (or claim_type institutional)")  # fmt: skip
        return
    if enc.service_lines:
        yield fire(WRONG_LINES, field="service_lines", claim_type="institutional",
                   wrong="service_lines", right="revenue_lines")  # fmt: skip
    bp = enc.billing_provider
    if not bp.organization_name or bp.tax_id_type != "EIN":
        what = "a person" if not bp.organization_name else "identified by an SSN"
        yield fire(BILLING_PERSON, field="billing_provider", what=what)


@check
def institutional_facts(enc: Any, ctx: CheckContext) -> Iterable[Finding]:
    """The rules of an institutional claim's own facts (``enc.institutional``: type of
    bill, providers, POA, revenue lines), in turn.  One check for all: a professional claim
    has none, and one test spares it five checks' calls (and, this being a function,
    not a generator, the making of one)."""
    if (inst := enc.institutional) is None:
        return ()
    return (f for rules in _INSTITUTIONAL for f in rules(enc, inst))


def type_of_bill(enc: Any, inst: Institutional) -> Iterator[Finding]:
    tob = inst.type_of_bill
    if not lists.type_of_bill_valid(inst.facility_code) or (
        inst.bill_frequency not in lists.FREQUENCIES
    ):
        yield fire(TYPE_OF_BILL, field="institutional.facility_code", tob=tob)
    if inst.bill_frequency in ("7", "8") and not enc.original_payer_claim_number:
        yield fire(ORIGINAL_MISSING, field="original_payer_claim_number", tob=tob)
    if inst.facility_code in lists.INPATIENT_BILLS:
        missing = [
            name
            for name in ("admission_date", "admission_type", "admission_source")
            if getattr(inst, name) is None
        ]
        if missing:
            yield fire(INPATIENT_FACTS, field=f"institutional.{missing[0]}", tob=tob,
                       missing=", ".join(missing))  # fmt: skip


def providers_and_procedures(enc: Any, inst: Institutional) -> Iterator[Finding]:
    transport = all(line.revenue_code.startswith("054") for line in enc.revenue_lines)
    if inst.attending_provider is None and not transport:  # 054X: ambulance
        yield fire(ATTENDING, field="institutional.attending_provider")
    if inst.principal_procedure is not None and inst.operating_provider is None:
        yield fire(OPERATING, field="institutional.operating_provider")
    if inst.other_procedures and inst.principal_procedure is None:
        yield fire(PROCEDURES_ORDER, field="institutional.principal_procedure")
    for field, role, loop in (("rendering_provider", "rendering", "D"),
                              ("referring_provider", "referring", "F")):  # fmt: skip
        provider = getattr(enc, field)
        if provider is not None and not provider.is_person:
            yield fire(PERSON_ONLY, field=field, role=role, loop=loop,
                       location=(f"2310{loop}", "NM1", "NM102"))  # fmt: skip
    final = inst.bill_frequency in FINAL_FREQUENCIES and inst.patient_status != STILL_A_PATIENT
    if final and inst.facility_code in lists.INPATIENT_BILLS and not inst.discharge_hour:
        yield fire(DISCHARGE_HOUR, field="institutional.discharge_hour", tob=inst.type_of_bill,
                   status=inst.patient_status)  # fmt: skip


def present_on_admission(enc: Any, inst: Institutional) -> Iterator[Finding]:
    count, diagnoses = len(inst.present_on_admission), len(enc.diagnoses)
    if count and count != diagnoses:
        yield fire(POA_COUNT, field="institutional.present_on_admission", count=count,
                   diagnoses=diagnoses)  # fmt: skip
    elif not count and inst.facility_code in lists.POA_BILLS:
        yield fire(POA_MISSING, field="institutional.present_on_admission",
                   tob=inst.type_of_bill)  # fmt: skip


def _line(index: int, name: str) -> str:
    return f"revenue_lines[{index}].{name}"


def revenue_lines(enc: Any, inst: Institutional) -> Iterator[Finding]:
    tob = inst.type_of_bill
    outpatient = inst.facility_code not in lists.INPATIENT_BILLS
    for i, line in enumerate(enc.revenue_lines):
        code, n = line.revenue_code, i + 1
        if not lists.revenue_code_valid(code):
            yield fire(REVENUE_INVALID, field=_line(i, "revenue_code"), line=n, code=code)
        if outpatient and not line.procedure_code and code.startswith(lists.HCPCS_REQUIRED_REVENUE):
            yield fire(REVENUE_NEEDS_HCPCS, field=_line(i, "procedure_code"), line=n,
                       code=code, tob=tob)  # fmt: skip
        if outpatient and line.service_date is None:
            yield fire(OUTPATIENT_DATE, field=_line(i, "service_date"), line=n, tob=tob)
        if line.unit_type == "DA" and not code.startswith(lists.ACCOMMODATION_REVENUE):
            yield fire(DAYS_UNIT, field=_line(i, "unit_type"), line=n, code=code)


def fqhc_and_rhc(enc: Any, inst: Institutional) -> Iterator[Finding]:
    """Medicare's FQHC PPS (077X) and RHC (071X) billing: G-codes on 052X with a
    qualifying visit the same day; HCPCS on every RHC clinic line."""
    facility, tob = inst.facility_code, inst.type_of_bill
    lines = enc.revenue_lines
    medicare = enc.payer.claim_filing_indicator in ("MA", "MB")
    visits = {line.service_date for line in lines if line.procedure_code in lists.QUALIFYING_VISITS}
    g_lines = [
        (i, line) for i, line in enumerate(lines) if line.procedure_code in lists.FQHC_G_CODES
    ]
    for i, line in g_lines:
        field, n, hcpcs = _line(i, "procedure_code"), i + 1, line.procedure_code
        if facility != lists.FQHC:
            yield fire(G_CODE_NOT_FQHC, field=field, line=n, hcpcs=hcpcs, tob=tob)
            continue
        if not line.revenue_code.startswith(lists.FQHC_G_CODE_REVENUE):
            yield fire(G_CODE_REVENUE, field=_line(i, "revenue_code"), line=n, hcpcs=hcpcs,
                       code=line.revenue_code)  # fmt: skip
        if line.service_date not in visits:
            day = line.service_date.isoformat() if line.service_date else "its date"
            yield fire(QUALIFYING_VISIT, field=field, line=n, hcpcs=hcpcs, day=day)
    if facility == lists.FQHC and medicare and not g_lines:
        yield fire(G_CODE_MISSING, field="revenue_lines")
    if facility == lists.RHC:
        for i, line in enumerate(lines):
            if line.revenue_code.startswith("052") and not line.procedure_code:
                yield fire(RHC_HCPCS, field=_line(i, "procedure_code"), line=i + 1)


_INSTITUTIONAL = (type_of_bill, providers_and_procedures, present_on_admission, revenue_lines,
                  fqhc_and_rhc)  # fmt: skip
