"""Small flow helpers every plugin may need (exported by :mod:`tarash.tarash_gateway.plugin`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from tarash.tarash_gateway._media import extension_for, is_url, sniff_content_type, to_bytes
from tarash.tarash_gateway._plugin_types import Concurrently, Sleep
from tarash.tarash_gateway._provider_errors import malformed_response
from tarash.tarash_gateway.exceptions import (
    GenerationFailedError,
    HTTPConnectionError,
    HTTPError,
    TarashException,
    ValidationError,
)

if TYPE_CHECKING:
    from tarash.tarash_gateway._plugin_types import CallContext, Job, JobStatus

logger = logging.getLogger("tarash")

T = TypeVar("T")


def send_all(
    requests: Sequence[httpx.Request],
) -> Generator[Any, Any, list[httpx.Response | TarashException]]:
    """Send ``requests`` concurrently from a flow; answers in order (see :class:`Concurrently`).

    Use as ``answers = yield from send_all([request, ...])``.
    """
    answers = yield Concurrently(requests)
    assert isinstance(answers, list), "the core answers Concurrently with a list"
    return answers


def settle_batch(
    made: int,
    failures: Sequence[TarashException],
    asked: int,
    ctx: CallContext,
    field: str = "n",
) -> list[dict[str, Any]]:
    """Settle a batch of ``asked`` paid calls (``send_all``) of which ``made`` delivered.

    The one rule for every plugin that makes ``n`` results with ``n`` calls:

    - nothing made: raises the first failure, so the core's rules apply (a 429 is
      waited out and sent again, a retryable error moves a fallback chain on) —
      nothing was delivered, so nothing paid is bought again;
    - some made: the call succeeds with the results made (they are paid for and
      must reach the user; a fallback would buy them again). Returns the shortfall
      as an adjustment for ``JobStatus(adjustments=...)``: the engine records it on
      the attempt (``execution_metadata.attempts[-1].adjustments``: ``field`` asked
      ``asked``, delivered ``made``, ``why`` the failures) and logs a warning;
    - all made: returns ``[]``.

    ``failures`` holds what each missing result failed with, in order.
    """
    if made <= 0:
        if failures:
            raise failures[0]
        raise TarashException(
            "a batch delivered nothing and reported no failure",
            provider=ctx.provider,
            model=ctx.model,
        )
    if made >= asked:
        return []
    reasons = "; ".join(f"{type(e).__name__}: {e.message}" for e in failures[:3])
    more = f" (and {len(failures) - 3} more)" if len(failures) > 3 else ""
    why = (
        f"{made} of {asked} made; {asked - made} failed ({reasons}{more}); the {made} made "
        "are returned and not bought again elsewhere"
    )
    logger.warning("tarash: %s/%s: %s=%d asked, %s", ctx.provider, ctx.model, field, asked, why)
    return [{"field": field, "sent_as": field, "asked": asked, "sent": made, "why": why}]


RESEND_WAIT = 1.0
"""Seconds :func:`send_batch` waits before re-sending refused calls (no ``Retry-After``)."""

MAX_RESEND_WAIT = 30.0
"""The longest wait before that resend (a longer ``Retry-After`` is cut to it)."""


def resendable(error: TarashException) -> bool:
    """Whether a call that failed with ``error`` provably made nothing, and may work if sent again.

    True for a 429 or 5xx answer (a plain :class:`HTTPError`: the provider refused or
    failed; an error answer delivers, and is billed, nothing) and for a request that
    never left (``HTTPConnectionError(request_sent=False)``). False for everything
    else: refusals that would repeat (validation, content moderation, other 4xx), an
    answer that breaks the protocol (``MalformedResponseError``: it may have been
    generated and billed), a connection lost after sending (it may have been billed).
    """
    if isinstance(error, HTTPConnectionError):
        return error.request_sent is False
    return (
        type(error) is HTTPError
        and error.status_code is not None
        and (error.status_code == 429 or error.status_code >= 500)
    )


def send_batch(
    build: Callable[[], httpx.Request],
    n: int,
    read: Callable[[httpx.Response], T],
) -> Generator[Any, Any, tuple[dict[int, T], dict[int, TarashException]]]:
    """Make ``n`` results with ``n`` like paid calls, side by side; the one batch policy.

    ``build()`` makes one call's request; ``read(response)`` turns its answer into a
    result or raises (a :class:`TarashException`: that call failed). One call
    (``n == 1``) is sent alone and its failure raises as usual.

    When some calls made a result and others failed in a way :func:`resendable`
    accepts, those calls alone are sent once more, after the longest ``Retry-After``
    among them (:data:`RESEND_WAIT` when none, at most :data:`MAX_RESEND_WAIT`).
    Nothing else is re-sent: a refusal that would repeat, or a call that may have
    been billed. When nothing was made, nothing is re-sent here either: hand the
    failures to :func:`settle_batch`, which raises, and the core's rules apply.

    Use as ``made, failed = yield from send_batch(build, n, read)``; then
    ``settle_batch(len(made), list(failed.values()), n, ctx)``.

    Returns:
        The results by call index, and what each other call failed with, by index.
    """
    if n <= 1:
        return {0: read((yield from send(build())))}, {}
    made: dict[int, T] = {}
    failed: dict[int, TarashException] = {}
    pending = list(range(n))
    for attempt in range(2):
        answers = yield from send_all([build() for _ in pending])
        for index, answer in zip(pending, answers, strict=True):
            try:
                if isinstance(answer, TarashException):
                    raise answer
                made[index] = read(answer)
            except TarashException as exc:
                failed[index] = exc
        pending = [index for index in pending if index in failed and resendable(failed[index])]
        if attempt or not pending or not made:
            break
        waits = [_wait(failed[index]) for index in pending]
        yield Sleep(min(MAX_RESEND_WAIT, max(waits)))
        for index in pending:
            del failed[index]
    return made, failed


def _wait(error: TarashException) -> float:
    retry_after = getattr(error, "retry_after", None)
    return RESEND_WAIT if retry_after is None else float(retry_after)


def send(request: httpx.Request) -> Generator[httpx.Request, httpx.Response | None, httpx.Response]:
    """Send one request from a flow and return its answer.

    Use as ``response = yield from send(request)``.
    """
    response = yield request
    assert response is not None, "the core answers every request with a response"
    return response


def fetch_media(
    media: Any,
    ctx: CallContext,
    field: str,
    default_type: str = "application/octet-stream",
    accept: str | None = None,
) -> Generator[httpx.Request, httpx.Response | None, tuple[bytes, str]]:
    """The bytes and MIME type of request media, for providers that take uploads.

    Inline media (bytes, MediaContent, base64, data URI) is decoded at once; a URL
    is downloaded through the core, without the provider's credentials.

    Raises:
        ValidationError: Inline media cannot be decoded, or the URL answers 4xx or nothing.
        HTTPError: The URL answers 5xx (retryable like any provider error).
    """
    if not is_url(media):
        try:
            return to_bytes(media, default_type)
        except ValueError as exc:
            raise ValidationError(
                f"{field}: {exc}", provider=ctx.provider, model=ctx.model
            ) from exc
    headers = {"Accept": accept} if accept else {}
    response = yield from send(httpx.Request("GET", str(media), headers=headers))
    where = f"GET {response.request.url.host}{response.request.url.path} → {response.status_code}"
    if 400 <= response.status_code < 500:
        raise ValidationError(
            f"{field}={media!r} could not be downloaded ({where})",
            provider=ctx.provider,
            model=ctx.model,
        )
    if response.status_code >= 500:
        raise HTTPError(
            f"download of {field} failed ({where})",
            provider=ctx.provider,
            model=ctx.model,
            status_code=response.status_code,
        )
    if not response.content:
        raise ValidationError(f"{field}={media!r} is empty", provider=ctx.provider, model=ctx.model)
    served = response.headers.get("content-type", "").split(";")[0].strip().lower()
    kind = default_type.split("/")[0]
    if (
        served
        and served != "application/octet-stream"
        and (served.startswith(kind) or kind == "application")
    ):
        return response.content, served
    return response.content, sniff_content_type(response.content, served or default_type)


def upload_file(stem: str, data: bytes, content_type: str) -> tuple[str, bytes, str]:
    """A multipart file tuple ``(name, bytes, type)``, named ``stem`` + the type's extension."""
    return f"{stem}{extension_for(content_type)}", data, content_type


def form_value(value: Any) -> str:
    """A multipart form field: booleans as ``true``/``false``, lists and dicts as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def audio_content(response: httpx.Response, ctx: CallContext, raw: dict[str, Any]) -> bytes:
    """The audio bytes of a speech endpoint's successful answer.

    Raises:
        MalformedResponseError: The body is JSON or text instead of audio.
        GenerationFailedError: The body is empty.
    """
    served = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if served == "application/json" or served.startswith("text/"):
        preview = response.text[:200]
        raise malformed_response(
            response, ctx, f"with {served} instead of audio: {preview!r}", raw_response=raw
        )
    if not response.content:
        raise GenerationFailedError(
            f"{ctx.provider} returned no audio",
            provider=ctx.provider,
            model=ctx.model,
            raw_response=raw,
        )
    return response.content


def stored_status(job: Job, ctx: CallContext) -> Generator[httpx.Request, Any, JobStatus]:
    """The poll flow of a one-shot provider: hand back the status its submit stored."""
    if job.status is None:
        raise TarashException(
            f"{ctx.provider} answers at submit; this job has no result to poll",
            provider=ctx.provider,
            model=ctx.model,
            request_id=job.id,
        )
    return job.status
    yield  # pragma: no cover - makes this function a generator
