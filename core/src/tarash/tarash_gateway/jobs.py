"""Public API of the job lifecycle: submit, status, wait, cancel, by handle.

``submit_*`` makes exactly one billable submit (falling through the chain like
``generate_*``) and returns a :class:`~tarash.tarash_gateway.models.GenerationJob`
at once. The handle holds no secret: store it as JSON, take it back in another
process hours later, and pass it with a config (which supplies the key) to
:func:`get_job_status`, :func:`wait_for_job` or :func:`cancel_job`.
``generate_*`` is submit followed by wait, on the same engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

from tarash.tarash_gateway import _engine, _jobs
from tarash.tarash_gateway._flow import run_async, run_sync
from tarash.tarash_gateway._jobs import WebhookOptions
from tarash.tarash_gateway._journal import configure_jobs
from tarash.tarash_gateway.models import (
    AudioGenerationConfig,
    GenerationConfig,
    GenerationJob,
    ImageGenerationConfig,
    ImageGenerationRequest,
    STSRequest,
    TTSRequest,
    VideoGenerationConfig,
    VideoGenerationRequest,
    WebhookEvent,
)

__all__ = [
    "cancel_job",
    "cancel_job_async",
    "configure_jobs",
    "get_job_status",
    "get_job_status_async",
    "parse_webhook",
    "parse_webhook_async",
    "submit_image",
    "submit_image_async",
    "submit_sts",
    "submit_sts_async",
    "submit_tts",
    "submit_tts_async",
    "submit_video",
    "submit_video_async",
    "wait_for_job",
    "wait_for_job_async",
]


def submit_video(config: VideoGenerationConfig, request: VideoGenerationRequest) -> GenerationJob:
    """Submit a video and return its handle at once (one billable submit).

    The chain's fallbacks apply here: a link whose submit fails retryably falls
    through to the next. A provider that answers at once returns a handle that is
    already complete. With the journal on, the job is recorded before this returns.

    Raises:
        ValidationError: Bad input or config, before any request.
        TarashException: Every link of the chain refused the job.
    """
    return run_sync(_engine.submit("video", config, request))  # type: ignore[no-any-return]


async def submit_video_async(
    config: VideoGenerationConfig, request: VideoGenerationRequest
) -> GenerationJob:
    """Async twin of :func:`submit_video`."""
    return await run_async(_engine.submit("video", config, request))  # type: ignore[no-any-return]


def submit_image(config: ImageGenerationConfig, request: ImageGenerationRequest) -> GenerationJob:
    """Submit an image job and return its handle at once (as :func:`submit_video`)."""
    return run_sync(_engine.submit("image", config, request))  # type: ignore[no-any-return]


async def submit_image_async(
    config: ImageGenerationConfig, request: ImageGenerationRequest
) -> GenerationJob:
    """Async twin of :func:`submit_image`."""
    return await run_async(_engine.submit("image", config, request))  # type: ignore[no-any-return]


def submit_tts(config: AudioGenerationConfig, request: TTSRequest) -> GenerationJob:
    """Submit a text-to-speech job and return its handle at once (as :func:`submit_video`)."""
    return run_sync(_engine.submit("tts", config, request))  # type: ignore[no-any-return]


async def submit_tts_async(config: AudioGenerationConfig, request: TTSRequest) -> GenerationJob:
    """Async twin of :func:`submit_tts`."""
    return await run_async(_engine.submit("tts", config, request))  # type: ignore[no-any-return]


def submit_sts(config: AudioGenerationConfig, request: STSRequest) -> GenerationJob:
    """Submit a speech-to-speech job and return its handle at once (as :func:`submit_video`)."""
    return run_sync(_engine.submit("sts", config, request))  # type: ignore[no-any-return]


async def submit_sts_async(config: AudioGenerationConfig, request: STSRequest) -> GenerationJob:
    """Async twin of :func:`submit_sts`."""
    return await run_async(_engine.submit("sts", config, request))  # type: ignore[no-any-return]


def get_job_status(job: GenerationJob | str, config: GenerationConfig | dict[str, Any]) -> Any:
    """Check ``job`` once and return the modality's Update (VideoGenerationUpdate, ...).

    ``job`` is a handle or its JSON. ``config`` supplies the key and must be for
    the job's provider (or a chain that contains it). A finished job answers
    without a request; a failed job is an Update with ``status="failed"``. The
    handle is updated in place (status, plugin data, result).

    Raises:
        ValidationError: The config does not fit the job.
        TarashException: The status check itself failed (network, auth, ...).
    """
    return run_sync(_jobs.status(job, config))


async def get_job_status_async(
    job: GenerationJob | str, config: GenerationConfig | dict[str, Any]
) -> Any:
    """Async twin of :func:`get_job_status`."""
    return await run_async(_jobs.status(job, config))


def wait_for_job(
    job: GenerationJob | str,
    config: GenerationConfig | dict[str, Any],
    on_progress: Any = None,
) -> Any:
    """Poll ``job`` until it completes; return the modality's Response.

    Polls like ``generate_*`` (``poll_interval``, Retry-After, transient errors
    retried), bounded by the config's ``timeout`` counted from this call. A
    completed handle returns without a request. The response's
    ``execution_metadata`` lists the chain's attempts up to this job.

    Unlike ``generate_*``, a timeout or an interruption here leaves the remote job
    running (the handle stays valid; :func:`cancel_job` stops it), and a failed
    job does not fall back to the chain's next link: submit again for that.

    Raises:
        GenerationFailedError: The job failed (or was cancelled).
        TimeoutError: Not finished within ``timeout`` / ``max_poll_attempts``.
    """
    return run_sync(_jobs.wait(job, config, on_progress))


async def wait_for_job_async(
    job: GenerationJob | str,
    config: GenerationConfig | dict[str, Any],
    on_progress: Any = None,
) -> Any:
    """Async twin of :func:`wait_for_job` (cancelling the task leaves the job running)."""
    return await run_async(_jobs.wait(job, config, on_progress))


def cancel_job(job: GenerationJob | str, config: GenerationConfig | dict[str, Any]) -> bool:
    """Cancel ``job`` at its provider.

    Returns:
        True when the provider took the cancellation; False when the job had
        already finished or the provider offers no cancellation.

    Raises:
        TarashException: The cancel request failed.
    """
    return run_sync(_jobs.cancel(job, config))


async def cancel_job_async(
    job: GenerationJob | str, config: GenerationConfig | dict[str, Any]
) -> bool:
    """Async twin of :func:`cancel_job`."""
    return await run_async(_jobs.cancel(job, config))


def parse_webhook(
    provider: str,
    body: bytes | str,
    headers: Mapping[str, str],
    **options: Unpack[WebhookOptions],
) -> WebhookEvent:
    """Verify a webhook delivery's signature and read it into a WebhookEvent.

    Pass the raw body bytes exactly as received and the request headers. The
    signature is checked as the provider documents (fal: ED25519 with keys
    published as a JWKS, fetched through the shared HTTP client and cached for a
    day; Replicate-style Standard Webhooks: HMAC with ``secret``).

    Args:
        provider: The provider id ('fal', ...).
        body: The delivery's raw body.
        headers: The delivery's headers (any mapping; names are case-insensitive).
        **options: Keyword-only, all optional:

            - ``job``: the job's handle, when known: gives the modality and
              model, and the delivery must be for that job.
            - ``modality``: the job's modality when no ``job`` is given (else
              guessed from the result's fields).
            - ``secret``: the signing secret (HMAC schemes; else the provider's
              variable).
            - ``keys``: public keys to trust instead of fetching them: a JWKS
              dict, JWK dicts, raw 32-byte keys or ``cryptography`` ED25519
              public keys.
            - ``key_url``: where to fetch the provider's key set instead of its
              default.
            - ``tolerance``: seconds a delivery's timestamp may differ from now
              (default 300).

    Returns:
        The event: job id, status, and the unified Response when completed.
        Deliveries can repeat: deduplicate on ``request_id`` / ``webhook_id``.

    Raises:
        WebhookVerificationError: Forged, replayed, tampered or unknown-key delivery.
        ValidationError: The provider has no webhooks, or no secret was found.
    """
    return run_sync(_jobs.parse_webhook(provider, body, headers, **options))


async def parse_webhook_async(
    provider: str,
    body: bytes | str,
    headers: Mapping[str, str],
    **options: Unpack[WebhookOptions],
) -> WebhookEvent:
    """Async twin of :func:`parse_webhook` (the key-set fetch does not block the loop)."""
    return await run_async(_jobs.parse_webhook(provider, body, headers, **options))
