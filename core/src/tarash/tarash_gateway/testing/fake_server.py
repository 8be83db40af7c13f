"""A real HTTP server on 127.0.0.1 for testing providers offline.

A provider's fake subclasses :class:`FakeServer` (or fills one with routes),
speaking that provider's documented wire format. Tests point ``base_url`` at
``server.url``, read what the client sent from ``server.requests``, and inject
faults (429 with Retry-After, 5xx, dropped connections, malformed bodies)::

    server = FakeServer()
    server.add_route("POST", r"/v1/jobs", lambda req: FakeResponse.json({"id": "j1"}))
    with server:
        server.inject("POST", r"/v1/jobs", status=503, times=1)
        ...
    assert server.count("POST", r"/v1/jobs") == 1
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["FakeRequest", "FakeResponse", "FakeServer", "ScriptedJob", "UploadedFile"]


@dataclass
class UploadedFile:
    """One file part of a multipart body."""

    filename: str | None
    content_type: str
    content: bytes


@dataclass
class FakeRequest:
    """A request as the fake server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    client_port: int = 0
    """The client's TCP port: requests sharing it came over one pooled connection."""

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body or b"null")

    def multipart(self) -> tuple[dict[str, list[str]], dict[str, list[UploadedFile]]]:
        """The body parsed as multipart/form-data: (fields, files), each name → list."""
        content_type = self.headers.get("content-type", "")
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + self.body
        )
        fields: dict[str, list[str]] = {}
        files: dict[str, list[UploadedFile]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            raw = part.get_payload(decode=True)
            payload = raw if isinstance(raw, bytes) else b""
            filename = part.get_filename()
            if filename is not None:
                files.setdefault(str(name), []).append(
                    UploadedFile(filename, part.get_content_type(), payload)
                )
            else:
                fields.setdefault(str(name), []).append(payload.decode())
        return fields, files

    def form(self) -> dict[str, str]:
        """Single-valued multipart fields (the last value of each)."""
        fields, _ = self.multipart()
        return {name: values[-1] for name, values in fields.items()}


@dataclass
class FakeResponse:
    """What a route answers; ``drop=True`` closes the connection without answering."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    delay: float = 0.0
    chunks: list[bytes] | None = None
    """Send these as a chunked body instead of ``body``, one every ``chunk_interval`` s."""
    chunk_interval: float = 0.0
    drop_after: int | None = None
    """With ``chunks``: hang up after this many chunks (a stream that breaks)."""

    @classmethod
    def stream(
        cls,
        chunks: list[bytes],
        content_type: str,
        interval: float = 0.0,
        headers: dict[str, str] | None = None,
        drop_after: int | None = None,
    ) -> FakeResponse:
        """A chunked answer sent piece by piece (``interval`` seconds apart)."""
        return cls(
            200,
            b"",
            {"Content-Type": content_type, **(headers or {})},
            chunks=list(chunks),
            chunk_interval=interval,
            drop_after=drop_after,
        )

    @classmethod
    def json(
        cls, data: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> FakeResponse:
        """A JSON answer."""
        return cls(
            status,
            json.dumps(data).encode(),
            {"Content-Type": "application/json", **(headers or {})},
        )

    @classmethod
    def raw(cls, content: bytes, content_type: str, status: int = 200) -> FakeResponse:
        """A binary answer (media)."""
        return cls(status, content, {"Content-Type": content_type})


Handler = Callable[..., FakeResponse]


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


@dataclass
class _Fault:
    method: str
    pattern: re.Pattern[str]
    response: FakeResponse
    times: int


class ScriptedJob:
    """A fake asynchronous job: queued, then running, then done.

    Done after ``polls`` status checks, or ``seconds`` after creation when
    given (benchmarks). ``phase()`` is called by the fake at each status check.
    """

    def __init__(self, polls: int = 2, seconds: float | None = None, queued_polls: int = 1):
        self.created = time.monotonic()
        self.polls_needed = polls
        self.seconds = seconds
        self.queued_polls = queued_polls
        self.checks = 0
        self.cancelled = False
        self.lock = threading.Lock()

    def phase(self) -> str:
        """Advance by one status check; returns ``queued``, ``running`` or ``done``."""
        with self.lock:
            self.checks += 1
            if self.cancelled:
                return "cancelled"
            if self.seconds is not None:
                elapsed = time.monotonic() - self.created
                if elapsed >= self.seconds:
                    return "done"
                return "queued" if elapsed < self.seconds / 4 else "running"
            if self.checks >= self.polls_needed:
                return "done"
            return "queued" if self.checks <= self.queued_polls else "running"

    def peek(self) -> str:
        """The phase without counting a status check."""
        with self.lock:
            self.checks -= 1
        return self.phase()


class FakeServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with routes, recording and fault injection."""

    def __init__(self) -> None:
        self.routes: list[_Route] = []
        self.faults: list[_Fault] = []
        self.requests: list[FakeRequest] = []
        self.record = True
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ configuration
    def add_route(self, method: str, pattern: str, handler: Handler) -> None:
        """Answer ``method`` requests whose path fully matches ``pattern`` (named groups → kwargs)."""
        self.routes.append(_Route(method.upper(), re.compile(pattern), handler))

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        """Decorator form of :meth:`add_route`."""

        def decorate(handler: Handler) -> Handler:
            self.add_route(method, pattern, handler)
            return handler

        return decorate

    def serve_media(self, name: str, content: bytes, content_type: str) -> str:
        """Serve ``content`` at ``/media/{name}`` (URL inputs of tests); return its URL.

        The server must be started (the URL names its port).
        """
        answer = FakeResponse.raw(content, content_type)
        self.add_route("GET", "/media/" + re.escape(name), lambda _request: answer)
        return f"{self.url}/media/{name}"

    def inject(
        self,
        method: str,
        pattern: str,
        *,
        status: int = 500,
        json_body: Any = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        drop: bool = False,
        delay: float = 0.0,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` matching requests with a fault instead of the route."""
        if json_body is not None:
            response = FakeResponse.json(json_body, status, headers)
        else:
            response = FakeResponse(status, body or b"", dict(headers or {}))
        response.drop, response.delay = drop, delay
        with self._lock:
            self.faults.append(_Fault(method.upper(), re.compile(pattern), response, times))

    def count(self, method: str, pattern: str) -> int:
        """How many recorded requests match ``method`` and ``pattern``."""
        regex = re.compile(pattern)
        return sum(
            1 for r in self.requests if r.method == method.upper() and regex.fullmatch(r.path)
        )

    def last(self, method: str, pattern: str) -> FakeRequest:
        """The last recorded request matching ``method`` and ``pattern``."""
        regex = re.compile(pattern)
        for request in reversed(self.requests):
            if request.method == method.upper() and regex.fullmatch(request.path):
                return request
        raise AssertionError(f"no {method} request matching {pattern!r} was received")

    # ------------------------------------------------------------ lifecycle
    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        assert self._server is not None, "server not started"
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def start(self, port: int = 0) -> FakeServer:
        """Start serving in a daemon thread (idempotent); ``port=0`` picks a free port."""
        if self._server is None:
            server = _Server(("127.0.0.1", port), _RequestHandler)
            server.fake = self
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------ dispatch
    def dispatch(self, request: FakeRequest) -> FakeResponse:
        """Record ``request`` and choose its answer: a pending fault, a route, or 404."""
        with self._lock:
            if self.record:
                self.requests.append(request)
            for fault in self.faults:
                if fault.method == request.method and fault.pattern.fullmatch(request.path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault.response
        for route in self.routes:
            match = route.pattern.fullmatch(request.path)
            if route.method == request.method and match:
                try:
                    return route.handler(request, **match.groupdict())
                except Exception as exc:  # a bug in the fake: answer 599 and say why
                    return FakeResponse.json({"fake_server_error": repr(exc)}, 599)
        return FakeResponse.json({"detail": f"no route for {request.method} {request.path}"}, 404)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    fake: FakeServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hangs up (timeouts, cancellations): tests cause that."""


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers and body meet delayed ACKs (40 ms)
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silence the default stderr logging."""

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = FakeRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            client_port=int(self.client_address[1]),
        )
        response = self.server.fake.dispatch(request)
        if response.delay:
            time.sleep(response.delay)
        if response.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.chunks is not None:
            self._stream(response)
            return
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _stream(self, response: FakeResponse) -> None:
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for number, chunk in enumerate(response.chunks or [], start=1):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
                if response.drop_after is not None and number >= response.drop_after:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if response.chunk_interval:
                    time.sleep(response.chunk_interval)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:  # the client closed the stream early
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle
