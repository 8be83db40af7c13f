"""What Stability's v2beta image endpoints accept, as data: one Family per endpoint and input.

Each :class:`StabilityFamily` (a capabilities ``Family``) names its models, the
endpoint it posts to and a FieldMapper table ``{form field: mapper}`` whose
``accepts`` say what each field takes. A model with two input shapes (Stable
Image Ultra and SD 3.5: text-to-image, or image-to-image with ``strength``) has
two families; ``CATALOG.select`` picks the first whose required inputs the request
has and which reads every input it carries, so endpoint and form follow from data.

Payload values are form values, except ``image`` and ``mask``: those keep the
request's media (URL, data URI, base64, bytes) and the submit flow uploads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tarash.tarash_gateway.capabilities import Accepts, Catalog, ExtraField, Family
from tarash.tarash_gateway.providers.field_mappers import (
    FieldMapper,
    FieldValueError,
    constant_field_mapper,
    enum_field_mapper,
)

ASPECT_RATIOS = ("16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21")
STYLE_PRESETS = (
    "3d-model",
    "analog-film",
    "anime",
    "cinematic",
    "comic-book",
    "digital-art",
    "enhance",
    "fantasy-art",
    "isometric",
    "line-art",
    "low-poly",
    "modeling-compound",
    "neon-punk",
    "origami",
    "photographic",
    "pixel-art",
    "tile-texture",
)
OUTPUT_FORMATS = ("png", "jpeg", "webp")
SD3_OUTPUT_FORMATS = ("png", "jpeg")
SD35_MODELS = ("sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash")
MAX_PROMPT = 10000
MAX_SEED = 4294967294
MAX_IMAGES = 10
"""Largest ``n``: the API makes one image per call, so ``n`` means ``n`` calls."""
MAX_BODY = 10 * 1024 * 1024
"""Stability refuses request bodies over 10 MiB (413)."""

API_REFERENCE = "https://platform.stability.ai/docs/api-reference"


@dataclass(frozen=True)
class StabilityFamily(Family):
    """A capabilities Family with what the Stability flows need besides the table.

    Attributes:
        asynchronous: The POST answers ``{id}``; the result is fetched from
            ``GET /v2beta/results/{id}``.
        one_of: Form fields of which at least one must be set (outpaint's sides).
    """

    asynchronous: bool = False
    one_of: tuple[str, ...] = ()


# ---------------------------------------------------------------- mappers
def _accepted(values: Sequence[object]) -> str:
    return "accepted: " + ", ".join(repr(v) for v in values)


def _extra(request: Any, name: str) -> Any:
    return (getattr(request, "extra_params", None) or {}).get(name)


def text(source: str, required: bool = False) -> FieldMapper:
    """A prompt of at most 10000 characters (empty means absent)."""

    def convert(_req: Any, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if len(value) > MAX_PROMPT:
            raise FieldValueError(
                source, f"<{len(value)} characters>", f"accepted: at most {MAX_PROMPT} characters"
            )
        return str(value)

    return FieldMapper(
        source, convert, required, Accepts(note=f"text of at most {MAX_PROMPT} characters")
    )


def seed() -> FieldMapper:
    """``seed`` from 0 to 4294967294 (0 lets Stability pick one)."""
    accepts = Accepts(minimum=0, maximum=MAX_SEED, step=1, note="0: Stability picks one")
    return FieldMapper("seed", lambda _req, value: value, accepts=accepts)


def extra_number(
    name: str, low: float, high: float, *, integer: bool = False, required: str = ""
) -> FieldMapper:
    """``extra_params[name]``: a number from ``low`` to ``high``.

    ``required`` is the reason the family needs it (empty: optional).
    """
    accepted = f"accepted: {'an integer' if integer else 'a number'} from {low:g} to {high:g}"

    def convert(req: Any, _value: Any) -> float | int | None:
        value = _extra(req, name)
        if value is None:
            if required:
                raise FieldValueError(name, None, f"{accepted} (required {required})")
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (integer and not float(value).is_integer())
            or not low <= value <= high
        ):
            raise FieldValueError(name, value, accepted)
        return int(value) if integer else value

    return FieldMapper("extra_params", convert)


def extra_text(name: str, required: str = "") -> FieldMapper:
    """``extra_params[name]``: a non-empty string."""

    def convert(req: Any, _value: Any) -> str | None:
        value = _extra(req, name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value:
            suffix = f" (required {required})" if required else ""
            raise FieldValueError(name, value, f"accepted: a non-empty string{suffix}")
        return value

    return FieldMapper("extra_params", convert)


def output_format(formats: Sequence[str]) -> FieldMapper:
    """``extra_params['output_format']`` (``provider_config`` is read by the plugin)."""

    def convert(req: Any, _value: Any) -> str | None:
        value = _extra(req, "output_format")
        if value is not None and value not in formats:
            raise FieldValueError("output_format", value, _accepted(formats))
        return value  # type: ignore[no-any-return]

    return FieldMapper("extra_params", convert)


def image(required: bool) -> FieldMapper:
    """The one input image of ``image_list`` (any role), kept as given: the flow uploads it."""

    def convert(_req: Any, value: Any) -> Any:
        images = [item["image"] for item in value or []]
        return images[0] if images else None

    accepts = Accepts(max_items=1, media="image", max_bytes=MAX_BODY)
    return FieldMapper("image_list", convert, required, accepts)


def mask() -> FieldMapper:
    """``mask_image``, kept as given: the flow uploads it."""
    accepts = Accepts(
        media="image", max_bytes=MAX_BODY, note="else the image's alpha channel is the mask"
    )
    return FieldMapper("mask_image", lambda _req, value: value, accepts=accepts)


def style() -> FieldMapper:
    """``style`` → ``style_preset``."""
    return enum_field_mapper("style", STYLE_PRESETS)


def n_calls(maximum: int) -> FieldMapper:
    """``n``: not a form field; the flow makes ``n`` calls (read from the request)."""
    accepts = Accepts(minimum=1, maximum=maximum, step=1, note="one call per image")
    return FieldMapper("n", lambda _req, _value: None, accepts=accepts)


def extras(*fields: tuple[str, str, str]) -> tuple[ExtraField, ...]:
    """ExtraField entries ``(name, type, description)`` for the family's extra_params."""
    return tuple(ExtraField(name=n, type=t, description=d) for n, t, d in fields)


OUTPUT_FORMAT_EXTRA = ("output_format", "string", "png, jpeg or webp (SD 3.5: png, jpeg)")
STRENGTH_EXTRA = ("strength", "number", "0 to 1; required with an input image")


# ---------------------------------------------------------------- tables
def _generate(formats: Sequence[str] = OUTPUT_FORMATS, styles: bool = True) -> dict[str, Any]:
    table: dict[str, FieldMapper] = {
        "prompt": text("prompt", required=True),
        "negative_prompt": text("negative_prompt"),
        "aspect_ratio": enum_field_mapper("aspect_ratio", ASPECT_RATIOS),
        "seed": seed(),
        "output_format": output_format(formats),
        "n": n_calls(MAX_IMAGES),
    }
    if styles:
        table["style_preset"] = style()
    return table


def _image_to_image(table: dict[str, FieldMapper]) -> dict[str, FieldMapper]:
    """The text-to-image table with an input image and ``strength``, without aspect_ratio."""
    i2i = {name: mapper for name, mapper in table.items() if name != "aspect_ratio"}
    i2i["image"] = image(required=True)
    i2i["strength"] = extra_number("strength", 0, 1, required="with an input image")
    return i2i


_ULTRA = _generate()
_SD35 = {
    **_generate(SD3_OUTPUT_FORMATS, styles=False),
    "cfg_scale": extra_number("cfg_scale", 1, 10),
}
_EDIT = {
    "prompt": text("prompt", required=True),
    "negative_prompt": text("negative_prompt"),
    "image": image(required=True),
    "seed": seed(),
    "output_format": output_format(OUTPUT_FORMATS),
    "n": n_calls(MAX_IMAGES),
}

SOURCE = f"{API_REFERENCE} (v2beta; checked 2026-11-28)"
_GENERATE_EXTRAS = extras(OUTPUT_FORMAT_EXTRA)
_I2I_EXTRAS = extras(OUTPUT_FORMAT_EXTRA, STRENGTH_EXTRA)
_SD35_EXTRAS = extras(OUTPUT_FORMAT_EXTRA, ("cfg_scale", "number", "1 to 10"))
_GROW = ("grow_mask", "integer", "pixels to grow the mask's edges by: 0 to 100")


def _family(
    name: str, models: tuple[str, ...], fields: dict[str, FieldMapper], endpoint: str, **kw: Any
) -> StabilityFamily:
    return StabilityFamily(name, "image", models, fields, endpoint, SOURCE, **kw)


FAMILIES: tuple[StabilityFamily, ...] = (
    _family(
        "Stable Image Ultra",
        ("stable-image-ultra",),
        _ULTRA,
        "/v2beta/stable-image/generate/ultra",
        notes="Text-to-image, about 1 megapixel; 8 credits per image.",
        extra_fields=_GENERATE_EXTRAS,
        selected_when="no input image",
    ),
    _family(
        "Stable Image Ultra (image-to-image)",
        ("stable-image-ultra",),
        _image_to_image(_ULTRA),
        "/v2beta/stable-image/generate/ultra",
        notes="One input image; strength 0-1 (required) says how far to move from it.",
        extra_fields=_I2I_EXTRAS,
        selected_when="an input image in image_list",
    ),
    _family(
        "Stable Image Core",
        ("stable-image-core",),
        _generate(),
        "/v2beta/stable-image/generate/core",
        notes="Text-to-image, 1.5 megapixels; 3 credits per image.",
        extra_fields=_GENERATE_EXTRAS,
    ),
    _family(
        "Stable Diffusion 3.5",
        SD35_MODELS,
        _SD35,
        "/v2beta/stable-image/generate/sd3",
        model_field="model",
        notes="Text-to-image; the model id is sent as the model form field.",
        extra_fields=_SD35_EXTRAS,
        selected_when="no input image",
    ),
    _family(
        "Stable Diffusion 3.5 (image-to-image)",
        SD35_MODELS,
        {**_image_to_image(_SD35), "mode": constant_field_mapper("image-to-image")},
        "/v2beta/stable-image/generate/sd3",
        model_field="model",
        notes="mode=image-to-image; one input image and strength 0-1 (required).",
        extra_fields=_SD35_EXTRAS + extras(STRENGTH_EXTRA),
        selected_when="an input image in image_list",
    ),
    _family(
        "Inpaint",
        ("stable-image-inpaint",),
        {
            **_EDIT,
            "mask": mask(),
            "grow_mask": extra_number("grow_mask", 0, 100, integer=True),
            "style_preset": style(),
        },
        "/v2beta/stable-image/edit/inpaint",
        notes="Repaints the masked area (mask_image; else the image's alpha channel).",
        extra_fields=extras(OUTPUT_FORMAT_EXTRA, _GROW),
    ),
    _family(
        "Outpaint",
        ("stable-image-outpaint",),
        {
            **_EDIT,
            "prompt": text("prompt"),
            **{
                side: extra_number(side, 0, 2000, integer=True)
                for side in ("left", "right", "up", "down")
            },
            "creativity": extra_number("creativity", 0, 1),
            "style_preset": style(),
        },
        "/v2beta/stable-image/edit/outpaint",
        one_of=("left", "right", "up", "down"),
        notes="Extends the image by left/right/up/down pixels (extra_params; at least one).",
        extra_fields=extras(
            OUTPUT_FORMAT_EXTRA,
            *(
                (side, "integer", "pixels to add on this side: 0 to 2000")
                for side in ("left", "right", "up", "down")
            ),
            ("creativity", "number", "0 to 1"),
        ),
    ),
    _family(
        "Search and replace",
        ("stable-image-search-and-replace",),
        {
            **_EDIT,
            "search_prompt": extra_text("search_prompt", required="by search-and-replace"),
            "grow_mask": extra_number("grow_mask", 0, 20, integer=True),
            "style_preset": style(),
        },
        "/v2beta/stable-image/edit/search-and-replace",
        notes="Replaces what extra_params['search_prompt'] names with the prompt.",
        extra_fields=extras(
            OUTPUT_FORMAT_EXTRA,
            ("search_prompt", "string", "what to find and replace (required)"),
            ("grow_mask", "integer", "0 to 20"),
        ),
    ),
    _family(
        "Conservative upscale",
        ("stable-image-upscale-conservative",),
        {**_EDIT, "creativity": extra_number("creativity", 0.2, 0.5)},
        "/v2beta/stable-image/upscale/conservative",
        notes="Upscales to about 4 megapixels, changing little.",
        extra_fields=extras(OUTPUT_FORMAT_EXTRA, ("creativity", "number", "0.2 to 0.5")),
    ),
    _family(
        "Creative upscale",
        ("stable-image-upscale-creative",),
        {
            **_EDIT,
            "n": n_calls(1),
            "creativity": extra_number("creativity", 0.1, 0.5),
            "style_preset": style(),
        },
        "/v2beta/stable-image/upscale/creative",
        asynchronous=True,
        notes="Asynchronous: the result is polled at GET /v2beta/results/{id}.",
        extra_fields=extras(OUTPUT_FORMAT_EXTRA, ("creativity", "number", "0.1 to 0.5")),
    ),
)

CATALOG = Catalog(FAMILIES)
"""Every Stability family; the plugin validates, maps and describes from it."""
MODELS: tuple[str, ...] = tuple(dict.fromkeys(m for f in FAMILIES for m in f.models))


def family_of(model: str, request: Any) -> StabilityFamily:
    """The family (endpoint) that serves ``request`` on ``model``."""
    family = CATALOG.select(model, "image", request)
    assert isinstance(family, StabilityFamily)
    return family
