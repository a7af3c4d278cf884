"""SSH credentials for a clearinghouse: the private key, its passphrase, the pinned host key.

Keys come from where secrets belong, never from the repository: a Prefect Secret block
(``Transport.private_key_block``; its value is the key text, or a JSON object with
``private_key`` and ``passphrase``) or an environment variable (``private_key_env``)
holding the key file's path or the key text itself; the passphrase from
``passphrase_env``.  Errors name the variable or block, never the key.
"""

from __future__ import annotations

import base64
import binascii
import io
import os
from collections.abc import Mapping
from pathlib import Path

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from flows.clearinghouse.base import AuthenticationFailed, HostKeyMismatch
from mappings.profiles import Transport

_KEY_CLASSES: tuple[tuple[type, type[paramiko.PKey]], ...] = (
    (ed25519.Ed25519PrivateKey, paramiko.Ed25519Key),
    (rsa.RSAPrivateKey, paramiko.RSAKey),
    (ec.EllipticCurvePrivateKey, paramiko.ECDSAKey),
)


def parse_private_key(text: str, passphrase: str | None, source: str) -> paramiko.PKey:
    """A paramiko key from OpenSSH or PEM text; ``source`` names where it came from."""
    data = text.encode("utf-8")
    password = passphrase.encode("utf-8") if passphrase else None
    try:
        try:
            loaded = serialization.load_ssh_private_key(data, password)
        except ValueError:
            loaded = serialization.load_pem_private_key(data, password)
    except (ValueError, TypeError) as exc:
        hint = "wrong or missing passphrase, or not a private key"
        raise AuthenticationFailed(f"cannot load the private key from {source}: {hint}") from exc
    for crypto_class, key_class in _KEY_CLASSES:
        if isinstance(loaded, crypto_class):
            return key_class.from_private_key(io.StringIO(text), password=passphrase)
    raise AuthenticationFailed(f"unsupported private key type in {source}")


def _from_block(block: str) -> tuple[str, str | None]:
    from prefect.blocks.system import Secret  # imported here: Prefect is heavy to import

    value = Secret.load(block, _sync=True).get()
    if isinstance(value, Mapping):
        return str(value["private_key"]), value.get("passphrase")
    return str(value), None


def load_private_key(transport: Transport, env: Mapping[str, str] = os.environ) -> paramiko.PKey:
    """The client key the profile points to (Prefect Secret block first, then env var)."""
    passphrase = env.get(transport.passphrase_env) if transport.passphrase_env else None
    if transport.private_key_block:
        text, block_passphrase = _from_block(transport.private_key_block)
        source = f"Prefect Secret block {transport.private_key_block!r}"
        return parse_private_key(text, block_passphrase or passphrase, source)
    value = env.get(transport.private_key_env, "")
    if not value:
        raise AuthenticationFailed(
            f"no private key: set {transport.private_key_env} to the key file's path "
            "(or private_key_block to a Prefect Secret block)"
        )
    source = f"${transport.private_key_env}"
    if "-----BEGIN" in value:
        return parse_private_key(value, passphrase, source)
    path = Path(value).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        message = f"cannot read the key file named by {source}: {reason}"
        raise AuthenticationFailed(message) from None
    return parse_private_key(text, passphrase, f"{source} ({path})")


def pinned_host_key(transport: Transport) -> paramiko.PKey:
    """The host key the profile pins; a profile without one cannot connect at all."""
    line = (transport.host_key or "").split()
    if len(line) < 2:
        raise HostKeyMismatch(
            f"no host key pinned for {transport.host}:{transport.port}: set transport.host_key "
            "to the server's public key ('ssh-ed25519 AAAA...'), verified out of band"
        )
    try:
        return paramiko.PKey.from_type_string(line[0], base64.b64decode(line[1]))
    except (binascii.Error, ValueError, paramiko.SSHException) as exc:
        raise HostKeyMismatch(f"the pinned host key for {transport.host} is malformed") from exc
