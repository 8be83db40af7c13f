"""`tarash` never loses a paid result, checks inputs by content, and says one thing at a time."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import termios
import time
from importlib.metadata import metadata
from pathlib import Path

import pytest

from tests.cli.conftest import cli_env, command


def is_mp4(path: Path) -> bool:
    return path.read_bytes()[4:8] == b"ftyp"


# ---------------------------------------------------------------- inputs by content
def test_a_text_file_named_png_is_refused_before_anything_is_sent(run, tmp_path):
    (tmp_path / "notes.png").write_text("meeting notes: buy milk")

    result = run("video", "a fox", "-p", "mock", "--image", "first_frame=notes.png")

    assert result.code == 2
    assert "image_list[0].image: found text ('meeting notes: buy milk')" in result.stderr
    assert "accepted: image (image/png, image/jpeg" in result.stderr
    assert "Change --image" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_local_image_is_sent_as_what_its_bytes_are(run, tmp_path):
    from tarash.tarash_gateway import _mock_media

    (tmp_path / "frame.jpg").write_bytes(_mock_media.png(8, 8))  # a PNG, whatever its name

    result = run("video", "a fox", "-p", "mock", "--image", "first_frame=frame.jpg", "-q")

    assert result.code == 0, result.stderr


# ---------------------------------------------------------------- the mock from the CLI
def test_mock_flag_runs_the_real_plugins_checks_offline_without_a_key(run):
    refused = run(
        "video", "a fox", "-p", "fal", "-m", "fal-ai/veo3.1/fast", "--mock", "--duration", "7",
        TARASH_PLUGINS="mock,fal",
    )  # fmt: skip
    accepted = run(
        "video", "a fox", "-p", "fal", "-m", "fal-ai/veo3.1/fast", "--mock", "--duration", "8",
        "--aspect-ratio", "9:16", "--json", "-q", "-o", "fox.mp4", TARASH_PLUGINS="mock,fal",
    )  # fmt: skip

    assert refused.code == 2
    assert "duration_seconds=7 is not accepted; accepted: 4, 6, 8" in refused.stderr
    assert accepted.code == 0, accepted.stderr
    data = json.loads(accepted.stdout)
    assert data["raw_response"]["payload"] == {
        "prompt": "a fox",
        "aspect_ratio": "9:16",
        "duration": "8s",
    }
    assert data["raw_response"]["file"]["height"] == 320  # portrait


def test_a_slow_mock_shows_the_queue_from_the_cli(run):
    result = run(
        "video", "a fox", "-p", "mock", "--provider-config", "delay=0.5", "--progress", "plain",
    )  # fmt: skip

    assert result.code == 0, result.stderr
    assert "mock/mock-video: queued, 1 ahead in queue" in result.stderr
    assert "mock/mock-video: queued, next in queue" in result.stderr
    assert "mock/mock-video: processing, 50%" in result.stderr
    assert "#0" not in result.stderr


def test_a_failing_mock_from_the_cli_exits_3(run):
    result = run("video", "a fox", "-p", "mock", "--provider-config", "fail=failed")

    assert result.code == 3
    assert "mock: the job failed" in result.stderr


# ---------------------------------------------------------------- output
def test_an_unwritable_output_is_refused_before_submitting(run, tmp_path):
    (tmp_path / "a-file").write_text("x")

    in_proc = run("video", "a fox", "-p", "mock", "-o", "/proc/tarash/fox.mp4")
    under_a_file = run(
        "video", "a fox", "-p", "mock", "-o", "a-file/fox.mp4", "--progress", "plain"
    )

    assert in_proc.code == 2 and "cannot write in '/proc'" in in_proc.stderr
    assert "nothing was sent" in in_proc.stderr
    assert under_a_file.code == 2 and "'a-file' is not a folder" in under_a_file.stderr
    assert "submitting" not in under_a_file.stderr


def test_a_save_that_fails_after_the_job_keeps_the_result_and_names_the_job(tmp_path):
    (tmp_path / "out").mkdir()
    process = subprocess.Popen(
        command(
            "video",
            "a red fox",
            "-p",
            "mock",
            "--provider-config",
            "delay=1.5",
            "-o",
            "out/fox.mp4",
            "--json",
            "--progress",
            "plain",
        ),  # fmt: skip
        cwd=tmp_path,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    assert process.stderr is not None
    while "queued" not in process.stderr.readline():  # the job is running: pull the folder away
        assert time.monotonic() < deadline
    shutil.rmtree(tmp_path / "out")
    (tmp_path / "out").write_text("now a file")
    stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 4, stderr
    error = json.loads(stdout)["error"]
    assert error["exit_code"] == 4 and error["request_id"].startswith("mock_")
    assert error["saved_to"] == [str(tmp_path / "a-red-fox.mp4")]
    assert is_mp4(tmp_path / "a-red-fox.mp4")
    assert f"The job succeeded (mock job {error['request_id']})" in stderr
    assert "saved it to" in stderr


# ---------------------------------------------------------------- errors
def test_json_errors_are_json_on_stdout_without_error_error(run):
    validation = run("video", "x", "-p", "mock", "--duration", "0", "--json")
    usage = run("video", "x", "-p", "mock", "--aspect-ratio", "5:7", "--json")

    for result in (validation, usage):
        assert result.code == 2
        error = json.loads(result.stdout)["error"]
        assert error["exit_code"] == 2 and not error["message"].startswith("error")
        assert "error: error:" not in result.stderr
        assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["video", "-p", "mock"], "the following arguments are required: PROMPT"),
        (["video", "x", "-p", "mock", "--bogus"], "unrecognized arguments: --bogus"),
        (["video", "x", "-p", "mock", "--duration", "ten"], "--duration: invalid int value: 'ten'"),
    ],
)
def test_usage_errors_are_one_line_with_a_hint(run, args, expected):
    result = run(*args)

    assert result.code == 2
    assert result.stderr.count("\n") == 1
    assert expected in result.stderr and "(see tarash video --help)" in result.stderr
    assert "usage:" not in result.stderr


def test_a_provider_without_the_modality_says_so_first(run):
    result = run("tts", "hello", "-p", "echo", echo=True)

    assert result.code == 2
    assert result.stderr == "tarash: error: echo does not do tts; installed tts providers: mock\n"


def test_help_points_at_the_published_docs_from_the_package_metadata(run):
    urls = metadata("tarash-core").get_all("Project-URL") or []
    docs = next(url.split(",", 1)[1].strip() for url in urls if url.startswith("Documentation"))

    result = run("--help")

    assert result.code == 0
    assert f"{docs.rstrip('/')}/cli/" in " ".join(result.stdout.split())
    assert "docs/cli.md" not in result.stdout


# ---------------------------------------------------------------- narrow terminal
def test_live_progress_on_a_narrow_terminal_keeps_status_and_elapsed_time(tmp_path):
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 40, 0, 0))
    env = cli_env()
    env.pop("COLUMNS", None)
    model = "a-very-long-model-identifier/for-a-narrow-terminal/v2"
    process = subprocess.Popen(
        [*command("video", "a fox", "-p", "mock", "-m", model, "--provider-config", "delay=1")],
        cwd=tmp_path,
        env=env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    output = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=30)
    os.close(leader)

    assert process.returncode == 0, output
    frames = [
        re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", frame).strip()
        for frame in output.decode(errors="replace").split("\r")
    ]
    live = [frame for frame in frames if "processing" in frame or "queued" in frame]
    assert live, frames
    assert all(len(frame) <= 39 for frame in live), live
    assert all(re.search(r"\d+\.\ds$", frame) for frame in live), live  # elapsed, last
    assert any("processing" in frame and "%" in frame for frame in live), live
    assert any("...-narrow-terminal/v2" in frame for frame in live), live  # the id's end
