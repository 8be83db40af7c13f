"""Reading fal's error bodies: the human message, per-field detail, moderation."""

from __future__ import annotations

from typing import Any

import httpx

from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    GenerationFailedError,
    TarashException,
)
from tarash.tarash_gateway.plugin import CallContext, error_for_response, json_object

MODERATION_TYPES = frozenset({"content_policy_violation"})
FAILURE_TYPES = frozenset({"no_media_generated", "generation_failed", "internal_server_error"})


def _items(body: Any) -> list[dict[str, Any]]:
    detail = body.get("detail") if isinstance(body, dict) else None
    return [item for item in detail if isinstance(item, dict)] if isinstance(detail, list) else []


def error_types(body: Any) -> set[str]:
    """The machine codes of a fal error body (``detail[].type``, ``error_type``)."""
    types = {str(item.get("type")) for item in _items(body) if item.get("type")}
    if isinstance(body, dict) and body.get("error_type"):
        types.add(str(body["error_type"]))
    return types


def describe(body: Any) -> str | None:
    """Fal's own message: ``prompt: field required (value_error.missing); ...``."""
    if not isinstance(body, dict):
        return None
    items = _items(body)
    if items:
        parts = []
        for item in items:
            loc = [str(p) for p in item.get("loc") or [] if p != "body"]
            where = ".".join(loc)
            text = str(item.get("msg") or item.get("type") or "invalid")
            kind = f" ({item['type']})" if item.get("type") else ""
            parts.append(f"{where}: {text}{kind}" if where else f"{text}{kind}")
        return "; ".join(parts)
    for key in ("detail", "error", "message"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, dict):
            inner = value.get("message") or value.get("msg")
            if inner:
                return str(inner)
    return None


def is_moderation(response: httpx.Response) -> bool:
    """True when fal's content checker refused the input or the output."""
    return bool(error_types(json_object(response)) & MODERATION_TYPES)


def request_error(
    response: httpx.Response, ctx: CallContext, request_id: str | None = None
) -> TarashException:
    """The exception for an error answer to submit, status, cancel or upload."""
    body = json_object(response)
    return error_for_response(
        response,
        ctx,
        describe(body),
        moderation=bool(error_types(body) & MODERATION_TYPES),
        request_id=request_id,
    )


def result_error(
    response: httpx.Response, ctx: CallContext, request_id: str, job_failed: bool
) -> TarashException:
    """The exception for an error answer of the result endpoint (the model's own error).

    Args:
        response: The result endpoint's answer (status >= 400).
        ctx: The call context.
        request_id: fal's request id.
        job_failed: The status said COMPLETED with an ``error``: the job itself failed.
    """
    body = json_object(response)
    types = error_types(body)
    message = describe(body) or response.reason_phrase
    raw = body if isinstance(body, dict) else None
    kwargs: dict[str, Any] = {
        "provider": ctx.provider,
        "model": ctx.model,
        "request_id": request_id,
        "raw_response": raw,
    }
    if types & MODERATION_TYPES:
        return ContentModerationError(f"fal refused the content: {message}", **kwargs)
    if types & FAILURE_TYPES or (job_failed and response.status_code not in (400, 422)):
        return GenerationFailedError(f"the fal job failed: {message}", **kwargs)
    # 422: the model checked its input at run time (image too large, bad URL...) →
    # ValidationError; a 5xx of a job that did not fail is transient → the poll retries.
    return request_error(response, ctx, request_id)
