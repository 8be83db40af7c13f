"""The CLI's job commands: ``--detach``, ``wait``, ``status``, ``cancel`` and ``jobs``.

::

    tarash video "a fox" -p fal --detach > fox.job     # submit, print the job, exit
    tarash status fox.job                             # one status check
    tarash wait fox.job -o fox.mp4                    # wait, then save
    tarash cancel job_3f2a9c                          # a journal id works too
    tarash jobs                                       # recent jobs of the journal
    tarash jobs resume --all                          # finish what a killed run left

JOB is a job file, ``-`` (the job's JSON on stdin) or a journal id (a unique
prefix is enough). The journal is on by default for the CLI, in the user's state
directory; ``TARASH_JOURNAL`` names another file, ``TARASH_JOURNAL=off`` turns it off.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tarash.tarash_gateway as gateway
from tarash.tarash_gateway import _cli_output as out
from tarash.tarash_gateway import _journal
from tarash.tarash_gateway._cli_args import UsageError
from tarash.tarash_gateway._cli_progress import Progress, choose_mode
from tarash.tarash_gateway._jobs import coerce_job
from tarash.tarash_gateway.exceptions import TarashException, ValidationError
from tarash.tarash_gateway.models import CONFIG_TYPES, GenerationJob

logger = logging.getLogger("tarash")

COMMANDS = ("wait", "status", "cancel", "jobs")
SUBMITTERS = {
    "video": "submit_video",
    "image": "submit_image",
    "tts": "submit_tts",
    "sts": "submit_sts",
}


# ---------------------------------------------------------------- parser
def add_commands(parser: argparse.ArgumentParser) -> None:
    """Add ``--detach`` to the generation commands and the job commands to ``parser``."""
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name in SUBMITTERS:
        commands.choices[name].add_argument(
            "--detach",
            action="store_true",
            help="submit, print the job (JSON) and exit; see 'tarash wait'",
        )

    def job_parser(name: str, summary: str) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = commands.add_parser(name, help=summary, description=summary)
        sub.add_argument("job", metavar="JOB", help="job file, '-' (JSON on stdin) or journal id")
        _common(sub)
        return sub

    wait = job_parser("wait", "wait for a submitted job and save its result")
    wait.add_argument("-o", "--output", metavar="PATH", help="file or folder/ to save into")
    wait.add_argument("--progress", choices=("auto", "live", "plain", "off"), default="auto")
    job_parser("status", "check a submitted job once")
    job_parser("cancel", "cancel a submitted job at its provider")

    jobs = commands.add_parser(
        "jobs",
        help="list, resume or cancel the jobs of the journal",
        description="Jobs recorded in the journal (newest first).",
    )
    jobs.add_argument("--limit", type=int, default=20, help="how many to list (default 20)")
    _common(jobs)
    actions = jobs.add_subparsers(dest="jobs_command", metavar="ACTION")
    resume = actions.add_parser("resume", help="wait for unfinished jobs and save their results")
    resume.add_argument("id", nargs="?", metavar="ID", help="journal id (or --all)")
    resume.add_argument("--all", action="store_true", help="every unfinished job")
    _common(resume)
    cancel = actions.add_parser("cancel", help="cancel a job of the journal")
    cancel.add_argument("id", metavar="ID")
    _common(cancel)


def _common(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--api-key", help="the provider's key (default: its environment variable)")
    sub.add_argument("--json", action="store_true", help="print JSON on stdout")
    sub.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    sub.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)


# ---------------------------------------------------------------- journal
def enable_journal() -> _journal.Journal | None:
    """The CLI journals by default (the user's state directory) unless TARASH_JOURNAL says."""
    if os.environ.get(_journal.ENV_VAR) is None:
        gateway.configure_jobs(journal=_journal.default_path())
    return _journal.current()


class Recorder:
    """Wraps the progress callback: records the CLI's output target once the job has an id."""

    def __init__(self, progress: Progress, targets: list[Path]) -> None:
        self.progress = progress
        self.targets = [str(path.resolve()) for path in targets]
        self.job_id: str | None = None
        self._seen: tuple[str, str] | None = None

    def __call__(self, update: Any) -> None:
        seen = (str(update.provider), update.request_id)
        if update.request_id and update.status != "failed" and seen != self._seen:
            self._seen = seen  # a new job (the first, or a fallback's)
            journal = _journal.current()
            if journal is not None:
                try:
                    self.job_id = journal.set_target(
                        update.provider, update.request_id, self.targets, claim=True
                    )
                except Exception as exc:  # noqa: BLE001 - the journal never fails a run
                    logger.warning("tarash: could not write the job journal: %s", exc)
        self.progress(update)

    def saved(self, paths: list[Path]) -> None:
        """Record that the result was saved (a later resume will not save it again)."""
        journal = _journal.current()
        if journal is not None and self.job_id is not None:
            try:
                journal.mark_saved(self.job_id, [str(p.resolve()) for p in paths])
            except Exception as exc:  # noqa: BLE001 - the result is saved; say so anyway
                logger.warning("tarash: could not write the job journal: %s", exc)


# ---------------------------------------------------------------- --detach
def detach(args: argparse.Namespace, config: Any, request: Any, targets: list[Path]) -> int:
    """Submit only: print the job's JSON (stdout) and how to wait for it (stderr)."""
    enable_journal()
    job: GenerationJob = getattr(gateway, SUBMITTERS[args.modality])(config, request)
    journal = _journal.current()
    if journal is not None:
        journal.set_target(job.provider, job.request_id, [str(p.resolve()) for p in targets])
    print(job.model_dump_json(indent=2), flush=True)
    if not args.quiet:
        ref = job.id if journal is not None else "JOB_FILE"
        _err(f"submitted {job.provider} job {job.request_id} ({job.id}); 'tarash wait {ref}'")
    return out.EXIT_OK


# ---------------------------------------------------------------- commands
def run(args: argparse.Namespace) -> int:
    """Run a job command."""
    if args.command == "jobs":
        return _jobs(args)
    journal = enable_journal()
    job, entry = _load(args.job, journal)
    config = _config(job, entry, args.api_key)
    if args.command == "status":
        update = gateway.get_job_status(job, config)
        if args.json:
            print(json.dumps(out.jsonable(update.model_dump(exclude={"result"})), indent=2))
        else:
            detail = f" ({update.progress_percent}%)" if update.progress_percent else ""
            error = f": {update.error}" if update.error else ""
            print(f"{job.id} {job.provider} {job.request_id}: {update.status}{detail}{error}")
        return out.EXIT_OK if update.status != "failed" else out.EXIT_PROVIDER
    if args.command == "cancel":
        return _cancel(job, config, args)
    if journal is None or entry is None:
        return _wait(job, config, entry, args, args.output)
    with _claimed(journal, entry) as mine:
        if mine is None:
            return out.EXIT_ERROR
        return _wait(mine.job, config, mine, args, args.output)


def _jobs(args: argparse.Namespace) -> int:
    journal = enable_journal()
    if journal is None:
        raise UsageError("the journal is off (TARASH_JOURNAL=off)")
    if args.jobs_command == "cancel":
        job, entry = _load(args.id, journal)
        return _cancel(job, _config(job, entry, args.api_key), args)
    if args.jobs_command == "resume":
        if args.all == bool(args.id):
            raise UsageError("give one journal ID or --all")
        if args.id:
            entry = journal.get(args.id)
            if entry is None:
                raise UsageError(f"no job {args.id!r} in the journal ({journal.path})")
            entries = [entry]
        else:
            entries = [e for e in journal.entries(limit=None) if _resumable(e)]
        code = out.EXIT_OK
        for entry in entries:
            if not _resumable(entry):
                _err(f"{entry.id}: {entry.status}, nothing to resume")
                continue
            with _claimed(journal, entry) as mine:
                if mine is None:  # an explicit ID that another process holds: not done here
                    code = code or (out.EXIT_ERROR if args.id else out.EXIT_OK)
                    continue
                if not _resumable(mine):  # another process finished it meanwhile
                    _err(f"{mine.id}: {_done(mine)}, nothing to resume")
                    continue
                try:
                    config = _config(mine.job, mine, args.api_key)
                    outcome = _wait(mine.job, config, mine, args, None)
                except TarashException as exc:
                    _err(f"{mine.id}: error: {out.describe(exc)}")
                    outcome = out.exit_code_for(exc)
            code = code or outcome
        return code
    entries = journal.entries(limit=args.limit)
    if args.json:
        print(json.dumps([_entry_json(e) for e in entries], indent=2))
        return out.EXIT_OK
    if not entries:
        _err(f"no jobs in {journal.path}")
    for e in entries:
        where = ", ".join(e.saved) if e.saved else (e.output or "")
        print(f"{e.id}  {e.created_at[:19]}  {e.status:<10} {e.provider}/{e.model}  {where}")
    return out.EXIT_OK


@contextmanager
def _claimed(
    journal: _journal.Journal, entry: _journal.JournalEntry
) -> Iterator[_journal.JournalEntry | None]:
    """Claim ``entry`` for this process while it fetches and saves the result.

    Yields the fresh entry, or None (said on stderr) when another live tarash
    process holds it: that process fetches and saves it, so it is not done twice.
    """
    claim = journal.claim(entry.id)
    if isinstance(claim, _journal.Claimed):
        _err(
            f"{entry.id}: being fetched by another tarash process (pid {claim.pid}, "
            f"since {(claim.since or '?')[:19]}); left to it"
        )
        yield None
        return
    try:
        yield claim or entry
    finally:
        try:
            journal.release(entry.id)
        except Exception as exc:  # noqa: BLE001 - the claim dies with this process anyway
            logger.warning("tarash: could not write the job journal: %s", exc)


def _done(entry: _journal.JournalEntry) -> str:
    return f"saved to {', '.join(entry.saved)}" if entry.saved else entry.status


def _resumable(entry: _journal.JournalEntry) -> bool:
    if entry.status in ("queued", "processing"):
        return True
    return entry.status == "completed" and entry.saved is None and entry.target is not None


def _cancel(job: GenerationJob, config: Any, args: argparse.Namespace) -> int:
    done = gateway.cancel_job(job, config)
    if args.json:
        print(json.dumps({"id": job.id, "request_id": job.request_id, "cancelled": done}))
    elif done:
        print(f"tarash: asked {job.provider} to cancel job {job.request_id}")
    else:
        print(f"tarash: job {job.request_id} not cancelled ({job.status}; or no remote cancel)")
    return out.EXIT_OK


def _wait(
    job: GenerationJob,
    config: Any,
    entry: _journal.JournalEntry | None,
    args: argparse.Namespace,
    output: str | None,
) -> int:
    journal = _journal.current()
    if journal is not None and entry is not None and entry.saved:
        _err(f"{job.id}: already saved to {', '.join(entry.saved)}")
        return out.EXIT_OK
    mode = choose_mode(getattr(args, "progress", "auto"), args.quiet, sys.stderr)
    progress = Progress(sys.stderr, mode, [f"{job.provider}/{job.model}"], job.modality)
    progress.start()
    try:
        response = gateway.wait_for_job(job, config, on_progress=progress)
    finally:
        progress.stop()
    if output is None and entry is not None and entry.target:
        paths = [Path(p) for p in entry.target]
    else:
        stem = out.slug(job.request_id)[:40] or job.modality
        paths = out.output_paths(output, f"{job.modality}-{stem}", out.result_count(response))
    saved = out.save_all(response, paths[: out.result_count(response)] or paths)
    if journal is not None and entry is not None:
        journal.mark_saved(job.id, [str(p.resolve()) for p in saved])
    if args.json:
        print(out.response_json(response, saved))
    else:
        summary = ", ".join(f"{p} ({out.human_size(p.stat().st_size)})" for p in saved)
        print(f"tarash: saved {summary} ({job.id})", flush=True)
    return out.EXIT_OK


# ---------------------------------------------------------------- loading
def _load(
    ref: str, journal: _journal.Journal | None
) -> tuple[GenerationJob, _journal.JournalEntry | None]:
    """A job from ``-`` (stdin), a file, or the journal; with its journal entry if any."""
    if ref == "-":
        job = coerce_job(sys.stdin.read())
    elif Path(ref).is_file():
        job = coerce_job(Path(ref).read_text(encoding="utf-8"))
    else:
        entry = journal.get(ref) if journal is not None else None
        if entry is None:
            where = f"the journal ({journal.path})" if journal is not None else "a file"
            raise UsageError(f"{ref!r} is not a job file, '-' or a job id of {where}")
        return entry.job, entry
    entry = journal.get(job.id) if journal is not None else None
    if entry is not None and entry.request_id == job.request_id:
        return entry.job, entry
    return job, None


def _config(job: GenerationJob, entry: _journal.JournalEntry | None, api_key: str | None) -> Any:
    """The config to poll ``job``: the journal's (without its key), else one from the job."""
    fields: dict[str, Any] = dict(entry.config or {}) if entry is not None else {}
    if not fields:
        fields = {"provider": job.provider, "model": job.model}
        if job.provider == "mock":
            fields["mock"] = {"enabled": True}
    fields["base_url"] = job.base_url if job.provider != "mock" else fields.get("base_url")
    if api_key:
        fields["api_key"] = api_key
    try:
        return CONFIG_TYPES[job.modality].model_validate(fields)
    except Exception as exc:  # noqa: BLE001 - a journal written by another version
        raise ValidationError(f"cannot rebuild the config of job {job.id}: {exc}") from exc


def _entry_json(entry: _journal.JournalEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "provider": entry.provider,
        "model": entry.model,
        "modality": entry.modality,
        "request_id": entry.request_id,
        "status": entry.status,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
        "output": entry.output,
        "saved": entry.saved,
        "error": entry.error,
    }


def _err(message: str) -> None:
    print(f"tarash: {message}", file=sys.stderr, flush=True)
