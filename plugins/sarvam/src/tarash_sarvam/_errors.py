"""Sarvam error answers → tarash exceptions.

Sarvam answers ``{"error": {"message", "code", "request_id"?}}``; authentication
failures are **403** ``invalid_api_key_error`` (not 401), credits exhausted is 429
``insufficient_quota_error`` (docs.sarvam.ai/api/errors-troubleshooting).
"""

from __future__ import annotations

from typing import Any

import httpx

from tarash.tarash_gateway.exceptions import TarashException
from tarash.tarash_gateway.plugin import CallContext, error_for_response, json_object


def _parse(response: httpx.Response) -> tuple[str | None, str | None, dict[str, Any] | None]:
    """(error code, message, body) of a Sarvam error answer."""
    body = json_object(response)
    if body is None:
        return None, None, None
    error = body.get("error")
    if isinstance(error, dict):
        code, message = error.get("code"), error.get("message")
        return (str(code) if code else None), (str(message) if message else None), body
    detail = body.get("detail") or body.get("message")
    return None, (str(detail) if detail else None), body


def error_for(response: httpx.Response, ctx: CallContext) -> TarashException:
    """The tarash exception of a Sarvam error answer (status >= 400).

    403 ``invalid_api_key_error`` becomes the same non-retryable HTTPError as other
    providers' 401; 429 (rate limit or ``insufficient_quota_error``) is retryable, so a
    fallback chain moves on.
    """
    code, message, body = _parse(response)
    text = f"{code}: {message}" if code and message else (message or code)
    error = (body or {}).get("error")
    request_id = error.get("request_id") if isinstance(error, dict) else None
    return error_for_response(response, ctx, text, request_id=request_id)
