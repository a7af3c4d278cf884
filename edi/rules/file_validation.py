"""Validate any 837P file: a guide validator for SNIP levels 1-2, the claim rules for 3-7.

One pass of the streaming reader finds the envelopes, the claims (as encounter records,
:mod:`edi.claims.read_837`) and the damage pyx12 cannot take (a byte order mark,
non-ASCII bytes, versions it has no map for); the guide validator (pyx12, or the engine
of :mod:`edi.validate` that agrees with it error for error) then validates the ASCII text
in process and its errors become our findings.  Every finding is placed: interchange,
group, transaction set, segment position and, inside a claim, its CLM01, which is all a
999/TA1 (:mod:`edi.x12.acks`) and a person need.

Pure: the caller reads the file and passes its bytes.
"""

from __future__ import annotations

import codecs
import copy
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel, SkipValidation, ValidationError

from edi.claims.models import Address, BillingProvider, Facility, Payer, PersonProvider, Provider
from edi.claims.read_837 import ClaimWalker, FileClaim, FiledEncounter, may_hold_icd9
from edi.guides.model import guide_for as guide_of
from edi.rules.pyx12_check import finding_of
from edi.rules.record import field_path, findings_from_error
from edi.rules.registry import CheckContext, Finding, Rule, check_all, fire, register, stamped
from edi.validate import validate
from edi.validate.engine import EngineUnavailable, Follower
from edi.x12.acks import AckItem, ack_item
from edi.x12.pyx12_validator import Pyx12Report, Pyx12Unavailable, X12Error, validate_x12
from edi.x12.reader import (
    Segment,
    TokenListener,
    Transaction,
    X12ParseError,
    iter_transactions,
)

_R = register

NOT_X12 = _R(
    Rule(
        "SNIP1.FILE.NOT_X12",
        1,
        "reject",
        "billing",
        "the file is not X12: {reason}",
        "Send the 837 file itself; it must start with ISA",
    )
)
BOM = _R(
    Rule(
        "SNIP1.FILE.BOM",
        1,
        "reject",
        "billing",
        "the file starts with a byte order mark before ISA",
        "Save the file as plain ASCII without a BOM",
        None,
        "ISA",
    )
)
TEXT_BEFORE_ISA = _R(
    Rule(
        "SNIP1.FILE.TEXT_BEFORE_ISA",
        1,
        "reject",
        "billing",
        "{chars} characters of text come before the ISA; they were skipped to read the rest",
        "Send the X12 file alone: it must start with ISA",
        None,
        "ISA",
    )
)
NON_ASCII = _R(
    Rule(
        "SNIP1.FILE.NON_ASCII",
        1,
        "reject",
        "billing",
        "{element} contains a character outside X12's character set (not ASCII)",
        "Replace accented or special characters with plain letters in the sending system",
    )
)
VERSION = _R(
    Rule(
        "SNIP1.FILE.VERSION_NOT_SUPPORTED",
        1,
        "reject",
        "billing",
        "{what} {version} is not supported; this validator checks 837P 005010X222A1 and "
        "837I 005010X223A2",
        "Send 5010 claims (GS08 005010X222A1 professional, 005010X223A2 institutional)",
        None,
        "GS",
        "GS08",
    )
)
NOT_837P = _R(
    Rule(
        "SNIP1.FILE.NOT_837P",
        1,
        "reject",
        "billing",
        "transaction set {st02} is a {code} ({version}), not a claim",
        "Validate 837P and 837I files only; other transactions are read by their own commands",
        None,
        "ST",
        "ST01",
    )
)
VALIDATOR = _R(
    Rule(
        "SNIP1.FILE.NOT_VALIDATED",
        1,
        "reject",
        "billing",
        "the X12 syntax could not be checked: {reason}",
        "Fix the findings reported for the file and validate again",
    )
)
ISA_WIDTH = _R(
    Rule(
        "SNIP1.ISA.WIDTH",
        1,
        "reject",
        "billing",
        "ISA{number} must be exactly {width} characters, it has {found}",
        "Pad the ISA fields to their fixed widths (the ISA is always 106 characters)",
        None,
        "ISA",
    )
)
ENVELOPE = _R(
    Rule(
        "SNIP1.FILE.ENVELOPE",
        1,
        "reject",
        "billing",
        "{message}",
        "Regenerate the envelope; trailers must match their headers and counts",
    )
)

ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
ISA_TA1_CODES = ("010", "011", "012", "013", "005", "006", "007", "008", "014", "015", "016",
                 "017", "018", "019", "020", "027")  # fmt: skip
"""The TA1 note code for an error in ISA01..ISA16."""
_PLACEHOLDERS: dict[str, Any] = {
    "npi": "1234567893",
    "birth_date": "1900-01-01",
    "sex": "U",
    "last_name": "UNKNOWN",
    "first_name": "UNKNOWN",
    "member_id": "UNKNOWN",
    "tax_id": "000000000",
    "postal_code": "000000000",
    "state": "IL",
    "city": "UNKNOWN",
    "line1": "UNKNOWN",
    "name": "UNKNOWN",
    "payer_id": "UNKNOWN",
    "organization_name": "UNKNOWN",
    "procedure_code": "99499",
    "place_of_service": "11",
    "frequency_code": "1",
    "claim_filing_indicator": "ZZ",
    "relationship_to_subscriber": "G8",
    "release_of_information": "Y",
    "responsibility": "P",
    "unit_type": "UN",
    "units": "1",
    "charge": "0.01",
    "service_date": "1900-01-01",
    "diagnoses": ["R69"],
    "service_lines": None,
}
"""Stand-ins for values a file got wrong, so the other rules can still judge the claim;
findings about a stood-in field are dropped (its own finding already says what is wrong)."""


class ClaimInFile(FiledEncounter):
    """A claim read from a file, with what only the file's segments show.

    An absent loop means something in an 837 (no 2310B: the billing provider rendered)
    and a file may carry data encounter-v1 has no field for (CR1 ambulance transport, CR3
    certification), so the rules are told which segments the claim's loops hold.
    """

    file_segments: SkipValidation[frozenset[str]] = frozenset()
    """The IDs of the segments from the claim's CLM up to the next HL or CLM (made by
    :func:`_judge` itself, so not validated: pydantic would rebuild the set per claim)."""
    icd9_codes: SkipValidation[tuple[str, ...]] = ()
    """The ICD-9-CM codes (HI qualifiers BK/BF), as written."""


@dataclass
class _ClaimSegments:
    """What :func:`_watch` saw in one claim's loops (see :class:`ClaimInFile`): they run
    from the CLM at ``start`` up to the segment at ``end`` (None: not seen yet)."""

    start: int
    end: int | None = None
    icd9_codes: list[str] = field(default_factory=list)


@dataclass
class ClaimVerdict:
    clm01: str
    source: str
    """``FILE#N``: the CLM is segment N of the file."""
    isa13: str
    gs06: str
    st02: str
    clm_position: int
    findings: list[Finding] = field(default_factory=list)
    transaction_rejected: bool = False
    """Levels 1-2 reject the whole transaction set (the 999), and with it every claim."""

    @property
    def rejected(self) -> bool:
        return self.transaction_rejected or any(f.rejects for f in self.findings)


@dataclass
class _SegmentIds:
    """File position → segment ID of every segment of a transaction set's body, as one
    list: a body's positions run on without a gap but where a segment was skipped."""

    first: int = 0
    ids: list[str] = field(default_factory=list)

    def extend(self, positions: Sequence[int], sids: list[str]) -> None:
        """Note a block's segments (consecutive positions, in file order)."""
        if not self.ids:
            self.first = positions[0]
        self.ids += [""] * (positions[0] - self.first - len(self.ids))  # skipped segments
        self.ids += sids

    def get(self, position: int, default: str | None = None) -> str | None:
        at = position - self.first
        return (self.ids[at] or default) if 0 <= at < len(self.ids) else default

    def __contains__(self, position: int) -> bool:
        return self.get(position) is not None

    def between(self, start: int, end: int | None) -> frozenset[str]:
        """The IDs of the segments from ``start`` up to ``end`` (None: all noted)."""
        first = self.first
        return frozenset(
            filter(None, self.ids[start - first : None if end is None else end - first])
        )


@dataclass
class TransactionVerdict:
    isa13: str
    gs06: str
    st02: str
    code: str
    version: str
    position: int
    findings: list[Finding] = field(default_factory=list)
    ack_codes: list[str] = field(default_factory=list)
    """IK5 codes (transaction-level errors)."""
    ack_items: list[AckItem] = field(default_factory=list)
    claims: list[ClaimVerdict] = field(default_factory=list)
    segment_ids: _SegmentIds = field(default_factory=_SegmentIds, repr=False)
    """File position → segment ID of every segment in the set (ST and SE excluded)."""
    envelope: list[Finding] = field(default_factory=list, repr=False)
    """The reader's trailer checks; reported only where pyx12 could not check them."""
    claim_segments: dict[int, _ClaimSegments] = field(default_factory=dict, repr=False)
    """CLM position → what the claim's loops hold, until the claim is judged."""

    @property
    def rejected(self) -> bool:
        """What the 999 says: any level-1/2 error rejects the whole transaction set."""
        return bool(self.ack_codes or self.ack_items) or any(
            f.rejects and f.level <= 2 for f in self.findings
        )

    def claim_at(self, position: int) -> str | None:
        """CLM01 of the claim whose loops hold ``position`` (its CLM up to the next HL/CLM)."""
        owner = None
        for claim in self.claims:
            if claim.clm_position > position:
                break
            owner = claim
        if owner is None:
            return None
        for p in range(owner.clm_position + 1, position + 1):
            if self.segment_ids.get(p) in ("HL", "CLM"):
                return None
        return owner.clm01


@dataclass
class GroupInfo:
    gs: list[str]
    ack_codes: list[str] = field(default_factory=list)
    """AK905 codes (group-level errors)."""
    transactions: list[TransactionVerdict] = field(default_factory=list)

    def _gs(self, number: int) -> str:
        """GSnn of a group whose GS could be read to GS08, else empty."""
        return self.gs[number] if len(self.gs) > 8 else ""

    @property
    def functional_id(self) -> str:
        return self._gs(1)

    @property
    def sender_code(self) -> str:
        return self._gs(2)

    @property
    def receiver_code(self) -> str:
        return self._gs(3)

    @property
    def gs06(self) -> str:
        return self._gs(6)

    @property
    def version(self) -> str:
        return self._gs(8)


@dataclass
class InterchangeInfo:
    isa: list[str]
    offset: int = 0
    separator: str = "*"
    ta1_code: str | None = None
    """The TA1 note code when the interchange itself is rejected."""
    groups: list[GroupInfo] = field(default_factory=list)

    @property
    def isa13(self) -> str:
        return self.isa[13] if len(self.isa) > 13 else ""


@dataclass
class FileReport:
    name: str
    findings: list[Finding] = field(default_factory=list)
    """Findings about the file or an envelope, not inside a transaction set."""
    interchanges: list[InterchangeInfo] = field(default_factory=list)
    pyx12_ran: bool = False
    envelope: list[Finding] = field(default_factory=list, repr=False)
    """The reader's interchange and group trailer checks (used when pyx12 cannot run)."""

    @property
    def transactions(self) -> list[TransactionVerdict]:
        return [t for ic in self.interchanges for g in ic.groups for t in g.transactions]

    @property
    def claims(self) -> list[ClaimVerdict]:
        return [c for t in self.transactions for c in t.claims]

    def all_findings(self) -> list[Finding]:
        out = list(self.findings)
        for t in self.transactions:
            out += t.findings
            for c in t.claims:
                out += c.findings
        return out

    @property
    def rejected(self) -> bool:
        return any(f.rejects for f in self.all_findings()) or any(
            t.rejected for t in self.transactions
        )


# -- the pass over the file ----------------------------------------------------------------


GuideValidator = Callable[[str], Pyx12Report]
"""Judges SNIP 1-2 on ASCII text: pyx12's :func:`validate_x12` or ``edi.validate.validate``
(which :func:`validate_837` runs as a :class:`~edi.validate.engine.Follower` of the claim
reader's tokens, when the file is read as the engine would read it)."""


def validate_837(
    data: bytes, name: str, context: CheckContext, validator: GuideValidator = validate_x12
) -> FileReport:
    """Everything wrong with one 837P file, as findings placed for people and for acks."""
    report = FileReport(name)
    has_bom = data.startswith(codecs.BOM_UTF8)
    if has_bom:
        report.findings.append(fire(BOM, source=f"{name}#1"))
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    non_ascii: list[Segment] = []
    follower = _follower(text) if validator is validate else None
    try:
        _read(text, name, report, context, non_ascii, follower)
    except X12ParseError as exc:
        follower = None  # it saw the file only up to where reading stopped
        report.findings.append(fire(NOT_X12, source=name, reason=exc.reason))
        for ic in report.interchanges:
            ic.ta1_code = ic.ta1_code or "024"
        if not report.interchanges:
            return report
    for seg in non_ascii:
        _place_non_ascii(report, seg, name)
    if has_bom:
        for ic in report.interchanges[:1]:
            ic.ta1_code = ic.ta1_code or "022"
    cut = report.interchanges[0].offset if report.interchanges else 0
    if text[:cut].strip():
        report.findings.append(fire(TEXT_BEFORE_ISA, source=f"{name}#1", chars=cut))
        report.interchanges[0].ta1_code = report.interchanges[0].ta1_code or "022"
    _pyx12(report, text, name, cut, validator, follower)
    _settle(report)
    return report


def _follower(text: str) -> Follower | None:
    """The engine, to follow the claim reader through ``text`` (one tokenizing pass for
    both), when it would read the text as is: ASCII (else it reads it with ``X`` for each
    other character) from an ISA at its start; None when it must read the text itself."""
    if not text.isascii():
        return None
    try:
        return Follower(text[:106], text)
    except EngineUnavailable:
        return None  # not from an ISA at the start: validating the text says why


def _read(
    text: str,
    name: str,
    report: FileReport,
    context: CheckContext,
    non_ascii: list[Segment],
    listener: TokenListener | None,
) -> None:
    envelope: list = []
    ascii_only = text.isascii()  # then no segment needs looking at one by one
    for tx in iter_transactions(text, name, envelope, listener):
        ic = _interchange(report, tx.isa, non_ascii)
        group = _group(ic, tx.gs, non_ascii)
        if tx.st is None:
            non_ascii += [s for s in tx if not all(e.isascii() for e in s.elements)]
            continue
        verdict = TransactionVerdict(
            tx.isa13, tx.gs06, tx.st02, tx.code, tx.version, tx.st.position
        )
        group.transactions.append(verdict)
        guide = guide_of(tx.code, tx.version)
        walker = ClaimWalker(guide, tx.delimiters) if guide is not None else None

        def judge(claim: FileClaim, verdict: TransactionVerdict = verdict) -> None:
            verdict.claims.append(_judge(claim, verdict, name, context))

        _watch(tx, None if ascii_only else non_ascii, verdict, walker, judge)
        if guide is None:
            where = f"{name}#{tx.st.position}"
            if tx.code != "837":
                verdict.findings.append(
                    fire(NOT_837P, source=where, st02=tx.st02, code=tx.code or "?",
                         version=tx.version or "no version")
                )  # fmt: skip
            else:
                verdict.findings.append(
                    fire(VERSION, source=where, what="837 version", version=tx.version or "-")
                )
            verdict.ack_codes.append("1")
        verdict.envelope = [
            fire(ENVELOPE, source=f"{name}#{f.position}", message=f.message) for f in tx.findings
        ]
    report.envelope = [
        fire(ENVELOPE, source=f"{name}#{f.position or 1}", message=f.message)
        for f in envelope
        if not f.st02 and f.code != "BEFORE_ISA"  # rule TEXT_BEFORE_ISA says it
    ]


def _watch(
    tx: Transaction,
    non_ascii: list[Segment] | None,
    verdict: TransactionVerdict,
    walker: ClaimWalker | None,
    judge: Callable[[FileClaim], None],
) -> None:
    """Read the transaction's segments into ``walker`` (None: no guide reads its claims),
    noting non-ASCII ones (unless ``non_ascii`` is None: the file is ASCII), each
    position's segment ID and what each claim's loops hold; each claim goes to ``judge``
    as soon as it ends, while what the walker shares with it is as it was read.

    The segments come a block at a time as IDs and texts (the reader's
    :meth:`~edi.x12.reader._Tokenizer.texts`): what is noted of a block is noted before
    the walker reads it (:meth:`ClaimWalker.read`, which splits a text only when it
    meets one afresh), a call per block or per claim."""
    cursor = tx.cursor
    separator, component = tx.delimiters.element, tx.delimiters.component
    claim: _ClaimSegments | None = None
    for block in tx.blocks():
        sids, texts, positions = cursor.texts(block)
        verdict.segment_ids.extend(positions, sids)
        if non_ascii is not None:
            for i, text in enumerate(texts):
                if not text.isascii():
                    elements = [sids[i], *text.split(separator)[1:]]
                    if not all(e.isascii() for e in elements):
                        non_ascii.append(cursor.segment_at(block, i, elements))
        marks = cursor.where(block, ("CLM", "HL", "HI"))
        claim = _note_claims(verdict, claim, marks, sids, texts, positions, separator, component)
        if walker is not None:
            for done in walker.read(sids, texts, positions):
                judge(done)
    if walker is not None and (last := walker.close()) is not None:
        judge(last)


def _note_claims(
    verdict: TransactionVerdict,
    claim: _ClaimSegments | None,
    marks: list[int],
    sids: list[str],
    texts: list[str],
    positions: Sequence[int],
    separator: str,
    component: str,
) -> _ClaimSegments | None:
    """Note what the claims' loops hold in one block of segments (``claim`` is the one
    open when the block starts; ``marks`` the indexes of its CLM, HL and HI segments);
    returns the one open when it ends.

    A claim's loops run from its CLM up to the next HL or CLM, so its segment IDs are a
    slice of the set's (:meth:`_SegmentIds.between`), taken when the claim is judged; an
    HI with no element starting BK or BF (the usual one) holds no ICD-9 code and is not
    split."""
    for i in marks:
        sid = sids[i]
        if sid == "HI":
            text = texts[i]
            if claim is not None and may_hold_icd9(text, separator):
                claim.icd9_codes += _icd9_codes(text.split(separator), component)
            continue
        if claim is not None:
            claim.end = positions[i]
        claim = None
        if sid == "CLM":
            claim = verdict.claim_segments[positions[i]] = _ClaimSegments(positions[i])
    return claim


def _icd9_codes(hi: list[str], component: str) -> list[str]:
    """The ICD-9-CM diagnosis codes of one HI segment's elements (qualifiers BK and BF)."""
    codes = []
    for element in hi[1:]:
        qualifier, _, rest = element.partition(component)
        if qualifier in ("BK", "BF") and rest:
            codes.append(rest.partition(component)[0])
    return codes


def _interchange(report: FileReport, isa: Segment, non_ascii: list[Segment]) -> InterchangeInfo:
    """The interchange ``isa`` opens (the reader hands the same ISA to each of its sets)."""
    if not report.interchanges or report.interchanges[-1].isa is not isa.elements:
        report.interchanges.append(
            InterchangeInfo(isa.elements, isa.offset, isa.delimiters.element)
        )
        if not all(e.isascii() for e in isa.elements):
            non_ascii.append(isa)
    return report.interchanges[-1]


def _group(ic: InterchangeInfo, gs: Segment | None, non_ascii: list[Segment]) -> GroupInfo:
    elements = gs.elements if gs is not None else []
    if not ic.groups or ic.groups[-1].gs is not elements:
        ic.groups.append(GroupInfo(elements))
        if not all(e.isascii() for e in elements):
            non_ascii.append(gs)  # type: ignore[arg-type]
    return ic.groups[-1]


# -- claims: the same rules as for encounters -------------------------------------------


def _judge(
    claim: FileClaim, tx: TransactionVerdict, name: str, context: CheckContext
) -> ClaimVerdict:
    verdict = ClaimVerdict(
        claim.clm01, f"{name}#{claim.clm_position}", tx.isa13, tx.gs06, tx.st02,
        claim.clm_position,
    )  # fmt: skip
    # The claim's record is the walker's own (made for this claim): what is added to it
    # here goes into a copy of its top and of the subscriber, and the rest is copied only
    # when stand-ins must replace values deeper down (see below).
    record = dict(claim.record)
    stood_in: set[str] = set()
    if "subscriber" in record and (
        "patient" in record or record.get("subscriber_relationship") != "18"
    ):  # 2010BA DMG is required only when the subscriber is the patient; with no 2010BA
        # read at all, the model's finding that the subscriber is missing says it
        subscriber = record["subscriber"] = dict(record["subscriber"])
        for key, value in (("birth_date", "1900-01-01"), ("sex", "U")):
            if key not in subscriber:
                subscriber[key] = value
                stood_in.add(f"subscriber.{key}")
    for key, model in _SHARED_PARTS:
        if type(part := record.get(key)) is dict:
            record[key] = _shared_part(model, part)
    seen = tx.claim_segments.pop(claim.clm_position, None)
    if seen is None:
        record["file_segments"], record["icd9_codes"] = frozenset(), ()
    else:
        record["file_segments"] = tx.segment_ids.between(seen.start, seen.end)
        record["icd9_codes"] = tuple(seen.icd9_codes)
    # One stand-in per ICD-9 code, so diagnosis pointers count every diagnosis; the
    # ICD-9 rules of level 5 judge the codes themselves.
    if icd9 := record.get("icd9_diagnoses", 0):
        first = len(record["diagnoses"])
        record["diagnoses"] = [*record["diagnoses"], *["R69"] * icd9]
        stood_in.update(f"diagnoses[{i}]" for i in range(first, first + icd9))
    findings: list[Finding] = []
    for attempt in range(4):
        try:
            encounter = ClaimInFile.model_validate(record)
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_input=False, include_context=True)
            findings += [
                f
                for f in findings_from_error(exc, claim.clm01, None)
                if not _covered(f.field, stood_in)
            ]
            if attempt == 0:  # stand-ins replace values anywhere: the claim's stay as read
                record = copy.deepcopy(record)
            if not _stand_in(record, errors, stood_in):
                break
            continue
        found = check_all(encounter, context)
        findings += [f for f in found if not _covered(f.field, stood_in)] if stood_in else found
        break
    verdict.findings = [
        stamped(f, claim.clm01, f"{name}#{claim.position_of(f.field)}") for f in findings
    ]
    return verdict


_SHARED_PARTS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("billing_provider", BillingProvider),
    ("pay_to_address", Address),
    ("rendering_provider", Provider),
    ("referring_provider", Provider),
    ("service_facility", Facility),
    ("payer", Payer),
    ("supervising_provider", PersonProvider),
)
"""The parts of a claim that a file repeats from claim to claim (its providers, its
payers), each validated once: a model is immutable, so claims with the same part can
share it, and the claim's own validation takes a model as it is."""
_PARTS: dict[tuple, Any] = {}
_PARTS_MAX = 4096
_RECENT: dict[type[BaseModel], list[tuple[dict, Any]]] = {}
"""Per model, copies of the last valid parts of text seen and their models, newest first."""
_RECENT_MAX = 8


def _shared_part(model: type[BaseModel], part: dict) -> Any:
    """The model of a valid ``part``, made once for all claims with the same one; the part
    itself when it is not valid, so the claim's validation reports its errors in place.

    A part equal to a recent one (``==``, in C: a tenth of what its key costs) takes that
    one's model; the typed key of :func:`_frozen` finds the others.  Equality suffices
    there because those parts hold text only, and equal text validates alike."""
    recent = _RECENT.setdefault(model, [])
    for seen, known in recent:
        if part == seen:
            return known
    key = (model, _frozen(part))
    if (known := _PARTS.get(key)) is None:
        try:
            known = model.model_validate(part)
        except ValidationError:
            return part
        if len(_PARTS) >= _PARTS_MAX:
            _PARTS.clear()
        _PARTS[key] = known
    if (text := _text_copy(part)) is not None:
        recent.insert(0, (text, known))
        del recent[_RECENT_MAX:]
    return known


def _text_copy(value: Any) -> Any:
    """A copy of a part of text (strings, in dicts and lists), not to change when the reader
    fills its own; ``None`` when anything but text is in it."""
    kind = type(value)
    if kind is dict:
        copied = {k: v if type(v) is str else _text_copy(v) for k, v in value.items()}
        return None if any(v is None for v in copied.values()) else copied
    if kind is list:
        items = [v if type(v) is str else _text_copy(v) for v in value]
        return None if any(v is None for v in items) else items
    return None


def _frozen(part: dict) -> tuple:
    """A record part as a key: its dicts and lists as tuples, any value but text with its
    type (``1`` and ``True`` are equal keys, not equal inputs)."""
    return tuple(  # text, most of a part, is its own key: no call for it
        [(k, v if type(v) is str else _frozen_value(v)) for k, v in part.items()]
    )


def _frozen_value(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return value
    if kind is dict:
        return _frozen(value)
    if kind is list:
        return (list, *[_frozen_value(item) for item in value])
    return kind, value


def _covered(path: str | None, stood_in: set[str]) -> bool:
    if not path:
        return False
    return any(
        path == s or path.startswith((s + ".", s + "[")) or s.startswith((path + ".", path + "["))
        for s in stood_in
    )


def _stand_in(record: dict, errors: list[dict], stood_in: set[str]) -> bool:
    """Replace each failing value by a stand-in (or drop it); False when stuck."""
    changed = False
    for err in errors:
        loc = [p for p in err["loc"] if isinstance(p, int) or not p.startswith("function-")]
        if not loc:
            return False
        path = field_path(loc)
        if err["type"] == "too_long" and isinstance(loc[-1], str):
            limit = (err.get("ctx") or {}).get("max_length", 1)
            changed |= _set(record, loc, _node(record, loc)[loc[-1]][:limit])
        elif err["type"] == "date_range":
            changed |= _drop(record, [*loc, "service_date_end"])
        elif err["type"] == "ndc_incomplete":
            changed |= _drop(record, [*loc, "ndc"])
        elif isinstance(loc[-1], int) and loc[-2] == "diagnoses":
            changed |= _set(record, loc, "R69")
        elif isinstance(loc[-1], int) and loc[-2] in ("modifiers", "diagnosis_pointers"):
            changed |= _drop(record, loc[:-1])
            path = field_path(loc[:-1])
        elif isinstance(loc[-1], str) and _PLACEHOLDERS.get(loc[-1]) is not None:
            changed |= _set(record, loc, _PLACEHOLDERS[loc[-1]])
        elif isinstance(loc[-1], str) and loc[-1] not in _PLACEHOLDERS:
            changed |= _drop(record, loc)
        else:
            return False
        stood_in.add(path)
    return changed


def _node(record: Any, loc: list) -> Any:
    for part in loc[:-1]:
        record = record[part]
    return record


def _set(record: dict, loc: list, value: Any) -> bool:
    try:
        _node(record, loc)[loc[-1]] = copy.deepcopy(value)
    except (KeyError, IndexError, TypeError):
        return False
    return True


def _drop(record: dict, loc: list) -> bool:
    try:
        del _node(record, loc)[loc[-1]]
    except (KeyError, IndexError, TypeError):
        return False
    return True


# -- non-ASCII, pyx12, and who is at fault ------------------------------------------------


def _place_non_ascii(report: FileReport, seg: Segment, name: str) -> None:
    index = next((i for i, e in enumerate(seg.elements) if not e.isascii()), 0)
    label = f"{seg.id}{index:02d}" if index else seg.id
    finding = fire(
        NON_ASCII, source=f"{name}#{seg.position}", location=(None, seg.id, label), element=label
    )
    for t in report.transactions:
        if seg.position in t.segment_ids:
            t.findings.append(finding)
            t.ack_items.append(
                AckItem(seg.id, seg.position - t.position + 1, None, "8", index or None,
                        element_code="6", clm01=t.claim_at(seg.position))
            )  # fmt: skip
            return
    report.findings.append(finding)
    for ic in report.interchanges:
        ic.ta1_code = ic.ta1_code or "024"


def _versions(report: FileReport) -> list[tuple[InterchangeInfo, GroupInfo, str]]:
    """Groups pyx12 has no map for: (interchange, group, version)."""
    import pyx12.map_index

    index = pyx12.map_index.map_index()
    out = []
    for ic in report.interchanges:
        icvn = ic.isa[12] if len(ic.isa) > 12 else ""
        for g in ic.groups:
            fic, version = (g.gs[1], g.gs[8]) if len(g.gs) > 8 else ("", "")
            if icvn not in ("00401", "00501") or not index.get_filename(icvn, version, fic):
                out.append((ic, g, version))
    return out


def _pyx12(
    report: FileReport,
    text: str,
    name: str,
    cut: int,
    validator: GuideValidator,
    follower: Follower | None,
) -> None:
    """The guide validator's findings on ``text`` from character ``cut`` (the first ISA) on,
    ``follower``'s when it has read that same text with the claim reader."""
    if not report.interchanges:
        return
    unsupported = _versions(report)
    for ic, group, version in unsupported:
        icvn = ic.isa[12] if len(ic.isa) > 12 else ""
        if icvn not in ("00401", "00501"):
            ic.ta1_code = ic.ta1_code or "017"
            report.findings.append(
                fire(VERSION, source=f"{name}#1", what="interchange version (ISA12)", version=icvn)
            )
            continue
        group.ack_codes.append("2")
        if not any(t.ack_codes for t in group.transactions):
            report.findings.append(fire(VERSION, source=name, what="GS08", version=version or "-"))
        for t in group.transactions:
            t.ack_codes.append("1")
    if unsupported:
        return
    body = text[cut:] if text.isascii() else re.sub(r"[^\x00-\x7f]", "X", text[cut:])
    ascii_text = _fixed_width_isas(body, report, name, cut)
    try:
        if follower is not None and ascii_text is body:  # no ISA padded: the text read
            errors = follower.report().errors
        else:
            errors = validator(ascii_text).errors
    except Pyx12Unavailable as exc:
        report.findings.append(fire(VALIDATOR, source=name, reason=str(exc)))
        for ic in report.interchanges:
            ic.ta1_code = ic.ta1_code or "022"
        return
    report.pyx12_ran = True
    for err in errors:
        _place(report, err, name)


def _fixed_width_isas(text: str, report: FileReport, name: str, cut: int) -> str:
    """Report ISA fields off their fixed width, and pad them so pyx12 reads on (``text``
    starts at character ``cut`` of the file)."""
    for ic in reversed(report.interchanges):
        fields = ic.isa[1:17]
        wrong = [
            (n, w, len(v)) for n, (w, v) in enumerate(zip(ISA_WIDTHS, fields, strict=False), 1)
            if len(v) != w
        ]  # fmt: skip
        for number, width, found in wrong:
            report.findings.append(
                fire(ISA_WIDTH, source=f"{name}#1", location=(None, "ISA", f"ISA{number:02d}"),
                     number=f"{number:02d}", width=width, found=found)
            )  # fmt: skip
            ic.ta1_code = ic.ta1_code or ISA_TA1_CODES[number - 1]
        if wrong and len(fields) == 16:
            original = ic.separator.join(ic.isa)
            padded = [v.ljust(w)[:w] for w, v in zip(ISA_WIDTHS, fields, strict=True)]
            fixed = ic.separator.join(["ISA", *padded])
            at = ic.offset - cut
            if text[at : at + len(original)] == original:
                text = text[:at] + fixed + text[at + len(original) :]
    return text


def _place(report: FileReport, err: X12Error, name: str) -> None:
    finding = finding_of(err, name)
    if err.level == "interchange":
        report.findings.append(finding)
        for ic in report.interchanges:
            if ic.isa13 == err.isa13:
                ic.ta1_code = ic.ta1_code or err.code
        return
    if err.level == "group":
        report.findings.append(finding)
        for ic in report.interchanges:
            for g in ic.groups:
                if len(g.gs) > 6 and g.gs[6] == err.gs06:
                    g.ack_codes.append(err.code)
        return
    tx = next((t for t in report.transactions if t.st02 == err.st02 and t.gs06 == err.gs06), None)
    if tx is None:
        report.findings.append(finding)
        return
    if err.level == "transaction":
        tx.findings.append(finding)
        tx.ack_codes.append(err.code)
        return
    clm01 = tx.claim_at(err.position or 0)
    claim = next((c for c in tx.claims if c.clm01 == clm01), None)
    (claim.findings if claim else tx.findings).append(replace(finding, encounter_id=clm01))
    tx.ack_items.append(ack_item(err, clm01))


_ELEMENT = re.compile(r"([A-Z0-9]{2,3}?)(\d{2})(?:-(\d+))?$")


def _settle(report: FileReport) -> None:
    """Drop our level-1/2 findings that repeat pyx12's on the same segment, put the rest
    into the 999 with the claim's CLM01, and give each claim its transaction's fate.

    Levels 3-7 stay out of the 999: a front end acknowledges syntax and guide errors
    there and rejects claims for the rest in the 277CA.
    """
    if not report.pyx12_ran:
        report.findings += report.envelope
    for tx in report.transactions:
        if not report.pyx12_ran:
            tx.findings += tx.envelope
            if tx.envelope:
                tx.ack_codes.append("4")
        flagged = {i.st_position + tx.position - 1 for i in tx.ack_items}
        for claim in tx.claims:
            if report.pyx12_ran:
                claim.findings = [f for f in claim.findings if not _duplicate(f, flagged)]
            tx.ack_items += [
                _item(f, claim, tx) for f in claim.findings if f.rejects and f.level <= 2
            ]
        for claim in tx.claims:
            claim.transaction_rejected = tx.rejected


def _duplicate(f: Finding, flagged: set[int]) -> bool:
    """Our model's level-1/2 finding on a segment pyx12 already flagged."""
    return f.level <= 2 and ".X12." not in f.rule_id and _position(f) in flagged


def _position(f: Finding) -> int:
    return int(f.source.rsplit("#", 1)[1]) if f.source and "#" in f.source else -1


def _item(f: Finding, claim: ClaimVerdict, tx: TransactionVerdict) -> AckItem:
    position = _position(f)
    segment_id = tx.segment_ids.get(position, "CLM")
    m = _ELEMENT.match(f.element or "")
    same_segment = bool(m) and f.segment == segment_id
    code = "I12" if f.level == 2 else "7"
    return AckItem(
        segment_id if same_segment or not f.segment else f.segment,
        position - tx.position + 1,
        f.loop,
        "8" if same_segment else "I6",
        int(m.group(2)) if same_segment and m else None,
        int(m.group(3)) if same_segment and m and m.group(3) else None,
        None,
        code if same_segment else None,
        claim.clm01,
    )
