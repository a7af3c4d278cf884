"""What the sandbox clearinghouse and its payers remember between files.

Control numbers and payer claim numbers must never repeat, a service paid once is a
duplicate the second time, a member's deductible is met once a year, an interchange
number seen twice is a duplicate file, a terminated member's plan ends when the payer first
said it did, a claim marked for reprocessing is reversed in a
later payment cycle, and a paid claim can be replaced or voided by the provider.  All of
it is plain data saved as JSON under the sandbox root, so a restarted sandbox keeps
answering consistently; a fresh root starts from scratch, which is what makes a run
reproducible from its seed.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sandbox.remittance import RemitClaim, from_json, to_json


@dataclass
class SandboxState:
    counters: dict[str, int] = field(default_factory=dict)
    paid_services: set[str] = field(default_factory=set)
    deductibles: dict[str, Decimal] = field(default_factory=dict)
    interchanges: set[str] = field(default_factory=set)
    pending: dict[str, list[tuple[RemitClaim, RemitClaim]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    """Per payer ID: (paid claim to reverse, its correction) for the next payment cycle."""
    paid_claims: dict[str, RemitClaim] = field(default_factory=dict)
    """Paid claims by payer claim number: what a replacement (7) or void (8) reverses."""
    claim_status: dict[str, list[str]] = field(default_factory=dict)
    """CLM01 -> [STC category, status code, payer claim number, paid]: what a 276 is
    answered with (:mod:`sandbox.status_276`)."""
    crossovers: list[RemitClaim] = field(default_factory=list)
    """COB: the crossover payers' answers to forwarded claims, for the next payment cycle."""
    plan_ends: dict[str, str] = field(default_factory=dict)
    """``PAYER|MEMBER`` -> ISO date: the plan ends the roster has told (:mod:`sandbox.roster`)."""

    # -- ControlNumberSource ---------------------------------------------------------
    def allocate(self, key: str, count: int = 1) -> range:
        start = self.counters.get(key, 0) + 1
        self.counters[key] = start + count - 1
        return range(start, start + count)

    # -- History (adjudication) ------------------------------------------------------
    def already_paid(self, key: str) -> bool:
        return key in self.paid_services

    def remember_paid(self, key: str) -> None:
        self.paid_services.add(key)

    def deductible_used(self, key: str) -> Decimal:
        return self.deductibles.get(key, Decimal(0))

    def use_deductible(self, key: str, amount: Decimal) -> None:
        if amount:
            self.deductibles[key] = self.deductible_used(key) + amount

    # -- interchanges ----------------------------------------------------------------
    def first_time(self, sender: str, isa13: str) -> bool:
        """Record interchange ``isa13`` from ``sender``; False when it was seen before."""
        key = f"{sender}|{isa13}"
        if key in self.interchanges:
            return False
        self.interchanges.add(key)
        return True

    # -- persistence -----------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "counters": self.counters,
            "paid_services": sorted(self.paid_services),
            "deductibles": {k: str(v) for k, v in sorted(self.deductibles.items())},
            "interchanges": sorted(self.interchanges),
            "pending": {
                payer: [[to_json(a), to_json(b)] for a, b in items]
                for payer, items in self.pending.items()
                if items
            },
            "paid_claims": {icn: to_json(claim) for icn, claim in self.paid_claims.items()},
            "claim_status": dict(sorted(self.claim_status.items())),
            "crossovers": [to_json(claim) for claim in self.crossovers],
            "plan_ends": dict(sorted(self.plan_ends.items())),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SandboxState:
        pending: dict[str, list[tuple[RemitClaim, RemitClaim]]] = defaultdict(list)
        for payer, items in data.get("pending", {}).items():
            pending[payer] = [(from_json(a), from_json(b)) for a, b in items]
        return cls(
            counters=dict(data.get("counters", {})),
            paid_services=set(data.get("paid_services", [])),
            deductibles={k: Decimal(v) for k, v in data.get("deductibles", {}).items()},
            interchanges=set(data.get("interchanges", [])),
            pending=pending,
            paid_claims={k: from_json(v) for k, v in data.get("paid_claims", {}).items()},
            claim_status={k: list(v) for k, v in data.get("claim_status", {}).items()},
            crossovers=[from_json(v) for v in data.get("crossovers", [])],
            plan_ends=dict(data.get("plan_ends", {})),
        )

    def save(self, path: Path) -> None:
        """Write atomically (temp file + rename) so a crash never leaves half a state."""
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=1), encoding="utf-8")
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> SandboxState:
        if not path.exists():
            return cls()
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
