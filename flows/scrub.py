"""The check context of a run: payer profiles and code sets, loaded once per process."""

from __future__ import annotations

from datetime import date

from edi.codesets import CodeSets, bundled_code_sets
from edi.rules.registry import CheckContext
from mappings.profiles import payer_profiles


def check_context(today: date | None = None, code_sets: CodeSets | None = None) -> CheckContext:
    return CheckContext(
        today=today or date.today(),
        payers=payer_profiles(),
        code_sets=code_sets or bundled_code_sets(),
    )
