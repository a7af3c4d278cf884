"""S3: where encounters come from and where everything the pipeline writes is kept.

One bucket, one prefix, four areas per business day::

    PREFIX/encounters/2026-11-27/   input, immutable once written
    PREFIX/outbound/2026-11-27/     the 837s exactly as uploaded
    PREFIX/inbound/2026-11-27/      raw clearinghouse responses
    PREFIX/worklists/2026-11-27/    worklist exports

Every object the pipeline writes is encrypted at rest (SSE-KMS with the configured key,
else AES256) and written once (``If-None-Match: *``): a rerun writing the same bytes again
is a no-op, a write that would change an object fails loudly.  Transient errors are
retried by botocore; what is left is raised as an :class:`S3Error` whose message tells
ops what to fix.  Messages name buckets and keys only; keys never carry PHI.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from botocore.response import StreamingBody

SHA256_METADATA = "sha256"
"""User metadata holding the SHA-256 of what was written (ETags are not MD5 under SSE-KMS)."""


class Area(StrEnum):
    ENCOUNTERS = "encounters"
    OUTBOUND = "outbound"
    INBOUND = "inbound"
    WORKLISTS = "worklists"


class S3Error(RuntimeError):
    """An S3 operation failed for a reason retrying will not fix; the message says what to do."""


class S3ConfigError(S3Error):
    """Missing or wrong settings: bucket, credentials or KMS key."""


class S3Unavailable(S3Error):
    """S3 could not be reached even after botocore's retries; rerun when it is back."""


class S3Forbidden(S3Error):
    pass


class S3BucketMissing(S3Error):
    pass


class S3ObjectMissing(S3Error):
    pass


class S3ObjectChanged(S3Error):
    """An object no longer has the ETag it was listed with: someone rewrote an input file."""


class S3ObjectExists(S3Error):
    """A write-once object already exists with different content."""


@dataclass(frozen=True, slots=True)
class S3Config:
    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    """For S3-compatible stores and tests; ``None`` is AWS."""
    region: str | None = None
    """``None``: the usual AWS chain (``AWS_REGION``, profile, instance metadata)."""
    kms_key_id: str | None = None
    retry_mode: Literal["standard", "adaptive"] = "adaptive"
    max_attempts: int = 8
    """Attempts in all, the first included (botocore's ``total_max_attempts``)."""
    connect_timeout: float = 10.0
    read_timeout: float = 60.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> S3Config:
        """Settings from ``CLAIMS_S3_*``; credentials always come from the AWS chain."""
        bucket = environ.get("CLAIMS_S3_BUCKET", "").strip()
        if not bucket:
            raise S3ConfigError(
                "CLAIMS_S3_BUCKET is not set: set it to the bucket holding encounters/, "
                "outbound/, inbound/ and worklists/"
            )
        mode = environ.get("CLAIMS_S3_RETRY_MODE", "adaptive")
        if mode not in ("standard", "adaptive"):
            raise S3ConfigError(f"CLAIMS_S3_RETRY_MODE must be standard or adaptive, not {mode!r}")
        return cls(
            bucket=bucket,
            prefix=environ.get("CLAIMS_S3_PREFIX", ""),
            endpoint_url=environ.get("CLAIMS_S3_ENDPOINT_URL") or None,
            region=environ.get("CLAIMS_S3_REGION") or None,
            kms_key_id=environ.get("CLAIMS_S3_KMS_KEY_ID") or None,
            retry_mode=mode,
            max_attempts=int(environ.get("CLAIMS_S3_MAX_ATTEMPTS", "8")),
        )

    def encryption(self) -> dict[str, str]:
        """The server-side-encryption arguments of every write."""
        if self.kms_key_id:
            return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.kms_key_id}
        return {"ServerSideEncryption": "AES256"}


def area_prefix(prefix: str, area: Area, business_date: date) -> str:
    """``PREFIX/AREA/YYYY-MM-DD/`` with no leading slash and exactly one between parts."""
    parts = [p for p in prefix.strip("/").split("/") if p]
    return "/".join([*parts, str(area), business_date.isoformat()]) + "/"


@dataclass(frozen=True, slots=True)
class S3Object:
    key: str
    etag: str
    """Without the quotes S3 puts around it."""
    size: int
    last_modified: datetime


@dataclass(frozen=True, slots=True)
class Written:
    key: str
    sha256: str
    etag: str
    created: bool
    """``False`` when the same bytes were already there (a rerun)."""


class S3Store:
    """The pipeline's bucket: list, stream and write-once, with errors ops can act on."""

    def __init__(self, config: S3Config, client: Any | None = None) -> None:
        self.config = config
        self.client = client or make_client(config)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> S3Store:
        return cls(S3Config.from_env(environ))

    def prefix(self, area: Area, business_date: date) -> str:
        return area_prefix(self.config.prefix, area, business_date)

    def key(self, area: Area, business_date: date, name: str) -> str:
        if not name or name.startswith("/"):
            raise ValueError(f"object name must be relative and non-empty, not {name!r}")
        return self.prefix(area, business_date) + name

    def list(self, prefix: str, *, page_size: int = 1000) -> Iterator[S3Object]:
        """Every object under ``prefix``, page by page (``page_size`` keys per request)."""
        paginator = self.client.get_paginator("list_objects_v2")
        pages = paginator.paginate(
            Bucket=self.config.bucket, Prefix=prefix, PaginationConfig={"PageSize": page_size}
        )
        try:
            for page in pages:
                for item in page.get("Contents", ()):
                    yield S3Object(
                        key=item["Key"],
                        etag=item["ETag"].strip('"'),
                        size=item["Size"],
                        last_modified=item["LastModified"],
                    )
        except (ClientError, BotoCoreError) as error:
            raise self._error(error, "list", prefix) from error

    def list_area(
        self, area: Area, business_date: date, *, page_size: int = 1000
    ) -> Iterator[S3Object]:
        return self.list(self.prefix(area, business_date), page_size=page_size)

    def open(self, key: str, *, etag: str | None = None) -> StreamingBody:
        """The object as a binary stream (close it, or use it in ``with``).

        Given the ``etag`` it was listed with, S3 refuses to serve a different version, so
        what is read is what the ledger recorded as taken.  A connection lost while reading
        raises from the stream's ``read``; reading the file again from the start is safe.
        """
        arguments: dict[str, str] = {"Bucket": self.config.bucket, "Key": key}
        if etag:
            arguments["IfMatch"] = '"' + etag.strip('"') + '"'
        try:
            return self.client.get_object(**arguments)["Body"]
        except (ClientError, BotoCoreError) as error:
            raise self._error(error, "get", key) from error

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.config.bucket, Key=key)
        except ClientError as error:
            if _code(error) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise self._error(error, "head", key) from error
        except BotoCoreError as error:
            raise self._error(error, "head", key) from error
        return True

    def put(
        self, key: str, data: bytes, *, content_type: str = "application/octet-stream"
    ) -> Written:
        """Write ``data`` once, encrypted; the same bytes again is a no-op, others an error."""
        digest = hashlib.sha256(data).hexdigest()
        arguments = {
            "Bucket": self.config.bucket,
            "Key": key,
            "Body": data,
            "ContentType": content_type,
            "Metadata": {SHA256_METADATA: digest},
            **self.config.encryption(),
        }
        try:
            response = self.client.put_object(IfNoneMatch="*", **arguments)
        except ClientError as error:
            code = _code(error)
            if code in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                return self._already_there(key, digest)
            raise self._error(error, "put", key) from error
        except BotoCoreError as error:
            raise self._error(error, "put", key) from error
        return Written(key, digest, response["ETag"].strip('"'), created=True)

    def _already_there(self, key: str, digest: str) -> Written:
        try:
            head = self.client.head_object(Bucket=self.config.bucket, Key=key)
        except (ClientError, BotoCoreError) as error:
            raise self._error(error, "head", key) from error
        if head.get("Metadata", {}).get(SHA256_METADATA) != digest:
            raise S3ObjectExists(
                f"s3://{self.config.bucket}/{key} already exists with different content; "
                "objects here are written once. If the old object is wrong, move it aside "
                "(keep it for audit) and rerun."
            )
        return Written(key, digest, head["ETag"].strip('"'), created=False)

    def _error(self, error: Exception, action: str, key: str) -> S3Error:
        return s3_error(error, action, self.config, key)


def make_client(config: S3Config) -> Any:
    """A boto3 S3 client with botocore's retries (throttling, 5xx, connection errors)."""
    botocore_config = Config(
        retries={"mode": config.retry_mode, "total_max_attempts": config.max_attempts},
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        s3={"addressing_style": "path"} if config.endpoint_url else {},
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=config.endpoint_url,
        region_name=config.region,
        config=botocore_config,
    )


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


_PERMISSIONS = {
    "list": "s3:ListBucket",
    "get": "s3:GetObject",
    "head": "s3:GetObject",
    "put": "s3:PutObject",
}


def s3_error(error: Exception, action: str, config: S3Config, key: str) -> S3Error:
    """Turn a botocore error into an :class:`S3Error` that says what to do about it."""
    where = f"s3://{config.bucket}/{key}"
    if isinstance(error, NoCredentialsError):
        return S3ConfigError(
            "no AWS credentials found: give the worker an instance/task role, or set "
            "AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        )
    if isinstance(error, BotoCoreError):
        endpoint = config.endpoint_url or "AWS S3"
        return S3Unavailable(
            f"{action} {where}: {endpoint} unreachable after {config.max_attempts} attempts "
            f"({type(error).__name__}); check the network or CLAIMS_S3_ENDPOINT_URL, then rerun"
        )
    assert isinstance(error, ClientError)
    code = _code(error)
    if code == "NoSuchBucket":
        return S3BucketMissing(
            f"bucket {config.bucket} does not exist (or not in this account/region): "
            "create it or fix CLAIMS_S3_BUCKET"
        )
    if code in ("NoSuchKey", "404", "NotFound"):
        return S3ObjectMissing(f"{where} does not exist")
    if code in ("PreconditionFailed", "412"):
        return S3ObjectChanged(
            f"{where} changed since it was listed; input files must not be rewritten. "
            "Put corrections in a new file and rerun"
        )
    if code.startswith("KMS."):
        return S3ConfigError(
            f"{action} {where}: the KMS key {config.kms_key_id or '(bucket default)'} cannot "
            f"be used ({code}); check CLAIMS_S3_KMS_KEY_ID and grant kms:GenerateDataKey and "
            "kms:Decrypt on it to the pipeline's role"
        )
    if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken"):
        return S3ConfigError(
            f"{action} {where}: AWS credentials rejected ({code}); refresh or fix them"
        )
    if code in ("AccessDenied", "AllAccessDisabled", "403", "Forbidden"):
        return S3Forbidden(
            f"{action} {where}: access denied; grant the pipeline's role "
            f"{_PERMISSIONS.get(action, 's3:*')} on this bucket and prefix"
        )
    return S3Error(f"{action} {where} failed: {code or type(error).__name__}")
