"""The ``tarash`` command line: generate from a terminal, with progress, into files.

::

    tarash video "a red fox in the snow" --provider mock -o fox.mp4
    tarash image "a lighthouse at dusk" -p openai --size 1024x1024
    echo "Hello there" | tarash tts - -p elevenlabs --voice JBFqnCBsd6RMkjVDRZzb
    tarash providers --models fal

Exit codes: 0 ok, 1 other error, 2 usage or validation error (an output folder
that cannot be written included: checked before anything is sent), 3 provider
failure, 4 generated but not saved where asked (the URL or a file in the current
folder is printed, with the job id), 130 interrupted (Ctrl-C; the remote job
is cancelled first), 143 terminated (SIGTERM; likewise). See ``docs/cli.md``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import textwrap
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pydantic

import tarash.tarash_gateway as gateway
from tarash.tarash_gateway import _cli_jobs, _cli_models, _cli_stream
from tarash.tarash_gateway import _cli_output as out
from tarash.tarash_gateway._chain import resolve_chain
from tarash.tarash_gateway._cli_args import (
    OPTION_OF_FIELD,
    UsageError,
    build_parser,
    chain_of,
    config_fields,
    request_fields,
)
from tarash.tarash_gateway._cli_progress import Progress, choose_mode, format_elapsed
from tarash.tarash_gateway._cli_save import check_writable, report_unsaved
from tarash.tarash_gateway._plugins import install_hint
from tarash.tarash_gateway.exceptions import TarashException, ValidationError
from tarash.tarash_gateway.models import CONFIG_TYPES, REQUEST_TYPES, Modality
from tarash.tarash_gateway.plugin import ProviderInfo

__all__ = ["main"]

GENERATORS: dict[str, Callable[..., Any]] = {
    "video": gateway.generate_video,
    "image": gateway.generate_image,
    "tts": gateway.generate_tts,
    "sts": gateway.generate_sts,
}


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so the engine cancels the remote job first."""


def main(argv: list[str] | None = None) -> int:
    """Run the ``tarash`` command line; returns the exit code.

    Args:
        argv: Arguments without the program name (default: ``sys.argv[1:]``).

    Returns:
        0 ok, 1 other error, 2 usage or validation error, 3 provider failure,
        4 generated but not saved where asked, 130 interrupted, 143 terminated.
    """
    parser = build_parser()
    _cli_jobs.add_commands(parser)
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:
            where = f"tarash {args.command}" if args.command else "tarash"
            raise UsageError(f"unrecognized arguments: {' '.join(extra)} (see {where} --help)")
    except UsageError as exc:
        return _usage_failure(sys.argv[1:] if argv is None else argv, exc)
    if args.command is None:
        parser.print_help(sys.stderr)
        return out.EXIT_USAGE
    if args.debug:
        logging.basicConfig(
            level=logging.DEBUG, stream=sys.stderr, format="tarash: %(name)s: %(message)s"
        )
    try:
        if args.command == "providers":
            return _providers(args)
        if args.command == "models":
            return _cli_models.run(args)
        if args.command in _cli_jobs.COMMANDS:
            return _cli_jobs.run(args)
        return _generate(args)
    except UsageError as exc:
        return _fail(args, exc, f"error: {exc}", out.EXIT_USAGE)
    except TarashException as exc:
        code = out.exit_code_for(exc)
        return _fail(args, exc, f"error: {out.describe(exc, _key_env(exc.provider))}", code)
    except KeyboardInterrupt as exc:
        code = out.EXIT_TERMINATED if isinstance(exc, Terminated) else out.EXIT_INTERRUPTED
        note = f": {exc.args[0]}" if exc.args else ""
        return _fail(args, exc, f"interrupted{note}", code)
    except BrokenPipeError:
        # The reader went away (`tarash ... --json | head`): stop quietly, like other tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return out.EXIT_ERROR
    except OSError as exc:
        where = f" {exc.filename!r}" if exc.filename else ""
        message = f"error: cannot write{where}: {exc.strerror or exc}"
        return _fail(args, exc, message, out.EXIT_ERROR)
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback, unless --debug
        message = f"internal error: {type(exc).__name__}: {out.one_line(str(exc))}"
        return _fail(args, exc, f"{message} (rerun with --debug and report it)", out.EXIT_ERROR)


def _fail(args: argparse.Namespace, exc: BaseException, message: str, code: int) -> int:
    if args.debug and not isinstance(exc, KeyboardInterrupt | UsageError):
        traceback.print_exception(exc, file=sys.stderr)
    _err(message)
    if getattr(args, "json", False) and args.command not in ("providers", "models"):
        # JSON says "error" by its key; the message does not repeat it.
        print(out.error_json(exc, message.removeprefix("error: "), code))
    return code


def _usage_failure(argv: list[str], exc: UsageError) -> int:
    """A mistake argparse found: one line with a hint (JSON too with --json)."""
    _err(f"error: {exc}")
    if "--json" in argv:
        print(out.error_json(exc, str(exc), out.EXIT_USAGE))
    return out.EXIT_USAGE


def _err(message: str) -> None:
    print(f"tarash: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- generate
def _generate(args: argparse.Namespace) -> int:
    modality: Modality = args.modality
    _check_modality(args)
    fields = request_fields(args)
    request = _validate(REQUEST_TYPES[modality], fields)
    config = _validate(CONFIG_TYPES[modality], config_fields(args))
    if not args.mock:  # --mock sends nothing: no key needed
        _check_keys(chain_of(args), bool(args.api_key))
    if getattr(args, "stream", False):
        check_writable(args.output or "-")  # before the stream (and its cost) starts
        return _cli_stream.run(args, config, request)
    _check_stdout(args)
    check_writable(args.output)
    # Resolve the chain now (no I/O) so every validation error comes before any progress.
    links = resolve_chain(modality, config, request)
    targets = _targets(args, fields)
    if args.detach:
        return _cli_jobs.detach(args, config, request, targets)
    _cli_jobs.enable_journal()
    labels = [f"{link.provider}/{link.model}" if link.model else link.provider for link in links]
    progress = Progress(
        sys.stderr, choose_mode(args.progress, args.quiet, sys.stderr), labels, modality
    )
    started = time.monotonic()
    unsaved: OSError | TarashException | None = None
    progress.start()
    try:
        with _sigterm_as_interrupt():
            try:
                recorder = _cli_jobs.Recorder(progress, targets)
                response = GENERATORS[modality](config, request, on_progress=recorder)
            except KeyboardInterrupt as exc:
                if progress.request_id:
                    exc.args = (f"asked {progress.provider} to cancel job {progress.request_id}",)
                raise
            progress.status = "saving"
            try:
                if args.output == "-":
                    size = _write_stdout(response)
                else:
                    saved = _save(args, response, fields)
                    recorder.saved(saved)
            except KeyboardInterrupt as exc:
                exc.args = (f"stopped while saving; the result is {_where_is(response)}",)
                raise
            except (OSError, TarashException) as exc:
                if args.output == "-":
                    raise
                unsaved = exc  # the job is paid for: never lose its result
    finally:
        progress.stop()
    if unsaved is not None:
        stem = out.default_stem(modality, fields, getattr(args, "audio", None))
        return report_unsaved(args, response, stem, unsaved)
    elapsed = format_elapsed(time.monotonic() - started)
    via = f"{response.provider}/{response.model}" if response.model else str(response.provider)
    if args.output == "-":
        if not args.quiet:
            _err(f"wrote {out.human_size(size)} to stdout in {elapsed} via {via}")
        return out.EXIT_OK
    summary = ", ".join(f"{p} ({out.human_size(p.stat().st_size)})" for p in saved)
    line = f"saved {summary} in {elapsed} via {via}"
    if args.json:
        print(out.response_json(response, saved))
        if not args.quiet:
            _err(line)
    else:
        print(f"tarash: {line}", flush=True)
    return out.EXIT_OK


def _check_modality(args: argparse.Namespace) -> None:
    """A provider that does not do the command says so first, before any other advice."""
    providers = gateway.installed_providers()
    info = providers.get(args.provider)
    if info is None or args.modality in info.modalities:
        return
    others = sorted(name for name, each in providers.items() if args.modality in each.modalities)
    raise UsageError(
        f"{args.provider} does not do {args.modality}; installed {args.modality} providers: "
        f"{', '.join(others) or 'none'}"
    )


def _check_stdout(args: argparse.Namespace) -> None:
    if args.output != "-":
        return
    if args.json:
        raise UsageError("-o - writes the media to stdout; it cannot be combined with --json")
    if (getattr(args, "n", None) or 1) > 1:
        raise UsageError("-o - writes one file to stdout; use -o FOLDER/ with -n")
    if sys.stdout.isatty():
        raise UsageError("-o - would write binary media to the terminal; pipe it or use -o FILE")


def _write_stdout(response: Any) -> int:
    """Save to a temporary file (decoding or downloading), then copy it to stdout."""
    with tempfile.TemporaryDirectory(prefix="tarash-") as folder:
        data = response.save(Path(folder) / "result").read_bytes()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return len(data)


def _save(args: argparse.Namespace, response: Any, fields: dict[str, Any]) -> list[Path]:
    stem = out.default_stem(args.modality, fields, getattr(args, "audio", None))
    paths = out.output_paths(args.output, stem, out.result_count(response))
    return out.save_all(response, paths)


def _targets(args: argparse.Namespace, fields: dict[str, Any]) -> list[Path]:
    """Where the result will go (what the journal keeps for ``tarash jobs resume``)."""
    if args.output == "-":
        return []
    stem = out.default_stem(args.modality, fields, getattr(args, "audio", None))
    return out.output_paths(args.output, stem, getattr(args, "n", None) or 1)


def _validate(model: type[pydantic.BaseModel], data: dict[str, Any]) -> Any:
    """Build a request or config; a refusal becomes one line naming the option."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for field, shown, reason in exc.problems:
            parts = field.replace("[", ".").replace("]", "").split(".")
            option = next((OPTION_OF_FIELD[p] for p in parts if p in OPTION_OF_FIELD), field)
            value = f" {shown}" if shown is not None else ""
            problems.append(f"{option}{value}: {reason}")
        raise UsageError("; ".join(problems) or exc.message) from None


def _check_keys(chain: list[tuple[str, str | None]], has_key_option: bool) -> None:
    """Say which option or variable is missing before anything is sent."""
    providers = gateway.installed_providers()
    for index, (provider, _model) in enumerate(chain):
        info = providers.get(provider)
        if info is None or not info.requires_api_key:
            continue
        if has_key_option and provider == chain[0][0]:
            continue
        if any(os.environ.get(name) for name in info.api_key_env):
            continue
        env = " or ".join(info.api_key_env) or "the provider's key variable"
        if index == 0:
            raise UsageError(f"no API key for provider {provider!r}: pass --api-key or set {env}")
        raise UsageError(
            f"no API key for fallback provider {provider!r}: set {env} "
            f"(--api-key applies to {chain[0][0]!r} only)"
        )


def _key_env(provider: str | None) -> list[str]:
    info = gateway.installed_providers().get(provider or "")
    return list(info.api_key_env) if info else []


def _where_is(response: Any) -> str:
    media = response.images[0] if hasattr(response, "images") else response._media()
    if isinstance(media, str) and media.startswith(("http://", "https://")):
        return f"at {media}"
    return "not saved"


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` (main thread only) for the duration."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# ---------------------------------------------------------------- providers
def _providers(args: argparse.Namespace) -> int:
    providers = gateway.installed_providers()
    broken = gateway.broken_plugins()
    if args.models:
        info = providers.get(args.models)
        if info is None:
            names = ", ".join(providers) or "none"
            raise UsageError(
                f"unknown provider {args.models!r}. Installed providers: {names}. "
                + install_hint(args.models)
            )
        print(_provider_json(info) if args.json else _provider_text(info))
        return out.EXIT_OK
    if args.json:
        data = {
            "providers": [_info_dict(info) for info in providers.values()],
            "broken": [vars(plugin) for plugin in broken],
        }
        print(json.dumps(data, indent=2))
        return out.EXIT_OK
    print(_listing(providers, broken))
    return out.EXIT_OK


def _info_dict(info: ProviderInfo) -> dict[str, Any]:
    return info.model_dump(mode="json", exclude={"field_mappings"})


def _provider_json(info: ProviderInfo) -> str:
    return json.dumps(_info_dict(info), indent=2)


def _listing(providers: dict[str, ProviderInfo], broken: list[Any]) -> str:
    lines: list[str] = []
    by_dist: dict[str, list[ProviderInfo]] = {}
    for info in providers.values():
        dist = f"{info.distribution or 'registered in-process'} {info.version or ''}".strip()
        by_dist.setdefault(dist, []).append(info)
    width = max((len(name) for name in providers), default=0)
    for dist, infos in sorted(by_dist.items()):
        lines.append(dist)
        for info in infos:
            key = (
                f"key: {', '.join(info.api_key_env)}" if info.requires_api_key else "no key needed"
            )
            lines.append(f"  {info.name:<{width}}  {', '.join(info.modalities)}  ({key})")
            families = ", ".join(f.name for f in info.model_families)
            if families:
                lines.append(_wrap(f"model families: {families}", " " * (width + 4)))
    if not providers:
        lines.append("no provider plugins installed (pip install tarash-fal, tarash-openai, ...)")
    if broken:
        lines.append("")
        lines.append("failed to load:")
        for plugin in broken:
            where = f"{plugin.distribution} {plugin.version}" if plugin.distribution else "?"
            lines.append(f"  {plugin.name} ({where}): {out.one_line(plugin.error)}")
            remedy = f"pip uninstall {plugin.distribution}, " if plugin.distribution else ""
            lines.append(f"    fix it, {remedy}or set TARASH_DISABLE_PLUGINS={plugin.name}")
    lines.append("")
    lines.append("Models and what they accept: tarash models PROVIDER [MODEL]")
    return "\n".join(lines)


def _provider_text(info: ProviderInfo) -> str:
    dist = f"{info.distribution} {info.version}" if info.distribution else "registered in-process"
    key = " or ".join(info.api_key_env) if info.requires_api_key else "not needed"
    lines = [
        f"{info.name} ({dist}): {', '.join(info.modalities)}",
        f"  API key: {key}",
        f"  base URL: {info.default_base_url or 'required (--base-url)'}",
    ]
    if info.default_models:
        defaults = ", ".join(f"{m}={name}" for m, name in info.default_models.items())
        lines.append(f"  default models: {defaults}")
    if info.model_families:
        lines.append("")
        lines.append("model families:")
        for family in info.model_families:
            lines.append(f"  {family.name} ({', '.join(family.modalities)})")
            lines.append(_wrap(f"models: {', '.join(p + '*' for p in family.prefixes)}", "    "))
            if family.fields:
                lines.append(_wrap(f"fields: {', '.join(family.fields)}", "    "))
            if family.notes:
                lines.append(_wrap(f"notes: {family.notes}", "    "))
    elif info.field_mappings:
        lines.append("")
        lines.append("models (by prefix) and the request fields each uses:")
        for prefix, mappers in info.field_mappings.items():
            fields = sorted({m.source_field for m in mappers.values()})
            lines.append(_wrap(f"{prefix}*: {', '.join(fields)}", "  "))
    else:
        lines.append("  model families: none declared (model ids are passed to the provider)")
    lines.append("")
    lines.append(
        _wrap(
            "Fields are set with options (duration_seconds: --duration, aspect_ratio: "
            "--aspect-ratio, image_list: --image ROLE=PATH, voice_id: --voice ...); "
            "extra_params.NAME with --param NAME=VALUE. See tarash COMMAND --help.",
            "",
        )
    )
    return "\n".join(lines)


def _wrap(text: str, indent: str) -> str:
    width = min(shutil.get_terminal_size((100, 24)).columns, 100)
    return textwrap.fill(
        text, width, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False
    )


if __name__ == "__main__":
    sys.exit(main())
