"""Requests → OpenAI payloads: a FieldMapper table per model family, plus cross-field checks.

A payload is the wire body of the endpoint. Uploads (edit images, masks, a video's
first frame given inline) are ``(filename, bytes, content_type)`` tuples, the shape
``httpx`` takes for files; images given as URLs stay URLs (edits download them, the
Videos API takes ``{"image_url": ...}``). ``remix_video_id`` is not sent: it routes a
video request to ``POST /videos/{id}/remix``.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping, Sequence
from typing import Any

from tarash.tarash_gateway.capabilities import Catalog
from tarash.tarash_gateway.capabilities import Family as CatalogFamily
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest, Modality
from tarash.tarash_gateway.plugin import is_url, to_bytes
from tarash.tarash_gateway.providers.field_mappers import (
    Accepts,
    FieldMapper,
    FieldValueError,
    apply_field_mappers,
    enum_field_mapper,
    n_images_field_mapper,
)
from tarash_openai._families import (
    FAMILIES,
    GENERIC_FAMILIES,
    OPENAI,
    OPENAI_BASE_URL,
    VIDEO_API_RETIRED,
    Family,
    family_of,
    is_default_openai_url,
)

FilePart = tuple[str, bytes, str]

# ---------------------------------------------------------------- accepted values
GPT_IMAGE_SIZES = ("1024x1024", "1536x1024", "1024x1536", "auto")
GPT_IMAGE_ASPECTS = {"1:1": "1024x1024", "3:2": "1536x1024", "2:3": "1024x1536", "auto": "auto"}
GPT_IMAGE_QUALITY = {
    "low": "low",
    "medium": "medium",
    "high": "high",
    "auto": "auto",
    # DALL·E words, so one request works across OpenAI image models.
    "standard": "medium",
    "hd": "high",
}
DALLE3_SIZES = ("1024x1024", "1792x1024", "1024x1792")
DALLE3_ASPECTS = {"1:1": "1024x1024", "16:9": "1792x1024", "9:16": "1024x1792"}
DALLE2_SIZES = ("256x256", "512x512", "1024x1024")
DALLE2_ASPECTS = {"1:1": "1024x1024"}
RESPONSE_FORMATS = ("url", "b64_json")

TTS_FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")
TTS1_VOICES = ("alloy", "ash", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer")
TTS_VOICES = TTS1_VOICES + ("ballad", "verse", "marin", "cedar")

SORA_SECONDS = (4, 8, 12)
SORA_SIZES = {("720p", "16:9"): "1280x720", ("720p", "9:16"): "720x1280"}
SORA_PRO_SIZES = {
    **SORA_SIZES,
    ("1080p", "16:9"): "1920x1080",
    ("1080p", "9:16"): "1080x1920",
}
SORA_PRO_EXTRA_SIZES = ("1792x1024", "1024x1792")
_SHORT_EDGE = {
    "360p": 360,
    "480p": 480,
    "512p": 512,
    "540p": 540,
    "720p": 720,
    "768p": 768,
    "1080p": 1080,
    "1440p": 1440,
    "2k": 1440,
    "4k": 2160,
}
_VIDEO_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,128}")
_WXH = re.compile(r"(\d{2,5})x(\d{2,5})")

_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "image/gif": ".gif"}
STREAMING_EXTRAS = ("stream", "stream_format", "partial_images")


# ---------------------------------------------------------------- mapper builders
def _accepted(values: Sequence[Any] | Mapping[str, Any]) -> str:
    return "accepted: " + ", ".join(repr(v) for v in values)


def _text(source: str, max_chars: int) -> FieldMapper:
    def convert(_req: Any, value: Any) -> str | None:
        if value is not None and len(value) > max_chars:
            raise FieldValueError(
                source, f"<{len(value)} characters>", f"at most {max_chars} characters"
            )
        return value  # type: ignore[no-any-return]

    return FieldMapper(
        source, convert, required=True, accepts=Accepts(note=f"at most {max_chars} characters")
    )


def _extra(request: Any, name: str) -> Any:
    return (getattr(request, "extra_params", None) or {}).get(name)


def _extra_enum(name: str, allowed: Sequence[str]) -> FieldMapper:
    def convert(req: Any, _value: Any) -> str | None:
        value = _extra(req, name)
        if value is not None and value not in allowed:
            raise FieldValueError(name, value, _accepted(allowed))
        return value  # type: ignore[no-any-return]

    return FieldMapper(name, convert, accepts=Accepts(values=tuple(allowed)))


def _extra_number(name: str, low: float, high: float, integer: bool = False) -> FieldMapper:
    def convert(req: Any, _value: Any) -> float | int | None:
        value = _extra(req, name)
        if value is None:
            return None
        kind = int if integer else float
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise FieldValueError(name, value, f"accepted: a number from {low} to {high}")
        return kind(value)

    accepts = Accepts(minimum=low, maximum=high, step=1 if integer else None)
    return FieldMapper(name, convert, accepts=accepts)


def _extra_text(name: str) -> FieldMapper:
    def convert(req: Any, _value: Any) -> str | None:
        value = _extra(req, name)
        if value is not None and not isinstance(value, str):
            raise FieldValueError(name, value, "accepted: a string")
        return value  # type: ignore[no-any-return]

    return FieldMapper(name, convert, accepts=Accepts(note="a string"))


def _image_size(sizes: Sequence[str] | None, aspects: Mapping[str, str] | None) -> FieldMapper:
    """``size`` when given (checked against ``sizes``), else derived from ``aspect_ratio``."""

    def convert(req: Any, size: Any) -> str | None:
        if size is None:
            aspect = req.aspect_ratio
            if aspect is None or aspects is None:
                return None
            if aspect not in aspects:
                raise FieldValueError("aspect_ratio", aspect, _accepted(aspects))
            return aspects[aspect]
        if sizes is None:
            return str(size)
        if size not in sizes:
            raise FieldValueError("size", size, _accepted(sizes))
        return str(size)

    return FieldMapper(
        "size",
        convert,
        accepts=None if sizes is None else Accepts(values=tuple(sizes)),
        also_reads=() if aspects is None else (("aspect_ratio", Accepts(values=tuple(aspects))),),
    )


def _flexible_size(req: Any, size: Any) -> str | None:
    """gpt-image-2: any WxH in multiples of 16, ratio 1:3 to 3:1, at most 3840x2160."""
    if size is None:
        aspect = req.aspect_ratio
        if aspect is None:
            return None
        if aspect not in GPT_IMAGE_ASPECTS:
            raise FieldValueError("aspect_ratio", aspect, _accepted(GPT_IMAGE_ASPECTS))
        return GPT_IMAGE_ASPECTS[aspect]
    if size == "auto":
        return "auto"
    match = _WXH.fullmatch(str(size))
    accepted = (
        "accepted: 'auto' or 'WxH' with both sides multiples of 16, a ratio from 1:3 to 3:1, "
        "and at most 3840x2160 pixels"
    )
    if match is None:
        raise FieldValueError("size", size, accepted)
    width, height = int(match[1]), int(match[2])
    if (
        width % 16
        or height % 16
        or max(width, height) > 3840
        or width * height > 3840 * 2160
        or not 1 / 3 <= width / height <= 3
    ):
        raise FieldValueError("size", size, accepted)
    return f"{width}x{height}"


def _part(media: Any, stem: str) -> FilePart | str:
    """An upload tuple of inline media; URLs stay URLs (the submit flow downloads them)."""
    if is_url(media):
        return str(media)
    data, content_type = to_bytes(media, "image/png")
    suffix = _SUFFIXES.get(content_type) or mimetypes.guess_extension(content_type) or ".bin"
    return f"{stem}{suffix}", data, content_type


# Edit inputs (platform.openai.com/docs/api-reference/images/createEdit): GPT image
# models take images "less than 50MB" each; dall-e-2 one square PNG "less than 4MB";
# the mask "less than 4MB". Read as MiB (the larger reading: the API decides the rest).
_MIB = 1024 * 1024
GPT_IMAGE_EDIT_BYTES = 50 * _MIB
DALLE2_EDIT_BYTES = 4 * _MIB


def _edit_images(max_items: int, max_bytes: int = GPT_IMAGE_EDIT_BYTES) -> FieldMapper:
    def convert(_req: Any, value: Any) -> list[FilePart | str] | None:
        images = [item["image"] for item in value or []]
        if len(images) > max_items:
            raise FieldValueError("image_list", f"{len(images)} images", f"at most {max_items}")
        return [_part(image, f"image_{i}") for i, image in enumerate(images)] or None

    accepts = Accepts(max_items=max_items, media="image", max_bytes=max_bytes)
    return FieldMapper("image_list", convert, accepts=accepts)


def _mask() -> FieldMapper:
    return FieldMapper(
        "mask_image",
        lambda _req, v: None if v is None else _part(v, "mask"),
        accepts=Accepts(media="image", max_bytes=DALLE2_EDIT_BYTES),
    )


def _voice(names: Sequence[str] | None) -> FieldMapper:
    """A built-in voice name, or a custom voice id (``voice_...``) sent as ``{"id": ...}``."""

    def convert(_req: Any, value: Any) -> str | dict[str, str] | None:
        if value is None:
            return None
        if value.startswith("voice_"):
            return {"id": value}
        if names is not None and value not in names:
            raise FieldValueError(
                "voice_id", value, _accepted(names) + ", or a custom voice id 'voice_...'"
            )
        return value  # type: ignore[no-any-return]

    accepts = Accepts(values=None if names is None else tuple(names), pattern=r"voice_\S+")
    return FieldMapper("voice_id", convert, required=True, accepts=accepts if names else None)


def _audio_format(_req: Any, value: Any) -> str | None:
    fmt = None if value is None else value.format
    if fmt is not None and fmt not in TTS_FORMATS:
        raise FieldValueError("output_format.format", fmt, _accepted(TTS_FORMATS))
    return fmt


def _speed(req: Any, _value: Any) -> float | None:
    speed = _extra(req, "speed")
    if speed is None and req.voice_settings:
        speed = req.voice_settings.get("speed")
    if speed is None:
        return None
    if isinstance(speed, bool) or not isinstance(speed, int | float) or not 0.25 <= speed <= 4:
        raise FieldValueError("speed", speed, "accepted: a number from 0.25 to 4.0")
    return float(speed)


def _seconds(allowed: Sequence[int] | None) -> FieldMapper:
    """``duration_seconds`` as the Videos API's string ``seconds``."""

    def convert(_req: Any, value: Any) -> str | None:
        if value is None:
            return None
        if allowed is not None and value not in allowed:
            raise FieldValueError("duration_seconds", value, _accepted(allowed))
        return str(value)

    accepts = None if allowed is None else Accepts(values=tuple(allowed))
    return FieldMapper("duration_seconds", convert, accepts=accepts)


def _video_size(
    table: Mapping[tuple[str, str], str] | None, extra_sizes: Sequence[str] = ()
) -> FieldMapper:
    """``size`` from ``extra_params['size']``, else from resolution and aspect ratio.

    One of resolution / aspect_ratio alone means 16:9 / 720p for the other.
    ``table`` None (unknown models) derives WxH from the resolution's short edge.
    """

    def convert(req: Any, resolution: Any) -> str | None:
        explicit = _extra(req, "size")
        if explicit is not None:
            sizes = [*table.values(), *extra_sizes] if table is not None else None
            if sizes is not None and explicit not in sizes:
                raise FieldValueError("size", explicit, _accepted(sizes))
            if sizes is None and not _WXH.fullmatch(str(explicit)):
                raise FieldValueError("size", explicit, "accepted: 'WxH', e.g. '1280x720'")
            return str(explicit)
        aspect = req.aspect_ratio
        if resolution is None and aspect is None:
            return None
        resolution, aspect = resolution or "720p", aspect or "16:9"
        if table is not None:
            if (resolution, aspect) in table:
                return table[(resolution, aspect)]
            resolutions = sorted({r for r, _ in table})
            aspects = sorted({a for _, a in table})
            if resolution not in resolutions:
                raise FieldValueError("resolution", resolution, _accepted(resolutions))
            if aspect not in aspects:
                raise FieldValueError("aspect_ratio", aspect, _accepted(aspects))
            raise FieldValueError(
                "resolution",
                f"{resolution} at {aspect}",
                _accepted([f"{r} at {a}" for r, a in table]),
            )
        if aspect == "auto":
            raise FieldValueError("aspect_ratio", aspect, "accepted: a ratio such as '16:9'")
        short = _SHORT_EDGE.get(resolution)
        if short is None:
            raise FieldValueError("resolution", resolution, _accepted(sorted(_SHORT_EDGE)))
        w, h = (int(x) for x in aspect.split(":"))
        long_edge = round(short * max(w, h) / min(w, h) / 2) * 2
        return f"{long_edge}x{short}" if w >= h else f"{short}x{long_edge}"

    if table is None:
        return FieldMapper("resolution", convert, also_reads=(("aspect_ratio", Accepts()),))
    sizes = (*table.values(), *extra_sizes)
    return FieldMapper(
        "resolution",
        convert,
        accepts=Accepts(values=tuple(sorted({r for r, _ in table}))),
        also_reads=(
            ("aspect_ratio", Accepts(values=tuple(sorted({a for _, a in table})))),
            ("extra_params.size", Accepts(values=tuple(dict.fromkeys(sizes)))),
        ),
    )


def _input_reference(_req: Any, value: Any) -> dict[str, str] | FilePart | None:
    """The first frame: ``{"image_url": url}`` for URLs, an upload tuple for inline media."""
    items = list(value or [])
    others = sorted(
        {item["type"] for item in items if item["type"] not in ("first_frame", "reference")}
    )
    if others:
        raise FieldValueError(
            "image_list", f"images of type {', '.join(others)}", "accepted: one first_frame image"
        )
    if len(items) > 1:
        raise FieldValueError(
            "image_list", f"{len(items)} images", "accepted: one first_frame image"
        )
    if not items:
        return None
    image = items[0]["image"]
    if is_url(image):
        return {"image_url": str(image)}
    part = _part(image, "input_reference")
    assert not isinstance(part, str)
    return part


def _remix_id(req: Any, value: Any) -> str | None:
    """``video`` given as an earlier video's id (or ``extra_params['remix_video_id']``)."""
    if value is None:
        value = _extra(req, "remix_video_id")
        if value is None:
            return None
    if isinstance(value, str) and not is_url(value) and _VIDEO_ID.fullmatch(value):
        return value
    shown = (
        value if isinstance(value, str) and len(value) <= 60 else f"<{type(value).__name__} media>"
    )
    raise FieldValueError(
        "video",
        shown,
        "accepted: the id of an earlier video ('video_...', e.g. a previous response's "
        "request_id) to remix; the Videos API takes no uploaded video",
    )


# ---------------------------------------------------------------- tables
def _gpt_image_table(size: FieldMapper) -> dict[str, FieldMapper]:
    return {
        "prompt": _text("prompt", 32000),
        "n": n_images_field_mapper(1, 10),
        "size": size,
        "quality": enum_field_mapper("quality", GPT_IMAGE_QUALITY),
        "background": _extra_enum("background", ("transparent", "opaque", "auto")),
        "output_format": _extra_enum("output_format", ("png", "jpeg", "webp")),
        "output_compression": _extra_number("output_compression", 0, 100, integer=True),
        "moderation": _extra_enum("moderation", ("low", "auto")),
        "input_fidelity": _extra_enum("input_fidelity", ("high", "low")),
        "image": _edit_images(16),
        "mask": _mask(),
    }


def _tts_table(voices: Sequence[str] | None, instructions: bool) -> dict[str, FieldMapper]:
    table = {
        "input": _text("text", 4096),
        "voice": _voice(voices),
        "response_format": FieldMapper(
            "output_format",
            _audio_format,
            also_reads=(("output_format.format", Accepts(values=TTS_FORMATS)),),
        ),
        "speed": FieldMapper(
            "extra_params",
            _speed,
            also_reads=(("extra_params.speed", Accepts(minimum=0.25, maximum=4)),),
        ),
    }
    if instructions:
        table["instructions"] = _extra_text("instructions")
    return table


def _video_table(
    seconds: Sequence[int] | None,
    sizes: Mapping[tuple[str, str], str] | None,
    extra_sizes: Sequence[str] = (),
) -> dict[str, FieldMapper]:
    return {
        "prompt": FieldMapper("prompt", lambda _req, v: v, required=True),
        "seconds": _seconds(seconds),
        "size": _video_size(sizes, extra_sizes),
        "input_reference": FieldMapper(
            "image_list",
            _input_reference,
            accepts=Accepts(roles=("first_frame", "reference"), max_items=1, media="image"),
        ),
        "remix_video_id": FieldMapper(
            "video", _remix_id, accepts=Accepts(note="the id of an earlier video ('video_...')")
        ),
    }


FIELD_MAPPINGS: dict[str, dict[str, FieldMapper]] = {
    "gpt-image-2": _gpt_image_table(
        FieldMapper(
            "size",
            _flexible_size,
            accepts=Accepts(
                note="'auto' or 'WxH': multiples of 16, ratio 1:3 to 3:1, at most 3840x2160"
            ),
            also_reads=(("aspect_ratio", Accepts(values=tuple(GPT_IMAGE_ASPECTS))),),
        )
    ),
    "gpt-image-": _gpt_image_table(_image_size(GPT_IMAGE_SIZES, GPT_IMAGE_ASPECTS)),
    "chatgpt-image-": _gpt_image_table(_image_size(GPT_IMAGE_SIZES, GPT_IMAGE_ASPECTS)),
    "dall-e-3": {
        "prompt": _text("prompt", 4000),
        "n": n_images_field_mapper(1, 1),
        "size": _image_size(DALLE3_SIZES, DALLE3_ASPECTS),
        "quality": enum_field_mapper("quality", ("standard", "hd")),
        "style": enum_field_mapper("style", ("vivid", "natural")),
        "response_format": _extra_enum("response_format", RESPONSE_FORMATS),
    },
    "dall-e-2": {
        "prompt": _text("prompt", 1000),
        "n": n_images_field_mapper(1, 10),
        "size": _image_size(DALLE2_SIZES, DALLE2_ASPECTS),
        "quality": enum_field_mapper("quality", ("standard",)),
        "response_format": _extra_enum("response_format", RESPONSE_FORMATS),
        "image": _edit_images(1, DALLE2_EDIT_BYTES),
        "mask": _mask(),
    },
    "gpt-4o-mini-tts": _tts_table(TTS_VOICES, instructions=True),
    "tts-1": _tts_table(TTS1_VOICES, instructions=False),
    "sora-2-pro": _video_table(SORA_SECONDS, SORA_PRO_SIZES, SORA_PRO_EXTRA_SIZES),
    "sora-2": _video_table(SORA_SECONDS, SORA_SIZES),
}
"""Model prefix → field mappers (what ``get_provider_field_mapping('openai')`` shows)."""

GENERIC_MAPPINGS: dict[Modality, dict[str, FieldMapper]] = {
    "image": {
        "prompt": _text("prompt", 32000),
        "n": n_images_field_mapper(1, 10),
        "size": _image_size(None, None),
        "quality": FieldMapper("quality", lambda _req, v: v),
        "style": FieldMapper("style", lambda _req, v: v),
        "image": _edit_images(16),
        "mask": _mask(),
    },
    "tts": _tts_table(None, instructions=True),
    "video": _video_table(None, None),
}
"""Mappers for model ids not in FIELD_MAPPINGS (OpenAI-compatible servers, Azure deployments)."""

# extra_params names some table reads: never copied into the payload as-is.
_KNOWN_EXTRAS: dict[str, tuple[str, ...]] = {
    "image": (
        "background",
        "output_format",
        "output_compression",
        "moderation",
        "input_fidelity",
        "response_format",
    ),
    "tts": ("speed", "instructions"),
    "video": ("size", "remix_video_id"),
}


OPENAI_DOCS = {
    "image": "https://platform.openai.com/docs/api-reference/images",
    "tts": "https://platform.openai.com/docs/api-reference/audio/createSpeech",
    "video": "https://platform.openai.com/docs/api-reference/videos",
}


def _catalog() -> Catalog:
    def entry(family: Family) -> CatalogFamily:
        return CatalogFamily(
            family.name,
            family.modality,
            family.prefixes,
            table_for(family),
            source=f"{OPENAI_DOCS[family.modality]} (checked 2026-11-27)",
            notes=family.notes,
        )

    return Catalog(
        [entry(family) for family in FAMILIES],
        generic={modality: entry(family) for modality, family in GENERIC_FAMILIES.items()},  # type: ignore[misc]
    )


def table_for(family: Family) -> dict[str, FieldMapper]:
    """The field mappers of ``family`` (generic families pass values through)."""
    if not family.prefixes:
        return GENERIC_MAPPINGS[family.modality]
    return FIELD_MAPPINGS[family.prefixes[0]]


def resolve_family(model: str, modality: Modality, base_model: str | None = None) -> Family:
    """The family of ``model`` (or of ``base_model`` for Azure deployments), generic if unknown."""
    family = family_of(base_model or model)
    if family is None or family.modality != modality:
        return GENERIC_FAMILIES[modality]
    return family


CATALOG = _catalog()
"""The families as capabilities data (describe_model / list_models answer from it)."""


def supports(model: str, modality: Modality) -> bool:
    """Known families generate their own modality; unknown ids may generate any we serve."""
    family = family_of(model)
    if family is None:
        return modality in GENERIC_FAMILIES
    return family.modality == modality


# ---------------------------------------------------------------- entry point
def map_fields(
    provider: str,
    model: str,
    modality: Modality,
    request: GenerationRequest,
    config: GenerationConfig,
) -> dict[str, Any]:
    """Build the payload of ``request`` for ``model``, or raise ValidationError.

    Args:
        provider: ``openai`` or ``azure-openai``.
        model: Model id (Azure: the deployment name).
        modality: ``image``, ``tts`` or ``video``.
        request: The user's request.
        config: The user's config (base URL for the retirement check, provider_config).

    Returns:
        The wire payload (see the module docstring).
    """
    base_model = config.provider_config.get("base_model")
    if base_model is not None and not isinstance(base_model, str):
        raise ValidationError(
            f"provider_config['base_model']={base_model!r} is not accepted; accepted: a model "
            "id such as 'gpt-image-1'"
        )
    family = resolve_family(model, modality, base_model)
    if modality == "video" and provider == OPENAI and is_default_openai_url(config.base_url):
        _refuse_retired_video(model, family)
    table = table_for(family)
    consumed = {name for name in _KNOWN_EXTRAS[modality] if name in table}
    _refuse_unsupported(family, table, consumed, request)
    payload: dict[str, Any] = {"model": model, **apply_field_mappers(table, request)}
    _check_combinations(family, payload)
    extras = {
        name: value
        for name, value in request.extra_params.items()
        if name not in consumed and value is not None
    }
    return {**payload, **extras}


def _refuse_retired_video(model: str, family: Family) -> None:
    alternatives = (
        "an OpenAI-compatible video endpoint through config.base_url, an Azure OpenAI "
        "deployment (provider='azure-openai'), or another video provider"
    )
    if family.name.startswith("sora"):
        raise ValidationError(
            f"model {model!r} was retired: OpenAI shut down sora-2, sora-2-pro and its Videos "
            f"API on {VIDEO_API_RETIRED}. Use {alternatives}."
        )
    raise ValidationError(
        f"OpenAI's Videos API at {OPENAI_BASE_URL} was retired on {VIDEO_API_RETIRED}, so "
        f"model {model!r} cannot generate video there. Use {alternatives}."
    )


def _refuse(field: str, value: object, why: str) -> None:
    raise ValidationError(f"{field}={value!r} is not accepted; {why}")


def _refuse_unsupported(
    family: Family, table: dict[str, FieldMapper], consumed: set[str], request: Any
) -> None:
    modality = family.modality
    for name in STREAMING_EXTRAS:
        value = request.extra_params.get(name)
        if value not in (None, False, "audio", 0):
            _refuse(name, value, "tarash returns whole results; streaming is not supported")
    if family.prefixes:  # known models: refuse what they do not take; others pass it through
        for name in _KNOWN_EXTRAS[modality]:
            if name not in consumed and request.extra_params.get(name) is not None:
                _refuse(name, request.extra_params[name], f"{family.name} models do not take it")
    used = {mapper.source_field for mapper in table.values()}
    if modality == "image":
        for name in ("negative_prompt", "seed"):
            if getattr(request, name) is not None:
                _refuse(name, getattr(request, name), "OpenAI image models do not take it")
        if request.style is not None and "style" not in used:
            _refuse("style", request.style, "only dall-e-3 takes a style")
        if request.image_list and "image_list" not in used:
            _refuse(
                "image_list",
                f"{len(request.image_list)} images",
                f"{family.name} cannot edit images; use a gpt-image model or dall-e-2",
            )
        if request.mask_image is not None and not request.image_list:
            _refuse("mask_image", "<mask>", "a mask needs the image it masks in image_list")
    elif modality == "video":
        for name in ("negative_prompt", "seed", "enhance_prompt"):
            if getattr(request, name) is not None:
                _refuse(name, getattr(request, name), "the Videos API does not take it")
        if request.number_of_videos != 1:
            _refuse("number_of_videos", request.number_of_videos, "the Videos API makes one video")
        if request.generate_audio is False:
            _refuse("generate_audio", False, "Videos API videos always have sound")


def _check_combinations(family: Family, payload: dict[str, Any]) -> None:
    if family.modality == "video" and "remix_video_id" in payload:
        extra = sorted(set(payload) - {"model", "prompt", "remix_video_id"})
        if extra:
            raise ValidationError(
                f"a remix of video {payload['remix_video_id']!r} takes only a prompt; "
                f"{', '.join(extra)} are not accepted with video="
            )
    if family.modality == "image":
        compression = payload.get("output_compression")
        if compression is not None and payload.get("output_format") not in ("jpeg", "webp"):
            raise ValidationError(
                f"output_compression={compression!r} is not accepted with output_format="
                f"{payload.get('output_format', 'png')!r}; accepted with 'jpeg' or 'webp'"
            )
        if "input_fidelity" in payload and "image" not in payload:
            raise ValidationError(
                "input_fidelity is not accepted without images to edit (image_list)"
            )
