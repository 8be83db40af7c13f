"""`tarash` as a subprocess against a real local fake server (the 'echo' provider).

The echo plugin is registered by tests/cli/echo_launcher.py; the EchoServer runs
in this test process and records every request the CLI sends.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from tests.cli.conftest import MP4, cli_env, command, start

KEY = {"ECHO_API_KEY": "sk-echo-test"}
FAST = ("--poll-interval", "0.02")


def echo_args(server, *args: str) -> list[str]:
    return [*args, "-p", "echo", "--base-url", server.url, *FAST]


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_video_url_result_is_downloaded_with_plain_progress(run, echo, tmp_path):
    echo.polls = 4
    result = run(*echo_args(echo, "video", "a fox", "-o", "fox.mp4"), echo=True, **KEY)

    assert result.code == 0, result.stderr
    assert (tmp_path / "fox.mp4").read_bytes() == MP4
    assert echo.count("POST", r"/v1/jobs") == 1
    assert echo.count("GET", r"/files/job-1.mp4") == 1
    lines = result.stderr.splitlines()
    assert lines[0].endswith("video via echo/echo-video: submitting")
    assert any(line.endswith("echo/echo-video: queued") for line in lines)
    assert any(line.endswith("echo/echo-video: processing, 50%") for line in lines)
    assert lines[-1].endswith("echo/echo-video: completed")
    # one line per change, not per poll, and no terminal control codes off a TTY
    assert len(lines) == 4
    assert "\r" not in result.stderr and "\x1b" not in result.stderr


def test_image_data_uri_result_and_options_reach_the_wire(run, echo, tmp_path):
    result = run(
        *echo_args(echo, "image", "a cat", "--param", "steps=30", "--param", 'tags=["a","b"]'),
        echo=True,
        **KEY,
    )

    assert result.code == 0, result.stderr
    assert (tmp_path / "a-cat.png").read_bytes()[:4] == b"\x89PNG"
    sent = echo.last("POST", r"/v1/jobs")
    assert sent.json() == {
        "model": "echo-image",
        "prompt": "a cat",
        "steps": 30,
        "tags": ["a", "b"],
    }
    assert sent.headers["authorization"] == "Bearer sk-echo-test"


def test_api_key_option_and_model_option(run, echo):
    result = run(
        *echo_args(echo, "video", "x", "--api-key", "sk-flag", "-m", "echo-big-video", "-q"),
        echo=True,
    )

    assert result.code == 0, result.stderr
    sent = echo.last("POST", r"/v1/jobs")
    assert sent.headers["authorization"] == "Bearer sk-flag"
    assert sent.json()["model"] == "echo-big-video"
    assert "via echo/echo-big-video" in result.stdout


def test_json_output_is_parseable_and_has_the_execution_metadata(run, echo, tmp_path):
    result = run(*echo_args(echo, "video", "a fox", "--json", "-q"), echo=True, **KEY)

    data = json.loads(result.stdout)
    assert data["video"] == f"{echo.url}/files/job-1.mp4"
    assert data["request_id"] == "job-1"
    assert data["execution_metadata"]["successful_attempt"] == 1
    assert data["saved_to"] == ["a-fox.mp4"]
    assert (tmp_path / "a-fox.mp4").read_bytes() == MP4


def test_missing_key_is_a_usage_error_naming_the_variable(run, echo):
    result = run(*echo_args(echo, "video", "x"), echo=True)

    assert result.code == 2
    assert result.stderr == (
        "tarash: error: no API key for provider 'echo': pass --api-key or set ECHO_API_KEY\n"
    )
    assert echo.requests == []


def test_failed_job_exits_3_with_one_line_and_no_traceback(run, echo):
    echo.fail_jobs = True
    result = run(*echo_args(echo, "video", "x", "-q"), echo=True, **KEY)

    assert result.code == 3
    assert result.stderr.splitlines() == [
        "tarash: error: echo/echo-video: the model crashed. The job failed at the provider: "
        "retry, change the input, or add --fallback."
    ]


def test_debug_shows_the_traceback_and_http_log(run, echo):
    echo.fail_jobs = True
    result = run(*echo_args(echo, "video", "x", "-q", "--debug"), echo=True, **KEY)

    assert result.code == 3
    assert "Traceback" in result.stderr and "GenerationFailedError" in result.stderr
    assert "POST " in result.stderr and "/v1/jobs" in result.stderr


def test_rejected_key_hints_at_the_key(run, echo):
    echo.inject("POST", r"/v1/jobs", status=401, json_body={"error": "bad key"})
    result = run(*echo_args(echo, "video", "x", "-q"), echo=True, **KEY)

    assert result.code == 3
    assert "Check the API key (--api-key or ECHO_API_KEY)" in result.stderr
    assert "sk-echo-test" not in result.stderr


def test_fallback_moves_on_and_json_records_both_attempts(run, echo, tmp_path):
    echo.inject("POST", r"/v1/jobs", status=503, json_body={"error": "overloaded"})
    result = run(
        *echo_args(echo, "video", "x", "--fallback", "mock", "--json", "-o", "x.mp4"),
        echo=True,
        **KEY,
    )

    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    attempts = data["execution_metadata"]["attempts"]
    assert [(a["provider"], a["status"]) for a in attempts] == [
        ("echo", "failed"),
        ("mock", "success"),
    ]
    assert data["provider"] == "mock"
    assert "echo/echo-video (attempt 1/2) failed" in result.stderr
    assert (tmp_path / "x.mp4").read_bytes()[4:8] == b"ftyp"


def test_failure_of_every_link_says_so_and_prints_json_error(run, echo):
    echo.fail_jobs = True
    result = run(
        *echo_args(echo, "video", "x", "--fallback", "echo:echo-other-video", "--json", "-q"),
        echo=True,
        **KEY,
    )

    assert result.code == 3
    assert "every provider of the chain failed (2 attempts)" in result.stderr
    error = json.loads(result.stdout)["error"]
    assert error["type"] == "GenerationFailedError"
    assert error["exit_code"] == 3
    assert len(error["execution_metadata"]["attempts"]) == 2
    assert echo.count("POST", r"/v1/jobs") == 2


def test_timeout_cancels_the_remote_job(run, echo):
    echo.polls = 10_000
    result = run(*echo_args(echo, "video", "x", "--timeout", "0.5", "-q"), echo=True, **KEY)

    assert result.code == 3
    assert "Raise --timeout" in result.stderr
    assert echo.count("DELETE", r"/v1/jobs/job-1") == 1


def test_an_undownloadable_result_prints_its_url_and_job_and_exits_4(run, echo, tmp_path):
    echo.inject("GET", r"/files/.*", status=404, times=1)
    result = run(*echo_args(echo, "video", "x", "-q", "-o", "x.mp4", "--json"), echo=True, **KEY)

    assert result.code == 4
    assert "download of the result from" in result.stderr and "HTTP 404" in result.stderr
    assert f"the result is at {echo.url}/files/job-1.mp4" in result.stderr
    assert "The job succeeded (echo job job-1)" in result.stderr
    error = json.loads(result.stdout)["error"]
    assert error["result_urls"] == [f"{echo.url}/files/job-1.mp4"]
    assert error["request_id"] == "job-1" and error["exit_code"] == 4
    assert list(tmp_path.iterdir()) == []  # no partial file left behind


@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["sigint", "sigterm"]
)
def test_interrupt_cancels_the_remote_job_before_exiting(echo, tmp_path, sig, code):
    echo.polls = 10_000
    process = start(tmp_path, *echo_args(echo, "video", "a slow fox"), echo=True, **KEY)
    try:
        wait_for(lambda: echo.count("GET", r"/v1/jobs/job-1") >= 2)
        process.send_signal(sig)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert process.returncode == code
    assert echo.count("DELETE", r"/v1/jobs/job-1") == 1
    assert echo.jobs["job-1"].cancelled
    assert stderr.splitlines()[-1] == "tarash: interrupted: asked echo to cancel job job-1"
    assert stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_live_progress_on_a_terminal(echo, tmp_path):
    pty = pytest.importorskip("pty")
    echo.polls = 40
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        command(*echo_args(echo, "video", "a fox", "-o", "fox.mp4"), echo=True),
        cwd=tmp_path,
        env=cli_env(**KEY),
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    stdout, _ = process.communicate(timeout=20)
    screen = b"".join(chunks).decode()

    assert process.returncode == 0
    assert "\r\x1b[2K" in screen  # the line is redrawn in place
    assert "echo/echo-video  processing  [##########..........]  50%" in screen
    assert screen.endswith("\r\x1b[2K")  # and cleared at the end
    assert stdout.decode().startswith("tarash: saved fox.mp4")


def test_providers_lists_plugins_and_broken_ones(run):
    result = run("providers", echo=True, TARASH_TEST_BROKEN_PLUGIN="1")

    assert result.code == 0, result.stderr
    assert "tarash-echo-test 0.0.1" in result.stdout
    assert "echo  video, image  (key: ECHO_API_KEY)" in result.stdout
    assert "failed to load:" in result.stdout
    assert "broken-test (tarash-broken-test 9.9.9): TypeError:" in result.stdout
    assert "TARASH_DISABLE_PLUGINS=broken-test" in result.stdout
