"""External code sets the SNIP level 5 and 7 rules consult, loaded once per process.

:func:`bundled_code_sets` gives what ships with the installed packages (ICD-10-CM from
simple-icd-10-cm, through a cached table; places of service and states from pyx12).  Files
only the user can supply (licensed CPT, the CMS HCPCS, NCCI PTP and MUE quarterly files,
other ICD-10-CM years) are read by the readers in this package from lines the caller
opened, and added with :meth:`CodeSets.with_files`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from edi.codesets.icd10cm import IcdCatalog, IcdRelease
from edi.codesets.icd10cm_bundled import bundled_release
from edi.codesets.ncci import MueLimits, PtpEdits
from edi.codesets.procedures import HcpcsFile
from edi.codesets.x12_lists import pyx12_code_list


@dataclass(frozen=True, slots=True)
class CodeSets:
    icd: IcdCatalog
    places_of_service: frozenset[str]
    states: frozenset[str]
    hcpcs: HcpcsFile | None = None
    cpt: frozenset[str] | None = None
    ptp: PtpEdits | None = None
    mue: MueLimits | None = None

    def with_files(
        self,
        *,
        hcpcs: HcpcsFile | None = None,
        cpt: frozenset[str] | None = None,
        ptp: PtpEdits | None = None,
        mue: MueLimits | None = None,
        icd_releases: tuple[IcdRelease, ...] = (),
    ) -> CodeSets:
        """A copy with the user's files added; ICD releases take precedence by date."""
        return replace(
            self,
            hcpcs=hcpcs or self.hcpcs,
            cpt=cpt or self.cpt,
            ptp=ptp or self.ptp,
            mue=mue or self.mue,
            icd=IcdCatalog(icd_releases + self.icd.releases),
        )


@cache
def bundled_code_sets() -> CodeSets:
    """The code sets every installation has; built on first call, then shared."""
    return CodeSets(
        icd=IcdCatalog((bundled_release(),)),
        places_of_service=pyx12_code_list("pos"),
        states=pyx12_code_list("states"),
    )


__all__ = ["CodeSets", "bundled_code_sets"]
