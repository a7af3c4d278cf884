"""Value types that remember what they made of an input judge it as if they did not."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from edi.claims.models import Date, Money, State, Units


def _error_type(adapter: TypeAdapter, value: object) -> str:
    with pytest.raises(ValidationError) as caught:
        adapter.validate_python(value)
    return caught.value.errors()[0]["type"]


def test_equal_amounts_with_other_decimals_are_judged_apart() -> None:
    money = TypeAdapter(Money)
    assert str(money.validate_python(Decimal("1.00"))) == "1.00"
    assert _error_type(money, Decimal("1.000")) == "money_scale"
    units = TypeAdapter(Units)
    assert str(units.validate_python(Decimal("2.0"))) == "2.0"
    assert str(units.validate_python(Decimal("2"))) == "2"


def test_bad_text_fails_every_time() -> None:
    state, day = TypeAdapter(State), TypeAdapter(Date)
    assert state.validate_python(" il ") == "IL"
    for _ in range(2):
        assert _error_type(state, "I1") == "string_pattern_mismatch"
        assert _error_type(day, "1899-12-31") == "greater_than_equal"
        assert _error_type(day, "2026/11/26") == "date_format"
    assert day.validate_python("2026-11-26") == date(2026, 11, 26)


def test_inputs_other_than_text_go_to_the_check_itself() -> None:
    assert _error_type(TypeAdapter(State), ["IL"]) == "string_type"
    assert _error_type(TypeAdapter(State), 12) == "string_type"
    assert _error_type(TypeAdapter(Date), [2026]) == "date_type"


def test_an_amount_too_long_for_any_decimal_context_is_a_finding() -> None:
    money = TypeAdapter(Money)
    assert _error_type(money, "1" * 30) == "money_size"  # quantize would raise at 28
    assert _error_type(money, Decimal("9" * 17)) == "money_size"  # 17 + 2 cents: 19
    assert str(money.validate_python(Decimal("9" * 16))) == "9" * 16 + ".00"
    assert str(money.validate_python(Decimal("0"))) == "0.00"
