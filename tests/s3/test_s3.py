"""The S3 adapter against moto's server on 127.0.0.1: layout, encryption, write-once,
pagination, streams, and errors that tell ops what to do."""

from __future__ import annotations

import io
import socket
from datetime import date

import boto3
import pytest
from botocore.exceptions import ClientError

from flows.s3 import (
    Area,
    S3BucketMissing,
    S3Config,
    S3ConfigError,
    S3Forbidden,
    S3ObjectChanged,
    S3ObjectExists,
    S3ObjectMissing,
    S3Store,
    S3Unavailable,
    area_prefix,
    make_client,
    s3_error,
)

DAY = date(2026, 11, 27)


# -- settings and layout (no server) ------------------------------------------------------
def test_settings_come_from_claims_s3_variables() -> None:
    config = S3Config.from_env(
        {
            "CLAIMS_S3_BUCKET": "claims-prod",
            "CLAIMS_S3_PREFIX": "clinic-a",
            "CLAIMS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "CLAIMS_S3_KMS_KEY_ID": "alias/claims",
            "CLAIMS_S3_RETRY_MODE": "standard",
            "CLAIMS_S3_MAX_ATTEMPTS": "5",
        }
    )
    assert config == S3Config(
        bucket="claims-prod",
        prefix="clinic-a",
        endpoint_url="http://127.0.0.1:9000",
        kms_key_id="alias/claims",
        retry_mode="standard",
        max_attempts=5,
    )
    assert config.encryption() == {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/claims"}
    assert S3Config("b").encryption() == {"ServerSideEncryption": "AES256"}


def test_a_missing_bucket_setting_says_which_variable_to_set() -> None:
    with pytest.raises(S3ConfigError, match="CLAIMS_S3_BUCKET"):
        S3Config.from_env({})
    with pytest.raises(S3ConfigError, match="CLAIMS_S3_RETRY_MODE"):
        S3Config.from_env({"CLAIMS_S3_BUCKET": "b", "CLAIMS_S3_RETRY_MODE": "legacy"})


@pytest.mark.parametrize("prefix", ["", "/", "nightly", "/nightly/", "a//b/"])
def test_layout_has_one_slash_between_parts(prefix: str) -> None:
    expected = "/".join(p for p in prefix.split("/") if p)
    expected = f"{expected}/" if expected else ""
    assert area_prefix(prefix, Area.OUTBOUND, DAY) == f"{expected}outbound/2026-11-27/"


def test_the_client_retries_with_botocore() -> None:
    client = make_client(S3Config("b", endpoint_url="http://127.0.0.1:1", max_attempts=4))
    assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 4}


def _client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "no"}}, "PutObject")


def test_permanent_errors_tell_ops_what_to_fix() -> None:
    config = S3Config("claims-prod", kms_key_id="alias/claims")
    denied = s3_error(_client_error("AccessDenied"), "put", config, "k")
    assert isinstance(denied, S3Forbidden) and "s3:PutObject" in str(denied)
    kms = s3_error(_client_error("KMS.NotFoundException"), "put", config, "k")
    assert isinstance(kms, S3ConfigError) and "CLAIMS_S3_KMS_KEY_ID" in str(kms)
    expired = s3_error(_client_error("ExpiredToken"), "get", config, "k")
    assert isinstance(expired, S3ConfigError)


# -- against moto ---------------------------------------------------------------------------
def test_every_write_is_encrypted_with_aes256_by_default(s3_config: S3Config) -> None:
    store = S3Store(s3_config)
    key = store.key(Area.OUTBOUND, DAY, "000000001.837")
    assert key == "nightly/outbound/2026-11-27/000000001.837"
    written = store.put(key, b"ISA*00~")
    head = store.client.head_object(Bucket=s3_config.bucket, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    assert head["Metadata"]["sha256"] == written.sha256
    assert written.created and store.exists(key)


def test_with_a_kms_key_writes_use_sse_kms(s3_config: S3Config) -> None:
    kms = boto3.session.Session().client("kms", endpoint_url=s3_config.endpoint_url)
    key_id = kms.create_key(Description="claims test")["KeyMetadata"]["KeyId"]
    store = S3Store(
        S3Config(s3_config.bucket, "nightly", s3_config.endpoint_url, kms_key_id=key_id)
    )
    key = store.key(Area.INBOUND, DAY, "resp.999")
    store.put(key, b"ISA*00~")
    head = store.client.head_object(Bucket=s3_config.bucket, Key=key)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert key_id in head["SSEKMSKeyId"]


def test_objects_are_written_once(s3_config: S3Config) -> None:
    store = S3Store(s3_config)
    key = store.key(Area.INBOUND, DAY, "resp.999")
    first = store.put(key, b"same bytes")
    again = store.put(key, b"same bytes")
    assert (again.created, again.sha256, again.etag) == (False, first.sha256, first.etag)
    with pytest.raises(S3ObjectExists, match="already exists with different content"):
        store.put(key, b"other bytes")
    with store.open(key) as body:
        assert body.read() == b"same bytes"


def test_listing_pages_through_every_key_under_the_day(s3_config: S3Config) -> None:
    store = S3Store(s3_config)
    keys = [store.key(Area.ENCOUNTERS, DAY, f"part-{n}.jsonl") for n in range(5)]
    etags = {key: store.put(key, key.encode()).etag for key in keys}
    store.put(store.key(Area.ENCOUNTERS, date(2026, 11, 28), "next.jsonl"), b"x")
    pages: list[object] = []
    store.client.meta.events.register(
        "after-call.s3.ListObjectsV2", lambda **kwargs: pages.append(kwargs)
    )
    listed = list(store.list_area(Area.ENCOUNTERS, DAY, page_size=2))
    assert {o.key: o.etag for o in listed} == etags
    assert all(o.size == len(o.key) for o in listed)
    assert len(pages) == 3


def test_encounters_are_read_as_streams_of_the_version_listed(s3_config: S3Config) -> None:
    store = S3Store(s3_config)
    key = store.key(Area.ENCOUNTERS, DAY, "a.jsonl")
    store.put(key, b'{"encounter_id": "E1"}\n{"encounter_id": "E2"}\n')
    [listed] = store.list_area(Area.ENCOUNTERS, DAY)
    with io.TextIOWrapper(store.open(key, etag=listed.etag), encoding="utf-8") as lines:
        assert [line.strip() for line in lines] == [
            '{"encounter_id": "E1"}',
            '{"encounter_id": "E2"}',
        ]
    with pytest.raises(S3ObjectChanged, match="changed since it was listed"):
        store.open(key, etag="0" * 32)
    with pytest.raises(S3ObjectMissing):
        store.open(key + ".missing")


def test_a_missing_bucket_is_named_with_the_fix(s3_endpoint: str) -> None:
    store = S3Store(S3Config("no-such-claims-bucket", endpoint_url=s3_endpoint))
    with pytest.raises(S3BucketMissing, match="create it or fix CLAIMS_S3_BUCKET"):
        list(store.list("encounters/"))
    with pytest.raises(S3BucketMissing):
        store.put("k", b"x")


def test_an_unreachable_endpoint_is_reported_after_the_retries(aws_test_credentials: None) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = S3Config("claims-test", endpoint_url=f"http://127.0.0.1:{port}", max_attempts=2)
    with pytest.raises(S3Unavailable, match="unreachable after 2 attempts"):
        S3Store(config).put("k", b"x")
