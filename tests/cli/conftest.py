"""Fixtures of the CLI tests: run ``tarash`` as a subprocess, against mock or a fake server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tarash.tarash_gateway import _mock_media
from tarash.tarash_gateway.testing import FakeResponse
from tests.support.echo_provider import EchoServer

LAUNCHER = Path(__file__).with_name("echo_launcher.py")
MP4 = _mock_media.sample("sample.mp4")


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of a CLI subprocess: only the mock plugin from entry points, no keys."""
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_KEY", "_TOKEN"))}
    env.update(TARASH_PLUGINS="mock", PYTHONUNBUFFERED="1", COLUMNS="120")
    env.pop("TARASH_STRICT_PLUGINS", None)
    env.update(extra)
    return env


def command(*args: str, echo: bool = False) -> list[str]:
    """``python -m tarash.tarash_gateway.cli ARGS``, or the echo launcher with ARGS."""
    if echo:
        return [sys.executable, str(LAUNCHER), *args]
    return [sys.executable, "-m", "tarash.tarash_gateway.cli", *args]


def start(cwd: Path, *args: str, echo: bool = False, **env: str) -> subprocess.Popen[str]:
    """Start the CLI in ``cwd`` with its output piped (text); the test waits for it or kills it."""
    return subprocess.Popen(
        command(*args, echo=echo),
        cwd=cwd,
        env=cli_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def run(tmp_path: Path):
    """Run the CLI to completion in ``tmp_path``; returns code, stdout, stderr."""

    def run(*args: str, echo: bool = False, stdin: str | None = None, **env: str) -> Result:
        done = subprocess.run(
            command(*args, echo=echo),
            cwd=tmp_path,
            env=cli_env(**env),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    """An EchoServer that also serves the result files its jobs point at."""
    with EchoServer() as server:
        server.add_route(
            "GET", r"/files/(?P<name>[^/]+)", lambda req, name: FakeResponse.raw(MP4, "video/mp4")
        )
        yield server
