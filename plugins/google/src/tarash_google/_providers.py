"""The two provider objects: ``google`` (Gemini API) and ``google-vertex`` (Vertex AI).

Both serve Veo video and Gemini native images with the same family tables, mapping
and flows; Vertex AI adds its URL scheme, OAuth tokens (or an express-mode API key)
and the parameters only it takes (:mod:`tarash_google._endpoints`). Each is its own
entry point, so ``TARASH_DISABLE_PLUGINS`` can turn off either.
"""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway.capabilities import Catalog, Family, ModelCapabilities
from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest, Modality
from tarash.tarash_gateway.plugin import ModelFamily, ProviderInfo, ProviderPlugin
from tarash_google import _flows, _mapping
from tarash_google._endpoints import vertex_target
from tarash_google._families import (
    CATALOG,
    DEFAULT_MODELS,
    FIELD_MAPPINGS,
    GEMINI_BASE_URL,
    GEMINI_CATALOG,
    GEMINI_KEY_ENV,
    GOOGLE,
    VERTEX,
    VERTEX_GLOBAL_URL,
    modality_of,
)

MODALITIES: list[Modality] = ["video", "image"]


def _families(catalog: Catalog) -> list[ModelFamily]:
    return [
        ModelFamily(
            name=family.name,
            prefixes=list(family.models),
            modalities=[family.modality],
            fields=sorted({m.source_field for m in family.fields.values()}),
            notes=family.notes,
        )
        for family in catalog.families
    ]


class GoogleProvider(ProviderPlugin):
    """``google``: the Gemini API (generativelanguage.googleapis.com), key in a header."""

    name = GOOGLE
    catalog = GEMINI_CATALOG
    flows = _flows  # no cancel: Google documents none for Veo operations (a timeout stops polling)

    def info(self) -> ProviderInfo:
        """Describe the ``google`` provider."""
        return ProviderInfo(
            name=GOOGLE,
            modalities=list(MODALITIES),
            default_base_url=GEMINI_BASE_URL,
            api_key_env=list(GEMINI_KEY_ENV),
            default_models=dict(DEFAULT_MODELS),
            model_families=_families(GEMINI_CATALOG),
            field_mappings=dict(FIELD_MAPPINGS),
        )

    def supports_modality(self, model: str, modality: Modality) -> bool:
        """Veo ids make video, Gemini image ids images; unknown ids either."""
        known = modality_of(model)
        return modality in MODALITIES and (known is None or known == modality)

    def map_fields(
        self, model: str, modality: Modality, request: GenerationRequest, config: GenerationConfig
    ) -> dict[str, Any]:
        """Build and validate the payload (retired ids are refused, naming the replacement)."""
        _mapping.refuse_retired(model)
        _mapping.refuse_vertex_only(self.name, modality, request)
        return super().map_fields(model.removeprefix("models/"), modality, request, config)

    def finish_payload(
        self,
        family: Family,
        payload: dict[str, Any],
        request: GenerationRequest,
        config: GenerationConfig,
        *,
        model: str = "",
    ) -> dict[str, Any]:
        """Nest the fields as Google takes them; refuse what only Vertex AI takes."""
        return _mapping.finish(self.name, family, payload, request)

    def describe_model(self, model: str, modality: Modality) -> ModelCapabilities | None:
        """The catalog's description; extra_params are not passed through as-is."""
        capabilities = super().describe_model(model.removeprefix("models/"), modality)
        if capabilities is not None:
            capabilities.extra_params = False
        return capabilities


class VertexProvider(GoogleProvider):
    """``google-vertex``: Vertex AI, by project and region (OAuth token) or express mode."""

    name = VERTEX
    catalog = CATALOG

    def info(self) -> ProviderInfo:
        """Describe the ``google-vertex`` provider (no key needed with ADC)."""
        return ProviderInfo(
            name=VERTEX,
            modalities=list(MODALITIES),
            default_base_url=VERTEX_GLOBAL_URL,
            api_key_env=[],
            requires_api_key=False,
            default_models=dict(DEFAULT_MODELS),
            model_families=_families(CATALOG),
            field_mappings=CATALOG.field_mappings,
        )

    def map_fields(
        self, model: str, modality: Modality, request: GenerationRequest, config: GenerationConfig
    ) -> dict[str, Any]:
        """Check project, region and credentials, then build the payload."""
        vertex_target(config, config.api_key)
        return super().map_fields(model, modality, request, config)
