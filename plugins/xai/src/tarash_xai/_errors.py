"""xAI error answers → tarash exceptions.

xAI answers errors as ``{"code": "<kind>", "error": "<message>"}`` (its REST API),
and OpenAI-compatible routes as ``{"error": {"message", "type", "code"}}``; both
are read. 400 / 422 refuse the request; a refusal by content moderation is a
ContentModerationError; 429 and 5xx are retryable.
"""

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

MODERATION_WORDS = ("moderation", "content policy", "content_policy", "safety system")
CREDIT_WORDS = ("credit", "balance", "spending limit", "billing")


def describe(body: dict[str, Any] | None) -> str | None:
    """XAI's message (with its code) from either error shape."""
    if body is None:
        return None
    error = body.get("error")
    if isinstance(error, dict):
        message = str(error.get("message") or "")
        code = error.get("code") or error.get("type")
    else:
        message = str(error or body.get("message") or "")
        code = body.get("code")
    if message and code:
        return f"{message} ({code})"
    return message or (str(code) if code else None)


def is_moderation(text: str | None) -> bool:
    """True when xAI's text says its moderation refused the prompt or the output."""
    return bool(text) and any(word in text.lower() for word in MODERATION_WORDS)  # type: ignore[union-attr]


def error_for(
    response: httpx.Response, ctx: CallContext, request_id: str | None = None
) -> TarashException:
    """The exception of an xAI error answer (status >= 400)."""
    text = describe(json_object(response))
    moderation = response.status_code in (400, 403, 422) and is_moderation(text)
    exc = error_for_response(response, ctx, text, moderation=moderation, request_id=request_id)
    if (
        isinstance(exc, HTTPError)
        and response.status_code in (402, 403)
        and text
        and any(word in text.lower() for word in CREDIT_WORDS)
    ):
        # Out of credits: waiting does not help, another provider of the chain may.
        exc.retryable = True
        exc.retry_after = None
    return exc


def job_failure(body: dict[str, Any], ctx: CallContext, request_id: str) -> TarashException:
    """The exception of a video whose status is ``failed`` or ``expired``."""
    status = body.get("status")
    error = body.get("error")
    error = error if isinstance(error, dict) else {}
    message = str(error.get("message") or "")
    code = str(error.get("code") or "")
    if status == "expired":
        text = f"video request {request_id} expired before it was done"
    else:
        text = f"video request {request_id} failed: {message or 'no reason given'}"
        if code:
            text += f" ({code})"
    kwargs: dict[str, Any] = {
        "provider": ctx.provider,
        "model": ctx.model,
        "request_id": request_id,
        "raw_response": body,
    }
    if is_moderation(f"{code} {message}"):
        return ContentModerationError(text, **kwargs)
    return GenerationFailedError(text, **kwargs)
