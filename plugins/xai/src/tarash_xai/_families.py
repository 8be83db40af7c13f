"""What xAI's Grok Imagine endpoints accept, as data: one capabilities Family per endpoint.

Images: ``POST /v1/images/generations`` (text) and ``/v1/images/edits`` (with input
images, sent as URLs or data URIs in JSON). Video: ``POST /v1/videos/generations``
(text, a first frame, or reference images), ``/v1/videos/extensions`` (a video and a
duration: the length to add) and ``/v1/videos/edits`` (a video, no duration).
Speech: ``POST /v1/tts`` (:mod:`tarash_xai._speech`). The request's inputs choose
the family (``CATALOG.select``); the plugin adds ``model`` (not for speech).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tarash.tarash_gateway.capabilities import Accepts, Catalog, ExtraField, Family
from tarash.tarash_gateway.plugin import to_data_uri
from tarash.tarash_gateway.providers.field_mappers import (
    FieldMapper,
    FieldValueError,
    enum_field_mapper,
    n_images_field_mapper,
    passthrough_field_mapper,
)
from tarash_xai._speech import SPEECH_FAMILIES

IMAGE_ASPECTS = (
    "1:1", "3:4", "4:3", "9:16", "16:9", "2:3", "3:2",
    "9:19.5", "19.5:9", "9:20", "20:9", "1:2", "2:1", "auto",
)  # fmt: skip
"""Every aspect ratio xAI's image endpoints take (the ones tarash's AspectRatio lacks
go through ``extra_params['aspect_ratio']``)."""
REQUEST_IMAGE_ASPECTS = ("1:1", "3:4", "4:3", "9:16", "16:9", "2:3", "3:2", "auto")
IMAGE_RESOLUTIONS = ("1k", "2k")
IMAGE_QUALITIES = ("low", "medium")
RESPONSE_FORMATS = ("url", "b64_json")
MAX_EDIT_IMAGES = 3
VIDEO_ASPECTS = ("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3")
VIDEO_RESOLUTIONS = ("480p", "720p")
VIDEO_15_RESOLUTIONS = ("480p", "720p", "1080p")
MAX_REFERENCE_IMAGES = 7

IMAGE_MODELS = ("grok-imagine-image", "grok-imagine-image-quality", "grok-imagine-image-pro")
IMAGE_2_MODELS = ("grok-imagine-image-2.0",)
VIDEO_MODELS = ("grok-imagine-video",)
VIDEO_15_MODELS = ("grok-imagine-video-1.5",)

IMAGES_DOC = "https://docs.x.ai/developers/model-capabilities/images/generation"
VIDEO_DOC = "https://docs.x.ai/developers/model-capabilities/video/generation"
CHECKED = "checked 2026-11-28, with xai-org/xai-sdk-python v1.19"


# ---------------------------------------------------------------- mappers
def _extra(request: Any, name: str) -> Any:
    return (getattr(request, "extra_params", None) or {}).get(name)


def extra_choice(name: str, values: Sequence[str]) -> FieldMapper:
    """``extra_params[name]``, one of ``values`` (validated here: extras carry no Accepts)."""

    def convert(req: Any, _value: Any) -> str | None:
        value = _extra(req, name)
        if value is not None and value not in values:
            raise FieldValueError(name, value, "accepted: " + ", ".join(repr(v) for v in values))
        return value  # type: ignore[no-any-return]

    return FieldMapper("extra_params", convert)


def seconds(maximum: int, required: bool = False) -> FieldMapper:
    """``duration_seconds`` → ``duration``: whole seconds from 1 to ``maximum``."""
    accepts = Accepts(minimum=1, maximum=maximum, step=1)
    return FieldMapper("duration_seconds", lambda _req, value: value, required, accepts)


def _url(media: Any, default_type: str) -> str:
    """XAI takes media as a public URL or a base64 data URI."""
    return to_data_uri(media, default_type)


def edit_image() -> FieldMapper:
    """The one input image of an edit: ``{"url": ..., "type": "image_url"}``."""

    def convert(_req: Any, value: Any) -> dict[str, str] | None:
        images = [item["image"] for item in value or []]
        if len(images) != 1:
            return None
        return {"url": _url(images[0], "image/png"), "type": "image_url"}

    accepts = Accepts(max_items=MAX_EDIT_IMAGES, media="image", note="1 image: 'image'")
    return FieldMapper("image_list", convert, accepts=accepts)


def edit_images() -> FieldMapper:
    """Two or three input images of an edit: ``images: [{"url", "type"}]``."""

    def convert(_req: Any, value: Any) -> list[dict[str, str]] | None:
        images = [item["image"] for item in value or []]
        if len(images) < 2:
            return None
        return [{"url": _url(image, "image/png"), "type": "image_url"} for image in images]

    accepts = Accepts(max_items=MAX_EDIT_IMAGES, media="image", note="2-3 images: 'images'")
    return FieldMapper("image_list", convert, accepts=accepts)


def first_frame() -> FieldMapper:
    """A ``first_frame`` image → ``image: {"url": ...}`` (image-to-video)."""

    def convert(_req: Any, value: Any) -> dict[str, str] | None:
        images = [i["image"] for i in value or [] if i.get("type") == "first_frame"]
        return {"url": _url(images[0], "image/png")} if images else None

    accepts = Accepts(roles=("first_frame",), max_items=1, media="image")
    return FieldMapper("image_list", convert, accepts=accepts)


def reference_images() -> FieldMapper:
    """``reference`` images → ``reference_images: [{"url": ...}]`` (reference-to-video)."""

    def convert(_req: Any, value: Any) -> list[dict[str, str]]:
        images = [i["image"] for i in value or [] if i.get("type") == "reference"]
        return [{"url": _url(image, "image/png")} for image in images]

    accepts = Accepts(roles=("reference",), max_items=MAX_REFERENCE_IMAGES, media="image")
    return FieldMapper("image_list", convert, accepts=accepts)


def video_input() -> FieldMapper:
    """``video`` → ``{"url": ...}`` (an .mp4 URL or data URI)."""

    def convert(_req: Any, value: Any) -> dict[str, str] | None:
        return None if value is None else {"url": _url(value, "video/mp4")}

    return FieldMapper("video", convert, True, Accepts(media="video", note="an MP4"))


def one_video() -> FieldMapper:
    """``number_of_videos``: xAI makes one video per request (not sent)."""
    return FieldMapper("number_of_videos", lambda _req, _value: None, accepts=Accepts(values=(1,)))


# ---------------------------------------------------------------- tables
def _image_table(quality: bool, edit: bool) -> dict[str, FieldMapper]:
    table: dict[str, FieldMapper] = {
        "prompt": passthrough_field_mapper("prompt", required=True),
        "n": n_images_field_mapper(1, 10),
        "aspect_ratio": enum_field_mapper("aspect_ratio", REQUEST_IMAGE_ASPECTS),
        "resolution": extra_choice("resolution", IMAGE_RESOLUTIONS),
        "response_format": extra_choice("response_format", RESPONSE_FORMATS),
    }
    if quality:
        table["quality"] = enum_field_mapper("quality", IMAGE_QUALITIES)
    if edit:
        table["image"] = edit_image()
        table["images"] = edit_images()
    return table


def _video_table(resolutions: Sequence[str]) -> dict[str, FieldMapper]:
    return {
        "prompt": passthrough_field_mapper("prompt", required=True),
        "duration": seconds(15),
        "aspect_ratio": enum_field_mapper("aspect_ratio", VIDEO_ASPECTS),
        "resolution": enum_field_mapper("resolution", resolutions),
        "image": first_frame(),
        "reference_images": reference_images(),
        "generate_audio": passthrough_field_mapper("generate_audio"),
        "n": one_video(),
    }


_EXTEND = {
    "prompt": passthrough_field_mapper("prompt", required=True),
    "video": video_input(),
    "duration": seconds(10, required=True),
    "n": one_video(),
}
_EDIT_VIDEO = {
    "prompt": passthrough_field_mapper("prompt", required=True),
    "video": video_input(),
    "n": one_video(),
}

_IMAGE_EXTRAS = (
    ExtraField(name="resolution", type="string", values=IMAGE_RESOLUTIONS),
    ExtraField(
        name="response_format",
        type="string",
        values=RESPONSE_FORMATS,
        description="url (xAI's default; temporary URLs) or b64_json",
    ),
    ExtraField(
        name="aspect_ratio",
        type="string",
        values=IMAGE_ASPECTS,
        description="the ratios tarash's aspect_ratio lacks (9:19.5, 20:9, 1:2...)",
    ),
)
_R2V_AUDIO = ExtraField(
    name="reference_audios",
    type="array",
    description='up to 3 {"voice_id": "ara"} voices for reference-to-video',
)


def _images(name: str, models: tuple[str, ...], quality: bool, notes: str) -> tuple[Family, Family]:
    source = f"{IMAGES_DOC} ({CHECKED})"
    return (
        Family(
            name,
            "image",
            models,
            _image_table(quality, edit=False),
            "/images/generations",
            source,
            notes,
            _IMAGE_EXTRAS,
            "no input image",
            model_field="model",
        ),
        Family(
            f"{name} (edit)",
            "image",
            models,
            _image_table(quality, edit=True),
            "/images/edits",
            source,
            notes + " Edits: 1 to 3 input images; aspect_ratio only with 2 or more.",
            _IMAGE_EXTRAS,
            "input images in image_list",
            model_field="model",
        ),
    )


def _videos(name: str, models: tuple[str, ...], resolutions: Sequence[str]) -> list[Family]:
    source = f"{VIDEO_DOC} ({CHECKED})"
    extras = (_R2V_AUDIO,) if "1080p" in resolutions else ()
    return [
        Family(
            name,
            "video",
            models,
            _video_table(resolutions),
            "/videos/generations",
            source,
            "Text-, image- (first_frame) or reference-to-video (reference images); 1-15 s.",
            extras,
            "no input video",
            model_field="model",
        ),
        Family(
            f"{name} (extension)",
            "video",
            models,
            _EXTEND,
            "/videos/extensions",
            source,
            "Continues the video from its last frame; duration is the length added (1-10 s).",
            (),
            "an input video and duration_seconds",
            model_field="model",
        ),
        Family(
            f"{name} (edit)",
            "video",
            models,
            _EDIT_VIDEO,
            "/videos/edits",
            source,
            "Edits the video (xAI advises inputs up to about 8.7 s).",
            (),
            "an input video, no duration_seconds",
            model_field="model",
        ),
    ]


FAMILIES: tuple[Family, ...] = (
    *_images(
        "Grok Imagine Image",
        IMAGE_MODELS,
        quality=False,
        notes="grok-imagine-image-pro is xAI's alias of grok-imagine-image-quality.",
    ),
    *_images(
        "Grok Imagine Image 2.0",
        IMAGE_2_MODELS,
        quality=True,
        notes="quality low or medium (xAI's default: medium).",
    ),
    *_videos("Grok Imagine Video", VIDEO_MODELS, VIDEO_RESOLUTIONS),
    *_videos("Grok Imagine Video 1.5", VIDEO_15_MODELS, VIDEO_15_RESOLUTIONS),
    *SPEECH_FAMILIES,
)

CATALOG = Catalog(FAMILIES)
"""Every xAI family; the plugin validates, maps and describes from it."""
