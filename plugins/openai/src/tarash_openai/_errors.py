"""OpenAI / Azure OpenAI error bodies → the core's exceptions."""

from __future__ import annotations

from typing import Any

import httpx

from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    GenerationFailedError,
    HTTPError,
    TarashException,
)
from tarash.tarash_gateway.plugin import CallContext, error_for_response, json_object

MODERATION_CODES = frozenset(
    {"moderation_blocked", "content_policy_violation", "content_filter", "content_filtered"}
)
MODERATION_INNER_CODES = frozenset({"ResponsibleAIPolicyViolation"})


def _error_object(response: httpx.Response) -> dict[str, Any] | str | None:
    error = (json_object(response) or {}).get("error")
    return error if isinstance(error, dict | str) else None


def is_moderation(error: dict[str, Any]) -> bool:
    """True when an OpenAI/Azure error object says the safety system refused."""
    inner = error.get("innererror")
    inner_code = inner.get("code") if isinstance(inner, dict) else None
    return (
        error.get("code") in MODERATION_CODES
        or error.get("type") in MODERATION_CODES
        or inner_code in MODERATION_INNER_CODES
    )


def describe(error: dict[str, Any]) -> str:
    """OpenAI's message, with its param, code and type when present."""
    message = str(error.get("message") or "no message")
    details = [
        f"{key}: {error[key]}"
        for key in ("param", "code", "type")
        if error.get(key) not in (None, "")
    ]
    return f"{message} ({', '.join(details)})" if details else message


def request_id_of(response: httpx.Response) -> str | None:
    """The id OpenAI (``x-request-id``) or Azure (``apim-request-id``) gave the request."""
    value = response.headers.get("x-request-id") or response.headers.get("apim-request-id")
    return str(value) if value else None


def error_from_response(
    response: httpx.Response, ctx: CallContext, request_id: str | None = None
) -> TarashException:
    """The exception for an error answer (status >= 400) of any OpenAI endpoint.

    Moderation codes become ContentModerationError; 400/422 ValidationError with
    OpenAI's message and param; 429 and 5xx retryable HTTPError (Retry-After
    honoured), except ``insufficient_quota``, which is never worth waiting for.
    """
    error = _error_object(response)
    request_id = request_id or request_id_of(response)
    if isinstance(error, str):
        return error_for_response(response, ctx, error, request_id=request_id)
    if error is None:
        return error_for_response(response, ctx, request_id=request_id)
    exc = error_for_response(
        response, ctx, describe(error), moderation=is_moderation(error), request_id=request_id
    )
    if isinstance(exc, HTTPError) and "insufficient_quota" in (
        error.get("code"),
        error.get("type"),
    ):
        # Out of credit: a wait would not help (the core must not re-submit after
        # Retry-After); a fallback to another provider still does.
        exc.retry_after = None
    return exc


def job_failure(video: dict[str, Any], ctx: CallContext) -> TarashException:
    """The exception for a video object whose status is ``failed`` (or cancelled)."""
    error = video.get("error")
    error = error if isinstance(error, dict) else {}
    job_id = str(video.get("id") or "")
    status = video.get("status")
    text = f"video {job_id} {status}: {describe(error) if error else 'no error given'}"
    kwargs: dict[str, Any] = {
        "provider": ctx.provider,
        "model": ctx.model,
        "request_id": job_id or None,
        "raw_response": video,
    }
    if error and is_moderation(error):
        return ContentModerationError(text, **kwargs)
    return GenerationFailedError(text, **kwargs)
