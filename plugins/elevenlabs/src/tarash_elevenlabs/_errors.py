"""ElevenLabs error bodies → tarash exceptions.

ElevenLabs answers errors with ``{"detail": {"status": "<code>", "message": "<text>"}}``,
or, for request validation (422), ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``.
"""

from __future__ import annotations

from typing import Any

import httpx

from tarash.tarash_gateway.exceptions import HTTPError, TarashException, ValidationError
from tarash.tarash_gateway.plugin import (
    CallContext,
    error_for_response,
    json_object,
    parse_retry_after,
)

VOICE_ERRORS = frozenset({"voice_not_found", "invalid_voice_id"})
QUOTA_ERRORS = frozenset({"quota_exceeded"})
# ElevenLabs documents no moderation code (provider-protocols.md §9); "bad_prompt" is the
# observed Terms-of-Service refusal. Codes containing these words count too.
MODERATION_ERRORS = frozenset({"bad_prompt", "content_moderation", "moderation_blocked"})
_MODERATION_WORDS = ("moderation", "safety", "content_policy", "terms_of_service", "tos_violation")


def _detail(response: httpx.Response) -> tuple[str | None, str | None, dict[str, Any] | None]:
    """(status code, message, body) of an ElevenLabs error answer."""
    body = json_object(response)
    if body is None:
        return None, None, None
    detail = body.get("detail")
    if isinstance(detail, dict):
        status = detail.get("status") or detail.get("code")
        message = detail.get("message")
        return (
            str(status) if status else None,
            str(message) if message else None,
            body,
        )
    if isinstance(detail, list):
        problems = [
            f"{'.'.join(str(p) for p in item.get('loc', [])[1:]) or 'request'}: {item.get('msg')}"
            for item in detail
            if isinstance(item, dict)
        ]
        return None, "; ".join(problems) or None, body
    if isinstance(detail, str):
        return None, detail, body
    return None, None, body


def is_moderation(status: str | None, message: str | None) -> bool:
    """True when an error code (or its text) says a safety / ToS system refused."""
    if status and (status in MODERATION_ERRORS or any(w in status for w in _MODERATION_WORDS)):
        return True
    return bool(message and "terms of service" in message.lower())


def error_for(response: httpx.Response, ctx: CallContext, voice_id: str | None) -> TarashException:
    """The tarash exception of an ElevenLabs error answer (status >= 400)."""
    status, message, body = _detail(response)
    text = f"{status}: {message}" if status and message else (message or status)
    kwargs: dict[str, Any] = {"provider": ctx.provider, "model": ctx.model, "raw_response": body}
    if status in VOICE_ERRORS:
        return ValidationError(
            f"voice_id={voice_id!r} is not a voice of this ElevenLabs account ({text}); "
            "accepted: a voice id listed by GET /v1/voices",
            **kwargs,
        )
    if status in QUOTA_ERRORS:
        where = f"{response.request.method} {response.request.url.path}"
        return HTTPError(
            f"{where} → {response.status_code}: {text} (quota exhausted: retryable, "
            "fallback configs are tried)",
            status_code=response.status_code,
            retry_after=parse_retry_after(response),
            retryable=True,  # ElevenLabs answers 401; the chain should still move on
            **kwargs,
        )
    return error_for_response(response, ctx, text, moderation=is_moderation(status, message))
