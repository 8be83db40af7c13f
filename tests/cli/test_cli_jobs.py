"""`tarash --detach`, `wait`, `status`, `cancel` and `jobs` as real processes.

The echo provider's fake server runs in this test process; each CLI run is its own
process, sharing one journal (in the temporary XDG_STATE_HOME of the test).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from pathlib import Path

from tarash.tarash_gateway import _plugins, configure_jobs, wait_for_job
from tarash.tarash_gateway._journal import Journal, default_path, reset_jobs
from tarash.tarash_gateway.testing import config_for
from tests.cli.conftest import MP4, cli_env, command, start
from tests.cli.test_cli_echo import KEY, echo_args, wait_for
from tests.support.echo_provider import echo_plugin


def journal() -> Journal:
    return Journal(default_path())


def test_detach_then_status_wait_and_the_journal_in_other_processes(run, echo, tmp_path):
    echo.polls = 3
    submitted = run(*echo_args(echo, "video", "a fox", "--detach"), echo=True, **KEY)
    assert submitted.code == 0, submitted.stderr
    job = json.loads(submitted.stdout)
    assert job["request_id"] == "job-1" and job["status"] == "queued"
    assert "sk-echo-test" not in submitted.stdout
    assert f"tarash wait {job['id']}" in submitted.stderr
    assert echo.count("POST", r"/v1/jobs") == 1 and echo.count("GET", r"/v1/jobs/job-1") == 0
    (tmp_path / "fox.job").write_text(submitted.stdout)

    status = run("status", "-", "--json", echo=True, stdin=submitted.stdout, **KEY)
    assert status.code == 0, status.stderr
    assert json.loads(status.stdout)["status"] == "queued"

    waited = run("wait", "fox.job", "-o", "fox.mp4", echo=True, **KEY)
    assert waited.code == 0, waited.stderr
    assert (tmp_path / "fox.mp4").read_bytes() == MP4
    assert echo.count("GET", r"/files/job-1.mp4") == 1
    assert echo.count("POST", r"/v1/jobs") == 1

    listed = run("jobs", "--json", echo=True)
    [entry] = json.loads(listed.stdout)
    assert entry["id"] == job["id"] and entry["status"] == "completed"
    assert entry["saved"] == [str((tmp_path / "fox.mp4").resolve())]
    again = run("wait", job["id"][:10], echo=True, **KEY)  # a journal id prefix works too
    assert again.code == 0 and "already saved" in again.stderr
    assert echo.count("GET", r"/files/job-1.mp4") == 1


def test_cancel_by_journal_id(run, echo):
    echo.polls = 1000
    submitted = run(*echo_args(echo, "video", "a fox", "--detach"), echo=True, **KEY)
    job_id = json.loads(submitted.stdout)["id"]
    cancelled = run("jobs", "cancel", job_id, echo=True, **KEY)
    assert cancelled.code == 0, cancelled.stderr
    assert "asked echo to cancel job job-1" in cancelled.stdout
    assert echo.jobs["job-1"].cancelled and echo.count("DELETE", r"/v1/jobs/job-1") == 1
    assert journal().get(job_id).status == "cancelled"
    listed = run("jobs", echo=True)
    assert job_id in listed.stdout and "cancelled" in listed.stdout


def test_sigkill_mid_poll_then_resume_downloads_once(echo, tmp_path):
    echo.polls = 10_000
    process = start(tmp_path, *echo_args(echo, "video", "a fox", "-o", "fox.mp4"), echo=True, **KEY)
    try:
        wait_for(lambda: echo.count("GET", r"/v1/jobs/job-1") >= 3, timeout=30)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    assert not (tmp_path / "fox.mp4").exists()
    [entry] = journal().entries()
    assert entry.request_id == "job-1" and entry.status in ("queued", "processing")
    assert entry.target == [str((tmp_path / "fox.mp4").resolve())]

    echo.jobs["job-1"].polls_needed = 0  # the provider finishes the job meanwhile
    resumed = subprocess.run(
        command("jobs", "resume", "--all", echo=True),
        cwd=tmp_path / "..",  # the journal remembers where the result goes
        env=cli_env(**KEY),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert (tmp_path / "fox.mp4").read_bytes() == MP4
    assert echo.count("GET", r"/files/job-1.mp4") == 1
    assert echo.count("POST", r"/v1/jobs") == 1  # never submitted again

    twice = subprocess.run(
        command("jobs", "resume", entry.id, echo=True),
        cwd=tmp_path,
        env=cli_env(**KEY),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert twice.returncode == 0 and "nothing to resume" in twice.stderr
    assert echo.count("GET", r"/files/job-1.mp4") == 1


def test_job_commands_refuse_what_is_not_a_job(run):
    result = run("status", "job_nothing")
    assert result.code == 2 and "not a job file" in result.stderr
    assert run("jobs", "resume").code == 2


def test_journal_can_be_turned_off(run, echo, tmp_path):
    result = run(
        *echo_args(echo, "video", "a fox", "-o", "fox.mp4"), echo=True, TARASH_JOURNAL="off", **KEY
    )
    assert result.code == 0, result.stderr
    assert not default_path().exists()
    assert Path(tmp_path / "fox.mp4").exists()


def _resume(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return start(tmp_path, "jobs", "resume", *args, echo=True, **KEY)


def _detached(run, echo) -> str:
    echo.polls = 10_000
    submitted = run(
        *echo_args(echo, "video", "a fox", "-o", "fox.mp4", "--detach"), echo=True, **KEY
    )
    assert submitted.code == 0, submitted.stderr
    return str(json.loads(submitted.stdout)["id"])


def test_two_resumes_at_once_fetch_and_save_the_job_once(run, echo, tmp_path):
    """Two `jobs resume --all` started together: one claims the job, the other leaves it."""
    job_id = _detached(run, echo)
    echo.jobs["job-1"].polls_needed = 0  # finished at the provider
    # The first poll answers slowly, so both processes are at work at the same time.
    echo.inject("GET", r"/v1/jobs/job-1", status=503, headers={"Retry-After": "0"}, delay=2.0)
    first, second = _resume(tmp_path, "--all"), _resume(tmp_path, "--all")
    outputs = [process.communicate(timeout=60) for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    stderr = "".join(err for _, err in outputs)
    assert stderr.count("being fetched by another tarash process") == 1, stderr
    assert sum("saved" in out for out, _ in outputs) == 1
    assert echo.count("GET", r"/files/job-1.mp4") == 1, "the result was fetched twice"
    assert (tmp_path / "fox.mp4").read_bytes() == MP4
    entry = journal().get(job_id)
    assert entry.saved == [str((tmp_path / "fox.mp4").resolve())]
    assert entry.claimed_by is None, "the claim is released after the save"


def test_the_claim_of_a_killed_resume_does_not_block_the_job(run, echo, tmp_path):
    job_id = _detached(run, echo)
    echo.jobs["job-1"].polls_needed = 0
    echo.inject("GET", r"/v1/jobs/job-1", status=503, headers={"Retry-After": "0"}, delay=3.0)
    killed = _resume(tmp_path, job_id)
    try:
        wait_for(lambda: journal().get(job_id).claimed_by is not None, timeout=30)
    finally:
        os.kill(killed.pid, signal.SIGKILL)
        killed.communicate(timeout=10)
    assert journal().get(job_id).claimed_by is not None  # left behind by the dead process
    resumed = run("jobs", "resume", job_id, echo=True, **KEY)
    assert resumed.code == 0, resumed.stderr
    assert "another tarash process" not in resumed.stderr
    assert (tmp_path / "fox.mp4").read_bytes() == MP4
    assert echo.count("GET", r"/files/job-1.mp4") == 1


def test_a_resume_leaves_the_job_of_a_running_generation_alone(run, echo, tmp_path):
    """`tarash video -o` still waiting for its job holds it: a resume does not fetch it too."""
    echo.polls = 10_000
    process = start(tmp_path, *echo_args(echo, "video", "a fox", "-o", "fox.mp4"), echo=True, **KEY)
    try:
        wait_for(lambda: echo.count("GET", r"/v1/jobs/job-1") >= 3, timeout=30)
        [entry] = journal().entries()
        resumed = run("jobs", "resume", "--all", echo=True, **KEY)
        assert resumed.code == 0, resumed.stderr
        assert "being fetched by another tarash process" in resumed.stderr
        explicit = run("wait", entry.id, echo=True, **KEY)
        assert explicit.code == 1 and "another tarash process" in explicit.stderr
        echo.jobs["job-1"].polls_needed = 0
        process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)
    assert process.returncode == 0
    assert (tmp_path / "fox.mp4").read_bytes() == MP4
    assert echo.count("GET", r"/files/job-1.mp4") == 1


def test_a_resume_leaves_the_job_a_library_wait_holds(run, echo, tmp_path):
    """`wait_for_job` in a library process holds the claim: `jobs resume` leaves the job to it."""
    job_id = _detached(run, echo)
    resumed = threading.Event()
    waiting = []

    def on_progress(update):
        waiting.append(update.status)
        resumed.wait(timeout=60)  # the library is still waiting while the resume runs

    _plugins.registry.register(echo_plugin, "echo-test", distribution="tarash-echo-test")
    configure_jobs(journal=default_path())
    config = config_for(echo, "echo", "video", api_key=KEY["ECHO_API_KEY"], poll_interval=0.02)
    handle = journal().get(job_id).job
    library = threading.Thread(target=wait_for_job, args=(handle, config, on_progress))
    try:
        library.start()
        wait_for(lambda: bool(waiting), timeout=30)
        echo.jobs["job-1"].polls_needed = 0  # finished at the provider: a resume would save it
        result = run("jobs", "resume", job_id, echo=True, **KEY)
    finally:
        resumed.set()
        library.join(timeout=60)
        reset_jobs()
        _plugins.registry.unregister("echo-test")
    assert result.code == 1, result.stderr
    assert f"being fetched by another tarash process (pid {os.getpid()}" in result.stderr
    assert echo.count("GET", r"/files/job-1.mp4") == 0, "the resume fetched the result too"
    assert not (tmp_path / "fox.mp4").exists()
    assert journal().get(job_id).claimed_by is None  # released when the wait ended
