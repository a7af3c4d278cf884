"""Guides pyx12 does not index, described here in its map format (edi/validate/maps).

pyx12 ships a 277 X212 map it cannot load (an unfinished wrapper loop); ours is that map
with its hierarchy mended.  It judges the sandbox's answers to our 276s clean, finds a
hand-made mistake, and gives the public samples verdicts whose reasons are in the files.
The same for 270/271 (X279A1) and 276 (X212), ours made from pyx12's 4010 X092A1 and
X093A1 maps: our 270s and 276s and the 271s the eligibility tests read are clean,
hand-made mistakes are found.
Versions with no description yet are refused by name, never judged by a wrong guide.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from edi.eligibility.build_270 import build_270
from edi.validate import EngineUnavailable, validate
from edi.x12.control import MemoryControlNumbers
from sandbox.responder import Responder
from sandbox.state import SandboxState
from tests.eligibility.test_build_270 import CREATED, RECEIVER, SENDER, _inquiry
from tests.eligibility.test_read_271 import ANSWERS
from tests.fixtures.services import SHARED_SAMPLES, shared_sample
from tests.sandbox.claim_batch import RECEIVED, build_files
from tests.status.test_276_round_trip import _ask, _encounters
from tests.support.x12files import eligibility_271

SAMPLES = SHARED_SAMPLES
LFH = SAMPLES / "LinuxForHealth+x12"
X212 = LFH / "src" / "tests" / "resources" / "277_005010X212"


@pytest.fixture(scope="module")
def exchange() -> tuple[str, bytes]:
    """A 276 the project builds and the 277 (X212) the sandbox payer answers it with."""
    encounters = _encounters()
    responder = Responder(SandboxState(), seed=7, clock=lambda: RECEIVED)
    for number, data in enumerate(build_files(encounters, MemoryControlNumbers()), 1):
        responder.respond(data, f"{number:09d}.837")
    responder.clock = lambda: RECEIVED + timedelta(days=40)
    asked = _ask(encounters, RECEIVED + timedelta(days=40))
    (reply,) = responder.respond(asked.encode("ascii"), "000000900.276")
    return asked, reply.data


def _found(data: bytes) -> Counter:
    errors = validate(data).errors
    return Counter((e.level, e.code, e.element_label or e.segment_id) for e in errors)


def test_the_sandbox_277_is_clean_and_a_broken_one_is_not(exchange: tuple[str, bytes]) -> None:
    _, answer = exchange
    report = validate(answer)
    assert report.errors == () and report.groups[0].version == "005010X212"
    start = answer.index(b"~STC*") + 1
    stc = answer[start : answer.index(b"~", start)].split(b"*")
    stc[2] = b"20261399"  # no 13th month
    broken = answer[:start] + b"*".join(stc) + answer[answer.index(b"~", start) :]
    assert ("element", "8", "STC02") in _found(broken)


def test_public_277_x212_samples_get_the_verdicts_their_contents_call_for() -> None:
    verdicts = {p.name: _found(p.read_bytes()) for p in sorted(shared_sample(X212).glob("*.277"))}
    assert len(verdicts) == 4
    # 2200C (service provider level) STC01-3 names the provider 1P; this file says 85
    assert verdicts.pop("provider-level-status.277") == Counter({("element", "7", "STC01-3"): 1})
    assert all(not v for v in verdicts.values())
    imsweb = next((SAMPLES / "imsweb+x12-parser").rglob("x12_277_x212.txt"), None)
    if imsweb is not None:  # a 277CA's STC03/STC12 under an X212 GS08, and IEA02 != ISA13
        assert _found(imsweb.read_bytes()) == Counter(
            {("element", "10", "STC03"): 8, ("element", "10", "STC12"): 8,
             ("interchange", "001", None): 1}
        )  # fmt: skip


def test_our_276_and_the_public_ones_are_clean_and_a_broken_one_is_not(
    exchange: tuple[str, bytes],
) -> None:
    asked, _ = exchange
    report = validate(asked.encode("ascii"))
    assert report.valid and report.groups[0].functional_id == "HR"
    # 4010's claim statement period (DTP*232) is no 5010 claim service date (DTP*472)
    old_date = asked.replace("DTP*472*RD8*", "DTP*232*RD8*", 1)
    assert _found(old_date.encode("ascii")) == Counter({("segment", "1", "DTP"): 1})
    if LFH.is_dir():  # all clean; claim-level-status.276 and demo.276 name a provider by a
        # 9-digit NPI (XX*166666666), wrong but beyond a map (NM109 is AN 2-80 for any NM108)
        verdicts = {p.name: _found(p.read_bytes()) for p in LFH.rglob("*.276")}
        assert len(verdicts) == 5 and not any(verdicts.values())


def test_versions_not_yet_described_are_refused_by_name(exchange: tuple[str, bytes]) -> None:
    asked, _ = exchange  # as a 277 RFAI (X213) group of 276s: no such guide
    with pytest.raises(EngineUnavailable, match="005010X213"):
        validate(asked.replace("*005010X212~", "*005010X213~"))


def test_our_270_and_the_271s_we_read_are_clean_and_broken_ones_are_not() -> None:
    kid = {"patient_last": "DOE", "patient_first": "TIM", "patient_birth_date": date(2015, 5, 5),
           "patient_sex": "M"}  # fmt: skip
    asked = build_270([_inquiry("Q2", **kid), _inquiry("Q1")], SENDER, RECEIVER, 7, 7, CREATED)
    report = validate(asked.encode("ascii"))
    assert report.valid and report.groups[0].version == "005010X279A1"
    answered = validate(eligibility_271(ANSWERS).encode("ascii"))
    assert answered.valid and answered.groups[0].functional_id == "HB"
    subscriber = "NM1*IL*1*DOE*JANE****MI*W100000001~"
    one = build_270([_inquiry("Q1")], SENDER, RECEIVER, 7, 7, CREATED)
    nameless = one.replace(subscriber, "").replace("SE*13*", "SE*12*")
    # 2100C's NM1 is required (IK3 3); what followed it then has no loop to be in (IK3 1)
    assert _found(nameless.encode("ascii")) == Counter(
        {("segment", "3", "NM1"): 1, ("segment", "1", "DMG"): 1, ("segment", "1", "DTP"): 1,
         ("segment", "1", "EQ"): 1}
    )  # fmt: skip
    assert _found(one.replace("EQ*30~", "EQ*ZZ~").encode("ascii")) == Counter(
        {("element", "7", "EQ01"): 1}  # ZZ is no service type code
    )


def test_public_270_271_x279a1_samples_get_the_verdicts_their_contents_call_for() -> None:
    files = sorted(shared_sample(LFH).rglob("*.27[01]"))
    verdicts = {p.name: _found(p.read_bytes()) for p in files}
    assert len(verdicts) == 8
    # its SE02 (4323) is not its ST02 (4321): IK5 3
    error = verdicts.pop("subscriber-health-benefit-check-error.271")
    assert error == Counter({("transaction", "3", None): 1})
    # EB*1**1^33^35^47^86^88^98^AL^MH^UC in three of them: EB03 repeated (ten service
    # types; X279A1 allows 99), each a 5010 service type (MH and UC are new in 5010): clean
    assert verdicts == {n: Counter() for n in verdicts} and len(verdicts) == 7


def _answer(eb: str) -> bytes:
    """The 271 the eligibility tests read, its first EB written ``eb``."""
    text = eligibility_271(ANSWERS)
    start = text.index("EB*")
    return (text[:start] + eb + text[text.index("~", start) :]).encode("ascii")


def _repeats(data: bytes) -> list[tuple]:
    return [(e.code, e.element_label, e.repetition) for e in validate(data).errors]


def test_a_repeated_service_type_is_judged_repeat_by_repeat() -> None:
    """X279A1 EB03 (and EQ01): "Service Type Code", repeat 99, each repeat one code of the
    list; ISA11 (5010) is the repetition separator.  A bad repeat is IK403 7 at its
    repetition (IK401-3); a 100th repeat is IK403 12, "Too Many Repetitions"."""
    assert _repeats(_answer("EB*1*IND*30^1^33^MH^UC*HM*GOLD PLAN")) == []
    assert _repeats(_answer("EB*1*IND*30^ZZ^33*HM*GOLD PLAN")) == [("7", "EB03", 2)]
    assert _repeats(_answer("EB*1*IND*30^1234^33")) == [("5", "EB03", 2), ("7", "EB03", 2)]
    assert _repeats(_answer("EB*1*IND*" + "^".join(["30"] * 100))) == [("12", "EB03", 100)]
    assert _repeats(_answer("EB*1*IND*" + "^".join(["30"] * 99))) == []
    asked = build_270([_inquiry("Q1")], SENDER, RECEIVER, 7, 7, CREATED)
    assert validate(asked.replace("EQ*30~", "EQ*30^1^AL~").encode("ascii")).valid
    found = _repeats(asked.replace("EQ*30~", "EQ*30^1^Q9~").encode("ascii"))
    assert found == [("7", "EQ01", 3)]


def test_a_repetition_separator_is_one_only_where_isa11_names_it() -> None:
    """ISA11 '{' (any separator not a data character): EB03 is split on it, and '^' in an
    element is then only a character (IK403 6 is for characters outside the set; '^' is in
    5010's extended set, so a value "30^1" is too long and no code)."""
    text = _answer("EB*1*IND*30{1{33*HM*GOLD PLAN").decode("ascii")
    curly = text.replace("*^*00501*", "*{*00501*", 1)
    assert validate(curly).errors == ()
    caret = curly.replace("30{1{33", "30^1", 1)
    assert _repeats(caret.encode("ascii")) == [("5", "EB03", None), ("7", "EB03", None)]
