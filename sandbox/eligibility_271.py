"""The sandbox payers answering a 270 eligibility inquiry with a 271 (005010X279A1).

Each member is looked up in the sandbox's roster (:mod:`sandbox.roster`, the one its 835s
adjudicate by), so one seed always gives the same answers, a member keeps their status from
night to night, and the claim later gets what the 271 said: a few are unknown (AAA 75),
some terminated before the date of service (EB*6 with the plan end date), some have another
plan that pays first (EB*R, 2120 NM1*PRP), some a Medicaid plan that pays after (EB*R,
NM1*SEP with the member's Medicaid ID), some dependents are subscribers of their own to the
payer (answered at 2000C under their own ID), and the rest are active with the payer's own
cost sharing from ``mappings/sandbox/payer_rules.yaml`` (copay, coinsurance, and the
deductible left after what the sandbox's 835s already took).  A request the payer cannot
read is rejected with AAA: no member ID (72), no subscriber name (73), no birth date (58),
no date of service (62).  The answer echoes TRN02, the inquiry's trace.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from itertools import groupby

from edi.x12.reader import Segment, iter_transactions
from edi.x12.reply import Route, close_reply, open_reply, open_reply_group
from edi.x12.writer import X12Writer
from mappings.sandbox import SandboxRules
from sandbox.replies import Reply, answer_to
from sandbox.roster import MEDICAID, Roster, Status
from sandbox.state import SandboxState

VERSION = "005010X279A1"


def is_270(data: bytes) -> bool:
    """Whether an upload is a 270 inquiry (GS08 005010X279A1, ST 270)."""
    head = data[:2000]
    return VERSION.encode() in head and b"270" in head


@dataclass
class _Member:
    payer: tuple[str, str] = ("", "")
    provider: tuple[str, str] = ("", "")
    subscriber: tuple[str, str, str] = ("", "", "")
    dependent: tuple[str, str] | None = None
    trace: str = ""
    birth: tuple[str, str] = ("", "")
    service_date: str = ""
    service_types: list[str] = field(default_factory=list)


def answer_270(
    data: bytes, name: str, state: SandboxState, route: Route, rules: SandboxRules, roster: Roster
) -> list[Reply]:
    """The 271 answering every member of the 270 ``data`` from ``roster``."""
    asked = _read(data, name)
    if not asked:
        return []
    text = _build(asked, state, route, rules, roster)
    return [answer_to(name, "271", text)]


def _read(data: bytes, name: str) -> list[_Member]:
    members: list[_Member] = []
    for tx in iter_transactions(data, name):
        if tx.st is None or tx.code != "270":
            continue
        current = _Member()
        for seg in tx:
            current = _take(seg, members, current)
    return [m for m in members if m.trace]


def _take(seg: Segment, members: list[_Member], current: _Member) -> _Member:
    """One 270 segment; a subscriber or dependent level (HL 22/23) starts a new member, a
    payer or provider level (HL 20/21) a new context (its NM1 must not rename the member
    before it)."""
    sid = seg.id
    if sid == "HL" and seg.get(3) in ("20", "21"):
        return _Member(current.payer, current.provider)
    if sid == "HL" and seg.get(3) in ("22", "23"):
        dependent = seg.get(3) == "23"
        member = _Member(current.payer, current.provider, current.subscriber if dependent else
                         ("", "", ""))  # fmt: skip
        if dependent and members and members[-1] is current and not current.trace:
            members.pop()  # the subscriber level of a dependent's inquiry asks nothing itself
        members.append(member)
        return member
    if sid == "NM1":
        who = seg.get(1)
        if who == "PR":
            current.payer = (seg.get(3), seg.get(9))
        elif who == "1P":
            current.provider = (seg.get(3), seg.get(9))
        elif who == "IL":
            current.subscriber = (seg.get(3), seg.get(4), seg.get(9))
        elif who == "03":
            current.dependent = (seg.get(3), seg.get(4))
    elif sid == "TRN":
        current.trace = seg.get(2)
    elif sid == "DMG":
        current.birth = (seg.get(2), seg.get(3))
    elif sid == "DTP" and seg.get(1) == "291":
        current.service_date = seg.get(3)
    elif sid == "EQ":
        current.service_types.append(seg.get(1))
    return current


def _build(
    asked: list[_Member], state: SandboxState, route: Route, rules: SandboxRules, roster: Roster
) -> bytes:
    w = X12Writer()
    open_reply(w, route, state)
    open_reply_group(w, route, state, "HB", VERSION)
    w.open_transaction("271", 1, VERSION)
    created = route.created
    w.segment("BHT", "0022", "11", f"E{created:%Y%m%d%H%M%S}", f"{created:%Y%m%d}",
              f"{created:%H%M}")  # fmt: skip
    hl = 0
    ordered = sorted(asked, key=lambda m: (m.payer, m.provider))
    for payer, by_payer in groupby(ordered, key=lambda m: m.payer):
        hl += 1
        payer_hl = hl
        w.segment("HL", str(hl), "", "20", "1")
        w.segment("NM1", "PR", "2", payer[0], "", "", "", "", "PI", payer[1])
        for provider, members in groupby(by_payer, key=lambda m: m.provider):
            hl += 1
            provider_hl = hl
            w.segment("HL", str(hl), str(payer_hl), "21", "1")
            w.segment("NM1", "1P", "2", provider[0], "", "", "", "", "XX", provider[1])
            for member in members:
                hl = _member(w, member, hl, provider_hl, state, rules, roster)
    w.close_transaction()
    return close_reply(w).encode("ascii")


def _member(
    w: X12Writer,
    m: _Member,
    hl: int,
    parent: int,
    state: SandboxState,
    rules: SandboxRules,
    roster: Roster,
) -> int:
    member_id, dependent = roster.known_as(m.payer[1], m.subscriber[2], m.dependent)
    if dependent is None and m.dependent:
        # the payer covers this dependent as a subscriber of their own, under their own ID
        m = replace(m, subscriber=(*m.dependent, member_id), dependent=None)
    last, first, member_id = m.subscriber
    hl += 1
    w.segment("HL", str(hl), str(parent), "22", "1" if m.dependent else "0")
    if m.dependent:
        w.segment("NM1", "IL", "1", last, first, "", "", "", "MI", member_id)
        hl += 1
        w.segment("HL", str(hl), str(hl - 1), "23", "0")
    w.segment("TRN", "2", m.trace, "9" + m.provider[1][:9])
    if m.dependent:
        w.segment("NM1", "03", "1", *m.dependent)
    else:
        w.segment("NM1", "IL", "1", last, first, "", "", "", "MI", member_id)
    service = _service_date(m)
    malformed = _malformed(m, service)
    if malformed is not None or service is None:
        w.segment("AAA", "N", "", malformed, "C")
        return hl
    standing = roster.standing(m.payer[1], member_id, service)
    if standing.status is Status.UNKNOWN:
        w.segment("AAA", "N", "", "75", "C")
        return hl
    w.segment("DMG", "D8", *m.birth)
    level = "FAM" if m.dependent else "IND"
    types = m.service_types or ["30"]
    if standing.status is Status.TERMINATED and standing.plan_end:
        ended = standing.plan_end
        w.segment("DTP", "346", "D8", f"{ended.replace(month=1, day=1):%Y%m%d}")
        w.segment("DTP", "347", "D8", f"{ended:%Y%m%d}")
        w.segment("EB", "6", level, types[0])
        w.segment("MSG", "COVERAGE TERMINATED")
        return hl
    w.segment("DTP", "346", "D8", f"{service.year}0101")
    if standing.plan_end:  # a plan that ends after this date of service
        w.segment("DTP", "347", "D8", f"{standing.plan_end:%Y%m%d}")
    w.segment("EB", "1", level, types[0], "", "SANDBOX PLAN")
    _cost_sharing(w, rules, state, m, level, service)
    if standing.other_payer:
        role = "PRP" if standing.status is Status.OTHER_PRIMARY else "SEP"
        _other_payer(w, role, standing.other_payer, standing.other_member_id)
    return hl


def _service_date(m: _Member) -> date | None:
    """DTP*291, or None when it is not a CCYYMMDD date."""
    text = m.service_date
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8])) if len(text) == 8 else None
    except ValueError:
        return None


def _malformed(m: _Member, service: date | None) -> str | None:
    """The AAA03 reason a request the payer cannot look up gets, if any."""
    last, _, member_id = m.subscriber
    if not member_id:
        return "72"
    if not last:
        return "73"
    if not m.birth[0]:
        return "58"
    return "62" if service is None else None


def _cost_sharing(
    w: X12Writer, rules: SandboxRules, state: SandboxState, m: _Member, level: str, day: date
) -> None:
    """Copay, coinsurance and the deductible left, as the payer's 835s would take them."""
    payer = rules.for_payer(m.payer[1])
    if payer.copay:
        w.segment("EB", "B", level, "98", "", "", "27", f"{payer.copay:.2f}")
    if payer.coinsurance_percent:
        w.segment("EB", "A", level, "30", "", "", "27", "", f"{payer.coinsurance_percent / 100:g}")
    if payer.deductible:
        used = state.deductible_used(f"{m.payer[1]}|{m.subscriber[2]}|{day.year}")
        left = max(payer.deductible - used, Decimal(0))
        w.segment("EB", "C", level, "30", "", "", "29", f"{left:.2f}")


def _other_payer(w: X12Writer, role: str, payer: tuple[str, str], member_id: str) -> None:
    """EB*R and the 2120C loop naming the plan that pays first (PRP) or after (SEP)."""
    w.segment("EB", "R", "", "30")
    if member_id:
        w.segment("REF", "NQ" if payer == MEDICAID else "IG", member_id)
    w.segment("LS", "2120")
    w.segment("NM1", role, "2", payer[0], "", "", "", "", "PI", payer[1])
    w.segment("LE", "2120")
