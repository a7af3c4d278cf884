"""A TCP proxy on 127.0.0.1 that can cut connections: real network failures for tests.

The first ``cuts`` connections are closed on both sides once ``cut_after`` bytes went from
the client to the server, which is what a dropped link looks like to both ends.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class CuttingProxy:
    def __init__(self, target_port: int, cut_after: int | None = None, cuts: int = 1) -> None:
        self.target_port = target_port
        self.cut_after = cut_after
        self.cuts_left = cuts if cut_after is not None else 0
        self.connections = 0
        self.cut = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> CuttingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                _close(sock)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self.connections += 1
                limit = None
                if self.cuts_left > 0:
                    self.cuts_left -= 1
                    limit = self.cut_after
                self._sockets += [client, server]
            pair = (client, server)
            for args in ((client, server, limit, pair), (server, client, None, pair)):
                threading.Thread(target=self._pump, args=args, daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, limit: int | None, pair) -> None:
        sent = 0
        try:
            while data := source.recv(65536):
                if limit is not None and sent + len(data) > limit:
                    sink.sendall(data[: max(limit - sent, 0)])
                    with self._lock:
                        self.cut += 1
                    break
                sink.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for sock in pair:
            _close(sock)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
