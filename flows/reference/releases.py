"""Which CMS reference releases a night has, and whether they cover a date of service.

A release is one CMS file of one kind (NCCI PTP practitioner edits, MUE, HCPCS, the
ICD-10-CM order file of a fiscal year) with the period it was published for.  ICD-10-CM
releases govern a fiscal year (1 October to 30 September); the quarterly files govern the
quarter they are published for and stay usable for earlier dates (edits carry their own
effective and deletion dates), so a release older than the date of service's quarter is
stale.  A missing or stale release is a finding on the claim and on the run's summary,
never a silent skip: the checks it feeds cannot fire without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from edi.findings import Finding
from edi.rules.registry import Rule, fire, register

KINDS = ("icd10cm", "ncci_ptp", "mue", "hcpcs")
"""The kinds a night needs; ``cpt`` (licensed) may be installed too, and is optional."""
LABELS = {
    "icd10cm": "ICD-10-CM order file",
    "ncci_ptp": "NCCI PTP practitioner edits",
    "mue": "MUE practitioner file",
    "hcpcs": "HCPCS file",
    "cpt": "CPT file (licensed)",
}


@dataclass(frozen=True, slots=True)
class Release:
    kind: str
    name: str
    """The file's name as CMS published it (or the bundled release's name)."""
    period_start: date
    period_end: date | None = None
    """The last date it governs (ICD-10-CM: 30 September); None for quarterly files."""

    def as_dict(self) -> dict[str, str | None]:
        end = self.period_end.isoformat() if self.period_end else None
        return {
            "kind": self.kind,
            "name": self.name,
            "period_start": self.period_start.isoformat(),
            "period_end": end,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Release:
        end = data.get("period_end")
        return cls(
            data["kind"],
            data["name"],
            date.fromisoformat(data["period_start"]),
            date.fromisoformat(end) if end else None,
        )


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _rules(kind: str) -> tuple[Rule, Rule]:
    name = kind.upper()
    missing = Rule(
        f"SNIP5.REFERENCE.{name}.MISSING",
        5,
        "warn",
        "ops",
        "no {label} release covers the date of service {dos}: the checks that need it "
        "({checks}) did not run on this claim",
        "Install the CMS release for {period} with `claims reference load PATH|URL` "
        "(into the folder or S3 prefix CLAIMS_REFERENCE_DIR / CLAIMS_REFERENCE_S3_PREFIX name)",
    )
    stale = Rule(
        f"SNIP5.REFERENCE.{name}.STALE",
        5,
        "warn",
        "ops",
        "the {label} release {release} ({start}) is older than the quarter of the date of "
        "service {dos}: edits published since were not checked",
        "Install the CMS release for {period} with `claims reference load PATH|URL`",
    )
    return register(missing), register(stale)


GAP_RULES = {kind: _rules(kind) for kind in KINDS}
"""Per kind, the rules ``SNIP5.REFERENCE.<KIND>.MISSING`` and ``...STALE`` (warnings by
default; a payer profile can make them a hold, e.g. ``SNIP5.REFERENCE.: hold``)."""
CHECKS = {
    "icd10cm": "diagnosis codes valid on the date",
    "ncci_ptp": "NCCI procedure-to-procedure edits",
    "mue": "medically unlikely edits",
    "hcpcs": "HCPCS code and modifier existence",
}


def coverage_findings(releases: tuple[Release, ...], dos: date) -> list[tuple[str, Finding]]:
    """``(kind, finding)`` for each kind a date of service has no current release of."""
    found = []
    for kind in KINDS:
        mine = [r for r in releases if r.kind == kind]
        facts = {"label": LABELS[kind], "dos": dos.isoformat(), "checks": CHECKS[kind]}
        if kind == "icd10cm":
            if not any(r.period_start <= dos <= (r.period_end or date.max) for r in mine):
                fy = dos.year + 1 if dos.month >= 10 else dos.year
                found.append((kind, fire(GAP_RULES[kind][0], period=f"FY{fy}", **facts)))
            continue
        quarter = quarter_start(dos)
        period = f"{quarter.year}Q{(quarter.month - 1) // 3 + 1}"
        if not mine:
            found.append((kind, fire(GAP_RULES[kind][0], period=period, **facts)))
            continue
        newest = max(mine, key=lambda r: r.period_start)
        if newest.period_start < quarter:
            stale = fire(
                GAP_RULES[kind][1],
                release=newest.name,
                start=newest.period_start.isoformat(),
                period=period,
                **facts,
            )
            found.append((kind, stale))
    return found


def releases_for(releases: tuple[Release, ...], dos: date) -> list[str]:
    """Names of the releases that checked a claim with this first date of service: the
    ICD-10-CM release covering it, and the one loaded release of each quarterly kind."""
    names = []
    for kind in (*KINDS, "cpt"):
        mine = [r for r in releases if r.kind == kind]
        if kind == "icd10cm":
            mine = [r for r in mine if r.period_start <= dos <= (r.period_end or date.max)]
        if mine:
            names.append(max(mine, key=lambda r: r.period_start).name)
    return names
