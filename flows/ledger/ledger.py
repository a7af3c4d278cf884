"""The ledger API the flows call: every exactly-once decision is one SQL transaction.

Each method is one short write or read transaction, so a crash between two calls leaves
the ledger in a state the next run can continue from.  What makes two runs (or two
workers) safe together:

* SQLite: every write transaction takes the database write lock first (``BEGIN IMMEDIATE``,
  see :mod:`flows.ledger.engine`), so writers run one after the other.
* PostgreSQL: claim and interchange rows are locked (``FOR UPDATE``, in CLM01 order so two
  runs cannot deadlock), pending uploads are taken with ``SKIP LOCKED``, and unique
  constraints (CLM01 + generation, ISA13, file keys, event keys) turn any remaining race
  into an error; the losing transaction is retried once it can see the winner's rows.
"""

from __future__ import annotations

from flows.ledger.billed import BilledLedger
from flows.ledger.claims import ClaimLedger
from flows.ledger.eligibility import EligibilityLedger
from flows.ledger.engine import create_ledger_engine
from flows.ledger.files import FileLedger
from flows.ledger.holds import HoldLedger
from flows.ledger.interchanges import InterchangeLedger
from flows.ledger.migrate import upgrade
from flows.ledger.next_payer import NextPayerLedger
from flows.ledger.responses import ResponseLedger
from flows.ledger.status_inquiries import StatusInquiryLedger
from flows.ledger.worklists import WorklistLedger


class Ledger(
    FileLedger,
    ClaimLedger,
    InterchangeLedger,
    ResponseLedger,
    WorklistLedger,
    HoldLedger,
    StatusInquiryLedger,
    NextPayerLedger,
    EligibilityLedger,
    BilledLedger,
):
    """The pipeline's durable memory; open one per process with :meth:`open`.

    Implements :class:`edi.x12.control.ControlNumberSource` through :meth:`allocate`.
    """

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Ledger:
        """Connect to ``url`` and bring the schema to the current revision.

        ``url`` is a SQLAlchemy URL: ``sqlite:///path/ledger.sqlite`` (the folder is
        created) or ``postgresql://user@host/db`` (driven by psycopg 3).
        """
        engine = create_ledger_engine(url)
        try:
            if migrate:
                upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
