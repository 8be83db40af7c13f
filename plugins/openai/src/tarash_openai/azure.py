"""Hook implementations of the ``azure-openai`` provider (entry point ``azure-openai``).

Same capabilities as ``openai`` through an Azure OpenAI resource: ``base_url`` is the
resource endpoint, ``model`` the deployment name, the key goes in the ``api-key``
header. URL styles: see :mod:`tarash_openai._urls`.
"""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway.hookspecs import hookimpl
from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest, Modality
from tarash.tarash_gateway.plugin import CallContext, Flow, Job, JobStatus, ProviderInfo
from tarash_openai import _flows, _mapping, _urls
from tarash_openai._families import AZURE
from tarash_openai._info import azure_info

__all__ = [
    "tarash_cancel",
    "tarash_map_fields",
    "tarash_poll",
    "tarash_providers",
    "tarash_submit",
    "tarash_supports_modality",
]


@hookimpl
def tarash_providers() -> list[ProviderInfo]:
    """Describe the ``azure-openai`` provider."""
    return [azure_info()]


@hookimpl
def tarash_supports_modality(provider: str, model: str, modality: Modality) -> bool | None:
    """Deployments named after a known model generate its modality; others any we serve."""
    if provider != AZURE:
        return None
    return _mapping.supports(model, modality)


@hookimpl
def tarash_map_fields(
    provider: str,
    model: str,
    modality: Modality,
    request: GenerationRequest,
    config: GenerationConfig,
) -> dict[str, Any] | None:
    """Check the URL style, then build the payload of the deployment's model family.

    ``provider_config["base_model"]`` names the model of a deployment whose name
    does not start with it (e.g. deployment ``"images-prod"`` of ``"gpt-image-1"``).
    """
    if provider != AZURE:
        return None
    _urls.azure_style(config)
    return _mapping.map_fields(provider, model, modality, request, config)


@hookimpl
def tarash_submit(provider: str, payload: dict[str, Any], ctx: CallContext) -> Flow[Job] | None:
    """Generate an image or speech at once, or create a video job."""
    return _flows.submit(payload, ctx) if provider == AZURE else None


@hookimpl
def tarash_poll(provider: str, job: Job, ctx: CallContext) -> Flow[JobStatus] | None:
    """Check a video job; download the video when it is completed."""
    return _flows.poll(job, ctx) if provider == AZURE else None


@hookimpl
def tarash_cancel(provider: str, job: Job, ctx: CallContext) -> Flow[None] | None:
    """Delete a video job (images and speech finish at submit)."""
    if provider != AZURE or job.modality != "video":
        return None
    return _flows.cancel(job, ctx)
