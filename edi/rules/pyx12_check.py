"""SNIP levels 1 and 2 on files: pyx12's errors in our words, one rule per error code.

pyx12 (run by :mod:`edi.x12.pyx12_validator`) is the reference validator for syntax and
implementation-guide structure; it is slow (about 315 claims/s) so it runs on files
(``claims validate``, ``--strict``), never per encounter.  Its error codes are the 999's
own (IK304 segment, IK403 element, IK5 transaction, AK905 group, TA105 interchange
codes), so each becomes one rule here with a plain message, and the code goes back into
the 999 we write.  pyx12's own texts are never passed on: they quote element values,
which may be names or member IDs.
"""

from __future__ import annotations

from edi.rules.registry import Finding, Rule, fire, register
from edi.x12.pyx12_validator import X12Error

# -- the rules: one per code, messages in plain words ------------------------------------

_SEGMENT = {
    "1": (
        "SEGMENT_UNRECOGNIZED",
        1,
        "segment {segment} does not fit here: the guide has no such segment at this point",
    ),
    "2": ("SEGMENT_UNEXPECTED", 2, "segment {segment} is not expected at this point{in_loop}"),
    "3": ("SEGMENT_MISSING", 2, "a required segment {segment} is missing{in_loop}"),
    "4": ("LOOP_OVER_MAX", 2, "loop{in_loop} repeats more often than the guide allows"),
    "5": ("SEGMENT_OVER_MAX", 2, "segment {segment} repeats more often than allowed{in_loop}"),
    "6": ("SEGMENT_NOT_IN_SET", 1, "segment {segment} does not belong in an 837"),
    "7": ("SEGMENT_ORDER", 1, "segment {segment} is out of order{in_loop}"),
    "8": ("SEGMENT_HAS_ERRORS", 1, "segment {segment} has data element errors"),
    "SEG1": ("SEGMENT_SYNTAX", 1, "segment {segment} breaks the X12 syntax rules"),
    "I4": ("SEGMENT_NOT_USED", 2, "segment {segment} is not used here by the implementation guide"),
    "I6": ("SEGMENT_DEPENDENT_MISSING", 2, "segment {segment} is required here{in_loop}"),
    "I7": ("LOOP_UNDER_MIN", 2, "loop{in_loop} occurs fewer times than the guide requires"),
    "I8": ("SEGMENT_UNDER_MIN", 2, "segment {segment} occurs fewer times than required"),
    "I9": ("SEGMENT_SITUATION_MISSING", 2, "segment {segment} is required here{in_loop}"),
    "HL1": ("HL_NUMBER", 2, "HL01 must number the hierarchical levels 1, 2, 3… in order"),
    "HL2": ("HL_PARENT", 2, "HL02 names a parent level that does not exist"),
    "LX": ("LX_NUMBER", 2, "LX01 must number the claim's service lines 1, 2, 3… in order"),
}
_ELEMENT = {
    "1": ("ELEMENT_MISSING", 2, "{element} ({name}) is required but empty"),
    "2": ("CONDITIONAL_MISSING", 2, "{element} ({name}) is required with the elements given"),
    "3": ("TOO_MANY_ELEMENTS", 1, "segment {segment} has more elements than defined"),
    "4": ("ELEMENT_TOO_SHORT", 1, "{element} ({name}) is too short"),
    "5": ("ELEMENT_TOO_LONG", 1, "{element} ({name}) is too long"),
    "6": ("INVALID_CHARACTER", 1, "{element} ({name}) contains a character X12 does not allow"),
    "7": (
        "INVALID_CODE",
        2,
        "{element} ({name}) holds a code the implementation guide does not allow",
    ),
    "8": ("INVALID_DATE", 1, "{element} ({name}) is not a valid date"),
    "9": ("INVALID_TIME", 1, "{element} ({name}) is not a valid time"),
    "10": ("EXCLUSION", 2, "{element} ({name}) may not be used with the elements given"),
    "12": ("TOO_MANY_REPETITIONS", 1, "{element} ({name}) repeats too often"),
    "13": ("TOO_MANY_COMPONENTS", 1, "{element} ({name}) has too many components"),
    "I10": ("ELEMENT_NOT_USED", 2, "{element} ({name}) is not used by the implementation guide"),
    "I11": ("TOO_FEW_REPETITIONS", 2, "{element} ({name}) repeats fewer times than required"),
    "I12": ("PATTERN", 2, "{element} ({name}) does not match the pattern the guide requires"),
    "I13": ("ELEMENT_DEPENDENT_NOT_USED", 2, "{element} ({name}) is not used in this situation"),
    "I6": ("CODE_NOT_USED", 2, "{element} ({name}) holds a code this guide does not use"),
    "I9": ("ELEMENT_DEPENDENT_MISSING", 2, "{element} ({name}) is required in this situation"),
}
_TRANSACTION = {
    "1": ("TRANSACTION_NOT_SUPPORTED", 1, "transaction set {st02} is not supported"),
    "2": ("SE_MISSING", 1, "transaction set {st02} has no SE trailer"),
    "3": ("SE_CONTROL", 1, "SE02 does not repeat ST02 {st02}"),
    "4": ("SE_COUNT", 1, "SE01 of transaction set {st02} does not count its segments"),
    "23": ("ST_DUPLICATE", 1, "transaction set control number {st02} is used twice"),
}
_GROUP = {
    "1": ("GROUP_NOT_SUPPORTED", 1, "functional group {gs06} is not supported"),
    "2": ("GROUP_VERSION", 1, "the version in GS08 of group {gs06} is not supported"),
    "3": ("GE_MISSING", 1, "functional group {gs06} has no GE trailer"),
    "4": ("GE_CONTROL", 1, "GE02 does not repeat GS06 {gs06}"),
    "5": ("GE_COUNT", 1, "GE01 of group {gs06} does not count its transaction sets"),
    "6": ("GS_CONTROL", 1, "GS06 {gs06} is not a valid control number"),
}
_INTERCHANGE = {
    "001": ("IEA_CONTROL", "IEA02 does not repeat ISA13 {isa13}"),
    "005": ("ISA_SENDER_QUALIFIER", "ISA05 sender ID qualifier is invalid"),
    "006": ("ISA_SENDER", "ISA06 sender ID is invalid"),
    "007": ("ISA_RECEIVER_QUALIFIER", "ISA07 receiver ID qualifier is invalid"),
    "008": ("ISA_RECEIVER", "ISA08 receiver ID is invalid"),
    "010": ("ISA_AUTHORIZATION_QUALIFIER", "ISA01 is invalid"),
    "011": ("ISA_AUTHORIZATION", "ISA02 is invalid"),
    "012": ("ISA_SECURITY_QUALIFIER", "ISA03 is invalid"),
    "013": ("ISA_SECURITY", "ISA04 is invalid"),
    "014": ("ISA_DATE", "ISA09 is not a valid date"),
    "015": ("ISA_TIME", "ISA10 is not a valid time"),
    "016": ("ISA_STANDARDS", "ISA11 is invalid"),
    "017": ("ISA_VERSION", "ISA12 names a version that is not supported"),
    "018": ("ISA_CONTROL", "ISA13 is not a valid control number"),
    "019": ("ISA_ACK_REQUESTED", "ISA14 must be 0 or 1"),
    "020": ("ISA_USAGE", "ISA15 must be T or P"),
    "021": ("IEA_COUNT", "IEA01 does not count the functional groups"),
    "022": ("CONTROL_STRUCTURE", "the interchange envelope is malformed"),
    "023": ("PREMATURE_END", "the file ends before the interchange does"),
    "024": ("INTERCHANGE_CONTENT", "the interchange content is invalid"),
    "025": ("ISA_DUPLICATE", "interchange control number {isa13} is used twice"),
    "027": ("ISA_COMPONENT_SEPARATOR", "ISA16 component separator is invalid"),
}

_FIXES = {
    "segment": "Correct the segment in the system that wrote the file, per the guide",
    "element": "Correct {element} in the system that wrote the file, per the implementation guide",
    "transaction": "Regenerate the transaction set; its trailer must match its header",
    "group": "Regenerate the functional group; its trailer must match its header",
    "interchange": "Regenerate the interchange envelope (ISA/IEA)",
}
_LOCATIONS = {"transaction": "SE", "group": "GE", "interchange": "ISA"}


def _build(level: str, table: dict[str, tuple[str, int, str]]) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for code, (name, snip, message) in table.items():
        rules[code] = register(
            Rule(
                f"SNIP{snip}.X12.{name}",
                snip,
                "reject",
                "billing",
                message,
                _FIXES[level],
                None,
                _LOCATIONS.get(level),
            )
        )
    return rules


RULES_BY_LEVEL: dict[str, dict[str, Rule]] = {
    "segment": _build("segment", _SEGMENT),
    "element": _build("element", _ELEMENT),
    "transaction": _build("transaction", _TRANSACTION),
    "group": _build("group", _GROUP),
    "interchange": _build("interchange", {c: (n, 1, m) for c, (n, m) in _INTERCHANGE.items()}),
}
OTHER = register(
    Rule(
        "SNIP1.X12.OTHER",
        1,
        "reject",
        "billing",
        "the file breaks an X12 rule ({level} error code {code})",
        "Correct the file per the X12 standard and the implementation guide",
    )
)


def finding_of(error: X12Error, source: str) -> Finding:
    """Our finding for one pyx12 error, located by loop, segment and element."""
    rule = RULES_BY_LEVEL[error.level].get(error.code, OTHER)
    location = (error.loop, error.segment_id or rule.segment, error.element_label)
    return fire(
        rule,
        source=f"{source}#{error.position}" if error.position else source,
        location=location,
        segment=error.segment_id or "(unreadable)",
        element=error.element_label or "",
        name=(error.name or "element").lower(),
        in_loop=f" in loop {error.loop}" if error.loop else "",
        level=error.level,
        code=error.code,
        isa13=error.isa13,
        gs06=error.gs06,
        st02=error.st02,
    )
