"""Where ``tarash`` writes, checked before a paid job starts, and rescued when it still fails.

:func:`check_writable` runs before anything is sent: an output folder that
cannot be written is a usage error (exit 2) while the job costs nothing yet.
:func:`report_unsaved` runs when saving fails after the job succeeded (a disk
filled up, a folder vanished, the download broke): it says where the result is
(its URL) or keeps it in the current folder, names the job, and exits with
:data:`EXIT_SAVE_FAILED`, so a paid result is never silently lost.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from tarash.tarash_gateway import _cli_output as out
from tarash.tarash_gateway._cli_args import UsageError
from tarash.tarash_gateway._media import is_url
from tarash.tarash_gateway.exceptions import TarashException

EXIT_SAVE_FAILED = 4


def output_folder(output: str | None) -> Path:
    """The folder ``-o`` writes into (the current folder without ``-o``)."""
    if output is None:
        return Path.cwd()
    path = Path(output).expanduser()
    if output.endswith(("/", "\\")) or path.is_dir():
        return path
    return path.parent if str(path.parent) else Path.cwd()


def check_writable(output: str | None) -> None:
    """Refuse an output location that cannot be written, before anything is sent.

    Raises:
        UsageError: The folder (or the nearest folder that exists above it) is
            not a folder or cannot be written.
    """
    if output == "-":
        return
    folder = output_folder(output)
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    option = f"-o {output}" if output is not None else "the current folder"
    if not existing.is_dir():
        raise UsageError(
            f"{option}: '{existing}' is not a folder; choose another -o (nothing was sent)"
        )
    try:
        with tempfile.TemporaryFile(dir=existing, prefix=".tarash-check-"):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(
            f"{option}: cannot write in '{existing}': {reason}; choose another -o "
            "(nothing was sent)"
        ) from None


def report_unsaved(args: argparse.Namespace, response: Any, stem: str, error: BaseException) -> int:
    """The job succeeded but saving failed: say where the result is; exit 4.

    A URL result is printed; inline media (bytes, base64) is written to the
    current folder instead (the temporary folder if that fails too).
    """
    target = getattr(error, "filename", None) or args.output or "."
    if isinstance(error, OSError):
        reason = error.strerror or type(error).__name__
    elif isinstance(error, TarashException):
        reason = error.message
    else:
        reason = str(error)
    media = response.images[0] if hasattr(response, "images") else response._media()
    extra: dict[str, Any] = {}
    if isinstance(media, str) and is_url(media):
        urls = list(response.images) if hasattr(response, "images") else [media]
        where = f"the result is at {' '.join(urls)}"
        extra["result_urls"] = urls
    else:
        kept = _keep(response, stem)
        where = (
            f"saved it to {', '.join(str(p) for p in kept)} instead"
            if kept
            else "it could not be written anywhere (rerun with --json to get it as base64)"
        )
        extra["saved_to"] = [str(p) for p in kept]
    job = f"{response.provider} job {response.request_id}"
    message = f"could not save to '{target}': {reason}. The job succeeded ({job}); {where}"
    print(f"tarash: error: {message}", file=sys.stderr, flush=True)
    if getattr(args, "json", False):
        error_data = {
            "type": type(error).__name__,
            "message": message,
            "exit_code": EXIT_SAVE_FAILED,
            "provider": response.provider,
            "model": response.model,
            "request_id": response.request_id,
            **extra,
        }
        print(json.dumps({"error": error_data}, indent=2), flush=True)
    return EXIT_SAVE_FAILED


def _keep(response: Any, stem: str) -> list[Path]:
    for folder in (Path.cwd(), Path(tempfile.gettempdir())):
        try:
            paths = out.output_paths(f"{folder}{os.sep}", stem, out.result_count(response))
            return out.save_all(response, paths)
        except (OSError, TarashException, ValueError):
            continue
    return []
