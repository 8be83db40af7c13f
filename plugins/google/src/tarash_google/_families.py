"""Model families: which ids exist, what each takes, and which ids Google shut down (data).

Both providers (``google`` and ``google-vertex``) share these tables; the few wire
differences between the Gemini API and Vertex AI live in :mod:`tarash_google._mapping`.
Sources are cited per family and in docs/providers/google.md.
"""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass, replace
from typing import Any

from tarash.tarash_gateway.capabilities import Accepts, Catalog, ExtraField, Family
from tarash.tarash_gateway.models import Modality
from tarash.tarash_gateway.plugin import is_url, to_bytes
from tarash.tarash_gateway.providers.field_mappers import (
    FieldMapper,
    FieldValueError,
    duration_field_mapper,
    enum_field_mapper,
    passthrough_field_mapper,
)

GOOGLE = "google"
VERTEX = "google-vertex"
PROVIDERS = (GOOGLE, VERTEX)

GEMINI_BASE_URL = "https://generativelanguage.googleapis.com"
GEMINI_KEY_ENV = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
VERTEX_GLOBAL_URL = "https://aiplatform.googleapis.com"

DEFAULT_MODELS: dict[str, str] = {
    "video": "veo-3.1-fast-generate-001",
    "image": "gemini-3.1-flash-image",
}

FETCH = "_url"
"""Key of an image object whose URL the submit flow downloads and inlines."""


@dataclass(frozen=True)
class Retired:
    """A model id Google shut down, when, and what replaces it."""

    shutdown: str
    replacement: str
    source: str


# ---------------------------------------------------------------- media converters
def image_object(media: Any, field_name: str) -> dict[str, Any]:
    """An image as Veo takes it: ``{bytesBase64Encoded, mimeType}``.

    A URL becomes ``{"_url": url}`` (downloaded and inlined by the submit flow: the
    API does not fetch arbitrary URLs); a ``gs://`` URI becomes ``{gcsUri, mimeType}``
    (Vertex AI only, checked by the mapping).
    """
    if is_url(media):
        return {FETCH: str(media)}
    if isinstance(media, str) and media.startswith("gs://"):
        guessed = mimetypes.guess_type(media)[0] or "image/png"
        return {"gcsUri": media, "mimeType": guessed}
    try:
        data, content_type = to_bytes(media, "image/png")
    except ValueError as exc:
        raise FieldValueError(field_name, "<media>", f"an image URL, data URI or bytes ({exc})")
    return {"bytesBase64Encoded": base64.b64encode(data).decode("ascii"), "mimeType": content_type}


def _images(request: Any, roles: tuple[str, ...]) -> list[Any]:
    return [item["image"] for item in request.image_list if item.get("type") in roles]


def frame_mapper(role: str) -> FieldMapper:
    """The one image of ``role`` (``first_frame`` / ``last_frame``) as a Veo image object."""

    def convert(request: Any, _value: Any) -> dict[str, Any] | None:
        images = _images(request, (role,))
        if not images:
            return None
        if len(images) > 1:
            raise FieldValueError("image_list", f"{len(images)} {role} images", "at most 1")
        return image_object(images[0], f"image_list[{role}]")

    return FieldMapper(
        "image_list", convert, accepts=Accepts(roles=(role,), max_items=1, media="image")
    )


REFERENCE_ROLES = ("reference", "asset")


def reference_images_mapper(max_items: int) -> FieldMapper:
    """Images of role ``reference``/``asset`` as Veo ``referenceImages`` of type ``asset``."""

    def convert(request: Any, _value: Any) -> list[dict[str, Any]] | None:
        images = _images(request, REFERENCE_ROLES)
        if not images:
            return None
        if len(images) > max_items:
            raise FieldValueError(
                "image_list", f"{len(images)} reference images", f"at most {max_items}"
            )
        return [
            {"image": image_object(image, "image_list[reference]"), "referenceType": "asset"}
            for image in images
        ]

    accepts = Accepts(
        roles=REFERENCE_ROLES,
        max_items=max_items,
        media="image",
        note="sent as referenceType 'asset'; 8 s and 16:9 only",
    )
    return FieldMapper("image_list", convert, accepts=accepts)


def inline_parts_mapper(max_items: int) -> FieldMapper:
    """Input images (role ``reference``) as Gemini ``inlineData`` parts."""

    def convert(request: Any, _value: Any) -> list[dict[str, Any]] | None:
        images = _images(request, ("reference",))
        if len(images) > max_items:
            raise FieldValueError("image_list", f"{len(images)} images", f"at most {max_items}")
        parts = []
        for image in images:
            obj = image_object(image, "image_list")
            if "gcsUri" in obj:
                raise FieldValueError(
                    "image_list", obj["gcsUri"], "an image URL, data URI or bytes"
                )
            if FETCH in obj:
                parts.append({"inlineData": {FETCH: obj[FETCH]}})
            else:
                parts.append(
                    {"inlineData": {"mimeType": obj["mimeType"], "data": obj["bytesBase64Encoded"]}}
                )
        return parts or None

    accepts = Accepts(roles=("reference",), max_items=max_items, media="image")
    return FieldMapper("image_list", convert, accepts=accepts)


ONE_VIDEO = FieldMapper(
    "number_of_videos",
    lambda _req, _value: None,  # 1 is Veo's default: nothing to send
    accepts=Accepts(
        values=(1,),
        note="one video per response: Veo's other samples (sampleCount up to 4) would be "
        "paid for and dropped",
    ),
)


# ---------------------------------------------------------------- video tables
PERSON_GENERATION = ("allow_all", "allow_adult", "dont_allow")
VIDEO_EXTRAS = (
    ExtraField(
        name="person_generation",
        type="string",
        description="Veo's personGeneration: whether people may appear",
        values=PERSON_GENERATION,
    ),
    ExtraField(
        name="storage_uri",
        type="string",
        description="Vertex AI only: a gs:// folder the video is written to (storageUri)",
    ),
)
"""extra_params the video families read (translated by the mapping, never passed as-is)."""

VEO_SOURCE = (
    "https://ai.google.dev/gemini-api/docs/veo; "
    "https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/veo/3-1-generate "
    "(checked 2026-11-28)"
)


VERTEX_SEED = passthrough_field_mapper("seed")
VERTEX_AUDIO = enum_field_mapper("generate_audio", [True, False])
GEMINI_AUDIO = FieldMapper(
    "generate_audio",
    lambda _req, _value: None,  # the Gemini API takes no generateAudio: Veo 3.1 always has sound
    accepts=Accepts(values=(True,), note="Veo 3.1 on the Gemini API always makes sound"),
)
VERTEX_ONLY_EXTRAS = ("storage_uri",)


def _veo_table(
    *, frames: bool, references: bool, resolutions: tuple[str, ...]
) -> dict[str, FieldMapper]:
    table: dict[str, FieldMapper] = {
        "prompt": passthrough_field_mapper("prompt", required=True),
        "image": frame_mapper("first_frame"),
    }
    if frames:
        table["lastFrame"] = frame_mapper("last_frame")
    if references:
        table["referenceImages"] = reference_images_mapper(3)
    table.update(
        {
            "aspectRatio": enum_field_mapper("aspect_ratio", ["16:9", "9:16"]),
            "resolution": enum_field_mapper("resolution", list(resolutions)),
            "durationSeconds": duration_field_mapper("int", [4, 6, 8]),
            "negativePrompt": passthrough_field_mapper("negative_prompt"),
            "enhancePrompt": passthrough_field_mapper("enhance_prompt"),
            "seed": VERTEX_SEED,
            "generateAudio": VERTEX_AUDIO,
            "sampleCount": ONE_VIDEO,
        }
    )
    return table


VEO_INSTANCE_FIELDS = ("prompt", "image", "lastFrame", "referenceImages")
"""API fields that go into ``instances[0]``; the others go into ``parameters``."""

# ---------------------------------------------------------------- image tables
IMAGE_ASPECT_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
IMAGE_EXTRAS = (
    ExtraField(
        name="response_modalities",
        type="array",
        description="generationConfig.responseModalities; default ['IMAGE']",
        values=(["IMAGE"], ["TEXT", "IMAGE"]),
    ),
)
"""extra_params the image families read."""

MAX_IMAGES = 4
IMAGES_PER_CALL = FieldMapper(
    "n",
    lambda _req, _value: None,  # not a Google field: the flow makes n calls
    accepts=Accepts(
        minimum=1,
        maximum=MAX_IMAGES,
        step=1,
        note="one image per generateContent call: n images are n calls sent side by side",
    ),
)


def _image_table(sizes: tuple[str, ...] | None, max_inputs: int) -> dict[str, FieldMapper]:
    table: dict[str, FieldMapper] = {
        "prompt": passthrough_field_mapper("prompt", required=True),
        "parts": inline_parts_mapper(max_inputs),
        "aspectRatio": enum_field_mapper("aspect_ratio", list(IMAGE_ASPECT_RATIOS)),
        "seed": passthrough_field_mapper("seed"),
        "n": IMAGES_PER_CALL,
    }
    if sizes:
        table["imageSize"] = enum_field_mapper("size", list(sizes))
    return table


IMAGE_SOURCE = (
    "https://ai.google.dev/gemini-api/docs/image-generation; "
    "https://ai.google.dev/gemini-api/docs/deprecations (checked 2026-11-28)"
)

FAMILIES: tuple[Family, ...] = (
    Family(
        name="Veo 3.1",
        modality="video",
        models=("veo-3.1-generate-001", "veo-3.1-fast-generate-001"),
        fields=_veo_table(frames=True, references=True, resolutions=("720p", "1080p", "4k")),
        endpoint="predictLongRunning",
        source=VEO_SOURCE,
        extra_fields=VIDEO_EXTRAS,
        notes=(
            "4/6/8 s, 16:9 or 9:16, 720p/1080p/4k, first and last frame, up to 3 asset "
            "reference images (8 s, 16:9 only); always with sound."
        ),
    ),
    Family(
        name="Veo 3.1 Lite",
        modality="video",
        models=("veo-3.1-lite-generate-001",),
        fields=_veo_table(frames=False, references=False, resolutions=("720p", "1080p")),
        endpoint="predictLongRunning",
        source=VEO_SOURCE,
        extra_fields=VIDEO_EXTRAS,
        notes="4/6/8 s, 16:9 or 9:16, 720p/1080p; text or one first frame; always with sound.",
    ),
    Family(
        name="Nano Banana 2",
        modality="image",
        models=("gemini-3.1-flash-image",),
        fields=_image_table(("512", "1K", "2K", "4K"), 14),
        endpoint="generateContent",
        source=IMAGE_SOURCE,
        extra_fields=IMAGE_EXTRAS,
        notes="Gemini 3.1 Flash Image: size 512/1K/2K/4K, up to 14 input images, one image a call.",
    ),
    Family(
        name="Nano Banana Pro",
        modality="image",
        models=("gemini-3-pro-image",),
        fields=_image_table(("1K", "2K", "4K"), 14),
        endpoint="generateContent",
        source=IMAGE_SOURCE,
        extra_fields=IMAGE_EXTRAS,
        notes="Gemini 3 Pro Image: size 1K/2K/4K, up to 14 input images, one image a call.",
    ),
    Family(
        name="Nano Banana",
        modality="image",
        models=("gemini-2.5-flash-image",),
        fields=_image_table(None, 3),
        endpoint="generateContent",
        source=IMAGE_SOURCE,
        extra_fields=IMAGE_EXTRAS,
        notes="Gemini 2.5 Flash Image: 1K output, up to 3 input images, one image a call.",
    ),
)

RETIRED: dict[str, Retired] = {
    "veo-3.1-generate-preview": Retired(
        "2026-10-22", "veo-3.1-generate-001", "ai.google.dev/gemini-api/docs/deprecations"
    ),
    "veo-3.1-fast-generate-preview": Retired(
        "2026-10-22", "veo-3.1-fast-generate-001", "ai.google.dev/gemini-api/docs/deprecations"
    ),
    "veo-3.1-lite-generate-preview": Retired(
        "2026-10-22", "veo-3.1-lite-generate-001", "ai.google.dev/gemini-api/docs/deprecations"
    ),
    "veo-3.0-generate-001": Retired(
        "2026-06-30", "veo-3.1-generate-001", "Vertex AI Veo 3 model page"
    ),
    "veo-3.0-fast-generate-001": Retired(
        "2026-06-30", "veo-3.1-fast-generate-001", "Vertex AI Veo 3 model page"
    ),
    "veo-3.0-generate-preview": Retired(
        "2026-06-30", "veo-3.1-generate-001", "Vertex AI Veo 3 model page"
    ),
    "veo-3.0-fast-generate-preview": Retired(
        "2026-06-30", "veo-3.1-fast-generate-001", "Vertex AI Veo 3 model page"
    ),
    "veo-2.0-generate-001": Retired(
        "2026-06-30", "veo-3.1-generate-001", "Vertex AI Veo 2 model page"
    ),
    "gemini-3.1-flash-image-preview": Retired(
        "2026-06-25", "gemini-3.1-flash-image", "ai.google.dev/gemini-api/docs/deprecations"
    ),
    "gemini-3-pro-image-preview": Retired(
        "2026-06-25", "gemini-3-pro-image", "ai.google.dev/gemini-api/docs/deprecations"
    ),
    "gemini-2.5-flash-image-preview": Retired(
        "2026-01-15", "gemini-2.5-flash-image", "ai.google.dev/gemini-api/docs/changelog"
    ),
}
"""Exact ids Google shut down → shutdown date and the replacement to name."""

IMAGEN_SHUTDOWN = "2026-06-24"
IMAGEN_REPLACEMENT = "gemini-3.1-flash-image"
RETIRED_PREFIXES: dict[str, Retired] = {
    "imagen-": Retired(
        IMAGEN_SHUTDOWN,
        IMAGEN_REPLACEMENT,
        "firebase.google.com/docs/ai-logic/imagen-models-migration",
    ),
    "imagegeneration@": Retired(
        IMAGEN_SHUTDOWN,
        IMAGEN_REPLACEMENT,
        "firebase.google.com/docs/ai-logic/imagen-models-migration",
    ),
}
"""Id prefixes of whole retired lines (all Imagen models)."""


def _on_gemini_api(family: Family) -> Family:
    """``family`` as the Gemini API takes it: without what only Vertex AI takes.

    Google's client refuses ``seed``, ``generateAudio`` and ``storageUri`` on the Gemini
    API; ``gs://`` images are refused by the mapping.
    """
    if family.modality != "video":
        return family
    fields = {api: mapper for api, mapper in family.fields.items() if api != "seed"}
    fields["generateAudio"] = GEMINI_AUDIO
    extras = tuple(e for e in family.extra_fields if e.name not in VERTEX_ONLY_EXTRAS)
    return replace(family, fields=fields, extra_fields=extras)


CATALOG = Catalog(FAMILIES)
"""Vertex AI (``google-vertex``): every model the plugin maps (exact ids)."""
GEMINI_CATALOG = Catalog(tuple(_on_gemini_api(family) for family in FAMILIES))
"""The Gemini API (``google``): the same families without the Vertex-only fields."""


def retirement_of(model: str) -> Retired | None:
    """The retirement record of ``model``, or None when it is not known to be shut down."""
    model = model.removeprefix("models/")
    if model in RETIRED:
        return RETIRED[model]
    return next(
        (record for prefix, record in RETIRED_PREFIXES.items() if model.startswith(prefix)), None
    )


def modality_of(model: str) -> Modality | None:
    """What ``model`` generates: its family's modality, else guessed from the id, else None."""
    model = model.removeprefix("models/")
    known = CATALOG.modality_of(model)
    if known is not None:
        return known
    if model.startswith("veo-"):
        return "video"
    if model.startswith(("imagen-", "imagegeneration")) or (
        model.startswith("gemini-") and "image" in model
    ):
        return "image"
    return None


FIELD_MAPPINGS: dict[str, dict[str, FieldMapper]] = GEMINI_CATALOG.field_mappings
"""Model id → field mappers (what ``get_provider_field_mapping('google')`` shows)."""
