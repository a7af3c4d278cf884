"""Ledger tables: files, claims, exceptions, interchanges, responses, timeline, worklists.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BYTES = sa.LargeBinary().with_variant(postgresql.BYTEA(), "postgresql")


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "control_sequences",
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_control_sequences")),
    )
    op.create_table(
        "ingested_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(255), nullable=False),
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("etag", sa.String(100), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("taken_by", sa.String(200), nullable=False),
        _at("taken_at"),
        _at("finished_at", nullable=True),
        sa.Column("encounter_count", sa.Integer(), nullable=True),
        sa.Column("exception_count", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingested_files")),
        sa.UniqueConstraint(
            "bucket", "key", "etag", name=op.f("uq_ingested_files_bucket_key_etag")
        ),
    )
    op.create_index(op.f("ix_ingested_files_business_date"), "ingested_files", ["business_date"])
    op.create_table(
        "interchanges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.String(50), nullable=False),
        sa.Column("sender", sa.String(15), nullable=False),
        sa.Column("receiver", sa.String(15), nullable=False),
        sa.Column("isa13", sa.BigInteger(), nullable=False),
        sa.Column("gs06", sa.BigInteger(), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content", BYTES, nullable=False),
        sa.Column("claim_count", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        _at("recorded_at"),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        _at("claimed_at", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("remote_name", sa.String(255), nullable=True),
        _at("uploaded_at", nullable=True),
        _at("answered_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interchanges")),
        sa.UniqueConstraint("profile", "file_name", name=op.f("uq_interchanges_profile_file_name")),
        sa.UniqueConstraint(
            "sender", "receiver", "isa13", name=op.f("uq_interchanges_sender_receiver_isa13")
        ),
    )
    op.create_index("ix_interchanges_state", "interchanges", ["state"])
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clm01", sa.String(38), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("frequency_code", sa.String(1), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("charge_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("payer_claim_number", sa.String(50), nullable=True),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("source_file", sa.String(1024), nullable=False),
        sa.Column("interchange_id", sa.Integer(), nullable=True),
        sa.Column("st02", sa.Integer(), nullable=True),
        _at("admitted_at"),
        _at("submitted_at", nullable=True),
        _at("updated_at"),
        sa.ForeignKeyConstraint(
            ["interchange_id"],
            ["interchanges.id"],
            name=op.f("fk_claims_interchange_id_interchanges"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("clm01", "generation", name=op.f("uq_claims_clm01_generation")),
    )
    op.create_index("ix_claims_interchange_id", "claims", ["interchange_id"])
    op.create_index("ix_claims_state", "claims", ["state"])
    op.create_table(
        "claim_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(1044), nullable=False),
        sa.Column("source_file", sa.String(1024), nullable=False),
        sa.Column("rule_id", sa.String(50), nullable=False),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        _at("recorded_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_exceptions")),
        sa.UniqueConstraint(
            "subject",
            "source_file",
            "rule_id",
            name=op.f("uq_claim_exceptions_subject_source_file_rule_id"),
        ),
    )
    op.create_index(
        op.f("ix_claim_exceptions_business_date"), "claim_exceptions", ["business_date"]
    )
    op.create_table(
        "response_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("s3_key", sa.String(1024), nullable=False),
        _at("received_at"),
        _at("parsed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_response_files_sha256")),
    )
    op.create_table(
        "claim_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        _at("at"),
        sa.Column("source_file", sa.String(1024), nullable=False),
        sa.Column("ref", sa.String(100), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("from_state", sa.String(20), nullable=False),
        sa.Column("to_state", sa.String(20), nullable=True),
        sa.Column("details", JSON, nullable=False),
        _at("recorded_at"),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_events_claim_id_claims")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_events")),
        sa.UniqueConstraint(
            "claim_id",
            "kind",
            "source_file",
            "ref",
            name=op.f("uq_claim_events_claim_id_kind_source_file_ref"),
        ),
    )
    op.create_table(
        "worklist_items",
        sa.Column("item_id", sa.String(100), nullable=False),
        sa.Column("queue", sa.String(20), nullable=False),
        sa.Column("clm01", sa.String(38), nullable=False),
        sa.Column("line_ref", sa.String(50), nullable=True),
        sa.Column("category", sa.String(50), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("owner", sa.String(100), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        _at("first_seen"),
        _at("last_seen"),
        sa.Column("times_seen", sa.Integer(), nullable=False),
        _at("resolved_at", nullable=True),
        sa.Column("payload", JSON, nullable=False),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_worklist_items")),
    )
    op.create_index("ix_worklist_items_clm01", "worklist_items", ["clm01"])
    op.create_index("ix_worklist_items_queue_status", "worklist_items", ["queue", "status"])


def downgrade() -> None:
    for table in (
        "worklist_items",
        "claim_events",
        "response_files",
        "claim_exceptions",
        "claims",
        "interchanges",
        "ingested_files",
        "control_sequences",
    ):
        op.drop_table(table)
