"""Where a run finds its data folder, ledger, clearinghouse profile and time zone.

Everything has an embedded default so one command runs the whole pipeline on one
machine: ``./claims-data`` holds the SQLite ledger, Prefect's home and local outputs.
Production sets ``CLAIMS_LEDGER_URL`` (PostgreSQL), ``CLAIMS_S3_*`` and a real profile.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from flows.sources import ReadLimits
from mappings.profiles import ClearinghouseProfile, clearinghouse_profile


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLAIMS_", extra="ignore")

    data_dir: Path = Field(Path("claims-data"), description="local outputs, SQLite, Prefect home")
    ledger_url: str | None = Field(None, description="SQLAlchemy URL; default SQLite in data_dir")
    profile: str = Field("sandbox", description="clearinghouse profile name or YAML path")
    timezone: str = Field("America/New_York", description="the clinic's business day")
    files_per_task: int = Field(20, ge=1, description="encounter files read by one task")
    max_line_bytes: int = Field(1 << 20, ge=1024, description="one NDJSON line or CSV row")
    max_file_bytes: int = Field(
        1 << 30, ge=1024, description="one NDJSON or CSV encounter file, decompressed"
    )
    max_parquet_bytes: int = Field(512 << 20, ge=1024, description="one Parquet file")
    max_gzip_ratio: int = Field(200, ge=2, description="decompressed bytes per gzip byte")
    held_wait_seconds: float = Field(
        300, ge=0, description="how long a run waits for another run's files and uploads"
    )
    response_max_bytes: int = Field(
        256 * 1024 * 1024, ge=1, description="larger response files are left for ops, unread"
    )

    @property
    def ledger(self) -> str:
        return self.ledger_url or f"sqlite:///{(self.data_dir / 'ledger.sqlite').resolve()}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def read_limits(self) -> ReadLimits:
        """Bounds on one encounter file; reaching one is a finding naming the setting."""
        return ReadLimits(
            max_line_bytes=self.max_line_bytes,
            max_text_bytes=self.max_file_bytes,
            max_parquet_bytes=self.max_parquet_bytes,
            max_gzip_ratio=self.max_gzip_ratio,
        )

    sftp_attempts: int = Field(5, ge=1, description="tries per SFTP operation, with backoff")
    sftp_host: str | None = Field(None, description="overrides the profile's SFTP host")
    sftp_port: int | None = Field(None, description="overrides the profile's SFTP port")
    sftp_host_key: str | None = Field(None, description="pins the server key, 'ssh-ed25519 AAAA…'")

    # -- scrub-night: reference data and coding queries --
    reference_dir: Path | None = Field(
        None, description="installed CMS reference releases; default DATA_DIR/reference"
    )
    reference_s3_prefix: str | None = Field(
        None, description="installed releases under this key prefix of CLAIMS_S3_BUCKET"
    )
    queries_s3_prefix: str = Field(
        "coding-review/answers/", description="answered coding-review files dropped here"
    )
    query_aged_days: int = Field(7, ge=1, description="a pending query older than this is aged")
    eligibility_payers: str = Field(
        "", description="payer IDs (comma-separated) checked by 270/271 whatever their profile"
    )

    def clearinghouse_profile(self) -> ClearinghouseProfile:
        """The profile with this machine's overrides (where the server runs, its key)."""
        profile = clearinghouse_profile(self.profile)
        overrides = {
            name: value
            for name, value in (
                ("host", self.sftp_host),
                ("port", self.sftp_port),
                ("host_key", self.sftp_host_key),
            )
            if value is not None
        }
        if not overrides:
            return profile
        transport = profile.transport.model_copy(update=overrides)
        return profile.model_copy(update={"transport": transport})

    # -- scaling out (several workers, a Dask cluster; docs/scaling.md) --
    file_lease_seconds: float = Field(
        3600, gt=0, description="how long a run holds an encounter file before a takeover"
    )
    upload_lease_seconds: float = Field(
        900, gt=0, description="how long a run holds an upload before a takeover"
    )
    build_batches: int = Field(
        2, ge=1, description="build batches in flight at once in one flow run (thread runner)"
    )
    dask_address: str | None = Field(
        None, description="a Dask scheduler (tcp://host:8786): the build step's batches run there"
    )

    @property
    def file_lease(self) -> timedelta:
        return timedelta(seconds=self.file_lease_seconds)

    @property
    def upload_lease(self) -> timedelta:
        return timedelta(seconds=self.upload_lease_seconds)
