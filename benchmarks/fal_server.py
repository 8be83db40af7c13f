"""The fake fal queue server, run as its own process for benchmarks.

Extends tests/plugins/fal/fake_fal.py with what the benchmarks measure:
jobs that take a random 2-5 s, fault injection (5xx and 429 with Retry-After on
status polls, dropped connections), duplicate-submission counting (by prompt),
Retry-After compliance, and a ``GET /__stats`` endpoint. Requests are not
recorded (memory stays flat).

    python benchmarks/fal_server.py [--min-seconds 2 --max-seconds 5] [--faults]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.plugins.fal.fake_fal import FakeFalServer  # noqa: E402

from tarash.tarash_gateway.testing import FakeRequest, FakeResponse  # noqa: E402


class BenchFalServer(FakeFalServer):
    """FakeFalServer with timing jitter, faults and counters for benchmarks."""

    def __init__(
        self,
        min_seconds: float | None,
        max_seconds: float | None,
        poll_5xx: float = 0.0,
        poll_429: float = 0.0,
        drop: float = 0.0,
        retry_after: float = 1.0,
    ) -> None:
        super().__init__(polls=1, seconds=None, require_key=True)
        self.record = False
        self.min_seconds, self.max_seconds = min_seconds, max_seconds
        self.poll_5xx, self.poll_429, self.drop = poll_5xx, poll_429, drop
        self.retry_after = retry_after
        self.rng = random.Random(42)
        self.stats_lock = threading.Lock()
        self.prompts: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self.backoff_until: dict[str, float] = {}
        self.early_after_429 = 0

    def dispatch(self, request: FakeRequest) -> FakeResponse:
        """Count, inject faults on the queue API, then answer as fake fal does."""
        path = request.path
        if path == "/__stats":
            return self._stats(request)
        if path == "/__reset":
            return self._reset(request)
        kind = (
            "status"
            if path.endswith("/status")
            else "submit"
            if request.method == "POST"
            else "cancel"
            if path.endswith("/cancel")
            else "result"
        )
        now = time.monotonic()
        rid = path.split("/requests/")[1].split("/")[0] if "/requests/" in path else None
        with self.stats_lock:
            self.counts[kind] += 1
            roll = self.rng.random()
            if rid is not None and now < self.backoff_until.get(rid, 0.0) - 0.05:
                self.early_after_429 += 1
        if roll < self.drop:
            with self.stats_lock:
                self.counts[f"{kind}_dropped"] += 1
            return FakeResponse(drop=True)
        if kind == "status" and roll < self.drop + self.poll_429:
            with self.stats_lock:
                self.counts["status_429"] += 1
                if rid is not None:
                    self.backoff_until[rid] = now + self.retry_after
            return FakeResponse.json(
                {"detail": "rate limited"}, 429, {"Retry-After": f"{self.retry_after:g}"}
            )
        if kind == "status" and roll < self.drop + self.poll_429 + self.poll_5xx:
            with self.stats_lock:
                self.counts["status_5xx"] += 1
            return FakeResponse.json({"detail": "upstream connect error"}, 503)
        response = super().dispatch(request)
        if kind == "submit" and response.status == 200:
            body = json.loads(response.body)
            job = self.jobs[body["request_id"]]
            if self.min_seconds is not None and self.max_seconds is not None:
                job.seconds = self.rng.uniform(self.min_seconds, self.max_seconds)
            with self.stats_lock:
                self.prompts[str(job.payload.get("prompt"))] += 1
        return response

    def _stats(self, request: FakeRequest) -> FakeResponse:
        with self.stats_lock:
            duplicates = sum(n - 1 for n in self.prompts.values() if n > 1)
            return FakeResponse.json(
                {
                    "submits": self.submits,
                    "distinct_prompts": len(self.prompts),
                    "duplicate_submissions": duplicates,
                    "requests": dict(self.counts),
                    "polls_before_retry_after": self.early_after_429,
                }
            )

    def _reset(self, request: FakeRequest) -> FakeResponse:
        with self.stats_lock:
            self.prompts.clear()
            self.counts.clear()
            self.backoff_until.clear()
            self.early_after_429 = 0
            self.jobs.clear()
            self._submits = 0
        return FakeResponse.json({"reset": True})


def main(argv: list[str] | None = None) -> None:
    """Serve until killed; print the URL on the first line of stdout."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--min-seconds", type=float, default=None)
    parser.add_argument("--max-seconds", type=float, default=None)
    parser.add_argument("--faults", action="store_true", help="10%% 5xx, 3%% 429, 2%% drops")
    args = parser.parse_args(argv)
    faults: dict[str, Any] = (
        {"poll_5xx": 0.10, "poll_429": 0.03, "drop": 0.02} if args.faults else {}
    )
    server = BenchFalServer(args.min_seconds, args.max_seconds, **faults)
    server.start()
    print(server.url, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
