"""The job journal: every submitted job in SQLite, so that no paid job is orphaned.

Off by default in the library: ``configure_jobs(journal=path)`` or the
``TARASH_JOURNAL`` environment variable turns it on (the CLI turns it on in the
user's state directory). Nothing is written until a job is submitted.

The journal is one SQLite file in WAL mode, shared safely by several processes:
each operation opens its own connection (so forked and threaded callers are fine),
and writes take the database's write lock (``BEGIN IMMEDIATE``) with a generous
busy timeout. A row holds the job handle (JSON, no secret), the config without
its key (what ``tarash jobs resume`` needs), the last status and where the
result went.

A process that fetches and saves a job's result (``tarash jobs resume``,
``tarash wait``, a ``tarash video -o`` run) first *claims* its entry
(:meth:`Journal.claim`, one write transaction, so two processes never both get
it). A claim names its process (host, pid and the pid's start time): a claim of a
process that has exited is dead and can be taken over, so a crash never leaves a
job stuck; a claim whose process cannot be checked (another host, Windows)
expires after ``CLAIM_TTL`` seconds.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tarash.tarash_gateway.models import GenerationConfig, GenerationJob

logger = logging.getLogger("tarash")

ENV_VAR = "TARASH_JOURNAL"
BUSY_TIMEOUT = 30.0
CLAIM_TTL = 6 * 3600.0
"""Seconds a claim lasts when its process cannot be checked (another host, Windows)."""
_OFF = frozenset({"", "0", "off", "false", "no", "none"})
_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    modality TEXT NOT NULL,
    request_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    job TEXT NOT NULL,
    config TEXT,
    output TEXT,
    error TEXT,
    target TEXT,
    saved TEXT
);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at);
"""
_CLAIM_COLUMNS = ("claimed_by", "claimed_at")  # added to journals written before claims


@dataclass
class JournalEntry:
    """One row of the journal."""

    id: str
    provider: str
    model: str
    modality: str
    request_id: str
    status: str
    created_at: str
    updated_at: str
    job: GenerationJob
    config: dict[str, Any] | None
    output: str | None
    error: str | None
    target: list[str] | None = None
    saved: list[str] | None = None
    claimed_by: str | None = None
    claimed_at: str | None = None


class Journal:
    """A job journal in the SQLite file at ``path`` (created on first write)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self._ready = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    # ------------------------------------------------------------ writes
    def add(self, job: GenerationJob, config: GenerationConfig | None = None) -> None:
        """Record a job just submitted (with the config that took it, without its key)."""
        now = _now()
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO jobs (id, provider, model, modality, request_id, status,"
                " created_at, updated_at, job, config, output, error)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    job.id,
                    job.provider,
                    job.model,
                    job.modality,
                    job.request_id,
                    job.status,
                    job.created_at.isoformat(),
                    now,
                    job.model_dump_json(),
                    _config_json(config),
                    _location(job),
                    job.error,
                ),
            )

    def update(self, job: GenerationJob) -> None:
        """Record the job's new state (status, plugin data, result, error)."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET status = ?, updated_at = ?, job = ?, error = ?,"
                " output = COALESCE(output, ?) WHERE id = ?",
                (job.status, _now(), job.model_dump_json(), job.error, _location(job), job.id),
            )

    def set_output(self, job_id: str, location: str) -> None:
        """Record where the job's result is (a URL or a path)."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET output = ?, updated_at = ? WHERE id = ?",
                (location, _now(), job_id),
            )

    def set_target(
        self, provider: str, request_id: str, paths: list[str], claim: bool = False
    ) -> str | None:
        """Record where the result should be saved (the CLI's ``-o``); returns the job id.

        ``claim``: this process will save it (see :meth:`claim`), so a concurrent
        ``tarash jobs resume`` leaves it alone while this process lives.
        """
        with self._write() as db:
            row = db.execute(
                "SELECT id FROM jobs WHERE provider = ? AND request_id = ?"
                " ORDER BY created_at DESC LIMIT 1",
                (provider, request_id),
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE jobs SET target = ?, updated_at = ? WHERE id = ?",
                (json.dumps(paths), _now(), row["id"]),
            )
            if claim:
                db.execute(
                    "UPDATE jobs SET claimed_by = ?, claimed_at = ? WHERE id = ?",
                    (process_owner(), _now(), row["id"]),
                )
            return str(row["id"])

    def mark_saved(self, job_id: str, paths: list[str] | None) -> None:
        """Record the saved files (a resume will not save them again)."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET saved = ?, output = COALESCE(?, output), updated_at = ?"
                " WHERE id = ?",
                (
                    json.dumps(paths) if paths is not None else None,
                    paths[0] if paths else None,
                    _now(),
                    job_id,
                ),
            )

    def claim(self, job_id: str, owner: str | None = None) -> JournalEntry | Claimed | None:
        """Claim ``job_id`` for ``owner`` (default: this process) before fetching its result.

        Atomic across processes (one write transaction). Returns the fresh entry
        when the claim is ours (free, ours already, or held by a process that has
        exited), a :class:`Claimed` naming the live holder otherwise, None when the
        job is not in the journal.
        """
        return self._claim(job_id, owner or process_owner())[0]

    def hold(self, job_id: str) -> bool:
        """Claim ``job_id`` for this process unless a live process, this one included, has it.

        True when this call took the claim (free, or its holder dead or expired):
        the caller releases it. False when the job is not journaled or a live
        holder has it (another process; or this one, as the CLI around its wait).
        """
        if not self.path.exists():  # nothing is written before a job is submitted
            return False
        owner = process_owner()
        claim, before = self._claim(job_id, owner)
        return isinstance(claim, JournalEntry) and before != owner

    def _claim(self, job_id: str, owner: str) -> tuple[JournalEntry | Claimed | None, str | None]:
        """:meth:`claim`'s answer, with the holder the entry had before."""
        with self._write() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                return None, None
            holder = row["claimed_by"]
            if holder and holder != owner and claim_alive(holder, row["claimed_at"]):
                return Claimed(holder, row["claimed_at"]), holder
            db.execute(
                "UPDATE jobs SET claimed_by = ?, claimed_at = ? WHERE id = ?",
                (owner, _now(), job_id),
            )
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _entry(row), holder

    def release(self, job_id: str, owner: str | None = None) -> None:
        """Drop ``owner``'s claim on ``job_id`` (a claim of another process is left alone)."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET claimed_by = NULL, claimed_at = NULL"
                " WHERE id = ? AND claimed_by = ?",
                (job_id, owner or process_owner()),
            )

    # ------------------------------------------------------------ reads
    def get(self, job_id: str) -> JournalEntry | None:
        """The entry of ``job_id`` (a unique prefix of it is enough), or None."""
        if not self.path.exists():
            return None
        with self._read() as db:
            rows = db.execute(
                "SELECT * FROM jobs WHERE id = ? OR id LIKE ? ESCAPE '\\'"
                " ORDER BY id = ? DESC LIMIT 2",
                (job_id, _like_prefix(job_id), job_id),
            ).fetchall()
        if not rows:
            return None
        if len(rows) > 1 and rows[0]["id"] != job_id:
            return None  # an ambiguous prefix
        return _entry(rows[0])

    def entries(self, limit: int | None = 20, unfinished: bool = False) -> list[JournalEntry]:
        """The newest entries first (only unfinished ones when asked)."""
        if not self.path.exists():
            return []
        query = "SELECT * FROM jobs"
        if unfinished:
            query += " WHERE status IN ('queued', 'processing')"
        query += " ORDER BY created_at DESC, rowid DESC"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        with self._read() as db:
            return [_entry(row) for row in db.execute(query).fetchall()]

    def count(self) -> int:
        """How many entries the journal holds."""
        if not self.path.exists():
            return 0
        with self._read() as db:
            return int(db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0])

    # ------------------------------------------------------------ connections
    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        db.row_factory = sqlite3.Row
        return db

    def _prepare(self) -> None:
        with self._lock:
            if self._ready:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = self._connect()
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("BEGIN IMMEDIATE")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                columns = {row[1] for row in db.execute("PRAGMA table_info(jobs)")}
                for column in _CLAIM_COLUMNS:
                    if column not in columns:
                        db.execute(f"ALTER TABLE jobs ADD COLUMN {column} TEXT")
                db.execute("COMMIT")
            finally:
                db.close()
            if sys.platform != "win32":
                os.chmod(self.path, 0o600)  # job data can name private URLs
            self._ready = True

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self._prepare()
        db = self._connect()
        try:
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        self._prepare()
        db = self._connect()
        try:
            yield db
        finally:
            db.close()


# ---------------------------------------------------------------- claims
_held: dict[tuple[Path, str], int] = {}  # (journal, job id) → this process's waits holding it
_held_lock = threading.Lock()


@contextmanager
def holding(job_id: str) -> Iterator[None]:
    """Hold ``job_id``'s claim while this process waits for it (``wait_for_job``).

    So a concurrent ``tarash jobs resume`` leaves the job to this process rather
    than fetch it again. The claim is taken as :meth:`Journal.claim` takes it and
    released at the end; a claim a live process already holds (another one, or
    this one: the CLI holds it around its wait) is left as it is. Waits of several
    threads on one job share the claim. A journal that cannot be written never
    fails the wait.
    """
    journal = current()
    if journal is None:
        yield
        return
    key = (journal.path, job_id)
    with _held_lock:
        held = key in _held or _logged(journal.hold, job_id) is True
        if held:
            _held[key] = _held.get(key, 0) + 1
    try:
        yield
    finally:
        if held:
            with _held_lock:
                _held[key] -= 1
                if not _held[key]:
                    del _held[key]
                    _logged(journal.release, job_id)


def _logged(write: Callable[[str], Any], job_id: str) -> Any:
    try:
        return write(job_id)
    except Exception as exc:  # noqa: BLE001 - the job must not fail for its journal
        logger.warning("tarash: could not write the job journal: %s", exc)
        return None


@dataclass
class Claimed:
    """A journal entry held by another live process (see :meth:`Journal.claim`)."""

    owner: str
    since: str | None

    @property
    def pid(self) -> str:
        """The holder's process id (as recorded)."""
        parts = self.owner.split(":")
        return parts[1] if len(parts) > 1 else "?"


_owner: tuple[int, str] | None = None


def process_owner() -> str:
    """The claim holder naming this process: ``host:pid:start`` (the pid's start time)."""
    global _owner
    pid = os.getpid()
    if _owner is None or _owner[0] != pid:  # a forked child is another owner
        _owner = (pid, f"{socket.gethostname()}:{pid}:{_start_time(pid) or ''}")
    return _owner[1]


def claim_alive(owner: str, claimed_at: str | None) -> bool:
    """Whether the process holding a claim still runs (else the claim is dead)."""
    host, _, rest = owner.partition(":")
    pid_text, _, start = rest.partition(":")
    checkable = host == socket.gethostname() and pid_text.isdigit() and sys.platform != "win32"
    if not checkable:
        return _age(claimed_at) < CLAIM_TTL
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    except OSError:
        return _age(claimed_at) < CLAIM_TTL
    now_start = _start_time(pid)
    return not (start and now_start and now_start != start)  # else the pid was reused


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell reused pids."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def _age(stamp: str | None) -> float:
    if not stamp:
        return float("inf")
    try:
        return (datetime.now(UTC) - datetime.fromisoformat(stamp)).total_seconds()
    except ValueError:
        return float("inf")


# ---------------------------------------------------------------- configuration
_configured: Journal | None = None
_explicit = False
_from_env: tuple[str, Journal] | None = None


def configure_jobs(*, journal: str | Path | None) -> None:
    """Turn the job journal on (a SQLite file path) or off (None) for this process.

    Without a call, ``TARASH_JOURNAL`` (a path; ``off`` or empty = off) decides;
    the default is off. The file and its directory are created on the first submit.
    """
    global _configured, _explicit
    _configured = Journal(journal) if journal is not None else None
    _explicit = True


def reset_jobs() -> None:
    """Forget :func:`configure_jobs` (back to ``TARASH_JOURNAL``)."""
    global _configured, _explicit
    _configured, _explicit = None, False


def current() -> Journal | None:
    """The journal in use, or None when journaling is off."""
    global _from_env
    if _explicit:
        return _configured
    value = os.environ.get(ENV_VAR)
    if value is None or value.strip().lower() in _OFF:
        return None
    if _from_env is None or _from_env[0] != value:
        _from_env = (value, Journal(value))
    return _from_env[1]


def default_path() -> Path:
    """Where the CLI keeps its journal: the user's state directory."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "tarash" / "jobs.sqlite3"


# ---------------------------------------------------------------- rows
def _entry(row: sqlite3.Row) -> JournalEntry:
    return JournalEntry(
        id=row["id"],
        provider=row["provider"],
        model=row["model"],
        modality=row["modality"],
        request_id=row["request_id"],
        status=row["status"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        job=GenerationJob.model_validate_json(row["job"]),
        config=json.loads(row["config"]) if row["config"] else None,
        output=row["output"],
        error=row["error"],
        target=json.loads(row["target"]) if row["target"] else None,
        saved=json.loads(row["saved"]) if row["saved"] else None,
        claimed_by=row["claimed_by"],
        claimed_at=row["claimed_at"],
    )


def _config_json(config: GenerationConfig | None) -> str | None:
    """The config without its key and fallbacks (its key is excluded from dumps)."""
    if config is None:
        return None
    try:
        return config.model_dump_json(exclude={"fallback_configs"}, exclude_none=True)
    except Exception:  # noqa: BLE001 - e.g. a mock config holding an exception object
        fields = ("provider", "model", "base_url", "api_version", "timeout", "poll_interval")
        return json.dumps({name: getattr(config, name) for name in fields})


def _location(job: GenerationJob) -> str | None:
    """The result's URL, when the provider gives one."""
    result = job.result or {}
    media = result.get("video") or (result.get("images") or [None])[0] or result.get("audio")
    if isinstance(media, str) and media.startswith(("http://", "https://")):
        return media
    return None


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _now() -> str:
    return datetime.now(UTC).isoformat()
