"""Import time, each sample in a fresh interpreter, candidates interleaved."""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
from typing import Any

CANDIDATES = {
    "floor: import pydantic, httpx, pluggy": "import pydantic, httpx, pluggy",
    "import tarash.tarash_gateway": "import tarash.tarash_gateway",
    "tarash first use (gateway + models + every plugin loaded)": (
        "import tarash.tarash_gateway as t; from tarash.tarash_gateway.models import VideoGenerationConfig;"
        " from tarash.tarash_gateway import generate_video; t.load_plugins()"
    ),
    "import litellm": "import litellm",
    "import fal_client": "import fal_client",
}
TIMER = "import time; _t = time.perf_counter(); {code}; print(time.perf_counter() - _t)"


def _available(code: str) -> bool:
    module = code.split("import ", 1)[1].split(",")[0].split(";")[0].strip().split(" ")[0]
    return importlib.util.find_spec(module.split(".")[0]) is not None


def measure(samples: int = 15) -> dict[str, Any]:
    """Median/min/max ms per candidate and each candidate's ratio to the floor."""
    present = {name: code for name, code in CANDIDATES.items() if _available(code)}
    times: dict[str, list[float]] = {name: [] for name in present}
    for _ in range(samples):
        for name, code in present.items():
            out = subprocess.run(
                [sys.executable, "-c", TIMER.format(code=code)],
                capture_output=True,
                text=True,
                check=True,
                # litellm otherwise fetches its model price map from GitHub at import
                env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
            )
            times[name].append(float(out.stdout.strip().splitlines()[-1]) * 1000)
    floor = statistics.median(times["floor: import pydantic, httpx, pluggy"])
    result: dict[str, Any] = {}
    for name, values in times.items():
        median = statistics.median(values)
        result[name] = {
            "median_ms": round(median, 1),
            "min_ms": round(min(values), 1),
            "max_ms": round(max(values), 1),
            "vs_floor": round(median / floor, 2),
        }
    missing = [name for name in CANDIDATES if name not in present]
    if missing:
        result["not installed"] = missing
    return result
