"""Segments and elements of the 005010X279A1 guide our 270/271 maps first lacked or kept
from the 4010 guide (X092A1) they were made from.

Each is judged both ways: a 270 or 271 using it as the guide has it is clean, and a wrong
code, size or place in it is reported with its 999 codes (IK3 at the segment, IK4 at the
element).  The guide's structure is read from two sources that agree: x12sdk's X279A1
models and stupidedi's X279A1 definitions (the Ruby X12 library), which also settles
x12sdk's one slip met here (2120C/D NM101 ``11`` for the PPO's ``1I``).
"""

from __future__ import annotations

from collections import Counter

from edi.eligibility.build_270 import build_270
from edi.validate import validate
from tests.eligibility.test_build_270 import CREATED, RECEIVER, SENDER, _inquiry
from tests.eligibility.test_read_271 import MEMBER
from tests.support.x12files import PROVIDER_NPI, Eligibility271, eligibility_271

RECEIVER_NAME = f"NM1*1P*2*MAPLE CLINIC*****XX*{PROVIDER_NPI}~"
RECEIVER_ADDRESS = "N3*100 MAIN ST~N4*SPRINGFIELD*IL*62701~PRV*PE*PXC*207Q00000X~"
"""2100B N3, N4 and PRV (positions 0600, 0700 and 0900, PRV after the AAA at 0850)."""


def _recounted(text: str) -> str:
    """SE01 set to the transaction's segment count again, after segments were added or
    taken away, so that only what a test changed is reported."""
    segments = text.split("~")
    st = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    se = next(i for i, s in enumerate(segments) if s.startswith("SE*"))
    segments[se] = f"SE*{se - st + 1}*{segments[se].split('*')[2]}"
    return "~".join(segments)


def _271(*more_2120c: tuple[str, ...]) -> str:
    """A 271 using each X279A1 addition: 2100B N3/N4/PRV, a subscriber's and a dependent's
    PRV (2100C/D, position 0900), N407 (a Canadian province), two 2120C loops, one with
    NM110 (the entity's relationship), one a PPO (NM101 1I)."""
    subscriber = Eligibility271("SUB", [
        MEMBER, ("N3", "1 FRONT ST W"), ("N4", "TORONTO", "", "M5J2X5", "CA", "", "", "ON"),
        ("PRV", "PC", "HPI", PROVIDER_NPI), ("DMG", "D8", "19800201", "F"),
        ("EB", "1", "IND", "30"), ("LS", "2120"),
        ("NM1", "1I", "2", "MAPLE PPO", "", "", "", "", "PI", "PPO1"),
        ("NM1", "IL", "1", "DOE", "JOHN", "", "", "", "MI", "W100000002", "41"),
        *more_2120c, ("LE", "2120"),
    ])  # fmt: skip
    dependent = Eligibility271("DEP", [
        ("NM1", "03", "1", "DOE", "TIM"), ("PRV", "PC", "PXC", "208000000X"),
        ("DMG", "D8", "20150506", "M"), ("EB", "1", "FAM", "30"),
    ], dependent=True)  # fmt: skip
    text = eligibility_271([subscriber, dependent])
    return _recounted(text.replace(RECEIVER_NAME, RECEIVER_NAME + RECEIVER_ADDRESS, 1))


def _found(text: str) -> Counter:
    return Counter(
        (e.level, e.code, e.element_label or e.segment_id, e.loop) for e in validate(text).errors
    )


def test_a_271_with_the_x279a1_receiver_provider_and_related_entity_segments_is_clean() -> None:
    report = validate(_271())
    assert report.errors == () and report.groups[0].version == "005010X279A1"
    asked = build_270([_inquiry("Q1")], SENDER, RECEIVER, 7, 7, CREATED)
    abroad = asked.replace("~DMG*", "~N3*1 FRONT ST W~N4*TORONTO**M5J2X5*CA***ON~DMG*", 1)
    assert validate(_recounted(abroad)).errors == ()  # the 270's N407 too


def test_their_wrong_codes_and_sizes_are_reported_where_they_are() -> None:
    text = _271()
    assert _found(text.replace("N3*100 MAIN ST", "N3*" + "9" * 56)) == Counter(
        {("element", "5", "N301", "2100B"): 1}  # AN 1/55: too long
    )
    # 2100B PRV02/PRV03 are situational in the 271 (x12sdk's Optional PXC, stupidedi's S)
    assert validate(text.replace("PRV*PE*PXC*207Q00000X~", "PRV*PE~")).errors == ()
    assert _found(text.replace("PRV*PE*PXC*", "PRV*PE*ZZ*")) == Counter(
        {("element", "7", "PRV02", "2100B"): 1}  # 4010's ZZ: the taxonomy qualifier is PXC
    )
    assert _found(text.replace("PRV*PC*PXC*", "PRV*PC*XX*")) == Counter(
        {("element", "7", "PRV02", "2100D"): 1}
    )
    assert _found(text.replace("*W100000002*41~", "*W100000002*03~")) == Counter(
        {("element", "7", "NM110", "2120C"): 1}  # 706: 01 02 27 41 48 65 72
    )
    assert _found(text.replace("*CA***ON~", "*CA***ONT4~")) == Counter(
        {("element", "5", "N407", "2100C"): 1}  # 1715: ID 1/3
    )


def test_the_2120c_loop_repeats_up_to_23_times() -> None:
    others = [
        ("NM1", "P3", "1", f"DOC{i}", "ANN", "", "", "", "XX", PROVIDER_NPI) for i in range(21)
    ]
    assert validate(_271(*others)).errors == ()  # 23 related entities
    too_many = _found(_271(*others, ("NM1", "P4", "2", "OLD PLAN", "", "", "", "", "PI", "OLD1")))
    assert too_many == Counter({("segment", "4", "NM1", "2120C"): 1})  # IK304 4: loop over maximum


def test_not_used_elements_5010_added_are_reported_as_not_used() -> None:
    """DMG10/DMG11 (5010) are not used in X279A1: present, they are IK403 10 ("Exclusion
    Condition Violated"), not IK403 3 ("Too Many Data Elements")."""
    text = _271().replace("DMG*D8*20150506*M~", "DMG*D8*20150506*M*******RET*2135-2~")
    assert _found(text) == Counter(
        {("element", "10", "DMG10", "2100D"): 1, ("element", "10", "DMG11", "2100D"): 1}
    )
    asked = build_270([_inquiry("Q1")], SENDER, RECEIVER, 7, 7, CREATED)
    extended = asked.replace("DMG*D8*19800201*F~", "DMG*D8*19800201*F*******RET*2135-2~")
    assert _found(extended) == Counter(
        {("element", "10", "DMG10", "2100C"): 1, ("element", "10", "DMG11", "2100C"): 1}
    )


def test_segments_5010_dropped_are_no_longer_in_their_loops() -> None:
    """4010's 271 2100A REF and 2100C/D PER, and its 270 2100B PER, are not in X279A1:
    IK304 1 in the loop they stand in, as for any segment the guide does not place there."""
    text = _271()
    source_ref = text.replace("*PI*ACMEHEALTH~", "*PI*ACMEHEALTH~REF*18*PLAN9~", 1)
    assert _found(_recounted(source_ref)) == Counter({("segment", "1", "REF", "2100A"): 1})
    subscriber_per = text.replace("~N3*1 FRONT ST W~", "~PER*IC**TE*8005551212~N3*1 FRONT ST W~")
    assert _found(_recounted(subscriber_per)) == Counter({("segment", "1", "PER", "2100C"): 1})
    asked = build_270([_inquiry("Q1")], SENDER, RECEIVER, 7, 7, CREATED)
    receiver_per = asked.replace("*XX*1234567893~", "*XX*1234567893~PER*IC**TE*8005551212~", 1)
    assert _found(_recounted(receiver_per)) == Counter({("segment", "1", "PER", "2100B"): 1})


def test_codes_only_4010_had_are_refused_and_the_subscriber_may_be_an_organization() -> None:
    """Codes of the 4010 lists that X279A1's lack (x12sdk's and stupidedi's alike): a REF01
    or MPI01 is its segment's key, so with one the segment is not the guide's there (IK304
    1); another is IK403 7.  NM102 2: X279A1's subscriber may be a non-person entity."""
    text = _271()
    refused = {
        "~N3*1 FRONT ST W~": "~REF*A6*E1~N3*1 FRONT ST W~",  # 2100C REF01 A6
        "~NM1*03*1*DOE*TIM~": "~NM1*03*1*DOE*TIM~REF*M7*C1~",  # 2100D REF01 M7
        "~EB*1*IND*30~": "~EB*1*IND*30~REF*A6*E1~",  # 2110C REF01 A6
        "~DMG*D8*19800201*F~": "~DMG*D8*19800201*F~MPI*R*AE*A~",  # MPI01 R
    }
    for old, new in refused.items():
        found = _found(_recounted(text.replace(old, new, 1)))
        assert [(level, code) for level, code, _, _ in found] == [("segment", "1")], new
    service_types = text.replace("~DMG*D8*19800201*F~", "~DMG*D8*19800201*F~MPI*C*DS*A~")
    assert _found(_recounted(service_types)) == Counter({("element", "7", "MPI02", "2100C"): 1})
    delivery = text.replace("~EB*1*IND*30~", "~EB*1*IND*30~HSD*VS*1*****Z~", 1)
    assert _found(_recounted(delivery)) == Counter({("element", "7", "HSD07", "2110C"): 1})
    asked = build_270([_inquiry("Q1")], SENDER, RECEIVER, 7, 7, CREATED)
    family = asked.replace("~DMG*", "~REF*49*F1~DMG*")  # 270 2100C REF01 49
    assert _found(_recounted(family)) == Counter({("segment", "1", "REF", "2100C"): 1})
    for transaction in (text, asked):
        firm = transaction.replace("NM1*IL*1*DOE*JANE*", "NM1*IL*2*ACME WIDGETS**", 1)
        assert firm != transaction and validate(firm).errors == ()
