"""Socket-level fault fakes: a raw TCP server that writes whatever bytes, whenever.

FakeServer speaks well-formed HTTP; these faults need lower control: a status
line trickled a byte at a time, a body declared at 3 GB, a chunked body that
never ends. Each connection's request is parsed just enough to route it, then
``script(method, path)`` returns the chunks to write as ``(delay, bytes)``
pairs; the connection is closed after the last chunk.
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

Chunks = Iterable[tuple[float, bytes]]
Script = Callable[[str, str], Chunks]


def http_answer(status: int, body: Any, headers: dict[str, str] | None = None) -> bytes:
    """A complete HTTP/1.1 answer with a JSON body (``Connection: close``)."""
    content = json.dumps(body).encode()
    lines = [f"HTTP/1.1 {status} X", "Content-Type: application/json", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines.append(f"Content-Length: {len(content)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + content


def trickle(data: bytes, every: float) -> Chunks:
    """``data`` one byte at a time, ``every`` seconds apart."""
    return [(every, data[i : i + 1]) for i in range(len(data))]


class SocketFake:
    """A threaded raw TCP server on 127.0.0.1 driven by a ``Script``."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        fake = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                fake._serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                """Clients hang up on purpose here (deadlines, size caps)."""

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _ in self.requests if m == method and p == path)

    def __enter__(self) -> SocketFake:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _serve(self, conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            more = conn.recv(65536)
            if not more:
                return
            data += more
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            more = conn.recv(65536)
            if not more:
                break
            body += more
        self.requests.append((method, path, headers))
        try:
            for delay, chunk in self.script(method, path):
                if delay:
                    time.sleep(delay)
                conn.sendall(chunk)
        except OSError:
            return  # the client hung up (deadline, size cap)


def echo_script(status_answer: Callable[[], Chunks]) -> Script:
    """The echo provider's protocol, with the status answer supplied by the test."""

    def script(method: str, path: str) -> Chunks:
        if method == "POST":
            return [(0, http_answer(200, {"id": "job-1"}))]
        if method == "DELETE":
            return [(0, http_answer(200, {"cancelled": True}))]
        return status_answer()

    return script
