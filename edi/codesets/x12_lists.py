"""Code lists pyx12 ships in ``map/codes.xml``: places of service and state codes.

Read through pyx12's own loader, so our level-5 rules and pyx12's level-1/2 validation
agree on the same lists; once per package version, the lists then kept in the user's
cache (:mod:`edi.package_cache`), since importing the loader and parsing the file cost
about 15 ms of every start.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from edi import package_cache


@cache
def _code_lists() -> dict[str, frozenset[str]]:
    import pyx12

    data = files("pyx12").joinpath("map", "codes.xml").read_bytes()
    key = package_cache.key_of(pyx12.__version__, data, Path(__file__).read_bytes())
    return package_cache.cached("pyx12-code-lists", key, _read_code_lists)


def _read_code_lists() -> dict[str, frozenset[str]]:
    from pyx12.codes import ExternalCodes

    return {name: frozenset(codes["codes"]) for name, codes in ExternalCodes().codes.items()}


def pyx12_code_list(name: str) -> frozenset[str]:
    """One of pyx12's external code lists (``pos``, ``states``…)."""
    return _code_lists()[name]
