"""Record checks whose arithmetic leans on what the model guarantees."""

from __future__ import annotations

from typing import Any

import pytest

from edi.claims.intake import admit
from edi.claims.models import Address
from edi.claims.records import Record
from tests.factories import encounter


def _rules(data: dict[str, Any], context: Any) -> set[str]:
    (outcome,) = admit([Record("r:1", data)], context)
    return {f.rule_id for f in outcome.findings}


@pytest.mark.parametrize(
    ("charges", "fires"),
    [
        (["0.00"], False),  # a CPT Category II line alone: the smallest total
        (["0.05"], False),
        (["12", "0.5"], False),
        (["99999999999999.99", "0.01"], False),  # 17 digits
        (["9999999999999999.99"], False),  # 18 digits
        (["9999999999999999.99", "0.01"], True),  # 19 digits
    ],
)
def test_claim_total_size_counts_the_total_s_digits(
    context: Any, charges: list[str], fires: bool
) -> None:
    data = encounter()
    first = data["service_lines"][0]
    first_code = "3074F" if charges == ["0.00"] else first["procedure_code"]
    data["service_lines"] = [
        first | {"charge": charge, "procedure_code": first_code} for charge in charges
    ]
    assert ("SNIP2.CLM02.SIZE" in _rules(data, context)) is fires


@pytest.mark.parametrize(
    ("line1", "line2", "po_box"),
    [
        ("PO Box 12", None, True),
        ("100 Main St", "P.O. BOX 7", True),
        ("100 Main St", "Post Office Box 7", True),
        ("100 Main St", None, False),
        ("100 Main St", "", False),
        ("12 Box Elder Rd", "Suite 4", False),
    ],
)
def test_is_po_box_reads_both_lines(line1: str, line2: str | None, po_box: bool) -> None:
    address = Address(line1=line1, line2=line2, city="Springfield", state="IL", postal_code="62701")
    assert address.is_po_box is po_box
    assert address.is_po_box is po_box  # remembered: the same answer
