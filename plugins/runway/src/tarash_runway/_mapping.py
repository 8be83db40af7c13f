"""Field-mapper building blocks for Runway's endpoints.

Runway names an output size as a pixel ratio (``"1280:720"``), one list per
model; :func:`ratio` derives it from the request's ``aspect_ratio`` and
``resolution`` (or an image's ``size``) and refuses combinations the model does
not list. Images go out as URLs or data URIs in Runway's shapes
(``promptImage``, ``referenceImages``, ``references``); large ones are replaced
by ephemeral uploads at submit (``_flows.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from tarash.tarash_gateway.capabilities import Accepts
from tarash.tarash_gateway.plugin import is_url, to_data_uri
from tarash.tarash_gateway.providers.field_mappers import (
    Adjusted,
    FieldMapper,
    FieldValueError,
    passthrough_field_mapper,
)

Mappers = dict[str, FieldMapper]

# Input sizes (docs.dev.runwayml.com/assets/inputs, checked 2026-11-28): a data URI's
# encoded length is capped at 5 MB for images and 16 MB for video and audio, with
# "MB" = 1024 × 1024 bytes; base64 takes 4 characters per 3 bytes, so the media
# itself may be 3/4 of that. Ephemeral uploads (which the plugin uses over its
# upload_threshold_bytes) take up to 200 MB.
_MIB = 1024 * 1024
IMAGE_INLINE_BYTES = 5 * _MIB * 3 // 4
MEDIA_INLINE_BYTES = 16 * _MIB * 3 // 4
UPLOAD_BYTES = 200 * _MIB
IMAGES = Accepts(media="image", max_bytes=IMAGE_INLINE_BYTES, max_upload_bytes=UPLOAD_BYTES)
"""The size limits of an image input (inline: as a data URI; uploaded: ephemeral)."""

PROMPT = passthrough_field_mapper("prompt", required=True)
PROMPT_OPTIONAL = passthrough_field_mapper("prompt")
SEED = passthrough_field_mapper("seed")
NEGATIVE_PROMPT = passthrough_field_mapper("negative_prompt")
AUDIO = passthrough_field_mapper("generate_audio")

# ---------------------------------------------------------------- ratio
_ASPECTS: dict[str, float] = {
    "16:9": 16 / 9,
    "9:16": 9 / 16,
    "1:1": 1.0,
    "4:3": 4 / 3,
    "3:4": 3 / 4,
    "3:2": 3 / 2,
    "2:3": 2 / 3,
    "5:4": 5 / 4,
    "4:5": 4 / 5,
    "21:9": 21 / 9,
    "9:21": 9 / 21,
}
_TIERS: dict[str, int] = {  # pixel count of each resolution name at 16:9
    "360p": 640 * 360,
    "480p": 854 * 480,
    "540p": 960 * 540,
    "720p": 1280 * 720,
    "1080p": 1920 * 1080,
    "1440p": 2560 * 1440,
    "2k": 2560 * 1440,
    "4k": 3840 * 2160,
}
_MAIN_TIERS = ("480p", "720p", "1080p", "4k")


def _dims(ratio: str) -> tuple[int, int] | None:
    width, _, height = ratio.partition(":")
    return (int(width), int(height)) if width.isdigit() and height.isdigit() else None


def aspect_of(ratio: str) -> str | None:
    """The named aspect ratio closest to a pixel ratio (``"1104:832"`` → ``"4:3"``)."""
    dims = _dims(ratio)
    if dims is None:
        return None
    value = math.log(dims[0] / dims[1])
    name, target = min(_ASPECTS.items(), key=lambda item: abs(math.log(item[1]) - value))
    return name if abs(math.log(target) - value) < 0.08 else None


def tier_of(ratio: str) -> str | None:
    """The resolution name whose pixel count is closest (``"960:960"`` → ``"720p"``)."""
    dims = _dims(ratio)
    if dims is None:
        return None
    pixels = math.log(dims[0] * dims[1])
    return min(_MAIN_TIERS, key=lambda tier: abs(math.log(_TIERS[tier]) - pixels))


def _describe(ratios: Sequence[str]) -> str:
    parts = []
    for ratio in ratios:
        aspect, tier = aspect_of(ratio), tier_of(ratio)
        parts.append(f"{aspect} {tier} ({ratio})" if aspect and tier else ratio)
    return "accepted: " + ", ".join(parts)


def pick_ratio(
    ratios: Sequence[str],
    aspect: str | None,
    resolution: str | None,
    default_tier: str = "720p",
    default_aspect: str = "16:9",
) -> str:
    """The model's ratio for ``aspect`` at ``resolution`` (or nearest ``default_tier``).

    Raises:
        FieldValueError: The model lists no ratio of that aspect (and resolution).
    """
    if aspect == "auto":
        if "auto" in ratios:
            return "auto"
        raise FieldValueError("aspect_ratio", aspect, _describe(ratios))
    sized = [r for r in ratios if _dims(r)]
    wanted = aspect or (
        default_aspect if any(aspect_of(r) == default_aspect for r in sized) else None
    )
    matching = [r for r in sized if wanted is None or aspect_of(r) == wanted]
    if resolution is not None:
        tier = "4k" if resolution in ("4k", "2160p") else resolution
        matching = [r for r in matching if tier_of(r) == tier]
    if not matching:
        field = "aspect_ratio" if resolution is None else "aspect_ratio/resolution"
        value = aspect if resolution is None else f"{aspect or wanted} {resolution}"
        raise FieldValueError(field, value, _describe(ratios))
    target = math.log(_TIERS.get(resolution or default_tier, _TIERS["720p"]))
    return min(matching, key=lambda r: abs(math.log(math.prod(_dims(r) or (1, 1))) - target))


def _aspects(ratios: Sequence[str]) -> tuple[str, ...]:
    names = [r if r == "auto" else aspect_of(r) for r in ratios]
    return tuple(dict.fromkeys(n for n in names if n))


def _tiers(ratios: Sequence[str]) -> tuple[str, ...]:
    found = {tier_of(r) for r in ratios}
    return tuple(t for t in _MAIN_TIERS if t in found)


def ratio(ratios: Sequence[str], default_tier: str = "720p", required: bool = True) -> FieldMapper:
    """Runway's ``ratio`` from ``aspect_ratio`` + ``resolution``, restricted to ``ratios``.

    With neither given, the 16:9 ratio nearest ``default_tier`` is sent when
    ``required`` (Runway requires ``ratio`` on most models), else nothing; a
    ratio the request did not pin down is recorded as an adjustment.
    """
    listed = tuple(ratios)
    tiers = _tiers(listed)
    resolutions = tiers  # "4k" covers 2160p: the request model has no "2160p"

    def convert(req: Any, aspect: Any) -> Any:
        resolution = getattr(req, "resolution", None)
        if aspect is None and resolution is None and not required:
            return None
        chosen = pick_ratio(listed, aspect, resolution, default_tier)
        candidates = [
            r for r in listed if aspect in (None, aspect_of(r)) and resolution in (None, tier_of(r))
        ]
        if (aspect is None or resolution is None) and len(candidates) > 1:
            asked = " ".join(str(v) for v in (aspect, resolution) if v is not None) or None
            return Adjusted(
                chosen, asked, "the request does not pin down one of the model's ratios"
            )
        return chosen

    return FieldMapper(
        "aspect_ratio",
        convert,
        accepts=Accepts(
            values=_aspects(listed), note="as Runway ratios: " + _describe(listed)[10:]
        ),
        also_reads=(("resolution", Accepts(values=resolutions)),),
    )


def image_ratio(ratios: Sequence[str], default_tier: str = "1080p") -> FieldMapper:
    """``ratio`` of an image model: ``size`` ``'WxH'`` when listed, else from ``aspect_ratio``."""
    listed = tuple(ratios)
    sizes = tuple(r.replace(":", "x") for r in listed if _dims(r))

    def convert(req: Any, size: Any) -> Any:
        if size is not None:
            return str(size).lower().replace("x", ":")
        aspect = getattr(req, "aspect_ratio", None)
        chosen = pick_ratio(listed, aspect, None, default_tier)
        if aspect is None:
            return Adjusted(chosen, None, "the model needs a ratio; 16:9 chosen")
        return chosen

    return FieldMapper(
        "size",
        convert,
        accepts=Accepts(values=sizes),
        also_reads=(("aspect_ratio", Accepts(values=_aspects(listed))),),
    )


# ---------------------------------------------------------------- duration
def duration(allowed: Sequence[int] | None = None, default: int | None = None) -> FieldMapper:
    """``duration_seconds`` as an integer; ``default`` is sent when the model requires one."""
    accepts = None
    if allowed:
        values = sorted(allowed)
        contiguous = len(values) > 3 and values == list(range(values[0], values[-1] + 1))
        accepts = Accepts.range(values[0], values[-1], 1) if contiguous else Accepts.one_of(values)

    def convert(_req: Any, value: Any) -> Any:
        if value is None:
            if default is None:
                return None
            return Adjusted(default, None, f"the model requires a duration; {default} s sent")
        return int(value)

    return FieldMapper("duration_seconds", convert, accepts=accepts)


def seconds(low: int, high: int) -> list[int]:
    """Every whole second from ``low`` to ``high``."""
    return list(range(low, high + 1))


# ---------------------------------------------------------------- images
def _uri(media: Any) -> str:
    return to_data_uri(media, "image/png")


def _of(value: Any, roles: Sequence[str]) -> list[Any]:
    return [item["image"] for item in value or [] if item.get("type") in roles]


def prompt_image(
    last: bool = False, references: bool = False, required: bool = True
) -> FieldMapper:
    """``promptImage``: the first frame as a URI, or Runway's ``[{uri, position}]`` array.

    Args:
        last: The model also takes a ``last_frame`` (position ``last``).
        references: The model takes reference images (no position; Seedance) that
            cannot be mixed with keyframes.
        required: The endpoint needs an image.
    """
    first_roles = ("first_frame",) if references else ("first_frame", "reference")

    def convert(_req: Any, value: Any) -> Any:
        firsts, lasts = _of(value, first_roles), _of(value, ("last_frame",))
        refs = _of(value, ("reference",)) if references else []
        if len(firsts) > 1:
            raise FieldValueError("image_list", f"{len(firsts)} first frames", "at most 1")
        if lasts and not last:
            raise FieldValueError(
                "image_list", "a last_frame image", "this model takes a first frame only"
            )
        if len(lasts) > 1:
            raise FieldValueError("image_list", f"{len(lasts)} last frames", "at most 1")
        if lasts and not firsts:
            raise FieldValueError(
                "image_list", "a last_frame without a first_frame", "a first frame is required"
            )
        if refs and (firsts or lasts):
            raise FieldValueError(
                "image_list",
                "reference images with first/last frames",
                "either keyframes (first_frame, last_frame) or reference images, not both",
            )
        if refs:
            if len(refs) > 9:
                raise FieldValueError("image_list", f"{len(refs)} reference images", "at most 9")
            return [{"uri": _uri(image)} for image in refs]
        if not firsts:
            return None
        if not lasts:
            return _uri(firsts[0])
        return [
            {"uri": _uri(firsts[0]), "position": "first"},
            {"uri": _uri(lasts[0]), "position": "last"},
        ]

    if references:
        roles: tuple[str, ...] = ("first_frame", "last_frame", "reference")
    else:
        roles = (*first_roles, "last_frame") if last else first_roles
    return FieldMapper("image_list", convert, required, replace(IMAGES, roles=roles))


def reference_images(max_items: int, required: bool = False) -> FieldMapper:
    """``referenceImages`` / ``references``: every input image as ``{"uri": ...}``."""

    def convert(_req: Any, value: Any) -> list[dict[str, str]]:
        return [{"uri": _uri(item["image"])} for item in value or []]

    return FieldMapper("image_list", convert, required, replace(IMAGES, max_items=max_items))


def video_uri(required: bool = True) -> FieldMapper:
    """``request.video`` as a URL / data URI (``videoUri``, ``promptVideo``)."""

    def convert(_req: Any, value: Any) -> str | None:
        return None if value is None else to_data_uri(value, "video/mp4")

    return FieldMapper(
        "video",
        convert,
        required,
        Accepts(media="video", max_bytes=MEDIA_INLINE_BYTES, max_upload_bytes=UPLOAD_BYTES),
    )


# ---------------------------------------------------------------- speech
PRESET_VOICES = (
    "Maya", "Arjun", "Serene", "Bernard", "Billy", "Mark", "Clint", "Mabel", "Chad",
    "Leslie", "Eleanor", "Elias", "Elliot", "Grungle", "Brodie", "Sandra", "Kirk",
    "Kylie", "Lara", "Lisa", "Malachi", "Marlene", "Martin", "Miriam", "Monster",
    "Paula", "Pip", "Rusty", "Ragnar", "Xylar", "Maggie", "Jack", "Katie", "Noah",
    "James", "Rina", "Ella", "Mariah", "Frank", "Claudia", "Niki", "Vincent",
    "Kendrick", "Myrna", "Tom", "Wanda", "Benjamin", "Kiana", "Rachel",
)  # fmt: skip
"""Runway's preset voices (``voice.presetId``) for the ElevenLabs models."""


def preset_voice() -> FieldMapper:
    """``voice_id`` as ``{"type": "runway-preset", "presetId": ...}``."""

    def convert(_req: Any, value: Any) -> dict[str, str] | None:
        return None if value is None else {"type": "runway-preset", "presetId": str(value)}

    return FieldMapper("voice_id", convert, True, Accepts(values=PRESET_VOICES))


def reference_voice() -> FieldMapper:
    """``voice_id`` given as reference audio (URL / data URI) for ``seed_audio``."""

    def convert(_req: Any, value: Any) -> dict[str, str] | None:
        if not value:
            return None
        if not (is_url(value) or str(value).startswith("data:")):
            raise FieldValueError(
                "voice_id", value, "accepted: a URL or data URI of reference audio to clone"
            )
        return {"type": "reference-audio", "audioUri": str(value)}

    return FieldMapper(
        "voice_id", convert, accepts=Accepts(note="a URL or data URI of reference audio")
    )


_AUDIO_FORMATS = {"mp3": "mp3", "wav": "wav", "opus": "ogg_opus", "ogg_opus": "ogg_opus"}
_SAMPLE_RATES = (8000, 16000, 24000, 32000, 44100, 48000)


def output_format() -> FieldMapper:
    """``output_format.format`` as ``outputFormat`` (mp3, wav, ogg_opus)."""

    def convert(_req: Any, value: Any) -> str | None:
        if value is None:
            return None
        if value.format not in _AUDIO_FORMATS:
            raise FieldValueError("output_format.format", value.format, "accepted: mp3, wav, opus")
        return _AUDIO_FORMATS[value.format]

    return FieldMapper("output_format", convert, accepts=Accepts(note="format mp3, wav or opus"))


def sample_rate() -> FieldMapper:
    """``output_format.sample_rate`` as ``sampleRate``."""

    def convert(_req: Any, value: Any) -> int | None:
        if value is None or value.sample_rate is None:
            return None
        if value.sample_rate not in _SAMPLE_RATES:
            raise FieldValueError(
                "output_format.sample_rate",
                value.sample_rate,
                "accepted: " + ", ".join(str(r) for r in _SAMPLE_RATES),
            )
        return int(value.sample_rate)

    rates = ", ".join(str(r) for r in _SAMPLE_RATES)
    return FieldMapper("output_format", convert, accepts=Accepts(note=f"sample_rate {rates}"))


def sts_media() -> FieldMapper:
    """``request.audio`` as ``{"type": "audio", "uri": ...}``."""

    def convert(_req: Any, value: Any) -> dict[str, str] | None:
        if value is None:
            return None
        return {"type": "audio", "uri": to_data_uri(value, "audio/mpeg")}

    return FieldMapper(
        "audio",
        convert,
        True,
        Accepts(media="audio", max_bytes=MEDIA_INLINE_BYTES, max_upload_bytes=UPLOAD_BYTES),
    )
