"""Replicate model families as data, and the generic tables every other model uses.

Replicate runs any public model; each publishes its own input schema. A
family here maps tarash's standard fields onto one model's input names, with
the values that schema accepts; a model id no family knows gets the generic
tables (Replicate's most common input names), and anything else goes through
``extra_params`` unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tarash.tarash_gateway.capabilities import Accepts, Catalog, Family
from tarash.tarash_gateway.plugin import ModelFamily, to_data_uri
from tarash.tarash_gateway.providers.field_mappers import (
    FieldMapper,
    FieldValueError,
    duration_field_mapper,
    enum_field_mapper,
    n_images_field_mapper,
    passthrough_field_mapper,
)

Mappers = dict[str, FieldMapper]

PROMPT = passthrough_field_mapper("prompt", required=True)
NEGATIVE_PROMPT = passthrough_field_mapper("negative_prompt")
SEED = passthrough_field_mapper("seed")
GENERATE_AUDIO = passthrough_field_mapper("generate_audio")
FIRST_FRAME = ("first_frame", "reference")


def image(roles: Sequence[str] = FIRST_FRAME, required: bool = False) -> FieldMapper:
    """One image of ``roles`` as a URL or data URI."""
    wanted = tuple(roles)

    def convert(_req: Any, value: Any) -> str | None:
        images = [item["image"] for item in value or [] if item.get("type") in wanted]
        return to_data_uri(images[0], "image/png") if images else None

    return FieldMapper(
        "image_list", convert, required, Accepts(roles=wanted, max_items=1, media="image")
    )


def images(roles: Sequence[str] = ("reference",), max_items: int | None = None) -> FieldMapper:
    """Images of ``roles`` as a list of URLs / data URIs."""
    wanted = tuple(roles)

    def convert(_req: Any, value: Any) -> list[str]:
        return [
            to_data_uri(item["image"], "image/png")
            for item in value or []
            if item.get("type") in wanted
        ]

    return FieldMapper(
        "image_list", convert, accepts=Accepts(roles=wanted, max_items=max_items, media="image")
    )


def video(required: bool = False) -> FieldMapper:
    """``request.video`` as a URL / data URI."""

    def convert(_req: Any, value: Any) -> str | None:
        return None if value is None else to_data_uri(value, "video/mp4")

    return FieldMapper("video", convert, required, Accepts(media="video"))


def size_as_aspect(allowed: Sequence[str]) -> FieldMapper:
    """``aspect_ratio`` of an image model; a ``size`` 'WxH' is refused with the ratios accepted."""
    values = tuple(allowed)

    def convert(req: Any, value: Any) -> str | None:
        if getattr(req, "size", None) is not None:
            raise FieldValueError(
                "size", req.size, "this model takes aspect_ratio: " + ", ".join(values)
            )
        return value  # type: ignore[no-any-return]

    return FieldMapper(
        "aspect_ratio",
        convert,
        accepts=Accepts(values=values),
        also_reads=(("size", Accepts(note="not taken: use aspect_ratio")),),
    )


# ---------------------------------------------------------------- video families
VEO31: Mappers = {
    "prompt": PROMPT,
    "aspect_ratio": enum_field_mapper("aspect_ratio", ["16:9", "9:16"]),
    "duration": duration_field_mapper("int", [4, 6, 8]),
    "resolution": enum_field_mapper("resolution", ["720p", "1080p"]),
    "generate_audio": GENERATE_AUDIO,
    "negative_prompt": NEGATIVE_PROMPT,
    "seed": SEED,
    "image": image(),
    "last_frame": image(("last_frame",)),
}
VEO31_FULL: Mappers = {
    **VEO31,
    "image": image(("first_frame",)),
    "reference_images": images(("reference",), max_items=3),
}
KLING_25: Mappers = {
    "prompt": PROMPT,
    "duration": duration_field_mapper("int", [5, 10]),
    "aspect_ratio": enum_field_mapper("aspect_ratio", ["16:9", "9:16", "1:1"]),
    "negative_prompt": NEGATIVE_PROMPT,
    "start_image": image(),
}

# ---------------------------------------------------------------- image families
FLUX_RATIOS = ("1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21")
FLUX_SCHNELL: Mappers = {
    "prompt": PROMPT,
    "aspect_ratio": size_as_aspect(FLUX_RATIOS),
    "num_outputs": n_images_field_mapper(1, 4),
    "seed": SEED,
}

# ---------------------------------------------------------------- generic tables
GENERIC_VIDEO: Mappers = {
    "prompt": PROMPT,
    "negative_prompt": NEGATIVE_PROMPT,
    "duration": duration_field_mapper("int"),
    "aspect_ratio": passthrough_field_mapper("aspect_ratio"),
    "resolution": passthrough_field_mapper("resolution"),
    "generate_audio": GENERATE_AUDIO,
    "seed": SEED,
    "image": image(),
    "last_frame": image(("last_frame",)),
    "video": video(),
}
GENERIC_IMAGE: Mappers = {
    "prompt": PROMPT,
    "negative_prompt": NEGATIVE_PROMPT,
    "aspect_ratio": passthrough_field_mapper("aspect_ratio"),
    "num_outputs": n_images_field_mapper(1, 10),
    "seed": SEED,
    "image": image(("first_frame", "reference", "asset", "style")),
}

CHECKED = "checked 2026-11-28"
FAMILIES: tuple[Family, ...] = (
    Family(
        "Veo 3.1",
        "video",
        ("google/veo-3.1",),
        VEO31_FULL,
        source=f"https://replicate.com/google/veo-3.1/api ({CHECKED})",
        notes="first_frame → image, last_frame → last_frame, reference images → "
        "reference_images (1-3; 16:9 and 8 s only)",
    ),
    Family(
        "Veo 3.1 Fast",
        "video",
        ("google/veo-3.1-fast",),
        VEO31,
        source=f"Replicate's google/veo-3.1-fast schema as mirrored by api.core.today ({CHECKED})",
    ),
    Family(
        "Kling 2.5 Turbo Pro",
        "video",
        ("kwaivgi/kling-v2.5-turbo-pro",),
        KLING_25,
        source=f"Replicate's kwaivgi/kling-v2.5-turbo-pro schema as mirrored by "
        f"api.core.today ({CHECKED})",
        notes="aspect_ratio is ignored by the model when start_image is given",
    ),
    Family(
        "FLUX.1 schnell",
        "image",
        ("black-forest-labs/flux-schnell",),
        FLUX_SCHNELL,
        source=f"Replicate's black-forest-labs/flux-schnell schema ({CHECKED})",
        notes="output_format (webp, jpg, png), go_fast, megapixels through extra_params",
    ),
)

CATALOG = Catalog(
    FAMILIES,
    generic={
        "video": Family(
            "any other Replicate video model", "video", (), GENERIC_VIDEO, notes="common names"
        ),
        "image": Family(
            "any other Replicate image model", "image", (), GENERIC_IMAGE, notes="common names"
        ),
    },
)
"""The families tarash maps exactly, plus generic tables for every other model id."""


def _describe(family: Family) -> ModelFamily:
    fields: list[str] = []
    for mapper in family.fields.values():
        if mapper.source_field and mapper.source_field not in fields:
            fields.append(mapper.source_field)
    return ModelFamily(
        name=family.name,
        prefixes=list(family.models),
        modalities=[family.modality],
        fields=[*fields, "extra_params"],
        notes=family.notes,
    )


MODEL_FAMILIES: list[ModelFamily] = [
    _describe(f)
    for f in (*FAMILIES, *(g for m in CATALOG.generic for g in CATALOG.generic_families(m)))
]
