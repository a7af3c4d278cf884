"""Code texts: the project's own words, an official list replaces them, unknown never fails."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import pyx12

from edi.responses import parse_835
from mappings.code_texts import bundled_code_texts, load_code_texts, read_code_table
from tests.support.x12files import Cas, Claim, Line, remit


def pyx12_codes(codeset: str) -> set[str]:
    path = Path(pyx12.__file__).parent / "map" / "codes.xml"
    for node in ET.parse(path).getroot():
        if node.findtext("id") == codeset:
            return {c.text for c in node.iter("code")}
    raise LookupError(codeset)


def test_at_least_150_carc_and_rarc_and_every_277ca_category():
    texts = bundled_code_texts()
    assert len(texts.texts["carc"]) + len(texts.texts["rarc"]) >= 150
    categories = pyx12_codes("claim_status_cat")
    assert categories <= set(texts.texts["claim_status_category"])
    outcomes = texts.column("claim_status_category", "outcome")
    assert set(outcomes.values()) <= {
        "accepted", "rejected", "pending", "finalized", "information_requested", "error",
    }  # fmt: skip
    assert all(texts.texts[kind] for kind in texts.kinds())


def test_bundled_codes_are_codes_pyx12_knows():
    texts = bundled_code_texts()
    assert set(texts.texts["rarc"]) <= pyx12_codes("remark_code")
    assert set(texts.texts["claim_status"]) <= pyx12_codes("claim_status")


def test_unknown_code_reads_unknown_code_x():
    texts = bundled_code_texts()
    assert texts.text("carc", "XYZ") == "unknown code XYZ"
    assert texts.text("carc", "") == ""
    assert texts.text("no-such-kind", "1") == "unknown code 1"


def test_official_list_replaces_the_bundled_one(tmp_path):
    official = tmp_path / "carc.csv"
    official.write_text(
        "Code,Description,Start\n45,Official wording for 45.,2000-01-01\n300,New code,2030-01-01\n"
    )
    texts = load_code_texts({"carc": official})
    assert texts.text("carc", "45") == "Official wording for 45."
    assert texts.text("carc", "1") == "unknown code 1"  # replaced, not merged
    assert texts.text("rarc", "N130") == bundled_code_texts().text("rarc", "N130")
    line = Line(charge="150.00", paid="100.00", adjustments=[Cas("CO", "45", "50.00")])
    t = parse_835(remit([Claim("E1", lines=[line])], "100.00"), texts=texts)
    assert list(t.adjustments["carc_text"]) == ["Official wording for 45."]


def test_headerless_file_and_bad_requests(tmp_path):
    plain = tmp_path / "rarc.txt"
    plain.write_text("N130,Plain text\nM15,Another, with comma\n")
    texts, extra = read_code_table(plain)
    assert texts == {"N130": "Plain text", "M15": "Another"} and extra == {}
    with pytest.raises(ValueError, match="no code table kind"):
        load_code_texts({"nope": plain})
    empty = tmp_path / "empty.csv"
    empty.write_text("code,text\n")
    with pytest.raises(ValueError, match="no codes found"):
        load_code_texts({"carc": empty})
