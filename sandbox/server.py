"""The sandbox clearinghouse: a real SFTP server on the loopback interface, in-process.

``SandboxClearinghouse(root).start()`` runs asyncssh on its own event loop in a
background thread (ready in milliseconds), so tests, ``claims demo`` and ``claims sandbox``
all use the same object.  Layout under ``root``::

    keys/                host and client key pairs (private keys 0600)
    sftp/                what the client sees, and nothing else
      to-clearinghouse/    uploads (inbound_dir of the sandbox profile)
      from-clearinghouse/  TA1, 999, 277CA and 835 files (outbound_dir)
      archive/             where the client moves fetched responses (archive_dir)
      received/            read-only: every upload the clearinghouse took
    state.json           what the sandbox remembers (control numbers, history)

When an upload is finished (see :mod:`sandbox.sftp_server`) it is moved to
``received/`` and answered at once, before the client's rename returns: every response is
in the outbound folder when ``submit`` comes back, which keeps tests and the demo
deterministic.  Reversals and corrections due "later" come with the next upload's 835s,
or now with :meth:`SandboxClearinghouse.advance`.  Responses are written under a hidden
temporary name and renamed, so a client never reads half a file.  Their names:
``STEM.ta1``, ``STEM.999`` and ``STEM.277`` for upload ``STEM.837``, and
``PAYERID-TRACE.835`` per payer and payment cycle (``.1``, ``.2`` … if a name repeats).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import asyncssh

from mappings.profiles import ClearinghouseProfile, Transport, clearinghouse_profile
from sandbox.keys import SandboxKeys, ensure_keys
from sandbox.replies import Reply
from sandbox.responder import Responder
from sandbox.sftp_server import ConfinedSFTPServer
from sandbox.state import SandboxState

log = logging.getLogger(__name__)

RECEIVED_DIR = "received"


class _SSHServer(asyncssh.SSHServer):
    """Public-key authentication for one user with one key; nothing but SFTP."""

    def __init__(
        self,
        username: str,
        client_key: asyncssh.SSHKey,
        connections: set[asyncssh.SSHServerConnection],
    ) -> None:
        self._username = username
        self._client_key = client_key
        self._connections = connections
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._connections.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return username == self._username and key.public_data == self._client_key.public_data


def _check_loopback(host: str) -> None:
    """The sandbox listens on loopback only: it is a test double, not a service."""
    if host == "localhost":
        return
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"the sandbox listens on a loopback address only, not {host}")


class SandboxClearinghouse:
    """A clearinghouse in test mode on ``host``:``port`` (0 picks a free port)."""

    def __init__(
        self,
        root: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
        *,
        respond: bool = True,
        clock: Callable[[], datetime] = datetime.now,
        profile: ClearinghouseProfile | None = None,
    ) -> None:
        _check_loopback(host)
        self.root = Path(root).resolve()
        self.host = host
        self._requested_port = port
        self.seed = seed
        self.respond = respond
        self.profile = profile or clearinghouse_profile("sandbox")
        t = self.profile.transport
        self.sftp_root = self.root / "sftp"
        self.inbound = self.sftp_root / t.inbound_dir
        self.outbound = self.sftp_root / t.outbound_dir
        self.received = self.sftp_root / RECEIVED_DIR
        self._folders = [self.inbound, self.outbound, self.received]
        if t.archive_dir:
            self._folders.append(self.sftp_root / t.archive_dir)
        self._state_path = self.root / "state.json"
        self._clock = clock
        self._responder: Responder | None = None
        self._keys: SandboxKeys | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._connections: set[asyncssh.SSHServerConnection] = set()
        self._worker: ThreadPoolExecutor | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> SandboxClearinghouse:
        for folder in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
        self._keys = ensure_keys(self.root / "keys")
        self._responder = Responder(
            SandboxState.load(self._state_path),
            seed=self.seed,
            clock=self._clock,
            identity=self.profile.receiver.party(),
            partner=self.profile.sender.party(),
        )
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-responder")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="sandbox-sftp", daemon=True
        )
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        self._acceptor = future.result(timeout=30)
        self.port = self._acceptor.get_port()
        log.info("sandbox clearinghouse listening on %s:%d", self.host, self.port)
        return self

    async def _listen(self) -> asyncssh.SSHAcceptor:
        assert self._keys is not None
        client_key = asyncssh.read_public_key(str(self._keys.client_public_key_path))
        username = self.profile.transport.username
        return await asyncssh.listen(
            self.host,
            self._requested_port,
            server_host_keys=[str(self._keys.host_key_path)],
            server_factory=lambda: _SSHServer(username, client_key, self._connections),
            sftp_factory=self._sftp_session,
            allow_scp=False,
            login_timeout=30,
        )

    def _sftp_session(self, chan: asyncssh.SSHServerChannel) -> ConfinedSFTPServer:
        return ConfinedSFTPServer(
            chan, self.sftp_root, self.profile.transport.inbound_dir, (RECEIVED_DIR,), self._taken
        )

    def stop(self) -> None:
        """Close the listener and every session, then stop the loop; state is saved."""
        if self._loop is None:
            return
        if self._acceptor is not None:
            acceptor = self._acceptor

            async def close() -> None:
                acceptor.close()
                await acceptor.wait_closed()
                for conn in list(self._connections):  # the listener leaves them open
                    conn.close()
                    await conn.wait_closed()

            asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._loop.close()
        self._loop = None
        if self._worker is not None:
            self._worker.shutdown(wait=True)
        log.info("sandbox clearinghouse stopped")

    def __enter__(self) -> SandboxClearinghouse:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what clients need -----------------------------------------------------------
    @property
    def host_key_line(self) -> str:
        """The server's public host key, ``ssh-ed25519 AAAA…``, for pinning."""
        assert self._keys is not None, "start() the sandbox first"
        return self._keys.host_key_line

    @property
    def client_key_path(self) -> Path:
        """Path of the private key the sandbox accepts (its contents are never printed)."""
        assert self._keys is not None, "start() the sandbox first"
        return self._keys.client_key_path

    def transport(self, base: Transport | None = None) -> Transport:
        """``base`` (the sandbox profile's transport) pointed at this running server."""
        base = base or self.profile.transport
        return base.model_copy(
            update={
                "host": self.host,
                "port": self.port,
                "host_key": self.host_key_line,
                "received_dir": RECEIVED_DIR,
            }
        )

    # -- answering -------------------------------------------------------------------
    async def _taken(self, name: str) -> None:
        await asyncio.get_running_loop().run_in_executor(self._worker, self._take, name)

    def _take(self, name: str) -> None:
        """Move a finished upload to ``received/`` and write the answers (worker thread)."""
        source = self.inbound / name
        data = source.read_bytes()
        os.replace(source, _unique(self.received / name))
        if not self.respond or self._responder is None:
            log.info("sandbox took %s (%d bytes)", name, len(data))
            return
        try:
            replies = self._responder.respond(data, name)
        except Exception as exc:  # a sandbox bug must not look like a transport failure
            log.error("sandbox could not answer %s: %s", name, type(exc).__name__)
            log.debug("sandbox failure answering %s", name, exc_info=True)
            return
        self._publish(replies)
        log.info(
            "sandbox took %s (%d bytes), answered %s",
            name,
            len(data),
            ", ".join(r.name for r in replies),
        )

    def _publish(self, replies: list[Reply]) -> list[str]:
        names = []
        for reply in replies:
            target = _unique(self.outbound / reply.name)
            temporary = target.with_name(f".{target.name}.tmp")
            temporary.write_bytes(reply.data)
            os.replace(temporary, target)
            names.append(target.name)
        assert self._responder is not None
        self._responder.state.save(self._state_path)
        return names

    def advance(self) -> list[str]:
        """Run a payment cycle now (reversals and corrections due); the 835 names."""
        assert self._responder is not None and self._worker, "start() the sandbox first"
        responder = self._responder

        def cycle() -> list[str]:
            return self._publish(responder.advance())

        return self._worker.submit(cycle).result()


def _unique(path: Path) -> Path:
    """``path``, or ``path.1``, ``path.2``… when a file of that name already exists."""
    candidate, n = path, 0
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.{n}")
    return candidate
