"""What ``tarash`` writes: result files, JSON for scripts, one-line errors with a hint."""

from __future__ import annotations

import base64
import glob
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from tarash.tarash_gateway._cli_args import OPTION_OF_FIELD
from tarash.tarash_gateway._media import numbered_paths
from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    GenerationFailedError,
    HTTPConnectionError,
    HTTPError,
    MalformedResponseError,
    TarashException,
    TimeoutError,
    ValidationError,
)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_PROVIDER = 3
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

_SLUG_WORDS = 6
_SLUG_CHARS = 48


# ---------------------------------------------------------------- file names
def slug(text: str) -> str:
    """A file-name stem from the first words of ``text`` (``a-red-fox-in-the-snow``)."""
    words = re.findall(r"[a-z0-9]+", text.lower())[:_SLUG_WORDS]
    return "-".join(words)[:_SLUG_CHARS].strip("-")


def default_stem(modality: str, fields: dict[str, Any], audio_arg: str | None = None) -> str:
    """A sensible stem for a result: the prompt's first words, else the modality."""
    source = fields.get("prompt") or fields.get("text") or ""
    if modality == "sts" and audio_arg and audio_arg != "-":
        name = Path(audio_arg.split("?")[0]).stem
        source = f"{name} {fields.get('voice_id', '')}"
    return slug(str(source)) or f"tarash-{modality}"


def _taken(folder: Path, stem: str) -> bool:
    return (folder / stem).exists() or bool(glob.glob(glob.escape(str(folder / stem)) + ".*"))


def output_paths(output: str | None, stem: str, count: int) -> list[Path]:
    """Where to write ``count`` results.

    ``-o file`` is used as given (later results get ``-2``, ``-3``... before the
    suffix); ``-o folder/`` or no ``-o`` picks ``stem`` in that folder, adding
    ``-2``, ``-3``... rather than overwriting an earlier result.
    """
    if output is not None and not (output.endswith(("/", "\\")) or Path(output).is_dir()):
        return numbered_paths(Path(output).expanduser(), count)
    folder = Path(output).expanduser() if output else Path()
    base, number = stem, 1
    while any(_taken(folder, _numbered(base, number, i)) for i in range(1, count + 1)):
        number += 1
    return [folder / _numbered(base, number, i) for i in range(1, count + 1)]


def _numbered(stem: str, run: int, index: int) -> str:
    name = stem if run == 1 else f"{stem}-{run}"
    return name if index == 1 else f"{name}-{index}"


def save_all(response: Any, paths: list[Path]) -> list[Path]:
    """Save every medium of ``response`` (every image of an image response)."""
    if hasattr(response, "images"):
        return [response.save(path, index=i) for i, path in enumerate(paths)]
    return [response.save(paths[0])]


def result_count(response: Any) -> int:
    """How many files a response saves to."""
    return max(1, len(response.images)) if hasattr(response, "images") else 1


def human_size(size: int) -> str:
    """``45.2 kB``, ``3.1 MB``."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


# ---------------------------------------------------------------- JSON
def jsonable(value: Any) -> Any:
    """Plain JSON data: bytes become base64 text, datetimes ISO 8601 strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def response_json(response: Any, saved: list[Path]) -> str:
    """The whole response (execution metadata included) plus ``saved_to``."""
    data = jsonable(response.model_dump(mode="python"))
    data["saved_to"] = [str(path) for path in saved]
    return json.dumps(data, indent=2)


def error_json(exc: BaseException, message: str, code: int) -> str:
    """An error as JSON for ``--json`` scripts."""
    error: dict[str, Any] = {"type": type(exc).__name__, "message": message, "exit_code": code}
    if isinstance(exc, TarashException):
        error.update(provider=exc.provider, model=exc.model, request_id=exc.request_id)
        if exc.execution_metadata is not None:
            error["execution_metadata"] = jsonable(exc.execution_metadata.model_dump())
    return json.dumps({"error": error}, indent=2)


# ---------------------------------------------------------------- errors
def one_line(text: str) -> str:
    """Collapse a (pydantic, multi-line) message into one line."""
    return "; ".join(part.strip() for part in str(text).splitlines() if part.strip())


def exit_code_for(exc: TarashException) -> int:
    """2 for validation errors (the command line must change), 3 for provider failures."""
    return EXIT_USAGE if isinstance(exc, ValidationError) else EXIT_PROVIDER


def describe(exc: TarashException, key_env: list[str] | None = None) -> str:
    """``what failed (where): message. What to do.`` on one line."""
    where = "/".join(part for part in (exc.provider, exc.model) if part)
    message = one_line(exc.message).rstrip(".")
    metadata = exc.execution_metadata
    prefix = ""
    if (
        metadata is not None
        and metadata.configs_in_chain > 1
        and not isinstance(exc, ValidationError)
    ):
        prefix = f"every provider of the chain failed ({metadata.total_attempts} attempts); last: "
    named = exc.provider is not None and f"'{exc.provider}'" in message
    text = f"{prefix}{where}: {message}" if where and not named else f"{prefix}{message}"
    hint = _hint(exc, key_env or [])
    return f"{text}. {hint}" if hint else f"{text}."


def _hint(exc: TarashException, key_env: list[str]) -> str:
    keys = " or ".join(key_env)
    if isinstance(exc, ValidationError):
        listing = f"tarash models {exc.provider or 'PROVIDER'}"
        fields = re.findall(r"[a-z_]+", exc.message)
        option = next((OPTION_OF_FIELD[f] for f in fields if f in OPTION_OF_FIELD), None)
        if option is not None and option.startswith("-"):
            return f"Change {option} ({listing} shows what each model takes)."
        return f"Fix the command line (tarash COMMAND --help; {listing})."
    if isinstance(exc, ContentModerationError):
        return "The provider's safety system refused it: change the prompt or the inputs."
    if isinstance(exc, MalformedResponseError):
        return "The provider answered something unexpected: rerun with --debug and report it."
    if isinstance(exc, HTTPError):
        status = exc.status_code or 0
        if status in (401, 403):
            return f"Check the API key (--api-key{' or ' + keys if keys else ''})."
        if status == 404:
            return "Check --model and --base-url."
        if status == 429:
            return "Rate limited or out of quota: wait and retry, or add --fallback."
        if status >= 500:
            return "The provider is having trouble: retry later, or add --fallback."
        return "Check the options sent to the provider (--debug shows the requests)."
    if isinstance(exc, HTTPConnectionError):
        return "Check the network connection and --base-url."
    if isinstance(exc, TimeoutError):
        return "Raise --timeout; the remote job was cancelled where the provider allows it."
    if isinstance(exc, GenerationFailedError):
        return "The job failed at the provider: retry, change the input, or add --fallback."
    return "Rerun with --debug for details."
