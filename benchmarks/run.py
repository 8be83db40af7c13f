"""Run every benchmark and print the figures as JSON (also saved to results/latest.json).

    python benchmarks/run.py [--quick] [--jobs 10000] [--only imports,percall,scale,rate,faults,threads]

percall, scale, rate and faults run against h11_server.py (asyncio + h11, its own
process); threads against the older threaded fal_server.py.

Figures, not assertions: these machines are noisy, so every comparison runs side
by side in the same run and is reported as ratios (median, min, max).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


@contextmanager
def fal_server(*args: str, script: str = "fal_server.py") -> Any:
    """A benchmark fal server in its own process; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, str(HERE / script), *args], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


def _get(url: str, path: str, method: str = "GET") -> dict[str, Any]:
    request = urllib.request.Request(url + path, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def h11_server(*args: str) -> Any:
    """The asyncio + h11 fake (not the bottleneck) in its own process; yields its URL."""
    return fal_server(*args, script="h11_server.py")


def scenario(
    client: str, url: str, jobs: int, interval: float = 0.5, *extra: str
) -> dict[str, Any]:
    """Run one client in a fresh process; add the server's counters."""
    _get(url, "/__reset", "POST")
    out = subprocess.run(
        [
            sys.executable,
            str(HERE / "scale.py"),
            client,
            "--url",
            url,
            "--jobs",
            str(jobs),
            "--interval",
            str(interval),
            *extra,
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    stats = _get(url, "/__stats")
    result["server"] = stats
    submits = max(1, stats["submits"])
    result["polls_per_job"] = round(stats["requests"].get("status", 0) / submits, 2)
    return result


JOB_TIME = ("--min-seconds", "2", "--max-seconds", "30")
INTERVAL = 2.0  # ImageGenerationConfig's default poll_interval


def bench_scale(jobs: int, repeats: int) -> dict[str, Any]:
    """tarash async (adaptive polls, and the fixed schedule of before) vs the bounded
    hand-written client (16 in flight, as tarash)."""
    runs: dict[str, list[dict[str, Any]]] = {
        "tarash-async": [],
        "tarash-async-fixed": [],
        "bounded": [],
    }
    with h11_server(*JOB_TIME) as url:
        for _ in range(repeats):
            for client in runs:
                runs[client].append(scenario(client, url, jobs, INTERVAL, "--bound", "16"))
    walls = {c: [r["wall_s"] for r in rs] for c, rs in runs.items()}
    vs_bounded = [t / b for t, b in zip(walls["tarash-async"], walls["bounded"], strict=True)]
    return {"runs": runs, "ratio_vs_bounded": _stats(vs_bounded)}


def bench_rate(jobs: int, rate: int) -> dict[str, Any]:
    """tarash against a fake enforcing ``rate`` requests/s: without, then with the cap.

    Jobs get a timeout sized to the rate (at least 4 requests per job must fit), so
    that what is measured is the 429s, not jobs timing out by construction."""
    timeout = str(max(120, round(4 * jobs / rate * 1.5)))
    with h11_server(*JOB_TIME, "--rate", str(rate)) as url:
        return {
            "server_rate": rate,
            "timeout": float(timeout),
            "uncapped": scenario("tarash-async", url, jobs, INTERVAL, "--timeout", timeout),
            "capped": scenario(
                "tarash-async", url, jobs, INTERVAL, "--rate-limit", str(rate), "--timeout", timeout
            ),
        }


def bench_faults(jobs: int) -> dict[str, Any]:
    """10% 503, 2% dropped connections and 1% 429 (Retry-After: 1) on status polls."""
    with h11_server(*JOB_TIME, "--faults") as url:
        return scenario("tarash-async", url, jobs, INTERVAL)


def bench_threads(jobs: int) -> dict[str, Any]:
    with fal_server("--min-seconds", "2", "--max-seconds", "5") as url:
        return scenario("tarash-sync-threads", url, jobs)


def bench_percall(rounds: int) -> dict[str, Any]:
    import percall

    with h11_server() as url:
        return percall.measure(url, rounds=rounds)


def _stats(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer samples, 200 jobs")
    parser.add_argument("--only", default="imports,percall,scale,rate,faults,threads")
    parser.add_argument("--jobs", type=int, default=None, help="concurrent jobs (10000)")
    parser.add_argument("--rate", type=int, default=500, help="requests/s the fake enforces")
    parser.add_argument("--repeats", type=int, default=None, help="scale runs per client (3)")
    args = parser.parse_args()
    only = set(args.only.split(","))
    jobs = args.jobs or (200 if args.quick else 10_000)
    results: dict[str, Any] = {
        "machine": {
            "load_average": os.getloadavg(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        },
    }
    if "imports" in only:
        import imports

        results["imports"] = imports.measure(5 if args.quick else 15)
        print("imports", json.dumps(results["imports"], indent=1), flush=True)
    if "percall" in only:
        results["percall"] = bench_percall(4 if args.quick else 15)
        print("percall", json.dumps(results["percall"], indent=1), flush=True)
    if "scale" in only:
        results["scale"] = bench_scale(jobs, args.repeats or (1 if args.quick else 3))
        print("scale", json.dumps(results["scale"], indent=1), flush=True)
    if "rate" in only:
        results["rate"] = bench_rate(jobs, args.rate)
        print("rate", json.dumps(results["rate"], indent=1), flush=True)
    if "faults" in only:
        results["faults"] = bench_faults(jobs)
        print("faults", json.dumps(results["faults"], indent=1), flush=True)
    if "threads" in only:
        results["threads"] = bench_threads(200)
        print("threads", json.dumps(results["threads"], indent=1), flush=True)
    out = HERE / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"saved {out}")


if __name__ == "__main__":
    main()
