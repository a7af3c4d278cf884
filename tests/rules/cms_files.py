"""Small CMS files in their published layouts, written by the tests (never downloaded)."""

from __future__ import annotations

PTP_ROWS = [
    # column 1, column 2, pre-1996, effective, deletion, modifier indicator, rationale
    ("27447", "20610", "", "20100101", "*", "0", "Standards of medical / surgical practice"),
    ("11042", "97597", "", "20140101", "*", "1", "Misuse of column two code with column one code"),
    ("93000", "93005", "*", "19960101", "20200101", "0", "Deleted edit"),
    ("20610", "99213", "", "20150101", "*", "1", "Standards of medical / surgical practice"),
    ("20610", "20605", "", "20150101", "*", "1", "Standards of medical / surgical practice"),
]
MUE_ROWS = [
    ("20610", "2", "2 Date of Service Edit: Policy", "Anatomic Consideration"),
    ("11042", "1", "1 Line Edit", "Clinical: Data"),
    ("J1100", "100", "3 Date of Service Edit: Clinical", "Clinical: Data"),
    ("99213", "1", "2 Date of Service Edit: Policy", "Code Descriptor / CPT Instruction"),
]
HCPCS_CODES = ["J1100", "J3301", "G0008", "A4550", "A0428", "E0110"]
HCPCS_MODIFIERS = ["RT", "LT", "XS", "XE", "XP", "XU", "GT", "TC"]
CPT_CODES = ["99213", "99214", "20610", "27447", "11042", "97597", "00400", "36415",
             "93000", "93005", "70553", "72148", "98941", "73560", "20605"]  # fmt: skip


def ptp_text() -> str:
    """A practitioner PTP file (``ccipra-vNNNr0-f1.txt``): preamble, header, tab rows."""
    head = [
        "CPT codes and descriptions only are copyright 2025 American Medical Association.",
        "Column 1/Column 2 Edits",
        "Column 1\tColumn 2\t* = In existence prior to 1996\tEffective Date\t"
        "Deletion Date *=no data\tModifier 0=not allowed 1=allowed 9=not applicable\t"
        "PTP Edit Rationale",
    ]
    return "\n".join(head + ["\t".join(row) for row in PTP_ROWS]) + "\n"


def mue_csv() -> str:
    """A practitioner MUE file (``MCR_MUE_PractitionerServices_Eff_…csv``)."""
    head = [
        '"CPT codes and descriptions only are copyright 2025 American Medical Association."',
        "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale",
    ]
    return "\n".join(head + [",".join(row) for row in MUE_ROWS]) + "\n"


def hcpcs_text() -> str:
    """The CMS HCPCS fixed-width file: code, sequence, record ID, descriptions, padding."""

    def record(code: str, rec: str, text: str) -> str:
        return f"{code:<5}{'00100'}{rec}{text:<80}{text[:28]:<28}".ljust(320)

    rows = [record(c, "3", f"Procedure {c}") for c in HCPCS_CODES]
    rows.append(record(HCPCS_CODES[0], "4", "continuation line"))
    rows += [record(f"   {m}", "7", f"Modifier {m}") for m in HCPCS_MODIFIERS]
    return "\n".join(rows) + "\n"


def cpt_text() -> str:
    """A licensed CPT list as the AMA ships it: code, tab, description."""
    return "\n".join(f"{c}\tDescription of {c}" for c in CPT_CODES) + "\n"
