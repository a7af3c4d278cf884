"""Where a run finds its data folder, ledger, clearinghouse profile and time zone.

Everything has an embedded default so one command runs the whole pipeline on one
machine: ``./claims-data`` holds the SQLite ledger, Prefect's home and local outputs.
Production sets ``CLAIMS_LEDGER_URL`` (PostgreSQL), ``CLAIMS_S3_*`` and a real profile.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from mappings.profiles import ClearinghouseProfile, clearinghouse_profile


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLAIMS_", extra="ignore")

    data_dir: Path = Field(Path("claims-data"), description="local outputs, SQLite, Prefect home")
    ledger_url: str | None = Field(None, description="SQLAlchemy URL; default SQLite in data_dir")
    profile: str = Field("sandbox", description="clearinghouse profile name or YAML path")
    timezone: str = Field("America/New_York", description="the clinic's business day")
    files_per_task: int = Field(20, ge=1, description="encounter files read by one task")

    @property
    def ledger(self) -> str:
        return self.ledger_url or f"sqlite:///{(self.data_dir / 'ledger.sqlite').resolve()}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    response_max_bytes: int = Field(
        256 * 1024 * 1024, ge=1, description="larger response files are left for ops, unread"
    )
    sftp_attempts: int = Field(5, ge=1, description="tries per SFTP operation, with backoff")
    sftp_host: str | None = Field(None, description="overrides the profile's SFTP host")
    sftp_port: int | None = Field(None, description="overrides the profile's SFTP port")
    sftp_host_key: str | None = Field(None, description="pins the server key, 'ssh-ed25519 AAAA…'")

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
