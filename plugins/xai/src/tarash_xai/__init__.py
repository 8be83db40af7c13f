"""tarash-xai: the xAI provider of tarash (Grok Imagine images and video, Grok speech).

Registered through the ``tarash.providers`` entry point as ``xai``::

    from tarash.tarash_gateway import generate_video
    from tarash.tarash_gateway.models import VideoGenerationConfig, VideoGenerationRequest

    video = generate_video(
        VideoGenerationConfig(provider="xai", model="grok-imagine-video"),
        VideoGenerationRequest(prompt="a candle flickers", duration_seconds=6),
    )
    print(video.usage.cost, video.usage.currency)  # what xAI billed

The key comes from ``config.api_key`` or ``XAI_API_KEY`` (sent as a Bearer
token); ``config.base_url`` replaces ``https://api.x.ai/v1``. See
docs/providers/xai.md.
"""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway.capabilities import Family
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest
from tarash.tarash_gateway.plugin import ModelFamily, ProviderInfo, ProviderPlugin
from tarash_xai import _flows
from tarash_xai._families import CATALOG, FAMILIES, IMAGE_ASPECTS
from tarash_xai._version import __version__

__all__ = [
    "CATALOG",
    "DEFAULT_BASE_URL",
    "DEFAULT_MODELS",
    "PROVIDER",
    "XAIProvider",
    "__version__",
    "plugin",
]

PROVIDER = "xai"
DEFAULT_BASE_URL = "https://api.x.ai/v1"
DEFAULT_MODELS = {
    "image": "grok-imagine-image",
    "video": "grok-imagine-video",
    "tts": "grok-tts",
}


class XAIProvider(ProviderPlugin):
    """The ``xai`` provider: images and speech at once, videos as polled requests."""

    name = PROVIDER
    catalog = CATALOG
    flows = _flows

    def info(self) -> ProviderInfo:
        """Describe the ``xai`` provider."""
        return ProviderInfo(
            name=PROVIDER,
            modalities=["image", "video", "tts"],
            default_base_url=DEFAULT_BASE_URL,
            api_key_env=["XAI_API_KEY"],
            default_models=dict(DEFAULT_MODELS),
            model_families=[
                ModelFamily(
                    name=family.name,
                    prefixes=list(family.models),
                    modalities=[family.modality],
                    fields=sorted({m.source_field for m in family.fields.values()} - {""}),
                    notes=f"{family.endpoint}: {family.notes}",
                )
                for family in FAMILIES
            ],
            field_mappings=CATALOG.field_mappings,
        )

    def finish_payload(
        self,
        family: Family,
        payload: dict[str, Any],
        request: GenerationRequest,
        config: GenerationConfig,
        *,
        model: str = "",
    ) -> dict[str, Any]:
        """Check what spans fields (edit inputs, aspect ratios, video modes)."""
        if family.modality == "image":
            aspect = payload.get("aspect_ratio")
            if aspect is not None and aspect not in IMAGE_ASPECTS:
                raise ValidationError(
                    f"aspect_ratio={aspect!r} is not accepted; accepted: "
                    + ", ".join(repr(a) for a in IMAGE_ASPECTS)
                )
            if "image" in payload and aspect is not None:
                raise ValidationError(
                    f"aspect_ratio={aspect!r} is not accepted when editing one image (the "
                    "output keeps the input's ratio); accepted with 2 or 3 input images"
                )
        if "image" in payload and "reference_images" in payload:
            raise ValidationError(
                "image_list holds a first_frame and reference images; xAI takes one or the "
                "other (image-to-video or reference-to-video), not both"
            )
        return payload


plugin = XAIProvider()
"""The instance the ``xai`` entry point registers."""
