"""`tarash` with real installed provider plugins (entry points) against their fake servers.

Skipped when the plugin distribution is not installed in this environment.
"""

from __future__ import annotations

import base64
import json
import signal
import time

import pytest

from tests.cli.conftest import start


def test_fal_video_end_to_end_through_the_entry_point(run, tmp_path):
    pytest.importorskip("tarash_fal")
    from tests.plugins.fal.fake_fal import FakeFalServer

    with FakeFalServer(polls=3) as server:
        result = run(
            "video", "a red fox in the snow", "--provider", "fal", "--model", "fal-ai/veo3.1/fast",
            "--duration", "8", "--base-url", server.url, "--poll-interval", "0.02", "-o", "fox.mp4",
            TARASH_PLUGINS="mock,fal", FAL_KEY="fal-test-key",
        )  # fmt: skip

    assert result.code == 0, result.stderr
    assert (tmp_path / "fox.mp4").read_bytes()[4:8] == b"ftyp"
    assert server.submits == 1
    assert "fal/fal-ai/veo3.1/fast: queued" in result.stderr


def test_fal_rejected_value_names_the_option(run):
    pytest.importorskip("tarash_fal")
    result = run(
        "video", "x", "-p", "fal", "-m", "fal-ai/veo3.1/fast", "--duration", "7",
        TARASH_PLUGINS="mock,fal", FAL_KEY="fal-test-key",
    )  # fmt: skip

    assert result.code == 2
    assert "duration_seconds=7 is not accepted" in result.stderr
    assert "Change --duration (tarash models fal shows" in result.stderr


def test_fal_ctrl_c_cancels_the_queued_request(tmp_path):
    pytest.importorskip("tarash_fal")
    from tests.plugins.fal.fake_fal import FakeFalServer

    with FakeFalServer(polls=10_000) as server:
        process = start(
            tmp_path,
            *("video", "x", "-p", "fal", "-m", "fal-ai/veo3.1/fast"),
            *("--base-url", server.url, "--poll-interval", "0.02"),
            TARASH_PLUGINS="mock,fal",
            FAL_KEY="fal-test-key",
        )
        try:
            deadline = time.monotonic() + 10
            while server.count("GET", r".*/status") < 2:
                assert time.monotonic() < deadline
                time.sleep(0.02)
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        cancels = server.count("PUT", r".*/cancel")

    assert process.returncode == 130
    assert cancels == 1
    assert "interrupted: asked fal to cancel job" in stderr


def test_elevenlabs_tts_from_stdin(run, tmp_path):
    pytest.importorskip("tarash_elevenlabs")
    from tests.plugins.elevenlabs.fake_elevenlabs import FakeElevenLabsServer

    with FakeElevenLabsServer() as server:
        result = run(
            "tts", "-", "-p", "elevenlabs", "--voice", "JBFqnCBsd6RMkjVDRZzb",
            "--output-format", "mp3_44100_128", "--base-url", server.url, "--json", "-q",
            stdin="Hello from the command line.",
            TARASH_PLUGINS="mock,elevenlabs", ELEVENLABS_API_KEY="el-test-key",
        )  # fmt: skip

    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    saved = tmp_path / data["saved_to"][0]
    assert saved.suffix == ".mp3"
    assert saved.read_bytes() == base64.b64decode(data["audio"])


def test_models_shows_what_a_fal_model_accepts(run):
    pytest.importorskip("tarash_fal")

    def run_cli(*args: str):
        return run(*args, TARASH_PLUGINS="mock,fal")

    listing = run_cli("models", "fal")
    assert listing.code == 0, listing.stderr
    assert "fal-ai/veo3.1/fast/image-to-video" in listing.stdout
    one = run_cli("models", "fal", "fal-ai/veo3.1/fast/image-to-video")
    assert one.code == 0, one.stderr
    assert "duration_seconds  4, 6, 8 -> duration" in one.stdout
    assert "roles first_frame/reference; max 1; image (required) -> image_url" in one.stdout
    as_json = run_cli("models", "fal", "fal-ai/veo3.1/fast", "--json")
    data = json.loads(as_json.stdout)
    assert data["family"].startswith("Veo") and data["provider"] == "fal"
    unknown = run_cli("models", "nope")
    assert unknown.code == 2 and "unknown provider 'nope'" in unknown.stderr
