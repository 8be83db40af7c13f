"""tarash-runway: the Runway provider (video, image, tts and sts over Runway's task API).

Registered through the ``tarash.providers`` entry point ``runway`` (the
``plugin`` object below). Model families are data (``_families.py``); the
endpoint of a request is the family the catalog selects for it; the wire
protocol is ``_flows.py``.
"""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest, Modality
from tarash.tarash_gateway.plugin import ProviderInfo, ProviderPlugin
from tarash_runway import _flows
from tarash_runway._families import CATALOG, MODEL_FAMILIES
from tarash_runway._version import __version__

__all__ = [
    "CATALOG",
    "DEFAULT_BASE_URL",
    "PROVIDER",
    "RUNWAY_VERSION",
    "RunwayProvider",
    "__version__",
    "plugin",
]

PROVIDER = "runway"
DEFAULT_BASE_URL = "https://api.dev.runwayml.com"
RUNWAY_VERSION = _flows.RUNWAY_VERSION
MODALITIES: tuple[Modality, ...] = ("video", "image", "tts", "sts")


class RunwayProvider(ProviderPlugin):
    """The ``runway`` provider."""

    name = PROVIDER
    catalog = CATALOG
    flows = _flows

    def info(self) -> ProviderInfo:
        """Describe the ``runway`` provider."""
        return ProviderInfo(
            name=PROVIDER,
            modalities=list(MODALITIES),
            default_base_url=DEFAULT_BASE_URL,
            api_key_env=["RUNWAYML_API_SECRET"],
            default_models={
                "video": "gen4.5",
                "image": "gen4_image",
                "tts": "eleven_multilingual_v2",
                "sts": "eleven_multilingual_sts_v2",
            },
            model_families=MODEL_FAMILIES,
            upload_threshold_bytes=_flows.DEFAULT_UPLOAD_THRESHOLD,
            provider_config_keys=["upload_threshold_bytes", "runway_version"],
            field_mappings=CATALOG.field_mappings,
        )

    def map_fields(
        self, model: str, modality: Modality, request: GenerationRequest, config: GenerationConfig
    ) -> dict[str, Any]:
        """The task body: the catalog's mapping (one video per task)."""
        if getattr(request, "number_of_videos", 1) > 1:
            raise ValidationError(
                f"number_of_videos={request.number_of_videos} is not accepted; "  # type: ignore[union-attr]
                "a Runway task makes one video (accepted: 1)"
            )
        return super().map_fields(model, modality, request, config)


plugin = RunwayProvider()
"""The instance the ``runway`` entry point registers."""
