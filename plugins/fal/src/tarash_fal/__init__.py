"""tarash-fal: the fal.ai provider (video, image and speech over fal's queue API).

Registered through the ``tarash.providers`` entry point ``fal`` (the ``plugin``
object below). Mappings are data: see ``_video_models.py`` /
``_image_models.py`` / ``_speech_models.py``; the wire protocol is ``_flows.py``.
"""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest, Modality
from tarash.tarash_gateway.plugin import ProviderInfo, ProviderPlugin
from tarash.tarash_gateway.webhooks import Ed25519Jwks
from tarash_fal import _flows
from tarash_fal._families import CATALOG, FIELD_MAPPINGS, MODEL_FAMILIES
from tarash_fal._speech_models import DEFAULT_TTS_MODEL
from tarash_fal._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "FIELD_MAPPINGS",
    "PROVIDER",
    "FalProvider",
    "__version__",
    "plugin",
]

PROVIDER = "fal"
DEFAULT_BASE_URL = "https://queue.fal.run"
JWKS_URL = "https://rest.alpha.fal.ai/.well-known/jwks.json"
MODALITIES: tuple[Modality, ...] = ("video", "image", "tts")


class FalProvider(ProviderPlugin):
    """The ``fal`` provider."""

    name = PROVIDER
    catalog = CATALOG
    flows = _flows
    webhook_verifier = Ed25519Jwks(
        jwks_url=JWKS_URL,
        signed_headers=(
            "X-Fal-Webhook-Request-Id",
            "X-Fal-Webhook-User-Id",
            "X-Fal-Webhook-Timestamp",
        ),
        timestamp_header="X-Fal-Webhook-Timestamp",
        signature_header="X-Fal-Webhook-Signature",
        id_header="X-Fal-Webhook-Request-Id",
    )

    def info(self) -> ProviderInfo:
        """Describe the ``fal`` provider."""
        return ProviderInfo(
            name=PROVIDER,
            modalities=list(MODALITIES),
            default_base_url=DEFAULT_BASE_URL,
            api_key_env=["FAL_KEY"],
            default_models={
                "video": "fal-ai/veo3.1/fast",
                "image": "fal-ai/flux/dev",
                "tts": DEFAULT_TTS_MODEL,
            },
            model_families=MODEL_FAMILIES,
            field_mappings=FIELD_MAPPINGS,
            upload_threshold_bytes=_flows.DEFAULT_UPLOAD_THRESHOLD,
            provider_config_keys=["storage_base_url", "upload_threshold_bytes"],
        )

    def map_fields(
        self, model: str, modality: Modality, request: GenerationRequest, config: GenerationConfig
    ) -> dict[str, Any]:
        """The fal input for ``request``: the endpoint's table, then ``extra_params`` over it."""
        _flows.app_id(model)  # refuse malformed model ids before any network call
        return super().map_fields(model, modality, request, config)


plugin = FalProvider()
"""The instance the ``fal`` entry point registers."""
