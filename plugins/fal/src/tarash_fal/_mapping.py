"""Field-mapper building blocks for fal models, and the generic mappings.

Every fal model family is a table ``{api_field: FieldMapper}`` (see
``_video_models.py`` and ``_image_models.py``). The helpers here are the few
converters fal needs beyond the core library: image roles as fal URL fields,
``image_size`` presets, durations as frame counts, quality as rendering speed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from tarash.tarash_gateway.plugin import to_data_uri
from tarash.tarash_gateway.providers.field_mappers import (
    Accepts,
    FieldMapper,
    FieldValueError,
    duration_field_mapper,
    enum_field_mapper,
    n_images_field_mapper,
    passthrough_field_mapper,
)

Mappers = dict[str, FieldMapper]

# ---------------------------------------------------------------- the usual suspects
PROMPT = passthrough_field_mapper("prompt", required=True)
PROMPT_OPTIONAL = passthrough_field_mapper("prompt")
NEGATIVE_PROMPT = passthrough_field_mapper("negative_prompt")
SEED = passthrough_field_mapper("seed")
GENERATE_AUDIO = passthrough_field_mapper("generate_audio")
ENHANCE_PROMPT = passthrough_field_mapper("enhance_prompt")

FIRST_FRAME_ROLES = ("first_frame", "reference")


def image_url(roles: Sequence[str] = FIRST_FRAME_ROLES, required: bool = False) -> FieldMapper:
    """One image of ``roles`` as a URL or data URI (more than one is refused).

    Args:
        roles: Image roles (``ImageType.type``) that may fill this field.
        required: Refuse the request when no such image is given.
    """
    wanted = tuple(roles)

    def convert(_req: Any, value: Any) -> str | None:
        images = [item["image"] for item in value or [] if item.get("type") in wanted]
        return to_data_uri(images[0], "image/png") if images else None

    accepts = Accepts(roles=wanted, max_items=1, media="image")
    return FieldMapper("image_list", convert, required, accepts)


def image_urls(
    roles: Sequence[str] | None = ("reference",),
    max_items: int | None = None,
    required: bool = False,
) -> FieldMapper:
    """Images of ``roles`` (all images when None) as a list of URLs / data URIs."""
    wanted = None if roles is None else tuple(roles)

    def convert(_req: Any, value: Any) -> list[str]:
        images = [
            item["image"] for item in value or [] if wanted is None or item.get("type") in wanted
        ]
        return [to_data_uri(image, "image/png") for image in images]

    accepts = Accepts(roles=wanted, max_items=max_items, media="image")
    return FieldMapper("image_list", convert, required, accepts)


def last_frame_url(required: bool = False) -> FieldMapper:
    """The ``last_frame`` image as a URL / data URI."""
    return image_url(("last_frame",), required)


def video_url(required: bool = False) -> FieldMapper:
    """``request.video`` as a URL / data URI."""

    def convert(_req: Any, value: Any) -> str | None:
        return None if value is None else to_data_uri(value, "video/mp4")

    return FieldMapper("video", convert, required, Accepts(media="video"))


def video_urls() -> FieldMapper:
    """``request.video`` as a one-item list (reference-video fields)."""

    def convert(_req: Any, value: Any) -> list[str]:
        return [] if value is None else [to_data_uri(value, "video/mp4")]

    return FieldMapper("video", convert, accepts=Accepts(media="video"))


def duration(
    allowed: Sequence[int] | None = None, *, suffix: bool = False, as_int: bool = False
) -> FieldMapper:
    """``duration_seconds`` as fal wants it: ``"8s"`` (suffix), ``"5"`` or ``5`` (as_int)."""
    if as_int:
        return duration_field_mapper("int", list(allowed) if allowed else None)
    return duration_field_mapper("str", list(allowed) if allowed else None, add_suffix=suffix)


def seconds_range(low: int, high: int) -> list[int]:
    """Every whole second from ``low`` to ``high`` inclusive."""
    return list(range(low, high + 1))


def num_frames(fps: int = 16, min_frames: int = 17, max_frames: int = 161) -> FieldMapper:
    """``duration_seconds`` as a frame count (``seconds * fps + 1``), for Wan 2.2."""
    low, high = -(-(min_frames - 1) // fps), (max_frames - 1) // fps

    def convert(_req: Any, value: Any) -> int | None:
        return None if value is None else int(value) * fps + 1

    accepts = Accepts(minimum=low, maximum=high, step=1, note=f"sent as frames at {fps} fps")
    return FieldMapper("duration_seconds", convert, accepts=accepts)


def choice(field: str, allowed: Sequence[Any] | Mapping[Any, Any]) -> FieldMapper:
    """``field`` restricted to (or translated by) ``allowed``."""
    return enum_field_mapper(field, allowed)


def num_images(max_value: int = 4) -> FieldMapper:
    """``n`` as ``num_images`` (1 to ``max_value``)."""
    return n_images_field_mapper(1, max_value)


# ---------------------------------------------------------------- image size
IMAGE_SIZE_PRESETS: dict[str, str] = {
    "1:1": "square_hd",
    "4:3": "landscape_4_3",
    "3:4": "portrait_4_3",
    "16:9": "landscape_16_9",
    "9:16": "portrait_16_9",
}
_SIZE = re.compile(r"^(\d{2,5})x(\d{2,5})$")


def image_size(presets: Mapping[str, str] = IMAGE_SIZE_PRESETS) -> FieldMapper:
    """Fal's ``image_size``: ``size`` 'WxH' → ``{"width", "height"}``, else an aspect preset.

    ``size`` wins when both ``size`` and ``aspect_ratio`` are given.
    """

    def convert(req: Any, value: Any) -> Any:
        if value is not None:
            match = _SIZE.match(str(value))
            if not match:
                raise FieldValueError("size", value, "accepted: 'WIDTHxHEIGHT', e.g. '1024x768'")
            return {"width": int(match.group(1)), "height": int(match.group(2))}
        ratio = getattr(req, "aspect_ratio", None)
        return None if ratio is None else presets[ratio]

    return FieldMapper(
        "size",
        convert,
        accepts=Accepts(note="'WIDTHxHEIGHT', e.g. '1024x768'; wins over aspect_ratio"),
        also_reads=(("aspect_ratio", Accepts(values=tuple(presets))),),
    )


def aspect_ratio_from_size(allowed: Sequence[str]) -> FieldMapper:
    """``aspect_ratio`` for image models that take a ratio, not a size."""
    return enum_field_mapper("aspect_ratio", list(allowed))


# ---------------------------------------------------------------- generic mappings
GENERIC_VIDEO: Mappers = {
    "prompt": PROMPT,
    "negative_prompt": NEGATIVE_PROMPT,
    "duration": duration(),
    "aspect_ratio": passthrough_field_mapper("aspect_ratio"),
    "resolution": passthrough_field_mapper("resolution"),
    "generate_audio": GENERATE_AUDIO,
    "seed": SEED,
    "image_url": image_url(),
    "end_image_url": last_frame_url(),
    "video_url": video_url(),
}
"""Any fal video model without an exact family: standard fields under fal's common names."""

GENERIC_IMAGE: Mappers = {
    "prompt": PROMPT,
    "negative_prompt": NEGATIVE_PROMPT,
    "image_size": image_size(),
    "num_images": num_images(8),
    "seed": SEED,
    "image_urls": image_urls(None),
}
"""Any fal image model without an exact family."""


def source_fields(mappers: Mappers) -> list[str]:
    """The request fields a mapping reads, in order, without duplicates."""
    seen: list[str] = []
    for mapper in mappers.values():
        if mapper.source_field and mapper.source_field not in seen:
            seen.append(mapper.source_field)
    return seen
