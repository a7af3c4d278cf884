"""``claims validate`` on 837P files: built by us, then damaged the way real files are.

Each case builds a clean 837P from the contract's example with the claim builder, applies
one kind of damage to the X12 text, and must produce its named rule (pyx12's findings in
our words, or the claim rules on the claims read back).  The TA1/999 written for a file
must itself be valid to pyx12.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from edi.claims.build_837p import build_interchanges
from edi.claims.models import Encounter
from edi.rules.file_validation import FileReport, validate_837
from edi.x12.acks import acknowledgments
from edi.x12.control import MemoryControlNumbers
from mappings.profiles import clearinghouse_profile
from tests.factories import encounter
from tests.support.judge import pyx12_errors

CREATED = datetime(2026, 11, 27, 1, 0)
DEPENDENT = {"last_name": "Doe", "first_name": "Sam", "birth_date": "2015-06-01", "sex": "M",
             "relationship_to_subscriber": "19",
             "address": {"line1": "5 Oak Ave", "city": "Springfield", "state": "IL",
                         "postal_code": "62704"}}  # fmt: skip


def built(*datas: dict[str, Any]) -> str:
    encounters = [Encounter.model_validate(d) for d in datas]
    profile = clearinghouse_profile("sandbox")
    (interchange,) = build_interchanges(encounters, profile, MemoryControlNumbers(), CREATED)
    return interchange.text


def clean() -> str:
    return built(encounter())


def sub(pattern: str, replacement: str, count: int = 1) -> Callable[[str], str]:
    return lambda text: re.sub(pattern, replacement, text, count=count, flags=re.M)


def recount(text: str) -> str:
    """Fix SE01 after damage that adds or removes segments, so only the damage shows."""
    segments = [s for s in text.split("~") if s.strip()]
    st = next(i for i, s in enumerate(segments) if s.strip().startswith("ST*"))
    se = next(i for i, s in enumerate(segments) if s.strip().startswith("SE*"))
    control = segments[se].split("*")[2]
    segments[se] = f"\nSE*{se - st + 1}*{control}"
    return "~".join(segments) + "~\n"


def without(segment_start: str) -> Callable[[str], str]:
    return lambda text: recount(re.sub(rf"^{re.escape(segment_start)}[^~]*~\n", "", text,
                                       count=1, flags=re.M))  # fmt: skip


def lines_51(text: str) -> str:
    """One claim with 51 service lines: the 2400 loop allows 50."""
    block = re.search(r"^LX\*1~\n(?:(?!LX\*|SE\*).*\n)*", text, flags=re.M)
    assert block
    lines = [block.group(0).replace("LX*1~", f"LX*{n}~") for n in range(1, 52)]
    text = text.replace(block.group(0), "".join(lines), 1)
    text = re.sub(r"^LX\*2~\n(?:(?!LX\*|SE\*).*\n)*", "", text, count=1, flags=re.M)
    total = 51 * 150
    return recount(re.sub(r"^CLM\*([^*]*)\*[^*]*\*", rf"CLM*\1*{total}*", text, flags=re.M))


FILE_CASES: list[tuple[str, Callable[[], str], Callable[[str], str], str]] = [
    ("missing subscriber name segment", clean, without("NM1*IL"), "SNIP2.X12.SEGMENT_MISSING"),
    (
        "missing billing address",
        clean,
        without("N4*SPRINGFIELD*IL*627011234"),
        "SNIP2.X12.SEGMENT_MISSING",
    ),
    ("51 service lines", clean, lines_51, "SNIP2.FIELD.REPEAT"),
    (
        "subscriber is the patient, no DMG",
        clean,
        without("DMG*D8*19800402"),
        "SNIP4.SUBSCRIBER.DEMOGRAPHICS",
    ),
    (
        "13 diagnoses",
        clean,
        sub(r"ABF:G43909", "ABF:G43909" + "*ABF:I10" * 11),
        "SNIP1.X12.TOO_MANY_ELEMENTS",
    ),
    ("bad place of service", clean, sub(r"\*11:B:1\*", "*00:B:1*"), "SNIP5.POS.INVALID"),
    ("bad qualifier", clean, sub(r"^REF\*EI\*", "REF*ZZ*"), "SNIP1.X12.SEGMENT_UNRECOGNIZED"),
    (
        "bad sex code",
        clean,
        sub(r"^DMG\*D8\*19800402\*F", "DMG*D8*19800402*X"),
        "SNIP2.X12.INVALID_CODE",
    ),
    ("SE01 wrong", clean, sub(r"^SE\*\d+\*", "SE*99*"), "SNIP1.X12.SE_COUNT"),
    ("GE01 wrong", clean, sub(r"^GE\*1\*", "GE*2*"), "SNIP1.X12.GE_COUNT"),
    ("IEA01 wrong", clean, sub(r"^IEA\*1\*", "IEA*3*"), "SNIP1.X12.IEA_COUNT"),
    ("IEA02 wrong", clean, sub(r"^IEA\*1\*\d+", "IEA*1*000000999"), "SNIP1.X12.IEA_CONTROL"),
    ("byte order mark", clean, lambda t: "\ufeff" + t, "SNIP1.FILE.BOM"),
    ("non-ASCII name", clean, sub(r"\*DOE\*JANE", "*DOÉ*JANE"), "SNIP1.FILE.NON_ASCII"),
    (
        "CLM02 does not balance",
        clean,
        sub(r"^CLM\*([^*]*)\*175\*", r"CLM*\1*180*"),
        "SNIP3.CLM02.BALANCE",
    ),
    ("pointer past diagnoses", clean, sub(r"\*1:2~", "*1:3~"), "SNIP3.DX_POINTER.RANGE"),
    ("ICD category", clean, sub(r"ABK:E1140", "ABK:E11"), "SNIP5.ICD10.NOT_BILLABLE"),
    ("ICD-9 codes", clean, sub(r"ABK:E1140\*ABF:G43909", "BK:25000"), "SNIP5.ICD9.NOT_ACCEPTED"),
    ("NPI check digit", clean, sub(r"\*XX\*1234567893", "*XX*1234567890"), "SNIP5.NPI.LUHN"),
    (
        "unknown GS08 version",
        clean,
        sub(r"005010X222A1", "005010X222A2", count=0),
        "SNIP1.FILE.VERSION_NOT_SUPPORTED",
    ),
    (
        "unknown ISA12 version",
        clean,
        sub(r"\*00501\*", "*00601*"),
        "SNIP1.FILE.VERSION_NOT_SUPPORTED",
    ),
    (
        "ISA field not padded",
        clean,
        sub(r"\*ZZ\*CLINICSUBMIT01 \*", "*ZZ*CLINICSUBMIT01*"),
        "SNIP1.ISA.WIDTH",
    ),
    ("not X12", clean, lambda t: "NOT AN X12 FILE" + t[3:], "SNIP1.FILE.NOT_X12"),
    ("text before ISA", clean, lambda t: "An 837P sample.\n" + t, "SNIP1.FILE.TEXT_BEFORE_ISA"),
    (
        "bad segment ID",
        clean,
        sub(r"^N3\*100 MAIN ST", "N@*100 MAIN ST"),
        "SNIP1.X12.SEGMENT_UNRECOGNIZED",
    ),
    ("ends early", clean, lambda t: t[: t.index("GE*")], "SNIP1.X12.PREMATURE_END"),
    ("no SE", clean, sub(r"^SE\*[^~]*~\n", ""), "SNIP1.X12.GE_MISSING"),
    ("HL numbering", clean, sub(r"^HL\*2\*1\*", "HL*5*1*"), "SNIP2.X12.HL_NUMBER"),
    ("LX numbering", clean, sub(r"^LX\*2~", "LX*7~"), "SNIP2.X12.LX_NUMBER"),
    ("replacement without F8", clean, sub(r":B:1\*", ":B:7*"), "SNIP4.FREQUENCY.ORIGINAL_MISSING"),
    (
        "SBR02 self with a dependent",
        lambda: built(encounter(patient=DEPENDENT)),
        sub(r"^SBR\*P\*\*", "SBR*P*18*"),
        "SNIP4.PATIENT.LOOP_UNEXPECTED",
    ),
    (
        "dependent without 2000C",
        clean,
        sub(r"^SBR\*P\*18\*", "SBR*P**"),
        "SNIP4.PATIENT.LOOP_MISSING",
    ),
    ("835 instead of 837", clean, sub(r"^ST\*837\*", "ST*835*"), "SNIP1.FILE.NOT_837P"),
    (
        "future date of service",
        clean,
        sub(r"\*D8\*20261120~", "*D8*20271120~"),
        "SNIP4.DATE.FUTURE",
    ),
    ("fractional units", clean, sub(r"\*UN\*2\*", "*UN*1.5*"), "SNIP6.UNITS.FRACTIONAL"),
]


def report_of(text: str, context: Any) -> FileReport:
    return validate_837(text.encode("utf-8"), "case.837", context)


def rule_ids(report: FileReport) -> set[str]:
    return {f.rule_id for f in report.all_findings()}


@pytest.mark.parametrize(("make", "damage", "rule_id"), [c[1:] for c in FILE_CASES],
                         ids=[c[0] for c in FILE_CASES])  # fmt: skip
def test_damaged_file_names_its_rule(make, damage, rule_id: str, context: Any) -> None:
    report = report_of(damage(make()), context)
    assert rule_id in rule_ids(report), sorted(rule_ids(report))
    assert report.rejected


def test_clean_built_file_is_accepted(context: Any) -> None:
    text = built(encounter(), encounter(encounter_id="ENC-2", patient=DEPENDENT))
    assert pyx12_errors(text) == []
    report = report_of(text, context)
    assert report.pyx12_ran
    assert not report.rejected, [f.rule_id for f in report.all_findings() if f.rejects]
    assert [c.clm01 for c in report.claims] == ["ENC-20261120-0001", "ENC-2"]


def test_every_pyx12_error_becomes_a_finding(context: Any) -> None:
    """pyx12's own report and ours agree in count on a file with many kinds of damage."""
    text = without("NM1*IL")(sub(r"^REF\*EI\*", "REF*ZZ*")(sub(r"^LX\*2~", "LX*7~")(clean())))
    report = report_of(text, context)
    theirs = pyx12_errors(text)
    ours = [f for f in report.all_findings() if ".X12." in f.rule_id]
    assert len(theirs) == len(ours) > 0


def test_a_dependent_claim_without_its_subscriber_is_judged(context: Any) -> None:
    """A damaged NM1*IL under a patient loop leaves no subscriber at all: the claim is
    rejected for the missing subscriber (it used to stop the whole command)."""
    text = sub(r"^NM1\*IL\*", "NM1*QQ*")(built(encounter(patient=DEPENDENT)))
    (claim,) = report_of(text, context).claims
    assert claim.rejected
    assert ("SNIP2.FIELD.REQUIRED", "subscriber") in {(f.rule_id, f.field) for f in claim.findings}


def test_claim_findings_point_at_their_segment(context: Any) -> None:
    report = report_of(sub(r"ABK:E1140", "ABK:E11")(clean()), context)
    (finding,) = [f for f in report.all_findings() if f.rule_id.endswith("NOT_BILLABLE")]
    segment = int(finding.source.rsplit("#", 1)[1])
    assert clean().splitlines()[segment - 1].startswith("HI*")
    assert finding.encounter_id == "ENC-20261120-0001"


def acks_of(text: str, context: Any) -> str:
    report = report_of(text, context)
    return "".join(acknowledgments(report.interchanges, MemoryControlNumbers(), CREATED))


def test_999_accepts_a_clean_file(context: Any) -> None:
    ack = acks_of(clean(), context)
    assert "AK9*A*1*1*1~" in ack and "IK5*A~" in ack
    assert pyx12_errors(ack) == []


def test_999_rejects_with_claim_context(context: Any) -> None:
    ack = acks_of(sub(r"^REF\*EI\*", "REF*ZZ*")(sub(r"\*XX\*1234567893", "*XX*12345")(clean())),
                  context)  # fmt: skip
    assert "IK5*R*5~" in ack and "AK9*R*1*1*0~" in ack
    assert "CTX*CLM01:ENC-20261120-0001~" in ack
    assert pyx12_errors(ack) == []


def test_ta1_rejects_a_broken_envelope(context: Any) -> None:
    ack = acks_of(sub(r"\*ZZ\*CLINICSUBMIT01 \*", "*ZZ*CLINICSUBMIT01*")(clean()), context)
    assert re.search(r"^TA1\*\d{9}\*\d{6}\*\d{4}\*R\*006~", ack, flags=re.M)
    assert "ST*999" not in ack
    assert pyx12_errors(ack) == []


def test_999_for_an_unsupported_version(context: Any) -> None:
    ack = acks_of(sub(r"005010X222A1", "005010X222A2", count=0)(clean()), context)
    assert "AK9*R*1*1*0*2~" in ack and "IK5*R*1~" in ack
    assert pyx12_errors(ack) == []


def test_findings_from_files_carry_no_phi(context: Any) -> None:
    text = sub(r"\*DOE\*JANE", "*DOÉ*JANE")(without("DMG*D8*1980")(clean()))
    report = report_of(text, context)
    dump = repr([f.as_dict() for f in report.all_findings()])
    for secret in ("DOE", "JANE", "W123456789", "OAK", "19800402"):
        assert secret not in dump


def _dated(day: str) -> Callable[[str], str]:
    return sub(r"\*D8\*20261120~", f"*D8*{day}~", count=0)


def _icd9(codes: str, day: str) -> Callable[[str], str]:
    """The claim's diagnoses as ICD-9-CM ``codes``, line 1 pointing at each, served on ``day``."""
    pointers = ":".join(str(n) for n in range(1, codes.count(":") + 1))
    return lambda text: sub(r"\*1:2~", f"*{pointers}~")(
        sub(r"ABK:E1140\*ABF:G43909", codes)(_dated(day)(text))
    )


def _service(code: str, extra: str = "") -> Callable[[str], str]:
    """Line 2 billed as ``code``, with ``extra`` segments after its SV1."""
    return lambda text: recount(
        sub(r"^SV1\*HC:J1100\*25\*UN\*2\*\*\*1~\n", f"SV1*HC:{code}*25*UN*2***1~\n{extra}")(text)
    )


FOUR_ICD9 = "BK:25000*BF:4019*BF:V700*BF:E8889"
TRUTHFUL_CASES: list[tuple[str, Callable[[str], str], set[str], set[str]]] = [
    (
        "ICD-9 claim of 2005 pointing at its four diagnoses",
        _icd9(FOUR_ICD9, "20050315"),
        {"SNIP5.ICD9.FORMAT_ONLY"},
        {"SNIP3.DX_POINTER.RANGE", "SNIP5.ICD9.NOT_ACCEPTED", "SNIP5.ICD10.BEFORE_ICD10"},
    ),
    (
        "ICD-9 claim of 2026",
        _icd9(FOUR_ICD9, "20261120"),
        {"SNIP5.ICD9.NOT_ACCEPTED"},
        {"SNIP3.DX_POINTER.RANGE", "SNIP5.ICD9.FORMAT_ONLY"},
    ),
    (
        "ICD-9 code of the wrong shape",
        _icd9("BK:25000*BF:4O19", "20050315"),
        {"SNIP5.ICD9.FORMAT"},
        {"SNIP3.DX_POINTER.RANGE"},
    ),
    (
        "ICD-10 claim of 2005",
        _dated("20050315"),
        {"SNIP5.ICD10.BEFORE_ICD10"},
        {"SNIP5.ICD10.RELEASE_WINDOW", "SNIP5.ICD9.FORMAT_ONLY"},
    ),
    ("the organization renders (no 2310B)", without("NM1*82"), set(), {"SNIP4.RENDERING.MISSING"}),
    (
        "ambulance with its CR1",
        _service("A0427", "CR1*LB*140**A*DH*12~\n"),
        set(),
        {"SNIP6.SERVICE.NOT_SUPPORTED", "SNIP6.SERVICE.DATA_MISSING"},
    ),
    (
        "ambulance without CR1",
        _service("A0427"),
        {"SNIP6.SERVICE.DATA_MISSING"},
        {"SNIP6.SERVICE.NOT_SUPPORTED"},
    ),
    (
        "oxygen with its CR3",
        _service("E1390", "CR3*R*MO*12~\n"),
        set(),
        {"SNIP6.SERVICE.NOT_SUPPORTED", "SNIP6.SERVICE.DATA_MISSING"},
    ),
]


@pytest.mark.parametrize(("damage", "present", "absent"), [c[1:] for c in TRUTHFUL_CASES],
                         ids=[c[0] for c in TRUTHFUL_CASES])  # fmt: skip
def test_findings_never_assert_what_the_file_contradicts(
    damage, present: set[str], absent: set[str], context: Any
) -> None:
    """What the file states (its code set by date, its loops, its CR segments) is read
    before any rule speaks about it."""
    found = rule_ids(report_of(damage(clean()), context))
    assert present <= found, sorted(found)
    assert not absent & found, sorted(absent & found)


def test_text_before_the_isa_is_skipped_and_the_file_read(context: Any) -> None:
    report = report_of("An 837P sample, as test fixtures show them.\n\n" + clean(), context)
    assert report.pyx12_ran and [c.clm01 for c in report.claims] == ["ENC-20261120-0001"]
    found = rule_ids(report)
    assert "SNIP1.FILE.TEXT_BEFORE_ISA" in found
    assert not {i for i in found if ".X12." in i or "ENVELOPE" in i}, sorted(found)


def test_a_segment_with_a_bad_id_does_not_hide_the_claims(context: Any) -> None:
    report = report_of(sub(r"^N3\*100 MAIN ST", "N@*100 MAIN ST")(clean()), context)
    assert [c.clm01 for c in report.claims] == ["ENC-20261120-0001"]
    (finding,) = [f for f in report.all_findings() if f.segment == "N@"] or [None]
    assert finding is not None and finding.source == "case.837#11", finding
