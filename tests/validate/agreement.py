"""Compare the engine's errors with pyx12's on one document: the judge of the agreement tests.

An error is compared by what a 999/TA1 says of it: level, code, envelope control numbers
and, inside a transaction set, the segment (ID, position, loop) and element (position,
component).  Names are the map's words, not findings, and are left out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from edi.validate import EngineUnavailable, validate
from edi.x12.pyx12_validator import Pyx12Unavailable, X12Error, validate_x12


def key(e: X12Error) -> tuple:
    if e.level in ("segment", "element"):
        return (e.level, e.code, e.isa13, e.gs06, e.st02, e.segment_id, e.position,
                e.element, e.component, e.loop)  # fmt: skip
    return (e.level, e.code, e.isa13, e.gs06, e.st02)


@dataclass
class Comparison:
    pyx12: Counter
    engine: Counter
    pyx12_unavailable: str | None = None
    engine_unavailable: str | None = None

    @property
    def agree(self) -> bool:
        if self.pyx12_unavailable or self.engine_unavailable:
            return bool(self.pyx12_unavailable) == bool(self.engine_unavailable)
        return self.pyx12 == self.engine

    @property
    def matched(self) -> int:
        return sum((self.pyx12 & self.engine).values())

    @property
    def only_pyx12(self) -> Counter:
        return self.pyx12 - self.engine

    @property
    def only_engine(self) -> Counter:
        return self.engine - self.pyx12


def compare(data: bytes | str) -> Comparison:
    text = data.decode("ascii", errors="replace") if isinstance(data, bytes) else data
    out = Comparison(Counter(), Counter())
    try:
        out.pyx12 = Counter(key(e) for e in validate_x12(text).errors)
    except Pyx12Unavailable as exc:
        out.pyx12_unavailable = str(exc)
    try:
        out.engine = Counter(key(e) for e in validate(text).errors)
    except EngineUnavailable as exc:
        out.engine_unavailable = str(exc)
    return out


@dataclass
class Table:
    """The agreement table: files, errors pyx12 reports, errors both report, differences."""

    files: int = 0
    files_agreeing: int = 0
    errors: int = 0
    agreements: int = 0
    documented: int = 0
    """Files where the two differ in a way a test documents (pyx12 stops, or is wrong)."""
    undocumented: list[str] | None = None
    own_guide: int = 0
    """Files of a version pyx12 has no map for, judged by one of ours (edi/validate/maps,
    tests in test_own_guides.py): nothing to compare with."""

    def add(self, name: str, c: Comparison) -> None:
        self.files += 1
        if own_guide_only(c):
            self.own_guide += 1
            return
        self.errors += sum(c.pyx12.values())
        self.agreements += c.matched
        if c.agree:
            self.files_agreeing += 1
        elif documented(c):
            self.documented += 1
        else:
            self.undocumented = [*(self.undocumented or []), name]

    def row(self, label: str) -> str:
        cells = (label, self.files, self.files_agreeing, self.errors, self.agreements,
                 self.documented, len(self.undocumented or []), self.own_guide)  # fmt: skip
        return "| " + " | ".join(map(str, cells)) + " |"


DOCUMENTED_PYX12_STOPS = ("pyx12 stopped (IndexError)", "pyx12 stopped (ValueError)")
"""pyx12 raises instead of reporting (see test_documented_differences.py): a composite with
more components than the guide defines (IndexError in segment_if.is_valid_errors), and a
GE01 or IEA01 that is not a number (ValueError in err_gs.close)."""


TA1_CODES = frozenset({"010", "011", "012", "013", "005", "006", "007", "008", "014", "015",
                       "016", "017", "018", "019", "020", "027", "021", "001", "023", "024",
                       "025", "022"})  # fmt: skip


def own_guide_only(c: Comparison) -> bool:
    """pyx12 has no map for the file's version and the engine judged it by one of ours."""
    from edi.validate.compiled import OWN_INDEX

    versions = {version for _, version, _ in OWN_INDEX}
    reason = c.pyx12_unavailable or ""
    return not c.engine_unavailable and any(reason.endswith(f" {v}") for v in versions)


def documented(c: Comparison) -> bool:
    """A difference a test documents: pyx12 stopped where the engine reported the error,
    or the one TA1 note code differs where pyx12 picks it at random out of several."""
    if c.pyx12_unavailable in DOCUMENTED_PYX12_STOPS and not c.engine_unavailable:
        return True
    differing = list((c.only_pyx12 + c.only_engine).elements())
    return (
        not c.pyx12_unavailable
        and not c.engine_unavailable
        and sum(c.only_pyx12.values()) <= 1
        and sum(c.only_engine.values()) <= 1
        and all(k[0] == "interchange" and k[1] in TA1_CODES for k in differing)
    )


def main() -> None:
    """Print the agreement table: ``python -m tests.validate.agreement [MUTANTS]``."""
    import sys

    from tests.validate.conftest import project_outputs_now
    from tests.validate.mutations import corpus
    from tests.validate.test_agreement import _samples

    mutants = int(sys.argv[1]) if len(sys.argv) > 1 else 2400
    outputs = project_outputs_now()
    rows = []
    for label, items in (
        ("shared 5010 samples", ((p.name, p.read_bytes()) for p in _samples())),
        ("project outputs (837P, 999, 277CA, 835)", iter(outputs)),
        ("mutation corpus (seed 18)", corpus(outputs, mutants, seed=18)),
    ):
        table = Table()
        for name, data in items:
            table.add(name, compare(data))
        rows.append(table.row(label))
        for name in table.undocumented or []:
            print("undocumented difference:", name, file=sys.stderr)
    print("| corpus | files | files agreeing | pyx12 errors | errors agreeing | "
          "documented differences | undocumented | judged by our own guide only |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
