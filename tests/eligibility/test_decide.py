"""What a 271 decides: inactive, unknown member, mismatches → holds; other payer → COB."""

from __future__ import annotations

from datetime import date

from edi.eligibility.decide import decide
from edi.eligibility.read_271 import Benefit, EligibilityAnswer, OtherPayer
from tests.eligibility.test_build_270 import _inquiry

ACTIVE = [Benefit("1", "IND", ["30"])]


def _answer(level="subscriber", **kw) -> EligibilityAnswer:
    base = {"last_name": "DOE", "member_id": "W100000001", "birth_date": "19800201",
            "benefits": list(ACTIVE)}  # fmt: skip
    return EligibilityAnswer("Q1", level, **{**base, **kw})


def _codes(decision) -> list[str]:
    return [h.code for h in decision.holds]


def test_active_matching_member_goes():
    assert _codes(decide(_inquiry("Q1"), _answer())) == []


def test_inactive_on_the_date_of_service_holds():
    decision = decide(_inquiry("Q1"), _answer(benefits=[Benefit("6", "IND", ["30"])]))
    assert _codes(decision) == ["INACTIVE"]
    assert "insurance" in decision.holds[0].fix


def test_unknown_member_holds_with_the_reason_and_no_mismatch_noise():
    decision = decide(_inquiry("Q1"), _answer(rejections=["75"], benefits=[], last_name="X"))
    assert _codes(decision) == ["AAA-75"]
    assert "cannot find" in decision.holds[0].said


def test_mismatches_hold_with_their_fix():
    answer = _answer(birth_date="19800102", last_name="SMITH", member_id="W999")
    assert _codes(decide(_inquiry("Q1"), answer)) == ["BIRTH-DATE", "NAME", "MEMBER-ID"]


def test_dependent_listed_as_subscriber_holds():
    kid = _inquiry("Q1", patient_last="DOE", patient_first="TIM",
                   patient_birth_date=date(2015, 5, 5))  # fmt: skip
    assert _codes(decide(kid, _answer(birth_date="20150505"))) == ["RELATIONSHIP"]
    assert _codes(decide(kid, _answer("dependent", birth_date="20150505"))) == []


def test_a_later_payer_goes_to_cob_not_a_hold():
    later = OtherPayer("SEP", "OTHER MUTUAL", "OM1", "M77")
    decision = decide(_inquiry("Q1"), _answer(other_payers=[later]))
    assert (_codes(decision), decision.other_payers) == ([], [later])


def test_another_primary_payer_holds_for_the_front_desk():
    first = OtherPayer("PRP", "OTHER MUTUAL", "OM1")
    decision = decide(_inquiry("Q1"), _answer(other_payers=[first]))
    assert (_codes(decision), decision.other_payers) == (["OTHER-PRIMARY"], [])


def test_a_name_the_270_spelled_in_x12_letters_is_no_mismatch():
    """Peña went out as PENA: the payer answering PENA is the same name."""
    from dataclasses import replace

    assert _codes(decide(replace(_inquiry("Q1"), subscriber_last="Peña"),
                         _answer(last_name="PENA"))) == []  # fmt: skip
