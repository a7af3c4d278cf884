"""The denials table and the worklist settings people edit."""

from __future__ import annotations

import pytest

from edi.worklists.priority import score
from edi.worklists.rules import DENIAL_CATEGORIES
from edi.worklists.settings import PriorityFormula
from mappings.denial_rules import RulesFileError, load_denial_rules

COMMON_CARCS = (
    "1",
    "2",
    "3",
    "4",
    "5",
    "11",
    "16",
    "18",
    "22",
    "23",
    "24",
    "26",
    "27",
    "29",
    "31",
    "39",
    "45",
    "50",
    "96",
    "97",
    "109",
    "119",
    "125",
    "129",
    "130",
    "131",
    "140",
    "146",
    "151",
    "167",
    "170",
    "181",
    "182",
    "185",
    "186",
    "197",
    "198",
    "199",
    "204",
    "206",
    "208",
    "226",
    "227",
    "234",
    "236",
    "242",
    "252",
    "253",
    "B7",
    "B9",
    "B11",
    "B13",
    "B15",
    "B16",
    "B20",
    "B22",
)


@pytest.mark.parametrize("carc", COMMON_CARCS)
def test_every_common_carc_has_its_own_rule(rules, carc):
    rule = rules.lookup("CO" if carc not in ("1", "2", "3") else "PR", carc)
    assert rule.carc == carc


def test_normal_adjustments_are_posted_not_queued(rules):
    for group, carc in (("CO", "45"), ("PR", "1"), ("PR", "2"), ("PR", "3"), ("CO", "253"),
                        ("OA", "23")):  # fmt: skip
        assert rules.lookup(group, carc).kind == "normal", (group, carc)


def test_group_changes_the_meaning(rules):
    assert rules.lookup("PR", "96").kind == "normal"
    co96 = rules.lookup("CO", "96")
    assert (co96.kind, co96.category) == ("denial", "non-covered")


def test_a_remark_code_overrides_the_action(rules):
    plain = rules.lookup("CO", "16", ["N999"])
    unprocessable = rules.lookup("CO", "16", ["N999", "MA130"])
    rendering = rules.lookup("CO", "16", ["N290"])
    assert plain.action_kind == "correct"
    assert unprocessable.action_kind == "resubmit" and "NEW original" in unprocessable.action
    assert rendering.category == "credentialing"


def test_unknown_codes_fall_back_by_group(rules):
    assert rules.lookup("PR", "ZZ9").kind == "normal"
    unknown = rules.lookup("CO", "ZZ9")
    assert unknown.kind == "denial" and "mappings/denials.csv" in unknown.action


def test_every_denial_rule_uses_a_known_category(rules):
    assert {r.category for r in rules if r.kind == "denial"} <= set(DENIAL_CATEGORIES)


def test_a_bad_row_names_file_and_line(tmp_path):
    bad = tmp_path / "denials.csv"
    bad.write_text(
        "group,carc,rarc,kind,category,team,action_kind,why,action\n"
        "*,*,,denial,payer error,billing,follow_up,x,y\n"
        "CO,50,,denial,nonsense,billing,appeal,x,y\n"
    )
    with pytest.raises(RulesFileError, match=r"denials.csv line 3: category 'nonsense'"):
        load_denial_rules(bad)


def test_priority_puts_a_nearer_deadline_above_more_dollars():
    formula = PriorityFormula()
    assert score(5, 100, formula) > score(20, 10_000_000, formula)
    assert score(20, 50_000, formula) > score(20, 10_000, formula)


def test_priority_buckets_closer_than_the_dollar_cap_are_refused():
    with pytest.raises(ValueError, match="outscore"):
        PriorityFormula(deadline_buckets=({"max_days_left": 0, "points": 1000},), later_points=500)
