"""The S3 adapter: the bucket that holds encounters, outbound 837s, inbound responses and
worklists (see :mod:`flows.s3.store`)."""

from flows.s3.store import (
    Area,
    S3BucketMissing,
    S3Config,
    S3ConfigError,
    S3Error,
    S3Forbidden,
    S3Object,
    S3ObjectChanged,
    S3ObjectExists,
    S3ObjectMissing,
    S3Store,
    S3Unavailable,
    area_prefix,
    make_client,
    s3_error,
)

__all__ = [
    "Area",
    "S3BucketMissing",
    "S3Config",
    "S3ConfigError",
    "S3Error",
    "S3Forbidden",
    "S3Object",
    "S3ObjectChanged",
    "S3ObjectExists",
    "S3ObjectMissing",
    "S3Store",
    "S3Unavailable",
    "area_prefix",
    "make_client",
    "s3_error",
]
