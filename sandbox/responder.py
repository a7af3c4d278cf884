"""The sandbox clearinghouse's brain: one uploaded 837 in, the files a real one returns out.

No SSH and no files here (the server does the I/O): bytes in, :class:`Reply` list out,
with the clock, the seed, the payer rules and the remembered state injected, so the same
batch with the same seed gets the same decisions.  For each upload, in order:

1. envelope: not X12, addressed to someone else, a repeated ISA13, or ISA/IEA errors
   pyx12 reports → one **TA1** rejecting the interchange, and nothing else;
2. **999** from pyx12's validation against the 837P guide (rejects per transaction set);
3. **277CA** for the accepted transaction sets: each claim accepted with a payer claim
   number (REF*1K) or rejected by the payer front end (:mod:`sandbox.front_end`);
4. **835** per payer for the accepted claims (:mod:`sandbox.adjudication`; whether the
   payer covers the patient at all is its roster, the one its 271s answer from), led by
   reversals and corrections of claims paid in an earlier cycle.  A replacement claim
   (frequency 7, REF*F8 = a payer claim number the sandbox paid) reverses the original
   and is paid as new; a void (8) only reverses it; a void of a claim the sandbox never
   paid is rejected by the front end (``A7:21``).

Everything is answered at once, deterministically; :meth:`Responder.advance` runs a
payment cycle with nothing new, to flush reversals due "later".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from edi.claims.read_837 import Interchange837, read_837
from edi.x12.acks import ClaimAt, GroupAck, Ta1, TransactionAck, acknowledge, pyx12_groups
from edi.x12.pyx12_validator import Pyx12Report, Pyx12Unavailable, validate_x12
from edi.x12.reader import X12ParseError
from edi.x12.reply import Route
from edi.x12.writer import Party
from mappings.profiles import PayerProfile, clearinghouse_profile, payer_profiles
from mappings.sandbox import SandboxRules, sandbox_rules
from sandbox import adjudication, institutional
from sandbox.ack_277ca import build_277ca
from sandbox.claim_facts import Claim837, claim_facts
from sandbox.eligibility_271 import answer_270, is_270
from sandbox.front_end import ACCEPTED, UNKNOWN_ORIGINAL, Screening, cob_rejection, rejection
from sandbox.remit_835 import build_835
from sandbox.remittance import RemitClaim, reversal_of
from sandbox.replies import Reply, party
from sandbox.roster import Roster
from sandbox.seeded import chance
from sandbox.state import SandboxState
from sandbox.status_276 import DENIED, PAID, PENDING, answer_276, is_276

DEFAULT_TIMELY_FILING_DAYS = 365
SUPPORTED_GUIDES = frozenset({"005010X222A1", "005010X223A2"})
"""GS08 values the sandbox answers beyond a 999 (837P only, for now)."""
_IEA_NOTES = {"IEA_CONTROL": "001", "IEA_COUNT": "021", "IEA_MISSING": "023"}


def _sandbox_parties() -> tuple[Party, Party]:
    """The bundled sandbox profile's receiver (the sandbox) and sender (the clinic)."""
    profile = clearinghouse_profile("sandbox")
    return profile.receiver.party(), profile.sender.party()


def _stem(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0] if "." in base else base


def _claim_locator(interchange: Interchange837) -> ClaimAt:
    """CLM01 of the claim whose segments include an ST-relative position, for CTX."""

    def claim_at(st02: str, position: int) -> str | None:
        for tx in interchange.transactions:
            if tx.st02 == st02:
                for claim in tx.claims:
                    if claim.position <= position <= claim.end_position:
                        return claim.clm01
        return None

    return claim_at


def _unsupported(interchange: Interchange837) -> GroupAck:
    """A group whose guide (GS08) the sandbox does not know: AK905 2, each set IK502 1."""
    env = interchange.envelope
    transactions = [
        TransactionAck("837", tx.st02, tx.st03, ["1"]) for tx in interchange.transactions
    ]
    return GroupAck("HC", env.gs06, env.gs08, ack_codes=["2"], transactions=transactions)


@dataclass
class Responder:
    """Answer uploads like a clearinghouse in test mode; see the module docstring."""

    state: SandboxState = field(default_factory=SandboxState)
    seed: int = 0
    rules: SandboxRules = field(default_factory=sandbox_rules)
    payers: Mapping[str, PayerProfile] = field(default_factory=payer_profiles)
    clock: Callable[[], datetime] = datetime.now
    identity: Party = field(default_factory=lambda: _sandbox_parties()[0])
    """The sandbox's own ISA/GS identity: uploads must be addressed to it."""
    partner: Party = field(default_factory=lambda: _sandbox_parties()[1])
    """Whom to answer when a file is too broken to say who sent it."""

    # -- one upload ------------------------------------------------------------------
    def respond(self, data: bytes, name: str) -> list[Reply]:
        now = self.clock()
        stem = _stem(name)
        if is_276(data):  # a claim status inquiry: answered from what the sandbox did
            return answer_276(data, name, self.state, Route(self.identity, self.partner, "T", now))
        if is_270(data):  # an eligibility inquiry: answered from the payers' rosters
            route = Route(self.identity, self.partner, "T", now)
            return answer_270(data, name, self.state, route, self.rules, self._roster())
        try:
            interchange = read_837(data, name)
        except X12ParseError:
            route = Route(self.identity, self.partner, "T", now)
            return [self._ta1(route, Ta1("000000000", f"{now:%y%m%d}", f"{now:%H%M}", "024"), stem)]
        env = interchange.envelope
        route = Route(
            self.identity,
            party(env.sender_qualifier, env.sender_id, env.gs02 or None),
            env.usage if env.usage in ("T", "P") else "T",
            now,
        )
        try:
            result: Pyx12Report | None = validate_x12(data)
        except Pyx12Unavailable:
            result = None
        note = self._envelope_problem(interchange, result)
        if note is not None:
            return [self._ta1(route, Ta1(env.isa13, env.isa09, env.isa10, note), stem)]
        self.state.first_time(env.sender_id, env.isa13)
        if result is None or env.gs08 not in SUPPORTED_GUIDES:
            groups = [_unsupported(interchange)]
        else:
            groups = pyx12_groups(result, _claim_locator(interchange))
        ack = acknowledge(route, self.state, groups)
        replies = [Reply(f"{stem}.999", ack.text.encode("ascii"), "999")]
        answered = [
            (tx, [self._screen(claim, now.date()) for claim in claims])
            for tx in interchange.transactions
            if tx.st02 in ack.accepted
            and (
                claims := [
                    c
                    for c in map(claim_facts, tx.claims)
                    if not self.rules.for_payer(c.payer_id).silent
                ]
            )
        ]
        self._remember_pending(interchange, ack.accepted, answered)
        if not answered:
            return replies
        ca = build_277ca(route, self.state, env, answered, now.date())
        replies.append(Reply(f"{stem}.277", ca, "277CA"))
        accepted = [s for _, screenings in answered for s in screenings if s.accepted]
        replies += self._payment_cycle(route, accepted, now.date())
        return replies

    def _remember_pending(self, interchange: Interchange837, accepted, answered) -> None:
        """Claims a 276 would find pending: a silent payer's (received, never answered)."""
        shown = {s.claim.clm01 for _, screenings in answered for s in screenings}
        for tx in interchange.transactions:
            if tx.st02 not in accepted:
                continue
            for claim in map(claim_facts, tx.claims):
                if claim.clm01 not in shown:
                    self.state.claim_status.setdefault(claim.clm01.upper(), [*PENDING, "", ""])

    def advance(self) -> list[Reply]:
        """A payment cycle with no new claims: pays out reprocessing that is due."""
        route = Route(self.identity, self.partner, "T", self.clock())
        return self._payment_cycle(route, [], route.created.date())

    # -- steps -----------------------------------------------------------------------
    def _ta1(self, route: Route, ta1: Ta1, stem: str) -> Reply:
        """A reply holding only the TA1 that rejects the upload."""
        text = acknowledge(route, self.state, [], ta1).text
        return Reply(f"{stem}.ta1", text.encode("ascii"), "TA1")

    def _envelope_problem(
        self, interchange: Interchange837, result: Pyx12Report | None
    ) -> str | None:
        """The TA105 note code that rejects the interchange, or None if it is acceptable."""
        env = interchange.envelope
        if env.receiver_id != self.identity.id:
            return "008"
        if f"{env.sender_id}|{env.isa13}" in self.state.interchanges:
            return "025"
        for finding in interchange.findings:
            if finding.code in _IEA_NOTES:
                return _IEA_NOTES[finding.code]
        errors = result.errors if result is not None else ()
        codes = sorted(error.code for error in errors if error.level == "interchange")
        if codes:
            return codes[0]
        if interchange.group_count == 0:
            return "024"
        if result is None and not interchange.transactions:
            return "024"
        return None

    def _screen(self, claim: Claim837, received: date) -> Screening:
        if claim.frequency == "8" and claim.original_reference not in self.state.paid_claims:
            return Screening(claim, UNKNOWN_ORIGINAL)
        status = rejection(claim, self.payers.get(claim.payer_id))
        if status is None and self.rules.for_payer(claim.payer_id).secondary_only:
            status = cob_rejection(claim)  # COB: only balanced claims after another payer
        if status is not None:
            return Screening(claim, status)
        number = self.state.allocate("payer-claim-number")[0]
        return Screening(claim, ACCEPTED, f"{received:%y%j}{number:08d}")

    def _timely_days(self, payer_id: str) -> int:
        rules = self.rules.for_payer(payer_id)
        if rules.timely_filing_days is not None:
            return rules.timely_filing_days
        profile = self.payers.get(payer_id)
        return profile.timely_filing_days if profile else DEFAULT_TIMELY_FILING_DAYS

    def _roster(self) -> Roster:
        """The members the payers know: the same roster the 271s answer from."""
        return Roster(self.seed, self.state.plan_ends)

    def _adjudicate(self, screening: Screening, received: date) -> RemitClaim:
        claim = screening.claim
        rules = self.rules.for_payer(claim.payer_id)
        if rules.secondary_only:  # COB: pays what the earlier payer left to the patient
            return adjudication.adjudicate_after(
                claim, screening.payer_claim_number or "", rules, received, self._roster()
            )
        remit = adjudication.adjudicate(
            claim,
            screening.payer_claim_number or "",
            rules,
            self.rules,
            self._timely_days(claim.payer_id),
            received,
            self.state,
            self._roster(),
        )
        remit = institutional.per_visit(remit, rules.coinsurance_percent)
        if claim.institutional:
            remit = institutional.claim_remarks(remit, claim.covered_days)
        if remit.paid > 0 and (
            chance(self.seed, "reprocess", claim.payer_id, claim.clm01) < rules.reprocess_percent
        ):
            number = self.state.allocate("payer-claim-number")[0]
            correction = adjudication.corrected(remit, rules, f"{received:%y%j}{number:08d}")
            self.state.pending[claim.payer_id].append((remit, correction))
        return remit

    def _cross_over(self, claim: Claim837, remit: RemitClaim, paid_on: date) -> RemitClaim:
        """COB: a payer that forwards claims to the secondary the claim names (Medicare to
        a Medigap plan) answers CLP02 19 with NM1*TT; the secondary's own 835 follows in
        the next payment cycle."""
        target = self.rules.for_payer(claim.payer_id).crossover_to
        if not target or remit.status != "1" or ("S", target) not in claim.other_payers:
            return remit
        to = self.rules.for_payer(target)
        forwarded = replace(remit, status="19", crossover=(to.name, to.payer_id))
        number = self.state.allocate("payer-claim-number")[0]
        answer = adjudication.crossed_over(forwarded, to, f"{paid_on:%y%j}{number:08d}")
        self.state.crossovers.append(answer)
        return forwarded

    def _forget_reprocessing(self, claim: RemitClaim) -> None:
        """A claim the provider replaced or voided is no longer the payer's to reprocess."""
        items = self.state.pending.get(claim.payer_id, [])
        self.state.pending[claim.payer_id] = [
            (original, correction)
            for original, correction in items
            if original.payer_claim_number != claim.payer_claim_number
        ]

    def _payment_cycle(
        self, route: Route, accepted: Sequence[Screening], paid_on: date
    ) -> list[Reply]:
        paid = self.state.paid_claims
        by_payer: dict[str, list[RemitClaim]] = defaultdict(list)
        for forwarded in self.state.crossovers:  # COB: crossover payers answer a cycle later
            by_payer[forwarded.payer_id].append(forwarded)
        self.state.crossovers = []
        for payer_id, items in list(self.state.pending.items()):
            for original, correction in items:
                by_payer[payer_id] += [reversal_of(original), correction]
                paid.pop(original.payer_claim_number, None)
                paid[correction.payer_claim_number] = correction
            self.state.pending[payer_id] = []
        for screening in accepted:
            claim = screening.claim
            replaced = None
            if claim.frequency in ("7", "8") and claim.original_reference in paid:
                replaced = paid.pop(claim.original_reference)
                self._forget_reprocessing(replaced)
                by_payer[claim.payer_id].append(reversal_of(replaced))
            if claim.frequency == "8":
                continue  # a void only takes the original back
            remit = self._cross_over(claim, self._adjudicate(screening, paid_on), paid_on)
            if replaced is not None:
                remit = replace(remit, original_claim_number=replaced.payer_claim_number)
            if remit.paid > 0:
                paid[remit.payer_claim_number] = remit
            self.state.claim_status[claim.clm01.upper()] = [
                *(PAID if remit.paid > 0 else DENIED),
                remit.payer_claim_number,
                f"{remit.paid:.2f}",
            ]
            by_payer[claim.payer_id].append(remit)
        replies = []
        for payer_id, claims in by_payer.items():
            rules = self.rules.for_payer(payer_id)
            by_payee: dict[str, list[RemitClaim]] = defaultdict(list)
            for claim in claims:
                by_payee[claim.billing_npi].append(claim)
            payments = []
            for npi, payee_claims in by_payee.items():
                number = self.state.allocate("trace")[0]
                trace = f"{paid_on:%Y%m%d}{number:06d}"
                payments.append(
                    adjudication.payment(npi, tuple(payee_claims), rules, self.seed, trace)
                )
            data = build_835(route, self.state, rules, payments, paid_on)
            replies.append(Reply(f"{payer_id}-{payments[0].trace}.835", data, "835"))
        return replies
