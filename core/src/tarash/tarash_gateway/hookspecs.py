"""The plugin contract: pluggy hook specifications of project ``tarash``.

A plugin is a module (or object) registered through the ``tarash.providers``
entry-point group, implementing these hooks with :data:`hookimpl`. Every hook
except :func:`tarash_providers` takes ``provider`` first; an implementation
returns ``None`` for providers it does not own. The core knows the owner of each
provider id from :func:`tarash_providers` and asks only that plugin.

Hooks are pure and cheap: no network, no file I/O, no heavy imports. The I/O
happens in the flows ``tarash_submit``, ``tarash_poll`` and ``tarash_cancel``
return, which the core drives (see :mod:`tarash.tarash_gateway.plugin`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from tarash.tarash_gateway._plugin_types import (
        CallContext,
        Flow,
        Job,
        JobStatus,
        ProviderInfo,
        StreamStart,
    )
    from tarash.tarash_gateway.capabilities import ModelCapabilities
    from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest, Modality
    from tarash.tarash_gateway.webhooks import WebhookVerifier

PROJECT = "tarash"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
"""Decorate a plugin's hook implementations with this marker."""


@hookspec
def tarash_providers() -> list[ProviderInfo]:
    """Describe the providers this plugin owns.

    Called once when the plugin is loaded. Must not do I/O.

    Returns:
        One ProviderInfo per provider id.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def tarash_supports_modality(provider: str, model: str, modality: Modality) -> bool | None:
    """Tell whether ``model`` of ``provider`` can generate ``modality``.

    Args:
        provider: Provider id from the config.
        model: Model id (the provider's default when the config gave none).
        modality: One of ``video``, ``image``, ``tts``, ``sts``.

    Returns:
        True/False when this plugin owns ``provider``; None otherwise.
        The call stops at the first non-None result.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def tarash_describe_model(
    provider: str, model: str, modality: Modality
) -> ModelCapabilities | None:
    """Describe what ``model`` accepts for ``modality`` (no I/O).

    Answer from the same data that validates and maps requests (the plugin's
    :class:`~tarash.tarash_gateway.capabilities.Catalog`), so the description
    cannot drift from the behaviour. Optional: a plugin without it is described
    as declaring no field data.

    Returns:
        The model's capabilities, or None when this plugin does not own
        ``provider`` (or knows nothing of ``model``).
        The call stops at the first non-None result.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def tarash_list_models(provider: str) -> list[ModelCapabilities] | None:
    """List the models (or model-id prefixes) the plugin maps exactly, with their capabilities.

    Returns:
        One entry per known model id, or None when this plugin does not own ``provider``.
        The call stops at the first non-None result.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def tarash_map_fields(
    provider: str,
    model: str,
    modality: Modality,
    request: GenerationRequest,
    config: GenerationConfig,
) -> dict[str, Any] | None:
    """Translate a request into the provider's payload, validating it.

    Raise ValidationError (naming the field, the value and what is accepted)
    for input the model cannot take; this runs for every config of a fallback
    chain before any network call. ``config`` (base_url, api_version,
    provider_config) is there for checks that depend on it; declare only the
    arguments you use. Users' ``register_provider_field_mapping`` tables take
    precedence.

    Returns:
        The provider payload (JSON-ready dict; may hold bytes for uploads),
        or None when this plugin does not own ``provider``.
        The call stops at the first non-None result.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def tarash_submit(provider: str, payload: dict[str, Any], ctx: CallContext) -> Flow[Job] | None:
    """Start a job: return a flow that sends the submit request and returns a Job.

    The core never retries a submit that may have reached the provider: a
    submit costs the user money.

    Returns:
        A flow ending with the Job (already complete for one-shot APIs), or None
        when this plugin does not own ``provider``.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def tarash_stream(
    provider: str, payload: dict[str, Any], ctx: CallContext
) -> Flow[StreamStart] | None:
    """Open a streamed answer (speech as it is generated): a flow ending with a StreamStart.

    The flow yields its request marked with :func:`~tarash.tarash_gateway.plugin.streamed`;
    the core answers with the response's status and headers, its body still unread
    (an error body is read, so the flow can map it as usual). The flow checks them
    and returns ``StreamStart(response, content_type, request_id)``; the core then
    reads the body in chunks and hands them to the caller.

    Returns:
        A flow, or None when the provider cannot stream ``ctx.modality`` (or is not
        owned). The call stops at the first non-None result.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def tarash_poll(provider: str, job: Job, ctx: CallContext) -> Flow[JobStatus] | None:
    """Check a job once: return a flow ending with its JobStatus.

    When the job is complete, the flow fetches the result and fills
    ``JobStatus.output``. A failed job raises GenerationFailedError or
    ContentModerationError. The core retries a poll after transient errors.

    Returns:
        A flow, or None when this plugin does not own ``provider``.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def tarash_cancel(provider: str, job: Job, ctx: CallContext) -> Flow[None] | None:
    """Ask the provider to cancel a job (best effort; errors are logged, not raised).

    Called when ``timeout`` passes, ``max_poll_attempts`` is reached, or the
    caller's task is cancelled.

    Returns:
        A flow, or None when the provider has no cancellation (or is not owned).
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def tarash_webhook_verifier(provider: str) -> WebhookVerifier | None:
    """Declare how the provider signs webhook deliveries.

    Returns:
        A core verifier (``StandardWebhooks(...)``, ``Ed25519Jwks(...)`` from
        :mod:`tarash.tarash_gateway.webhooks`), or None when the provider has no
        webhooks: then a config's ``webhook_url`` is refused before any request.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def tarash_parse_webhook(
    provider: str, body: dict[str, Any], ctx: CallContext
) -> tuple[str, JobStatus] | None:
    """Read a delivery whose signature the core has verified (pure, no I/O).

    ``ctx`` has the provider, model (may be empty) and modality. Return the
    provider's job id and its status (``output`` filled when completed, as a
    poll would); raise GenerationFailedError / ContentModerationError (with
    ``request_id``) for a failed job, MalformedResponseError for a body that is
    not a delivery.
    """
    raise NotImplementedError
