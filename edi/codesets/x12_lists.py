"""Code lists pyx12 ships in ``map/codes.xml``: places of service and state codes.

Read once per process through pyx12's own loader, so our level-5 rules and pyx12's
level-1/2 validation agree on the same lists.
"""

from __future__ import annotations

from functools import cache


@cache
def _external_codes() -> dict:
    from pyx12.codes import ExternalCodes

    return ExternalCodes().codes


def pyx12_code_list(name: str) -> frozenset[str]:
    """One of pyx12's external code lists (``pos``, ``states``…)."""
    return frozenset(_external_codes()[name]["codes"])
