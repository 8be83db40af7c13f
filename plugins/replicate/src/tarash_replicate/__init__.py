"""tarash-replicate: the Replicate provider (any model, video and image, over predictions).

Registered through the ``tarash.providers`` entry point ``replicate`` (the
``plugin`` object below). Model ids route to Replicate's three create
endpoints (``owner/name``, ``owner/name:version``, ``deployments/owner/name``);
known families are data (``_families.py``); the wire protocol is ``_flows.py``.
"""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway.capabilities import Family
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest, Modality
from tarash.tarash_gateway.plugin import ProviderInfo, ProviderPlugin
from tarash.tarash_gateway.webhooks import StandardWebhooks
from tarash_replicate import _flows
from tarash_replicate._families import CATALOG, MODEL_FAMILIES
from tarash_replicate._version import __version__

__all__ = [
    "CATALOG",
    "DEFAULT_BASE_URL",
    "PROVIDER",
    "ReplicateProvider",
    "__version__",
    "plugin",
]

PROVIDER = "replicate"
DEFAULT_BASE_URL = "https://api.replicate.com"
MODALITIES: tuple[Modality, ...] = ("video", "image")


class ReplicateProvider(ProviderPlugin):
    """The ``replicate`` provider."""

    name = PROVIDER
    catalog = CATALOG
    flows = _flows
    webhook_verifier = StandardWebhooks(secret_env=("REPLICATE_WEBHOOK_SECRET",))

    def info(self) -> ProviderInfo:
        """Describe the ``replicate`` provider."""
        return ProviderInfo(
            name=PROVIDER,
            modalities=list(MODALITIES),
            default_base_url=DEFAULT_BASE_URL,
            api_key_env=["REPLICATE_API_TOKEN"],
            default_models={
                "video": "google/veo-3.1-fast",
                "image": "black-forest-labs/flux-schnell",
            },
            model_families=MODEL_FAMILIES,
            upload_threshold_bytes=_flows.DEFAULT_UPLOAD_THRESHOLD,
            provider_config_keys=[
                "upload_threshold_bytes",
                "wait",
                "cancel_after",
                "webhook_events_filter",
            ],
            field_mappings=CATALOG.field_mappings,
        )

    def family(self, model: str, modality: Modality, request: GenerationRequest) -> Family:
        """The family of ``owner/name`` (a version or deployment id uses its generic table)."""
        return CATALOG.select(model.partition(":")[0], modality, request)

    def map_fields(
        self, model: str, modality: Modality, request: GenerationRequest, config: GenerationConfig
    ) -> dict[str, Any]:
        """``{"input": ...}``: the family's mapping, ``extra_params`` merged over it."""
        _flows.route(model)  # refuse malformed ids before any request
        if getattr(request, "number_of_videos", 1) > 1:
            raise ValidationError(
                f"number_of_videos={request.number_of_videos} is not accepted; "  # type: ignore[union-attr]
                "a Replicate prediction makes one video (accepted: 1)"
            )
        return super().map_fields(model, modality, request, config)

    def finish_payload(
        self,
        family: Family,
        payload: dict[str, Any],
        request: GenerationRequest,
        config: GenerationConfig,
        *,
        model: str = "",
    ) -> dict[str, Any]:
        """Replicate takes the model's inputs under ``input``."""
        return {"input": payload}


plugin = ReplicateProvider()
"""The instance the ``replicate`` entry point registers."""
