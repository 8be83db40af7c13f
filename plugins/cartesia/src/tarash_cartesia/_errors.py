"""Cartesia error answers → tarash exceptions.

From ``Cartesia-Version: 2026-03-01`` on, errors are JSON
``{"error_code", "title", "message", "request_id", "doc_url"?}`` (``error_code`` may be
null); older versions answered plain text ``Title: Message``
(docs.cartesia.ai/use-the-api/api-errors).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from tarash.tarash_gateway.exceptions import TarashException, ValidationError
from tarash.tarash_gateway.plugin import CallContext, error_for_response

REFUSED_MODEL_CODES = frozenset({"model_sunsetted", "model_not_found", "invalid_model"})
_MODERATION_WORDS = ("moderation", "content_policy", "safety")


def _parse(response: httpx.Response) -> tuple[str | None, str | None, dict[str, Any] | None]:
    """(error code, "title: message" text, body) of a Cartesia error answer."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        text = response.text.strip()[:300] if response.content else None
        return None, text or None, None
    if not isinstance(body, dict):
        return None, None, None
    code = body.get("error_code")
    title, message = body.get("title"), body.get("message") or body.get("error")
    text = ": ".join(str(part) for part in (title, message) if part) or None
    return (str(code) if code else None), text, body


def error_for(response: httpx.Response, ctx: CallContext, voice_id: str | None) -> TarashException:
    """The tarash exception of a Cartesia error answer (status >= 400)."""
    code, text, body = _parse(response)
    shown = f"{code}: {text}" if code and text else (text or code)
    request_id = body.get("request_id") if body else None
    voice_problem = code is not None and "voice" in code
    if response.status_code == 404 and not code:
        voice_problem = bool(text and "voice" in text.lower())
    if voice_problem:
        return ValidationError(
            f"voice_id={voice_id!r} is not a Cartesia voice this key can use ({shown}); "
            "accepted: a voice id listed by GET /voices",
            provider=ctx.provider,
            model=ctx.model,
            raw_response=body,
            request_id=request_id,
        )
    if code in REFUSED_MODEL_CODES:
        return ValidationError(
            f"model={ctx.model!r} is refused by Cartesia ({shown})",
            provider=ctx.provider,
            model=ctx.model,
            raw_response=body,
            request_id=request_id,
        )
    moderation = bool(code and any(word in code for word in _MODERATION_WORDS))
    error = error_for_response(response, ctx, shown, moderation=moderation, request_id=request_id)
    return error
