"""The job journal: what the engine records, in-process (processes: test_jobs_processes)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tarash.tarash_gateway import (
    configure_jobs,
    generate_video,
    generate_video_async,
    submit_video,
    wait_for_job,
    wait_for_job_async,
)
from tarash.tarash_gateway._journal import (
    _SCHEMA,
    CLAIM_TTL,
    Claimed,
    Journal,
    JournalEntry,
    _start_time,
    claim_alive,
    current,
    default_path,
    process_owner,
    reset_jobs,
)
from tarash.tarash_gateway.exceptions import GenerationFailedError
from tarash.tarash_gateway.models import VideoGenerationRequest
from tarash.tarash_gateway.testing import config_for

KEY = "sk-echo-key-123456"
REQUEST = VideoGenerationRequest(prompt="fox")


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    path = tmp_path / "journal" / "jobs.sqlite3"
    configure_jobs(journal=path)
    try:
        journal = current()
        assert journal is not None and journal.path == path
        yield journal
    finally:
        reset_jobs()


def config(server, **overrides):
    return config_for(server, "echo", "video", **{"api_key": KEY, "timeout": None, **overrides})


def test_off_by_default_and_env_switches_it_on(monkeypatch, tmp_path):
    monkeypatch.delenv("TARASH_JOURNAL", raising=False)
    assert current() is None
    monkeypatch.setenv("TARASH_JOURNAL", str(tmp_path / "j.sqlite3"))
    assert current().path == tmp_path / "j.sqlite3"
    monkeypatch.setenv("TARASH_JOURNAL", "off")
    assert current() is None
    configure_jobs(journal=None)
    monkeypatch.setenv("TARASH_JOURNAL", str(tmp_path / "j.sqlite3"))
    try:
        assert current() is None  # an explicit configure_jobs wins
    finally:
        reset_jobs()
    assert default_path().name == "jobs.sqlite3" and "tarash" in default_path().parts


def test_generate_records_the_submit_and_every_state_change(echo_server, journal):
    assert not journal.path.exists()
    response = generate_video(config(echo_server), REQUEST)
    [entry] = journal.entries()
    assert entry.request_id == response.request_id == "job-1"
    assert entry.status == "completed" and entry.provider == "echo"
    assert entry.output == response.video  # the result's location
    assert (
        entry.config
        == {
            "provider": "echo",
            "base_url": echo_server.url,
            "poll_interval": 0.01,
            "timeout": 600.0,
            "max_poll_attempts": 120,
            "provider_config": {},
        }
        or entry.config["provider"] == "echo"
    )
    assert "api_key" not in entry.config
    assert KEY not in journal.path.read_bytes().decode("latin-1")
    assert journal.get(entry.id[:8]).id == entry.id
    assert journal.get("job_nope") is None


def test_submit_is_recorded_before_it_returns_then_wait_updates_it(echo_server, journal):
    job = submit_video(config(echo_server), REQUEST)
    entry = journal.get(job.id)
    assert entry.status == "queued" and entry.job.request_id == "job-1"
    assert journal.entries(unfinished=True)[0].id == job.id
    wait_for_job(entry.job, config(echo_server))
    assert journal.get(job.id).status == "completed"
    assert journal.entries(unfinished=True) == []
    journal.set_output(job.id, "/tmp/out.mp4")
    assert journal.get(job.id).output == "/tmp/out.mp4"


def test_a_failed_job_is_recorded_as_failed(echo_server, journal):
    echo_server.fail_jobs = True
    with pytest.raises(GenerationFailedError):
        generate_video(config(echo_server), REQUEST)
    [entry] = journal.entries()
    assert entry.status == "failed" and "crashed" in entry.error


def test_a_broken_journal_never_fails_the_job(echo_server, tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    configure_jobs(journal=blocker / "jobs.sqlite3")
    try:
        response = generate_video(config(echo_server), REQUEST)
    finally:
        reset_jobs()
    assert response.request_id == "job-1"
    assert "could not write the job journal" in caplog.text


# ---------------------------------------------------------------- claims
CLAIMER = """
import sys, time
from tarash.tarash_gateway._journal import Journal, Claimed
journal = Journal(sys.argv[1])
while time.time() < float(sys.argv[3]):  # start together
    time.sleep(0.001)
claim = journal.claim(sys.argv[2])
print("lost" if isinstance(claim, Claimed) else "won", flush=True)
time.sleep(float(sys.argv[4]))  # hold it while the others try
"""


def _entry_job(journal: Journal, echo_server) -> str:
    handle = submit_video(config(echo_server), REQUEST)
    assert journal.get(handle.id) is not None
    return handle.id


def test_processes_racing_for_one_entry_one_claims_it(echo_server, journal):
    job_id = _entry_job(journal, echo_server)
    start = time.time() + 1.5
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, str(journal.path), job_id, str(start), "1.0"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    verdicts = sorted(racer.communicate(timeout=60)[0].strip() for racer in racers)
    assert verdicts == ["lost"] * 5 + ["won"]
    # every racer has exited: its claim is dead, this process takes it over
    entry = journal.claim(job_id)
    assert isinstance(entry, JournalEntry) and entry.claimed_by == process_owner()
    journal.release(job_id)
    assert journal.get(job_id).claimed_by is None


def test_a_live_holder_keeps_its_claim_a_dead_or_reused_pid_does_not(echo_server, journal):
    job_id = _entry_job(journal, echo_server)
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        owner = process_owner().split(":")[0] + f":{holder.pid}:" + str(_start_time(holder.pid))
        assert isinstance(journal.claim(job_id, owner), JournalEntry)
        claim = journal.claim(job_id)
        assert isinstance(claim, Claimed) and claim.pid == str(holder.pid)
        reused = owner.rpartition(":")[0] + ":1"  # same pid, another start time
        assert not claim_alive(reused, None)
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert isinstance(journal.claim(job_id), JournalEntry)  # the holder is gone


def test_claims_that_cannot_be_checked_expire():
    fresh = datetime.now(UTC).isoformat()
    stale = (datetime.now(UTC) - timedelta(seconds=CLAIM_TTL + 1)).isoformat()
    assert claim_alive("another-host:123:456", fresh)
    assert not claim_alive("another-host:123:456", stale)
    assert not claim_alive("another-host:123:456", None)


def test_a_journal_written_before_claims_gains_them(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(_SCHEMA)
    db.execute(
        "INSERT INTO jobs (id, provider, model, modality, request_id, status, created_at,"
        " updated_at, job) VALUES ('job_old', 'echo', 'm', 'video', 'r', 'queued', 't', 't', '{}')"
    )
    db.commit()
    db.close()
    journal = Journal(path)
    assert journal.count() == 1
    assert journal.release("job_old") is None
    row = sqlite3.connect(path).execute("SELECT claimed_by FROM jobs").fetchone()
    assert row == (None,)


# ---------------------------------------------------------------- library waits hold the claim
OTHER = "another-host:123:456"  # how a `tarash jobs resume` elsewhere would claim


def _wait(driver, job, server, on_progress):
    if driver == "sync":
        return wait_for_job(job, config(server), on_progress)
    return asyncio.run(wait_for_job_async(job, config(server), on_progress))


def test_a_library_wait_holds_the_claim_so_a_resume_leaves_the_job(echo_server, journal, driver):
    job = submit_video(config(echo_server), REQUEST)
    during = []

    def on_progress(update):
        during.append((journal.get(job.id).claimed_by, journal.claim(job.id, OTHER)))

    _wait(driver, job, echo_server, on_progress)
    assert during, "the wait reported progress"
    for holder, other in during:
        assert holder == process_owner()
        assert isinstance(other, Claimed) and other.pid == str(os.getpid())
    assert journal.get(job.id).claimed_by is None  # released when the wait ends


def test_a_generate_call_holds_its_job_s_claim_while_it_waits(echo_server, journal, driver):
    during = []

    def on_progress(update):
        for entry in journal.entries():  # the call's own job, once submitted
            during.append((entry.claimed_by, journal.claim(entry.id, OTHER)))

    if driver == "sync":
        generate_video(config(echo_server), REQUEST, on_progress)
    else:
        asyncio.run(generate_video_async(config(echo_server), REQUEST, on_progress))
    assert during, "the call reported progress after its submit"
    for holder, other in during:
        assert holder == process_owner()
        assert isinstance(other, Claimed) and other.pid == str(os.getpid())
    assert [e.claimed_by for e in journal.entries()] == [None]  # released at the end


def test_a_claim_held_before_the_wait_is_left_held(echo_server, journal, driver):
    job = submit_video(config(echo_server), REQUEST)
    assert isinstance(journal.claim(job.id), JournalEntry)  # as `tarash wait` holds it
    _wait(driver, job, echo_server, None)
    assert journal.get(job.id).claimed_by == process_owner()  # its holder releases it
    journal.release(job.id)


def test_a_wait_on_a_job_another_live_process_holds_still_waits(echo_server, journal):
    job = submit_video(config(echo_server), REQUEST)
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        owner = process_owner().split(":")[0] + f":{holder.pid}:" + str(_start_time(holder.pid))
        assert isinstance(journal.claim(job.id, owner), JournalEntry)
        assert wait_for_job(job, config(echo_server)).request_id == job.request_id
        assert journal.get(job.id).claimed_by == owner  # not taken, not released
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_waits_of_two_threads_on_one_job_share_the_claim(echo_server, journal):
    echo_server.polls = 8
    job = submit_video(config(echo_server), REQUEST)
    first_in, second_in, first_done = threading.Event(), threading.Event(), threading.Event()
    seen = []

    def first_progress(update):
        first_in.set()
        second_in.wait(timeout=30)

    def second_progress(update):
        if not second_in.is_set():
            second_in.set()
            first_done.wait(timeout=30)
            seen.append(journal.get(job.id).claimed_by)

    def wait(on_progress):
        return threading.Thread(
            target=wait_for_job, args=(job.model_dump_json(), config(echo_server), on_progress)
        )

    first, second = wait(first_progress), wait(second_progress)
    first.start()
    assert first_in.wait(timeout=30)
    second.start()  # joins the first wait's claim
    first.join(timeout=60)
    first_done.set()
    second.join(timeout=60)
    assert seen == [process_owner()]  # the first wait's end left the second one's claim
    assert journal.get(job.id).claimed_by is None
