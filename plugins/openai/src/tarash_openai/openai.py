"""Hook implementations of the ``openai`` provider (entry point ``openai``).

Images, speech and video (Videos API protocol) at api.openai.com or any
OpenAI-compatible ``base_url``. :mod:`tarash_openai.azure` holds the hooks of
``azure-openai``; both share the mapping and the flows, and each is its own
entry point, so ``TARASH_DISABLE_PLUGINS`` can turn off either.
"""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway.hookspecs import hookimpl
from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest, Modality
from tarash.tarash_gateway.plugin import CallContext, Flow, Job, JobStatus, ProviderInfo
from tarash_openai import _flows, _mapping
from tarash_openai._families import OPENAI
from tarash_openai._info import openai_info

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
    """Describe the ``openai`` provider."""
    return [openai_info()]


@hookimpl
def tarash_supports_modality(provider: str, model: str, modality: Modality) -> bool | None:
    """Known models generate their own modality; unknown ids image, tts or video."""
    if provider != OPENAI:
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
    """Build and validate the OpenAI payload (sora ids are refused at api.openai.com)."""
    if provider != OPENAI:
        return None
    return _mapping.map_fields(provider, model, modality, request, config)


@hookimpl
def tarash_submit(provider: str, payload: dict[str, Any], ctx: CallContext) -> Flow[Job] | None:
    """Generate an image or speech at once, or create a video job."""
    return _flows.submit(payload, ctx) if provider == OPENAI else None


@hookimpl
def tarash_poll(provider: str, job: Job, ctx: CallContext) -> Flow[JobStatus] | None:
    """Check a video job; download the video when it is completed."""
    return _flows.poll(job, ctx) if provider == OPENAI else None


@hookimpl
def tarash_cancel(provider: str, job: Job, ctx: CallContext) -> Flow[None] | None:
    """Delete a video job (images and speech finish at submit)."""
    if provider != OPENAI or job.modality != "video":
        return None
    return _flows.cancel(job, ctx)
