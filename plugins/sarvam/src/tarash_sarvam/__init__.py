"""tarash-sarvam: the Sarvam AI provider of tarash (Bulbul text-to-speech, Indian languages).

Registered through the ``tarash.providers`` entry point as ``sarvam``::

    from tarash.tarash_gateway import generate_tts
    from tarash.tarash_gateway.models import AudioGenerationConfig, TTSRequest

    speech = generate_tts(
        AudioGenerationConfig(provider="sarvam", model="bulbul:v3"),
        TTSRequest(text="नमस्ते", voice_id="shubh", language_code="hi-IN"),
    )

The key comes from ``config.api_key`` or ``SARVAM_API_KEY`` and is sent as
``api-subscription-key``; ``config.base_url`` replaces ``https://api.sarvam.ai``.
"""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway.capabilities import Family
from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest
from tarash.tarash_gateway.plugin import ModelFamily, ProviderInfo, ProviderPlugin
from tarash_sarvam import _flows
from tarash_sarvam._mapping import CATALOG, FAMILIES, SPREAD
from tarash_sarvam._models import DEFAULT_MODEL
from tarash_sarvam._version import __version__

__all__ = ["CATALOG", "DEFAULT_BASE_URL", "PROVIDER", "SarvamProvider", "__version__", "plugin"]

PROVIDER = "sarvam"
DEFAULT_BASE_URL = "https://api.sarvam.ai"


def _families() -> list[ModelFamily]:
    """The catalog as ``tarash providers --models`` lists it."""
    return [
        ModelFamily(
            name=family.name,
            prefixes=list(family.models),
            modalities=["tts"],
            fields=[m.source_field for m in family.fields.values()]
            + [f"extra_params.{extra.name}" for extra in family.extra_fields],
            notes=f"POST {family.endpoint}. {family.notes}",
        )
        for family in FAMILIES
    ]


class SarvamProvider(ProviderPlugin):
    """The ``sarvam`` provider (one-shot speech; nothing to poll or cancel)."""

    name = PROVIDER
    catalog = CATALOG
    flows = _flows
    config_fields = ("voice_id",)  # checked against the model's speakers while mapping

    def info(self) -> ProviderInfo:
        """Describe the ``sarvam`` provider."""
        return ProviderInfo(
            name=PROVIDER,
            modalities=["tts"],
            default_base_url=DEFAULT_BASE_URL,
            api_key_env=["SARVAM_API_KEY"],
            default_models={"tts": DEFAULT_MODEL},
            model_families=_families(),
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
        """The body as Sarvam takes it: flat, only the model and documented fields."""
        kept = {family.model_field, *family.fields, *(extra.name for extra in family.extra_fields)}
        body: dict[str, Any] = {}
        for name, value in payload.items():
            if name in SPREAD:
                body.update(value)
            elif name in kept:
                body[name] = value
        return body


plugin = SarvamProvider()
"""The instance the ``sarvam`` entry point registers."""
