"""A fast fake of fal's queue API for benchmarks: one asyncio event loop, h11, no threads.

The threaded ``http.server`` fake (fal_server.py) is slow enough that its own
latency hides client overhead; this one answers a request in tens of
microseconds, so the client, not the server, is what the figures measure.

    POST /{owner}/{app}                      submit → request_id + status/response/cancel URLs
    GET  /{owner}/{app}/requests/{id}/status IN_QUEUE → IN_PROGRESS → COMPLETED (after the job's time)
    GET  /{owner}/{app}/requests/{id}        the result (an image list)
    PUT  /{owner}/{app}/requests/{id}/cancel 202 CANCELLATION_REQUESTED / 400 ALREADY_COMPLETED
    GET  /__stats   counters: submits, duplicate submissions (same prompt twice), polls, 429s,
                    faults injected, polls sent before a Retry-After expired, peak connections
    POST /__reset   zero the counters and forget the jobs

Options: job time ``--min-seconds/--max-seconds`` (uniform, seeded; 0 = done at the
first poll); faults on status polls ``--poll-5xx 0.10 --poll-drop 0.02 --poll-429 0.01``
(429s carry ``Retry-After: --retry-after``); ``--rate N`` answers 429 (Retry-After 1)
to any request beyond N per second (token bucket, N tokens of burst) — the way a
provider enforces a rate limit. Prints its URL on the first line of stdout.

    python benchmarks/h11_server.py --min-seconds 2 --max-seconds 30 --rate 500
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import time
from collections import Counter
from typing import Any

import h11

MAX_BODY = 1 << 20


class Job:
    """One queued request: when it is done and what it was asked."""

    __slots__ = ("app", "cancelled", "done_at", "finished", "prompt")

    def __init__(self, app: str, prompt: str, done_at: float) -> None:
        self.app = app
        self.prompt = prompt
        self.done_at = done_at
        self.cancelled = False
        self.finished = False


class Drop(Exception):
    """Close the connection without answering (an injected dropped connection)."""


class QueueServer:
    """The fake's state and its request handler (no I/O here: ``handle`` maps a request to an answer)."""

    def __init__(
        self,
        min_seconds: float = 0.0,
        max_seconds: float = 0.0,
        poll_5xx: float = 0.0,
        poll_drop: float = 0.0,
        poll_429: float = 0.0,
        retry_after: float = 1.0,
        rate: float = 0.0,
        seed: int = 42,
    ) -> None:
        self.min_seconds, self.max_seconds = min_seconds, max_seconds
        self.poll_5xx, self.poll_drop, self.poll_429 = poll_5xx, poll_drop, poll_429
        self.retry_after = retry_after
        self.rate = rate
        self.seed = seed
        self.url = ""
        self.connections = 0
        self._reset()

    def _reset(self) -> None:
        self.rng = random.Random(self.seed)
        self.jobs: dict[str, Job] = {}
        self.prompts: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self.backoff_until: dict[str, float] = {}
        self.next_id = 0
        self.tokens = self.rate
        self.refilled = time.monotonic()
        self.peak_connections = self.connections
        self.first = self.last = 0.0

    # ------------------------------------------------------------------ answers
    @staticmethod
    def _json(
        body: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        return status, headers or {}, json.dumps(body).encode()

    def _urls(self, app: str, rid: str) -> dict[str, str]:
        base = f"{self.url}/{app}/requests/{rid}"
        return {
            "response_url": base,
            "status_url": base + "/status",
            "cancel_url": base + "/cancel",
        }

    def _rate_limited(self, now: float) -> bool:
        if not self.rate:
            return False
        self.tokens = min(self.rate, self.tokens + (now - self.refilled) * self.rate)
        self.refilled = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return False
        return True

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """The answer to one request; raises Drop to close the connection instead."""
        path, _, _query = target.partition("?")
        if path == "/__stats":
            return self._json(self.stats())
        if path == "/__reset":
            self._reset()
            return self._json({"reset": True})
        now = time.monotonic()
        self.first = self.first or now
        self.last = now
        if not headers.get("authorization", "").startswith("Key "):
            return self._json({"detail": "No user found for Key ID and Secret"}, 401)
        if "/requests/" in path:
            app, _, rest = path.strip("/").partition("/requests/")
            rid, _, action = rest.partition("/")
            kind = "status" if action == "status" else "cancel" if action == "cancel" else "result"
        else:
            app, rid, action, kind = path.strip("/"), "", "", "submit"
        self.counts[kind] += 1
        if self._rate_limited(now):
            self.counts["rate_429"] += 1
            return self._json({"detail": "Rate limit exceeded"}, 429, {"Retry-After": "1"})
        if rid and now < self.backoff_until.get(rid, 0.0) - 0.05:
            self.counts["polls_before_retry_after"] += 1
        if kind == "status":
            roll = self.rng.random()
            if roll < self.poll_drop:
                self.counts["status_dropped"] += 1
                raise Drop
            if roll < self.poll_drop + self.poll_429:
                self.counts["status_429"] += 1
                self.backoff_until[rid] = now + self.retry_after
                return self._json(
                    {"detail": "rate limited"}, 429, {"Retry-After": f"{self.retry_after:g}"}
                )
            if roll < self.poll_drop + self.poll_429 + self.poll_5xx:
                self.counts["status_5xx"] += 1
                return self._json({"detail": "upstream connect error"}, 503)
        if kind == "submit":
            return self._submit(app, body, now)
        job = self.jobs.get(rid)
        if job is None:
            return self._json({"detail": "Request not found"}, 404)
        if kind == "status":
            return self._status(job, rid, now)
        if kind == "cancel":
            if job.finished or now >= job.done_at:
                return self._json({"status": "ALREADY_COMPLETED"}, 400)
            job.cancelled = True
            return self._json({"status": "CANCELLATION_REQUESTED"}, 202)
        return self._result(job, rid, now)

    def _submit(self, app: str, body: bytes, now: float) -> tuple[int, dict[str, str], bytes]:
        try:
            payload = json.loads(body)
        except ValueError:
            return self._json({"detail": "body is not JSON"}, 422)
        prompt = str(payload.get("prompt")) if isinstance(payload, dict) else ""
        self.next_id += 1
        rid = f"r{self.next_id}"
        seconds = self.rng.uniform(self.min_seconds, self.max_seconds) if self.max_seconds else 0.0
        self.jobs[rid] = Job(app, prompt, now + seconds)
        self.prompts[prompt] += 1
        self.counts["accepted"] += 1
        return self._json(
            {"request_id": rid, "status": "IN_QUEUE", "queue_position": 0, **self._urls(app, rid)}
        )

    def _status(self, job: Job, rid: str, now: float) -> tuple[int, dict[str, str], bytes]:
        common = {"request_id": rid, **self._urls(job.app, rid)}
        if now < job.done_at and not job.cancelled:
            return self._json({"status": "IN_PROGRESS", "logs": [], **common}, 202)
        job.finished = True
        error = "Request was cancelled" if job.cancelled else None
        return self._json(
            {
                "status": "COMPLETED",
                "logs": [],
                "metrics": {"inference_time": 1.5},
                "error": error,
                **common,
            }
        )

    def _result(self, job: Job, rid: str, now: float) -> tuple[int, dict[str, str], bytes]:
        if not job.finished and now < job.done_at:
            return self._json({"detail": "Request is still in progress"}, 400)
        self.counts["results"] += 1
        del self.jobs[rid]  # memory stays flat over 10,000s of jobs
        self.backoff_until.pop(rid, None)
        image = {
            "url": f"{self.url}/files/{rid}.png",
            "width": 1024,
            "height": 1024,
            "content_type": "image/png",
        }
        return self._json(
            {"images": [image], "seed": 42, "has_nsfw_concepts": [False], "prompt": job.prompt}
        )

    def stats(self) -> dict[str, Any]:
        """The counters a benchmark reads after a run."""
        return {
            "submits": self.counts["accepted"],
            "distinct_prompts": len(self.prompts),
            "duplicate_submissions": sum(n - 1 for n in self.prompts.values() if n > 1),
            "requests": dict(self.counts),
            "peak_connections": self.peak_connections,
            "busy_s": round(self.last - self.first, 3),
        }

    # ------------------------------------------------------------------ I/O
    async def serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """HTTP/1.1 keep-alive over one connection, with h11."""
        self.connections += 1
        self.peak_connections = max(self.peak_connections, self.connections)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_BODY)
        try:
            while True:
                request: h11.Request | None = None
                body = bytearray()
                while True:
                    event = conn.next_event()
                    if event is h11.NEED_DATA:
                        data = await reader.read(65536)
                        conn.receive_data(data)
                        if not data and request is None:
                            return
                        continue
                    if isinstance(event, h11.Request):
                        request = event
                    elif isinstance(event, h11.Data):
                        body += event.data
                    elif isinstance(event, h11.EndOfMessage):
                        break
                    elif isinstance(event, h11.ConnectionClosed):
                        return
                assert request is not None
                headers = {k.decode().lower(): v.decode() for k, v in request.headers}
                try:
                    status, extra, payload = self.handle(
                        request.method.decode(), request.target.decode(), headers, bytes(body)
                    )
                except Drop:
                    return
                out = [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                ]
                out += [(k.encode(), v.encode()) for k, v in extra.items()]
                writer.write(conn.send(h11.Response(status_code=status, headers=out)) or b"")
                writer.write(conn.send(h11.Data(data=payload)) or b"")
                writer.write(conn.send(h11.EndOfMessage()) or b"")
                await writer.drain()
                if conn.our_state is h11.MUST_CLOSE:
                    return
                conn.start_next_cycle()
        except (h11.RemoteProtocolError, ConnectionError):
            return
        finally:
            self.connections -= 1
            writer.close()


async def serve(server: QueueServer, host: str = "127.0.0.1", port: int = 0) -> None:
    """Serve until cancelled; prints the URL first."""
    listener = await asyncio.start_server(server.serve_connection, host, port, backlog=4096)
    bound = listener.sockets[0].getsockname()
    server.url = f"http://{bound[0]}:{bound[1]}"
    print(server.url, flush=True)
    async with listener:
        await listener.serve_forever()


def main(argv: list[str] | None = None) -> None:
    """Parse options and serve."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--min-seconds", type=float, default=0.0)
    parser.add_argument("--max-seconds", type=float, default=0.0)
    parser.add_argument("--poll-5xx", type=float, default=0.0)
    parser.add_argument("--poll-drop", type=float, default=0.0)
    parser.add_argument("--poll-429", type=float, default=0.0)
    parser.add_argument("--retry-after", type=float, default=1.0)
    parser.add_argument("--rate", type=float, default=0.0, help="requests/s enforced (429 beyond)")
    parser.add_argument(
        "--faults", action="store_true", help="shorthand: 10%% 503, 2%% drops, 1%% 429 on polls"
    )
    args = parser.parse_args(argv)
    if args.faults:
        args.poll_5xx, args.poll_drop, args.poll_429 = 0.10, 0.02, 0.01
    server = QueueServer(
        args.min_seconds,
        args.max_seconds,
        args.poll_5xx,
        args.poll_drop,
        args.poll_429,
        args.retry_after,
        args.rate,
    )
    try:
        asyncio.run(serve(server, port=args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
