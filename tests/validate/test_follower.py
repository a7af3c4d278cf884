"""The guide engine following the claim reader's tokens (one tokenizing pass per file)
judges every file exactly as the engine reading the file on its own does."""

from __future__ import annotations

from datetime import date

import pytest

from edi.codesets import bundled_code_sets
from edi.rules.file_validation import FileReport, validate_837
from edi.rules.registry import CheckContext
from edi.validate import validate
from edi.validate.engine import EngineUnavailable, Follower
from edi.x12.reader import iter_transactions
from mappings.profiles import payer_profiles
from tests.validate.conftest import built_837p
from tests.validate.mutations import corpus

CONTEXT = CheckContext(date(2026, 11, 27), payer_profiles(), bundled_code_sets())
BASE = built_837p(3).decode("ascii")
SKIPPED_ID = BASE.replace("\nN3*", "\nN3#X*", 1)
"""A segment whose ID is no ID: the tokenizer skips it and tells both readers."""


def _on_its_own(text: str):
    """The engine as another validator: :func:`validate_837` cannot let it follow."""
    return validate(text)


def _seen(report: FileReport) -> list:
    return (
        [
            (f.rule_id, f.source, f.message, f.field, f.loop, f.segment, f.element)
            for f in report.all_findings()
        ]
        + [(t.st02, t.ack_codes, t.ack_items) for t in report.transactions]
        + [(ic.ta1_code, [g.ack_codes for g in ic.groups]) for ic in report.interchanges]
    )


CASES = [
    ("clean", BASE),
    ("skipped ID", SKIPPED_ID),
    ("ISA off its width", BASE.replace("*00*          *00*", "*00*  *00*", 1)),
    ("text before the ISA", "printed by the billing system\n" + BASE),
    ("not X12 half way", BASE[: len(BASE) // 2] + "\n\x00\x01ISA~"),
    ("version no guide has", BASE.replace("005010X222A1", "005010X999A1")),
    ("non-ASCII name", BASE.replace("*DOE*", "*DÖE*", 1)),
    *corpus([("837P", BASE)], 60, seed=11),
]


@pytest.mark.parametrize(("name", "text"), CASES, ids=[name for name, _ in CASES])
def test_following_the_reader_judges_as_reading_alone(name: str, text: str) -> None:
    data = text.encode("utf-8")
    followed = validate_837(data, "f.837", CONTEXT, validate)
    alone = validate_837(data, "f.837", CONTEXT, _on_its_own)
    assert followed.pyx12_ran == alone.pyx12_ran
    assert _seen(followed) == _seen(alone)


def test_a_follower_hears_what_the_tokenizer_skips() -> None:
    follower = Follower(SKIPPED_ID[:106], SKIPPED_ID)
    for _ in iter_transactions(SKIPPED_ID, "f.837", [], follower):
        pass
    errors = follower.report().errors
    assert errors  # pyx12 finds no place for it
    assert errors == validate(SKIPPED_ID).errors


def test_a_follower_refuses_what_does_not_start_with_an_isa() -> None:
    with pytest.raises(EngineUnavailable):
        Follower("GS*HC*" + " " * 100, None)
