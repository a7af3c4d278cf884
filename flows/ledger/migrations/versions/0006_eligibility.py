"""Eligibility (issue 16): 270 files and the inquiry of each claim held for its 271.

Revision ID: 0006_eligibility
Revises: 0005_billed_services
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_eligibility"
down_revision: str | None = "0005_billed_services"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BYTES = sa.LargeBinary().with_variant(postgresql.BYTEA(), "postgresql")
STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "eligibility_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("isa13", sa.BigInteger(), nullable=False),
        sa.Column("inquiry_count", sa.Integer(), nullable=False),
        sa.Column("content", BYTES, nullable=False),
        sa.Column("recorded_at", STAMP, nullable=False),
        sa.Column("sent_at", STAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_files")),
        sa.UniqueConstraint("file_name", name=op.f("uq_eligibility_files_file_name")),
    )
    op.create_index("ix_eligibility_files_business_date", "eligibility_files", ["business_date"])
    op.create_table(
        "eligibility_inquiries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trace", sa.String(50), nullable=False),
        sa.Column("asked_trace", sa.String(50), nullable=False),
        sa.Column("held_id", sa.Integer(), nullable=False),
        sa.Column("clm01", sa.String(38), nullable=False),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("member_key", sa.String(64), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("answer", JSON, nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["held_id"], ["held_claims.id"],
            name=op.f("fk_eligibility_inquiries_held_id_held_claims"),
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["eligibility_files.id"],
            name=op.f("fk_eligibility_inquiries_file_id_eligibility_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_inquiries")),
        sa.UniqueConstraint("trace", name=op.f("uq_eligibility_inquiries_trace")),
        sa.UniqueConstraint("held_id", name=op.f("uq_eligibility_inquiries_held_id")),
    )  # fmt: skip
    for column in ("member_key", "asked_trace", "status"):
        op.create_index(f"ix_eligibility_inquiries_{column}", "eligibility_inquiries", [column])


def downgrade() -> None:
    for column in ("member_key", "asked_trace", "status"):
        op.drop_index(f"ix_eligibility_inquiries_{column}", table_name="eligibility_inquiries")
    op.drop_table("eligibility_inquiries")
    op.drop_index("ix_eligibility_files_business_date", table_name="eligibility_files")
    op.drop_table("eligibility_files")
