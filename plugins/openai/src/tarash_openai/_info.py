"""What the plugin tells the core about its two providers."""

from __future__ import annotations

from tarash.tarash_gateway.plugin import ModelFamily, ProviderInfo
from tarash_openai._families import (
    AZURE,
    AZURE_KEY_ENV,
    DEFAULT_MODELS,
    FAMILIES,
    OPENAI,
    OPENAI_BASE_URL,
    OPENAI_KEY_ENV,
)
from tarash_openai._mapping import FIELD_MAPPINGS

MODALITIES = ["image", "tts", "video"]
PROVIDER_CONFIG_KEYS = ("api_style", "base_model", "organization", "project")  # see _urls, _mapping


def _families() -> list[ModelFamily]:
    return [
        ModelFamily(
            name=family.name,
            prefixes=list(family.prefixes),
            modalities=[family.modality],
            fields=list(family.fields),
            notes=family.notes,
        )
        for family in FAMILIES
    ]


def openai_info() -> ProviderInfo:
    """The ``openai`` provider: api.openai.com (or an OpenAI-compatible base_url)."""
    return ProviderInfo(
        name=OPENAI,
        modalities=list(MODALITIES),  # type: ignore[arg-type]
        default_base_url=OPENAI_BASE_URL,
        api_key_env=[OPENAI_KEY_ENV],
        default_models=dict(DEFAULT_MODELS),
        model_families=_families(),
        field_mappings=dict(FIELD_MAPPINGS),
        provider_config_keys=list(PROVIDER_CONFIG_KEYS),
    )


def azure_info() -> ProviderInfo:
    """The ``azure-openai`` provider: base_url (the resource endpoint) is required."""
    return ProviderInfo(
        name=AZURE,
        modalities=list(MODALITIES),  # type: ignore[arg-type]
        default_base_url=None,
        api_key_env=[AZURE_KEY_ENV],
        model_families=_families(),
        field_mappings=dict(FIELD_MAPPINGS),
        provider_config_keys=list(PROVIDER_CONFIG_KEYS),
    )
