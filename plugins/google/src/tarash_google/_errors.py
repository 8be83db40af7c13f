"""Google's error answers and refusals → the core's exceptions.

Every Google API answers errors as ``{"error": {"code", "message", "status", "details"}}``
(google.rpc.Status): 400 ``INVALID_ARGUMENT`` / ``FAILED_PRECONDITION`` → ValidationError
with Google's message; 429 ``RESOURCE_EXHAUSTED`` and 5xx → retryable HTTPError (the
``RetryInfo.retryDelay`` detail is honoured when there is no Retry-After header).
A finished operation carrying ``error`` → GenerationFailedError; safety filtering
(``raiMediaFilteredCount``, ``promptFeedback.blockReason``, safety finish reasons) →
ContentModerationError, never an empty success.
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
from tarash.tarash_gateway.plugin import CallContext, error_for_response

RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"

SAFETY_FINISH_REASONS = frozenset(
    {
        "SAFETY",
        "PROHIBITED_CONTENT",
        "BLOCKLIST",
        "SPII",
        "RECITATION",
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
        "IMAGE_RECITATION",
    }
)
"""Finish reasons of a candidate that Google's safety or policy filters stopped."""


def error_object(response: httpx.Response) -> dict[str, Any] | None:
    """The ``error`` object of a Google error body, or None."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]  # some Google front ends wrap the body in a list
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def describe(error: dict[str, Any]) -> str:
    """``STATUS: message`` of a google.rpc.Status."""
    message = str(error.get("message") or "no message")
    status = error.get("status")
    return f"{status}: {message}" if status else message


def _retry_delay(error: dict[str, Any]) -> float | None:
    """Seconds of a ``RetryInfo`` detail (``"34s"`` or ``{"seconds": 34}``)."""
    for detail in error.get("details") or []:
        if not isinstance(detail, dict) or detail.get("@type") != RETRY_INFO:
            continue
        delay = detail.get("retryDelay")
        try:
            if isinstance(delay, str):
                return max(0.0, float(delay.rstrip("s")))
            if isinstance(delay, dict):
                return max(0.0, float(delay.get("seconds", 0)) + float(delay.get("nanos", 0)) / 1e9)
        except ValueError:
            return None
    return None


def error_from_response(
    response: httpx.Response, ctx: CallContext, request_id: str | None = None
) -> TarashException:
    """The exception for an error answer (status >= 400) of any Google endpoint."""
    error = error_object(response)
    if error is None:
        return error_for_response(response, ctx, request_id=request_id)
    exc = error_for_response(response, ctx, describe(error), request_id=request_id)
    if isinstance(exc, HTTPError) and exc.retry_after is None:
        exc.retry_after = _retry_delay(error)
    return exc


def operation_failure(operation: dict[str, Any], ctx: CallContext) -> TarashException:
    """The exception for a finished operation that carries ``error`` (gRPC code numbers)."""
    error = operation.get("error")
    error = error if isinstance(error, dict) else {}
    name = str(operation.get("name") or "")
    code = error.get("code")
    text = f"operation {name} failed" + (f" (code {code})" if code is not None else "")
    return GenerationFailedError(
        f"{text}: {describe(error) if error else 'no error given'}",
        provider=ctx.provider,
        model=ctx.model,
        request_id=name or None,
        raw_response=operation,
    )


def filtered(result: dict[str, Any], ctx: CallContext, request_id: str) -> TarashException:
    """The exception for a finished Veo operation without videos.

    ContentModerationError when Google says it filtered them (``raiMediaFilteredCount``),
    GenerationFailedError otherwise.
    """
    count = result.get("raiMediaFilteredCount")
    reasons = [str(r) for r in result.get("raiMediaFilteredReasons") or []]
    kwargs: dict[str, Any] = {
        "provider": ctx.provider,
        "model": ctx.model,
        "request_id": request_id,
        "raw_response": result,
    }
    if count or reasons:
        because = "; ".join(reasons) or "no reason given"
        return ContentModerationError(
            f"Google's safety filters removed {count or len(reasons)} video(s): {because}", **kwargs
        )
    return GenerationFailedError("the operation finished without a video", **kwargs)


def image_refusal(body: dict[str, Any], ctx: CallContext, request_id: str) -> TarashException:
    """The exception for a generateContent answer without an image."""
    kwargs: dict[str, Any] = {
        "provider": ctx.provider,
        "model": ctx.model,
        "request_id": request_id,
        "raw_response": body,
    }
    feedback = body.get("promptFeedback")
    if isinstance(feedback, dict) and feedback.get("blockReason"):
        message = feedback.get("blockReasonMessage") or "no message"
        return ContentModerationError(
            f"prompt blocked by Google ({feedback['blockReason']}): {message}", **kwargs
        )
    candidates = body.get("candidates") or []
    first = candidates[0] if candidates and isinstance(candidates[0], dict) else {}
    reason = str(first.get("finishReason") or "")
    message = first.get("finishMessage") or ""
    texts = [
        part.get("text")
        for part in (first.get("content") or {}).get("parts") or []
        if isinstance(part, dict) and part.get("text")
    ]
    detail = "; ".join(str(t) for t in [message, *texts] if t)
    if reason in SAFETY_FINISH_REASONS:
        return ContentModerationError(
            f"image withheld by Google's filters ({reason})" + (f": {detail}" if detail else ""),
            **kwargs,
        )
    return GenerationFailedError(
        f"no image in the answer (finishReason {reason or 'missing'})"
        + (f": {detail}" if detail else ""),
        **kwargs,
    )
