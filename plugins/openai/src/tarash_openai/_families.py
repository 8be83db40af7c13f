"""Provider ids, model families and what each family accepts (data, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass

from tarash.tarash_gateway.models import Modality

OPENAI = "openai"
AZURE = "azure-openai"
PROVIDERS = (OPENAI, AZURE)

OPENAI_BASE_URL = "https://api.openai.com/v1"
OPENAI_KEY_ENV = "OPENAI_API_KEY"
AZURE_KEY_ENV = "AZURE_OPENAI_API_KEY"

VIDEO_API_RETIRED = "2026-09-24"
"""The day OpenAI shut down its own Videos API and the sora-2 models."""

DEFAULT_MODELS: dict[str, str] = {"image": "gpt-image-1", "tts": "gpt-4o-mini-tts"}


@dataclass(frozen=True)
class Family:
    """A group of models that take the same fields.

    Attributes:
        name: Family name (also the key of its field-mapping table).
        modality: What the family generates.
        prefixes: Model ids starting with one of these belong to the family.
        fields: Request fields the family uses (documentation and ModelFamily).
        notes: One line shown by ``tarash providers --models``.
    """

    name: str
    modality: Modality
    prefixes: tuple[str, ...]
    fields: tuple[str, ...]
    notes: str = ""


_IMAGE_FIELDS = ("prompt", "n", "size", "aspect_ratio", "quality")
_GPT_IMAGE_EXTRAS = (
    "image_list",
    "mask_image",
    "extra_params.background",
    "extra_params.output_format",
    "extra_params.output_compression",
    "extra_params.moderation",
    "extra_params.input_fidelity",
)
_TTS_FIELDS = ("text", "voice_id", "output_format.format", "extra_params.speed")
_VIDEO_FIELDS = (
    "prompt",
    "duration_seconds",
    "resolution",
    "aspect_ratio",
    "image_list (first_frame)",
    "video (remix: an earlier video's id)",
    "extra_params.size",
)

FAMILIES: tuple[Family, ...] = (
    Family(
        "gpt-image-2",
        "image",
        ("gpt-image-2",),
        _IMAGE_FIELDS + _GPT_IMAGE_EXTRAS,
        "Any WxH size in multiples of 16 (ratio 1:3 to 3:1, up to 3840x2160); base64 output.",
    ),
    Family(
        "gpt-image",
        "image",
        ("gpt-image-", "chatgpt-image-"),
        _IMAGE_FIELDS + _GPT_IMAGE_EXTRAS,
        "gpt-image-1, gpt-image-1-mini, gpt-image-1.5: generations and edits; base64 output.",
    ),
    Family(
        "dall-e-3",
        "image",
        ("dall-e-3",),
        _IMAGE_FIELDS + ("style", "extra_params.response_format"),
        "Generations only, n=1; returns URLs (or base64) and a revised_prompt.",
    ),
    Family(
        "dall-e-2",
        "image",
        ("dall-e-2",),
        _IMAGE_FIELDS + ("image_list", "mask_image", "extra_params.response_format"),
        "Generations and edits of one square PNG.",
    ),
    Family(
        "gpt-4o-mini-tts",
        "tts",
        ("gpt-4o-mini-tts",),
        _TTS_FIELDS + ("extra_params.instructions",),
        "Steerable speech: instructions set tone, accent and pace.",
    ),
    Family("tts-1", "tts", ("tts-1",), _TTS_FIELDS, "tts-1 and tts-1-hd (no instructions)."),
    Family(
        "sora-2-pro",
        "video",
        ("sora-2-pro",),
        _VIDEO_FIELDS,
        f"Videos API protocol; retired at OpenAI on {VIDEO_API_RETIRED}, use base_url.",
    ),
    Family(
        "sora-2",
        "video",
        ("sora-2",),
        _VIDEO_FIELDS,
        f"Videos API protocol; retired at OpenAI on {VIDEO_API_RETIRED}, use base_url.",
    ),
)

GENERIC_FAMILIES: dict[str, Family] = {
    "image": Family("image", "image", (), _IMAGE_FIELDS + _GPT_IMAGE_EXTRAS + ("style",)),
    "tts": Family("tts", "tts", (), _TTS_FIELDS + ("extra_params.instructions",)),
    "video": Family("video", "video", (), _VIDEO_FIELDS),
}
"""Families used for model ids this plugin does not know (OpenAI-compatible servers,
Azure deployment names): they send the fields through without per-model limits."""


def family_of(model: str) -> Family | None:
    """The family whose longest prefix ``model`` starts with, or None when unknown."""
    best: tuple[int, Family] | None = None
    for family in FAMILIES:
        for prefix in family.prefixes:
            if model.startswith(prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), family)
    return best[1] if best else None


def is_default_openai_url(base_url: str | None) -> bool:
    """True when ``base_url`` is unset or is OpenAI's own API root."""
    return base_url is None or base_url.rstrip("/") == OPENAI_BASE_URL
