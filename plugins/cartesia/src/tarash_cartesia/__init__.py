"""tarash-cartesia: the Cartesia provider of tarash (Sonic text-to-speech, voice changer).

Registered through the ``tarash.providers`` entry point as ``cartesia``::

    from tarash.tarash_gateway import generate_tts
    from tarash.tarash_gateway.models import AudioGenerationConfig, TTSRequest

    speech = generate_tts(
        AudioGenerationConfig(provider="cartesia", model="sonic-3.5"),
        TTSRequest(text="Hello", voice_id="f786b574-daa5-4673-aa0c-cbe3e8534c02"),
    )

The key comes from ``config.api_key`` or ``CARTESIA_API_KEY`` and is sent as
``Authorization: Bearer``, with ``Cartesia-Version: 2026-03-01``; ``config.base_url``
replaces ``https://api.cartesia.ai``.
"""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway.capabilities import Family
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest, Modality
from tarash.tarash_gateway.plugin import ModelFamily, ProviderInfo, ProviderPlugin
from tarash_cartesia import _flows
from tarash_cartesia._flows import API_VERSION
from tarash_cartesia._mapping import CATALOG, CONSUMED_EXTRAS, FAMILIES
from tarash_cartesia._models import MODELS, SUNSET, VOICE_CHANGER
from tarash_cartesia._version import __version__

__all__ = [
    "API_VERSION",
    "CATALOG",
    "DEFAULT_BASE_URL",
    "DEFAULT_MODELS",
    "PROVIDER",
    "CartesiaProvider",
    "__version__",
    "plugin",
]

PROVIDER = "cartesia"
DEFAULT_BASE_URL = "https://api.cartesia.ai"
DEFAULT_MODELS = {"tts": "sonic-3.5", "sts": VOICE_CHANGER}


def _families() -> list[ModelFamily]:
    """The catalog as ``tarash providers --models`` lists it."""
    return [
        ModelFamily(
            name=family.name,
            prefixes=list(family.models),
            modalities=[family.modality],
            fields=[m.source_field for m in family.fields.values()]
            + [f"extra_params.{extra.name}" for extra in family.extra_fields],
            notes=f"{family.endpoint}. {family.notes}".strip(),
        )
        for family in FAMILIES
    ]


class CartesiaProvider(ProviderPlugin):
    """The ``cartesia`` provider (one-shot speech; nothing to poll or cancel)."""

    name = PROVIDER
    catalog = CATALOG
    flows = _flows
    config_fields = ("voice_id",)  # voice ids differ between the providers of a chain

    def info(self) -> ProviderInfo:
        """Describe the ``cartesia`` provider."""
        return ProviderInfo(
            name=PROVIDER,
            modalities=["tts", "sts"],
            default_base_url=DEFAULT_BASE_URL,
            api_key_env=["CARTESIA_API_KEY"],
            default_models=dict(DEFAULT_MODELS),
            model_families=_families(),
            field_mappings=CATALOG.field_mappings,
            provider_config_keys=["voice_id"],
        )

    def supports_modality(self, model: str, modality: Modality) -> bool:
        """The catalog's answer; a sunset Sonic id is a tts model (refused by map_fields)."""
        if model in SUNSET:
            return modality == "tts"
        return super().supports_modality(model, modality)

    def map_fields(
        self, model: str, modality: Modality, request: GenerationRequest, config: GenerationConfig
    ) -> dict[str, Any]:
        """Refuse models Cartesia sunset, then map from the catalog."""
        if model in SUNSET:
            known = ", ".join(m.ids[0] for m in MODELS)
            raise ValidationError(
                f"model={model!r} was sunset by Cartesia on 2026-06-01; "
                f"Cartesia TTS models: {known}"
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
        """Drop the extras read into ``output_format`` (never sent as they are)."""
        return {k: v for k, v in payload.items() if k not in CONSUMED_EXTRAS}


plugin = CartesiaProvider()
"""The instance the ``cartesia`` entry point registers."""
