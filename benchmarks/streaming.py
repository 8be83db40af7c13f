"""Streaming figures: time to first audio byte, and saving a 1 GiB result.

    python benchmarks/streaming.py [--rounds 30] [--gib 1]

1. Time to first byte of ``stream_tts`` (ElevenLabs plugin) against a raw httpx
   streaming client, same fake in another process, sync and async: median
   overhead in ms.
2. ``response.save()`` of a chunked 1 GiB result against a raw httpx streaming
   download to a file, each in a fresh process: wall time and peak RSS growth.
Figures, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VOICE = "JBFqnCBsd6RMkjVDRZzb"
SERVER = """
import sys, time
from tarash.tarash_gateway.testing import FakeResponse, FakeServer
block = bytes(range(256)) * 4096
gib = float(sys.argv[1])
server = FakeServer()
server.add_route("POST", r"/v1/text-to-speech/.*", lambda r: FakeResponse.stream(
    [b"\\xff\\xfb" + bytes(4094)] * 10, "audio/mpeg", 0.02, {"request-id": "req_1"}))
server.add_route("GET", r"/big", lambda r: FakeResponse.stream([block] * int(gib * 1024), "video/mp4"))
server.start()
print(server.url, flush=True)
time.sleep(3600)
"""


def ttfb(url: str, rounds: int) -> dict[str, float]:
    import httpx

    from tarash.tarash_gateway import stream_tts, stream_tts_async
    from tarash.tarash_gateway.models import AudioGenerationConfig, TTSRequest

    config = AudioGenerationConfig(provider="elevenlabs", api_key="k", base_url=url)
    request = TTSRequest(text="Hello there", voice_id=VOICE)
    endpoint = f"{url}/v1/text-to-speech/{VOICE}/stream"
    body = {"text": "Hello there", "model_id": "eleven_multilingual_v2"}
    results: dict[str, list[float]] = {
        "tarash sync": [],
        "raw sync": [],
        "tarash async": [],
        "raw async": [],
    }
    client = httpx.Client()
    for _ in range(rounds):
        started = time.perf_counter()
        with stream_tts(config, request) as stream:
            results["tarash sync"].append(time.perf_counter() - started)
            stream.read()
        started = time.perf_counter()
        with client.stream("POST", endpoint, json=body, headers={"xi-api-key": "k"}) as response:
            chunks = response.iter_bytes()
            next(chunks)
            results["raw sync"].append(time.perf_counter() - started)
            for _ in chunks:
                pass

    async def run_async() -> None:
        async with httpx.AsyncClient() as aclient:
            for _ in range(rounds):
                started = time.perf_counter()
                async with await stream_tts_async(config, request) as stream:
                    results["tarash async"].append(time.perf_counter() - started)
                    await stream.read()
                started = time.perf_counter()
                async with aclient.stream(
                    "POST", endpoint, json=body, headers={"xi-api-key": "k"}
                ) as response:
                    chunks = response.aiter_bytes()
                    await anext(chunks)
                    results["raw async"].append(time.perf_counter() - started)
                    async for _ in chunks:
                        pass

    asyncio.run(run_async())
    return {name: statistics.median(values) * 1000 for name, values in results.items()}


SAVE = """
import resource, sys, time, httpx
which, url, path = sys.argv[1:4]
if which == "tarash":
    from tarash.tarash_gateway.models import VideoGenerationResponse
    response = VideoGenerationResponse(request_id="r", video=url + "/big", content_type="video/mp4")
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
if which == "tarash":
    response.save(path)
else:
    with httpx.Client() as client, client.stream("GET", url + "/big") as answer, open(path, "wb") as f:
        for chunk in answer.iter_bytes():
            f.write(chunk)
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(elapsed, (peak - base) / 1024)
"""


def save(url: str, gib: float, tmp: Path) -> dict[str, tuple[float, float]]:
    figures = {}
    for which in ("raw", "tarash", "raw", "tarash"):
        out = subprocess.run(
            [sys.executable, "-c", SAVE, which, url, str(tmp / f"{which}.mp4")],
            capture_output=True,
            text=True,
            check=True,
        )
        seconds, rss_mib = (float(x) for x in out.stdout.split())
        best = figures.get(which)
        if best is None or seconds < best[0]:
            figures[which] = (seconds, rss_mib)
        (tmp / f"{which}.mp4").unlink()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--gib", type=float, default=1.0)
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(args.gib)], stdout=subprocess.PIPE, text=True
    )
    try:
        url = server.stdout.readline().strip()  # type: ignore[union-attr]
        first = ttfb(url, args.rounds)
        tmp = HERE / "results"
        tmp.mkdir(exist_ok=True)
        saved = save(url, args.gib, tmp)
    finally:
        server.terminate()
    print("| client | median time to first byte (ms) |\n|---|---|")
    for name, value in first.items():
        print(f"| {name} | {value:.2f} |")
    print(
        f"overhead sync {first['tarash sync'] - first['raw sync']:+.2f} ms, "
        f"async {first['tarash async'] - first['raw async']:+.2f} ms"
    )
    print(f"\n| save {args.gib:g} GiB | best wall (s) | peak RSS growth (MiB) |\n|---|---|---|")
    for name, (seconds, rss) in saved.items():
        print(f"| {name} | {seconds:.2f} | {rss:.1f} |")
    ratio = saved["raw"][0] / saved["tarash"][0]
    print(f"throughput tarash / raw: {ratio:.2f}x")
    (HERE / "results" / "streaming.json").write_text(json.dumps({"ttfb_ms": first, "save": saved}))


if __name__ == "__main__":
    main()
