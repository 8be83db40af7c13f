"""The two provider objects: ``openai`` and ``azure-openai``.

Both serve images, speech and video (Videos API protocol) with the same mapping
and flows; Azure adds its URL styles (:mod:`tarash_openai._urls`), the
``api-key`` header and deployment names as models. Each is its own entry point,
so ``TARASH_DISABLE_PLUGINS`` can turn off either.
"""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest, Modality
from tarash.tarash_gateway.plugin import (
    CallContext,
    Flow,
    Job,
    ProviderInfo,
    ProviderPlugin,
    StreamStart,
)
from tarash_openai import _flows, _mapping, _urls
from tarash_openai._families import AZURE, OPENAI
from tarash_openai._info import azure_info, openai_info


class OpenAIProvider(ProviderPlugin):
    """``openai``: api.openai.com, or any OpenAI-compatible ``base_url``."""

    name = OPENAI
    catalog = _mapping.CATALOG
    flows = _flows

    def info(self) -> ProviderInfo:
        """Describe the ``openai`` provider."""
        return openai_info()

    def supports_modality(self, model: str, modality: Modality) -> bool:
        """Known models generate their own modality; unknown ids image, tts or video."""
        return _mapping.supports(model, modality)

    def map_fields(
        self, model: str, modality: Modality, request: GenerationRequest, config: GenerationConfig
    ) -> dict[str, Any]:
        """Build and validate the payload (sora ids are refused at api.openai.com)."""
        return _mapping.map_fields(self.name, model, modality, request, config)

    def stream(self, payload: dict[str, Any], ctx: CallContext) -> Flow[StreamStart] | None:
        """Flow: speech (tts) as it is generated; None for the other modalities."""
        return _flows.stream(payload, ctx) if ctx.modality == "tts" else None

    def cancel(self, job: Job, ctx: CallContext) -> Flow[None] | None:
        """Delete a video job (images and speech finish at submit)."""
        return _flows.cancel(job, ctx) if job.modality == "video" else None


class AzureOpenAIProvider(OpenAIProvider):
    """``azure-openai``: an Azure OpenAI resource; ``model`` is the deployment name."""

    name = AZURE

    def info(self) -> ProviderInfo:
        """Describe the ``azure-openai`` provider."""
        return azure_info()

    def map_fields(
        self, model: str, modality: Modality, request: GenerationRequest, config: GenerationConfig
    ) -> dict[str, Any]:
        """Check the URL style, then build the payload of the deployment's model family.

        ``provider_config["base_model"]`` names the model of a deployment whose name
        does not start with it (e.g. deployment ``"images-prod"`` of ``"gpt-image-1"``).
        """
        _urls.azure_style(config)
        return super().map_fields(model, modality, request, config)
