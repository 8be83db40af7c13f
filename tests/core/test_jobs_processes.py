"""Jobs across real processes: submit in one, status/wait/cancel in others; the journal
shared by concurrent writers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tarash.tarash_gateway._journal import Journal
from tests.plugins.fal.fake_fal import FakeFalServer

ROOT = Path(__file__).resolve().parents[2]
KEY = "fal-key-id:fal-secret-123456"


def worker_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TARASH_")}
    env.update({"FAL_KEY": KEY, "PYTHONPATH": str(ROOT), **extra})
    return env


def worker(*args: str, stdin: str = "", **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.jobs_worker", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=worker_env(**env),
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def fal() -> FakeFalServer:
    with FakeFalServer(polls=3) as server:
        yield server


def test_submit_in_one_process_status_wait_cancel_in_others(fal):
    job_json = worker("submit", fal.url, "a fox")
    job = json.loads(job_json)
    assert KEY not in job_json and "fal-secret" not in job_json
    assert fal.submits == 1 and job["provider"] == "fal"

    update = json.loads(worker("status", fal.url, stdin=job_json))
    assert update["status"] == "queued" and update["request_id"] == job["request_id"]

    response = json.loads(worker("wait", fal.url, stdin=job_json))
    assert response["video"].endswith(f"/files/{job['request_id']}.mp4")
    assert response["execution_metadata"]["attempts"][0]["request_id"] == job["request_id"]
    assert fal.submits == 1  # waiting elsewhere never submits again

    second = worker("submit", fal.url, "a hare")
    assert json.loads(worker("cancel", fal.url, stdin=second)) == {"cancelled": True}
    assert fal.job(json.loads(second)["request_id"]).cancelled
    assert fal.submits == 2


def test_twenty_processes_submitting_into_one_journal_lose_no_entry(tmp_path):
    path = tmp_path / "state" / "jobs.sqlite3"
    script = (
        "from tarash.tarash_gateway import submit_video\n"
        "from tarash.tarash_gateway.models import VideoGenerationConfig as C\n"
        "import sys\n"
        "for i in range(5):\n"
        "    submit_video(C(provider='mock', mock={'enabled': True,"
        " 'polling': {'enabled': True}}), {'prompt': sys.argv[1] + '-' + str(i)})\n"
    )
    env = worker_env(TARASH_JOURNAL=str(path))
    processes = [
        subprocess.Popen([sys.executable, "-c", script, f"p{n}"], env=env, cwd=ROOT)
        for n in range(20)
    ]
    assert [p.wait(timeout=120) for p in processes] == [0] * 20
    journal = Journal(path)
    entries = journal.entries(limit=None)
    assert len(entries) == 100 and len({e.id for e in entries}) == 100
    assert {e.status for e in entries} == {"queued"}
    assert all(e.provider == "mock" and e.config["provider"] == "mock" for e in entries)
    mode = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sqlite3; print(sqlite3.connect({str(path)!r})"
            ".execute('PRAGMA journal_mode').fetchone()[0])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert mode.stdout.strip() == "wal"


def test_nothing_is_written_at_import(tmp_path):
    env = worker_env(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"))
    subprocess.run(
        [sys.executable, "-c", "import tarash.tarash_gateway as t; t.installed_providers()"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    assert list(tmp_path.iterdir()) == []
