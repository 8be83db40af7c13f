"""Stability error answers → tarash exceptions.

Every error of the v2beta API is ``{"id": ..., "name": ..., "errors": [...]}``:
400 / 413 / 422 refuse the request (ValidationError with Stability's text), 403
``content_moderation`` refuses the prompt or image (ContentModerationError, not
charged), 402 means no credits left, 429 and 5xx are retryable.
"""

from __future__ import annotations

from typing import Any

import httpx

from tarash.tarash_gateway.exceptions import HTTPError, TarashException, ValidationError
from tarash.tarash_gateway.plugin import CallContext, error_for_response, json_object

MODERATION_NAMES = frozenset({"content_moderation"})


def describe(body: dict[str, Any] | None) -> str | None:
    """``name: error; error`` of a Stability error body (None when it has neither)."""
    if body is None:
        return None
    name = body.get("name")
    errors = body.get("errors")
    problems = "; ".join(str(e) for e in errors) if isinstance(errors, list) else ""
    if name and problems:
        return f"{name}: {problems}"
    return str(name or problems or body.get("message") or "") or None


def error_for(
    response: httpx.Response, ctx: CallContext, request_id: str | None = None
) -> TarashException:
    """The exception of a Stability error answer (status >= 400)."""
    body = json_object(response)
    message = describe(body)
    name = str(body.get("name") or "") if body else ""
    if response.status_code == 413:
        where = f"{response.request.method} {response.request.url.path}"
        return ValidationError(
            f"{where} → 413: {message or 'request too large'} (Stability takes at most 10 MiB)",
            provider=ctx.provider,
            model=ctx.model,
            request_id=request_id,
            raw_response=body,
        )
    moderation = name in MODERATION_NAMES or (response.status_code == 403 and "moderat" in name)
    exc = error_for_response(response, ctx, message, moderation=moderation, request_id=request_id)
    if isinstance(exc, HTTPError) and response.status_code == 402:
        # Out of credits: waiting does not help, another provider of the chain may.
        exc.retryable = True
        exc.retry_after = None
    return exc
