"""Command-line arguments of ``tarash``: the parser and the values it turns into a call.

Everything here is pure (no network): options become a config dict and a
request dict that the public models validate. Mistakes raise :class:`UsageError`
with one line naming the option, the value and what is accepted.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path
from typing import Any, NoReturn, get_args

from tarash.tarash_gateway import _cli_models
from tarash.tarash_gateway._media import is_url
from tarash.tarash_gateway._version import __version__
from tarash.tarash_gateway.models import AspectRatio, ImageRole, Modality, Resolution

IMAGE_ROLES: tuple[str, ...] = get_args(ImageRole)
PROGRESS_MODES = ("auto", "live", "plain", "off")
PROMPT_HELP = "text prompt ('-' reads stdin)"

# Request field → the option that sets it (for error messages).
OPTION_OF_FIELD = {
    "prompt": "PROMPT",
    "text": "TEXT",
    "audio": "AUDIO",
    "duration_seconds": "--duration",
    "aspect_ratio": "--aspect-ratio",
    "resolution": "--resolution",
    "seed": "--seed",
    "negative_prompt": "--negative-prompt",
    "generate_audio": "--generate-audio",
    "enhance_prompt": "--enhance-prompt",
    "image_list": "--image",
    "video": "--video",
    "size": "--size",
    "quality": "--quality",
    "style": "--style",
    "n": "-n",
    "mask_image": "--mask",
    "voice_id": "--voice",
    "output_format": "--output-format",
    "language_code": "--language",
    "voice_settings": "--voice-setting",
    "timeout": "--timeout",
    "poll_interval": "--poll-interval",
    "max_poll_attempts": "--max-poll-attempts",
    "base_url": "--base-url",
}


class UsageError(Exception):
    """A mistake in the command line (exit code 2)."""


DOCS_HOME = "https://tarash.readthedocs.io/en/latest/"
"""Used only when tarash-core's metadata is missing (a source tree that is not installed)."""


def docs_url(page: str = "cli/") -> str:
    """The published documentation of ``page``, from tarash-core's ``Project-URL`` metadata."""
    try:
        urls = metadata("tarash-core").get_all("Project-URL") or []
    except PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = str(entry).partition(",")
        if label.strip().lower() == "documentation" and url.strip():
            return url.strip().rstrip("/") + "/" + page
    return DOCS_HOME + page


class _Parser(argparse.ArgumentParser):
    """argparse whose mistakes are one line with a hint (a UsageError), not the usage dump."""

    def error(self, message: str) -> NoReturn:
        """Raise :class:`UsageError` instead of printing the usage and exiting."""
        message = message.removeprefix("argument ")
        raise UsageError(f"{message} (see {self.prog} --help)")


# ---------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    """The ``tarash`` parser with its subcommands."""
    parser = _Parser(
        prog="tarash",
        description="Generate video, images and speech with any installed tarash provider.",
        epilog="Exit codes: 0 ok, 1 other error, 2 usage or validation error, "
        "3 provider failure, 4 the result was generated but could not be saved where asked, "
        f"130 interrupted. Documentation: {docs_url()}",
    )
    parser.add_argument("--version", action="version", version=f"tarash {__version__}")
    commands: Any = parser.add_subparsers(dest="command", metavar="COMMAND")

    video = _generation_parser(
        commands, "video", "generate a video from a prompt", "prompt", "PROMPT", PROMPT_HELP
    )
    video.add_argument("--duration", type=int, metavar="SECONDS", help="length in seconds")
    video.add_argument(
        "--aspect-ratio",
        choices=get_args(AspectRatio),
        metavar="RATIO",
        help="e.g. 16:9, 9:16, 1:1",
    )
    video.add_argument(
        "--resolution", choices=get_args(Resolution), metavar="RES", help="e.g. 720p, 1080p"
    )
    video.add_argument("--negative-prompt", metavar="TEXT", help="what to avoid")
    video.add_argument("--seed", type=int)
    video.add_argument(
        "--generate-audio",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="ask for (or against) a soundtrack",
    )
    video.add_argument(
        "--enhance-prompt",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="let the provider rewrite the prompt",
    )
    _image_inputs(video)
    video.add_argument(
        "--video", dest="input_video", metavar="PATH|URL", help="input video (extend, edit, remix)"
    )

    image = _generation_parser(
        commands, "image", "generate images from a prompt", "prompt", "PROMPT", PROMPT_HELP
    )
    image.add_argument("--size", metavar="WxH", help="e.g. 1024x1024")
    image.add_argument("--aspect-ratio", choices=get_args(AspectRatio), metavar="RATIO")
    image.add_argument("--quality", help="provider quality level, e.g. hd, high, standard")
    image.add_argument("--style", help="provider style, e.g. vivid, natural")
    image.add_argument("-n", "--count", dest="n", type=int, metavar="N", help="number of images")
    image.add_argument("--negative-prompt", metavar="TEXT", help="what to avoid")
    image.add_argument("--seed", type=int)
    _image_inputs(image)
    image.add_argument("--mask", metavar="PATH|URL", help="mask image for edits")

    tts = _generation_parser(
        commands, "tts", "speak a text", "text", "TEXT", "text to speak ('-' reads stdin)"
    )
    tts.add_argument("--language", metavar="CODE", help="language code, e.g. en")
    _speech_options(tts)

    sts = _generation_parser(
        commands, "sts", "re-voice a recording", "audio", "AUDIO", "audio file, URL, or '-' (stdin)"
    )
    _speech_options(sts)

    providers = commands.add_parser(
        "providers",
        help="list installed provider plugins",
        description="List installed provider plugins, or one provider's model families.",
    )
    providers.add_argument("--models", metavar="PROVIDER", help="show one provider's models")
    providers.add_argument("--json", action="store_true", help="print JSON on stdout")
    providers.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    _cli_models.add_parser(commands)
    return parser


def _generation_parser(
    commands: Any, name: str, summary: str, dest: str, metavar: str, help_text: str
) -> argparse._ArgumentGroup:
    """A generation subcommand with the common options; returns its own options group."""
    sub: argparse.ArgumentParser = commands.add_parser(name, help=summary, description=summary)
    sub.add_argument(dest, metavar=metavar, help=help_text)
    own = sub.add_argument_group(f"{name} options")
    who = sub.add_argument_group("provider")
    who.add_argument("-p", "--provider", required=True, help="provider id (tarash providers)")
    who.add_argument("-m", "--model", help="model id (default: the provider's default)")
    who.add_argument(
        "--fallback",
        action="append",
        default=[],
        metavar="PROVIDER[:MODEL]",
        help="try this provider next on retryable failures (repeatable)",
    )
    who.add_argument("--api-key", help="API key (default: the provider's environment variable)")
    who.add_argument(
        "--mock",
        action="store_true",
        help="offline: the provider's plugin checks and maps the request, the mock answers "
        "(no key, nothing sent)",
    )
    who.add_argument("--base-url", metavar="URL", help="replace the provider's API root")
    who.add_argument("--api-version", help="API version (Azure OpenAI)")
    who.add_argument(
        "--provider-config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="provider-specific setting (repeatable, JSON values)",
    )
    limits = sub.add_argument_group("limits")
    limits.add_argument("--timeout", type=float, metavar="SECONDS", help="give up after this long")
    limits.add_argument(
        "--poll-interval", type=float, metavar="SECONDS", help="seconds between status checks"
    )
    limits.add_argument(
        "--max-poll-attempts",
        type=int,
        metavar="N",
        help="upper bound on status checks (default: enough to reach --timeout)",
    )
    who.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra provider parameter (repeatable, JSON values: n=2, x='[1,2]')",
    )
    out = sub.add_argument_group("output")
    out.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="file (or existing folder) to write, '-' for stdout; default: a name from the prompt",
    )
    out.add_argument(
        "--json", action="store_true", help="print the whole response as JSON on stdout"
    )
    out.add_argument(
        "--progress",
        choices=PROGRESS_MODES,
        default="auto",
        help="live line on a terminal, plain lines otherwise (default: auto)",
    )
    out.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    out.add_argument("--debug", action="store_true", help="show tracebacks and HTTP logs")
    sub.set_defaults(modality=name)
    return own


def _image_inputs(sub: argparse._ArgumentGroup) -> None:
    sub.add_argument(
        "--image",
        action="append",
        default=[],
        metavar="[ROLE=]PATH|URL",
        help=f"input image, role one of {', '.join(IMAGE_ROLES)} (default reference; repeatable)",
    )


def _speech_options(sub: argparse._ArgumentGroup) -> None:
    sub.add_argument("--voice", metavar="VOICE_ID", help="provider voice id")
    sub.add_argument(
        "--output-format",
        metavar="FORMAT",
        help="mp3, wav, pcm, opus, flac... or FORMAT_RATE_BITRATE (mp3_44100_128)",
    )
    sub.add_argument("--sample-rate", type=int, metavar="HZ")
    sub.add_argument("--bitrate", type=int, metavar="KBPS")
    sub.add_argument(
        "--voice-setting",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="voice setting (repeatable, JSON values: stability=0.5)",
    )
    sub.add_argument(
        "--stream",
        action="store_true",
        help="write the audio as it is generated (to -o FILE, or stdout: tarash tts hi "
        "--stream | ffplay -)",
    )


# ---------------------------------------------------------------- values
def parse_assignment(option: str, text: str) -> tuple[str, Any]:
    """``key=value`` → ``(key, value)``; the value is JSON when it parses, else a string."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UsageError(f"{option} {text!r}: expected KEY=VALUE")
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    return key, value


def parse_assignments(option: str, items: list[str]) -> dict[str, Any]:
    """Every ``key=value`` of a repeatable option, in order (later keys win)."""
    return dict(parse_assignment(option, item) for item in items)


def parse_fallback(text: str) -> tuple[str, str | None]:
    """``provider[:model]`` → ``(provider, model)``; the model may itself contain ':'."""
    provider, _, model = text.partition(":")
    if not provider.strip():
        raise UsageError(f"--fallback {text!r}: expected PROVIDER or PROVIDER:MODEL")
    return provider.strip(), model.strip() or None


def parse_output_format(text: str, sample_rate: int | None, bitrate: int | None) -> dict[str, Any]:
    """``mp3`` or ``mp3_44100_128`` (plus --sample-rate / --bitrate) → AudioOutputFormat fields."""
    name, *numbers = text.lower().split("_")
    try:
        values = [int(n) for n in numbers]
    except ValueError:
        raise UsageError(
            f"--output-format {text!r}: expected FORMAT or FORMAT_RATE[_BITRATE], e.g. mp3_44100_128"
        )
    if len(values) > 2 or not name:
        raise UsageError(f"--output-format {text!r}: expected FORMAT or FORMAT_RATE[_BITRATE]")
    fields: dict[str, Any] = {"format": name}
    rate = sample_rate if sample_rate is not None else (values[0] if values else None)
    kbps = bitrate if bitrate is not None else (values[1] if len(values) > 1 else None)
    if rate is not None:
        fields["sample_rate"] = rate
    if kbps is not None:
        fields["bitrate"] = kbps
    return fields


def read_text(option: str, value: str) -> str:
    """The text of a prompt argument; ``-`` reads stdin."""
    if value != "-":
        return value
    text = sys.stdin.read().strip()
    if not text:
        raise UsageError(f"{option}: stdin was empty")
    return text


def load_media(option: str, value: str) -> Any:
    """A URL or data URI unchanged; a file as a ``Path`` (read when sent); ``-``: stdin bytes.

    The media type is read from the bytes later, never from the file name.
    """
    if is_url(value) or value.startswith("data:"):
        return value
    if value == "-":
        data = sys.stdin.buffer.read()
        if not data:
            raise UsageError(f"{option}: stdin was empty")
        return data
    path = Path(value).expanduser()
    if not path.is_file():
        raise UsageError(f"{option} {value!r}: no such file (give a file path or an http(s) URL)")
    return path


def parse_image(text: str) -> dict[str, Any]:
    """``[role=]path-or-url`` → an ImageType dict (role defaults to ``reference``)."""
    role, sep, rest = text.partition("=")
    if sep and role in IMAGE_ROLES:
        source = rest
    elif sep and "/" not in role and "." not in role and not Path(text).exists():
        roles = ", ".join(IMAGE_ROLES)
        raise UsageError(f"--image {text!r}: unknown role {role!r}; roles: {roles}")
    else:
        role, source = "reference", text
    if not source:
        raise UsageError(f"--image {text!r}: missing the path or URL after '='")
    return {"image": load_media("--image", source), "type": role}


# ---------------------------------------------------------------- call
def request_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The request dict for ``args.modality`` (validated later by the request model)."""
    modality: Modality = args.modality
    fields: dict[str, Any] = {}
    if modality in ("video", "image"):
        fields["prompt"] = read_text("PROMPT", args.prompt)
        names = ["aspect_ratio", "negative_prompt", "seed"]
        if modality == "video":
            names += ["resolution", "generate_audio", "enhance_prompt"]
            fields["duration_seconds"] = args.duration
            if args.input_video:
                fields["video"] = load_media("--video", args.input_video)
        else:
            names += ["size", "quality", "style", "n"]
            if args.mask:
                fields["mask_image"] = load_media("--mask", args.mask)
        fields.update({name: getattr(args, name) for name in names})
        if args.image:
            fields["image_list"] = [parse_image(item) for item in args.image]
    else:
        if modality == "tts":
            fields["text"] = read_text("TEXT", args.text)
            fields["language_code"] = args.language
        else:
            fields["audio"] = load_media("AUDIO", args.audio)
        voice = args.voice or ("mock" if _is_mock(args) else None)
        if voice is None:
            raise UsageError(f"--voice is required for {modality} (a voice id of {args.provider})")
        fields["voice_id"] = voice
        if args.output_format or args.sample_rate or args.bitrate:
            fields["output_format"] = parse_output_format(
                args.output_format or "mp3", args.sample_rate, args.bitrate
            )
        if args.voice_setting:
            fields["voice_settings"] = parse_assignments("--voice-setting", args.voice_setting)
    fields = {key: value for key, value in fields.items() if value is not None}
    extra = parse_assignments("--param", args.param)
    if extra:
        fields["extra_params"] = extra
    return fields


def config_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The config dict: the primary provider plus ``--fallback`` links, each with the limits."""
    limits: dict[str, Any] = {}
    if args.timeout is not None:
        limits["timeout"] = args.timeout
    if args.poll_interval is not None:
        limits["poll_interval"] = args.poll_interval
    if args.max_poll_attempts is not None:
        limits["max_poll_attempts"] = args.max_poll_attempts
    # --api-key, --base-url, --api-version and --provider-config belong to the first
    # provider, and to fallbacks that use the same provider (another model of it).
    own: dict[str, Any] = {
        key: getattr(args, key)
        for key in ("api_key", "base_url", "api_version")
        if getattr(args, key)
    }
    if args.provider_config:
        own["provider_config"] = parse_assignments("--provider-config", args.provider_config)
    if getattr(args, "mock", False):
        limits["mock"] = {"enabled": True}
    config: dict[str, Any] = {"provider": args.provider, "model": args.model, **limits, **own}
    fallbacks = []
    for text in args.fallback:
        provider, model = parse_fallback(text)
        same = own if provider == args.provider else {}
        fallbacks.append({"provider": provider, "model": model, **limits, **same})
    if fallbacks:
        config["fallback_configs"] = fallbacks
    return config


def chain_of(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    """``(provider, model)`` of every link the command line asks for, in order."""
    return [(args.provider, args.model), *(parse_fallback(f) for f in args.fallback)]


def _is_mock(args: argparse.Namespace) -> bool:
    return bool(args.provider == "mock")
