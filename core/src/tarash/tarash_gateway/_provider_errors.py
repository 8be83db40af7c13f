"""Turning a provider's HTTP answer into the core's exceptions (shared by all plugins)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx

from tarash.tarash_gateway._retry_after import parse_retry_after as parse_retry_after
from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    HTTPError,
    MalformedResponseError,
    TarashException,
    ValidationError,
)

if TYPE_CHECKING:
    from tarash.tarash_gateway._plugin_types import CallContext

_BODY_PREVIEW = 300


_NOT_JSON = object()


def _parsed(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return _NOT_JSON


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The answer's JSON object, or None when the body is not JSON or not an object.

    For error answers, whose body may be anything (HTML, text, nothing); a
    success a flow relies on goes through :func:`json_body` instead.
    """
    parsed = _parsed(response)
    return parsed if isinstance(parsed, dict) else None


def _body_of(response: httpx.Response) -> dict[str, Any] | None:
    parsed = _parsed(response)
    if parsed is _NOT_JSON:
        return None
    return parsed if isinstance(parsed, dict) else {"body": parsed}


def malformed_response(
    response: httpx.Response, ctx: CallContext, problem: str, **kwargs: Any
) -> MalformedResponseError:
    """The error for an answer that breaks the provider's protocol.

    The message reads ``"<METHOD> <path> answered <status> <problem>"``, e.g.
    ``problem="without the video's id"``; ``kwargs`` go to the exception
    (``raw_response``, ``request_id``).
    """
    return MalformedResponseError(
        f"{response.request.method} {response.request.url.path} answered "
        f"{response.status_code} {problem}",
        provider=ctx.provider,
        model=ctx.model,
        status_code=response.status_code,
        **kwargs,
    )


def json_body(response: httpx.Response, ctx: CallContext) -> dict[str, Any]:
    """Return a JSON object body, or raise MalformedResponseError naming the provider."""
    body = _parsed(response)
    if not isinstance(body, dict):
        preview = response.text[:_BODY_PREVIEW] if response.content else "<empty body>"
        raise malformed_response(
            response, ctx, f"with a body that is not a JSON object: {preview!r}"
        )
    return body


def error_for_response(
    response: httpx.Response,
    ctx: CallContext,
    message: str | None = None,
    *,
    moderation: bool = False,
    request_id: str | None = None,
) -> TarashException:
    """Build the exception for a provider error response.

    Args:
        response: The provider's answer (status >= 400).
        ctx: The call context (names provider and model in the error).
        message: The provider's own error text, if the plugin extracted it.
        moderation: True when the provider says its safety system refused.
        request_id: The provider's job id, if known.

    Returns:
        ContentModerationError when ``moderation``; ValidationError for 400/422;
        HTTPError otherwise (401/403 not retryable; 408/429/5xx retryable, with
        ``retry_after`` from the headers).
    """
    status = response.status_code
    body = _body_of(response)
    if message is None:
        message = response.text[:_BODY_PREVIEW] if response.content else response.reason_phrase
    where = f"{response.request.method} {response.request.url.path}"
    text = f"{where} → {status}: {message}"
    kwargs: dict[str, Any] = {
        "provider": ctx.provider,
        "model": ctx.model,
        "request_id": request_id,
        "raw_response": body,
    }
    if moderation:
        return ContentModerationError(text, **kwargs)
    if status in (400, 422):
        return ValidationError(text, **kwargs)
    if status in (401, 403):
        text += f" (check the API key for provider {ctx.provider!r})"
    return HTTPError(text, status_code=status, retry_after=parse_retry_after(response), **kwargs)
