"""Small institutional (UB-04 / 837I) code lists the scrubber checks against.

Each list is data, kept short and cited, so a reviewer can check it against its source and
a payer's own list can replace it: the NUBC UB-04 manual (type of bill, revenue codes),
the 837I guide's situational rules (005010X223A2), and CMS's FQHC PPS and RHC billing
instructions (Medicare Claims Processing Manual, Chapter 9, sections 60-70; MLN006397).
"""

from __future__ import annotations

CLASSIFICATIONS: dict[str, frozenset[str]] = {
    # facility type (type of bill digit 1) → its bill classifications (digit 2), NUBC FL 4
    "1": frozenset("12348"),  # hospital: inpatient A, inpatient B, outpatient, other, swing
    "2": frozenset("12348"),  # skilled nursing facility
    "3": frozenset("234"),  # home health
    "4": frozenset("1234"),  # religious nonmedical health care institution (hospital)
    "6": frozenset("56"),  # intermediate care, levels I and II
    "7": frozenset("1234679"),  # clinic: RHC, ESRD, free-standing, ORF, CORF, CMHC, FQHC, other
    "8": frozenset("1234569"),  # special: hospice, ASC, birthing center, CAH, other
}
FREQUENCIES = frozenset("0123457890ABCDEFGHIJKMPQ")
"""Type of bill digit 3 (NUBC): 0 non-payment, 1 admit through discharge, 2-4 interim,
5 late charge, 7 replacement, 8 void, 9 final home health episode claim; A-Q Medicare's
hospice notices and adjustment sources."""
INPATIENT_BILLS = frozenset({"11", "18", "21", "28", "41", "65", "66", "86"})
"""Facility+classification pairs billed as inpatient stays: admission date, type and
source are required (837I 2300 DTP*435, CL101, CL102)."""
POA_BILLS = frozenset({"11"})
"""Inpatient acute care hospitals (011x) report present-on-admission for every diagnosis
(CMS HAC-POA program); critical access, psychiatric and other exempt bills need not."""
RHC, FQHC = "71", "77"

FQHC_G_CODES = frozenset({"G0466", "G0467", "G0468", "G0469", "G0470"})
"""FQHC PPS payment codes (new patient, established, IPPE/AWV, mental health new, mental
health established)."""
FQHC_G_CODE_REVENUE = ("052", "0900")
"""Revenue codes a G-code line may carry: 052X clinic visit, 0900 behavioural health."""
QUALIFYING_VISITS = frozenset({
    "99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214", "99215",
    "99341", "99342", "99344", "99345", "99347", "99348", "99349", "99350",
    "99381", "99382", "99383", "99384", "99385", "99386", "99387",
    "99391", "99392", "99393", "99394", "99395", "99396", "99397",
    "G0402", "G0438", "G0439", "97802", "97803", "G0270",
    "90791", "90792", "90832", "90834", "90837", "90839", "90845", "90847",
})  # fmt: skip
"""A sample of CMS's FQHC qualifying visit list (E/M, home visits, preventive, IPPE/AWV,
MNT, mental health); the full list is published yearly on cms.gov (FQHC PPS)."""

HCPCS_REQUIRED_REVENUE = (
    "030", "031", "032", "033", "034", "035", "040", "045", "046", "047", "048", "051",
    "052", "061", "073", "074", "092", "096", "097", "098", "0636",
)  # fmt: skip
"""Revenue codes (prefixes) that outpatient bills report with a HCPCS code: lab,
radiology, therapy, emergency, clinic, MRI, EKG/EEG, professional fees, drugs requiring
detailed coding (CMS Claims Processing Manual, Chapter 4, section 20)."""
ACCOMMODATION_REVENUE = tuple(f"0{n}" for n in range(10, 22))
"""010X-021X: room and board, billed in days (SV204 ``DA``)."""
PPS_REVENUE = frozenset({"0022", "0023", "0024"})
"""SNF, home health and IRF PPS (HIPPS) revenue codes below 0100."""


def revenue_code_valid(code: str) -> bool:
    """A revenue code in use: 0100-0999 or one of the PPS codes (NUBC FL 42)."""
    return code in PPS_REVENUE or ("0100" <= code <= "0999")


def type_of_bill_valid(facility_code: str) -> bool:
    """Whether ``facility_code`` (type of bill digits 1-2) is a facility type with one of
    its classifications."""
    return facility_code[1:] in CLASSIFICATIONS.get(facility_code[:1], frozenset())
