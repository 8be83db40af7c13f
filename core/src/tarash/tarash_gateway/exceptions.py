"""The exceptions tarash raises.

Every error a caller needs to handle is a :class:`TarashException`; httpx and
plugin errors are wrapped (``raise ... from exc``) so callers catch tarash
types only::

    TarashException                 message, provider, model, request_id, raw_response,
    │                               execution_metadata (every attempt of the chain)
    ├── ValidationError             bad input or configuration; never retried (also a ValueError)
    │   └── UnsupportedModalityError    the model cannot do the modality (also NotImplementedError)
    ├── ContentModerationError      the provider's safety system refused the job
    ├── HTTPError                   the provider answered with an error status
    │   └── MalformedResponseError  the provider's body could not be understood
    ├── HTTPConnectionError         no answer: connect failure, dropped connection
    ├── GenerationFailedError       the job ran and failed on the provider's side
    ├── WebhookVerificationError    a webhook delivery is forged, replayed or tampered
    └── TimeoutError                ``config.timeout`` / ``max_poll_attempts`` reached

:func:`is_retryable_error` decides whether a fallback chain moves on to its
next config: GenerationFailedError, TimeoutError, HTTPConnectionError and
HTTPError 429/500/502/503/504 are retryable; everything else is not.

Warnings (filter them with the ``warnings`` module): :class:`TarashWarning` for a
likely mistake that is not an error (a misspelt request field), and its subclass
:class:`TarashPluginWarning`, emitted once per plugin that fails to load.

:func:`handle_video_generation_errors` and :func:`handle_audio_generation_errors`
decorate the methods of a ``register_provider`` handler (as in tarash-gateway 0.1).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from tarash.tarash_gateway._metadata import ExecutionMetadata

__all__ = [
    "ContentModerationError",
    "GenerationFailedError",
    "HTTPConnectionError",
    "HTTPError",
    "MalformedResponseError",
    "ResultTooLargeError",
    "TarashException",
    "TarashPluginWarning",
    "TarashWarning",
    "TimeoutError",
    "UnsupportedModalityError",
    "ValidationError",
    "WebhookVerificationError",
    "handle_audio_generation_errors",
    "handle_video_generation_errors",
    "is_retryable_error",
]

RETRYABLE_STATUS_CODES = frozenset({429, 500, 502, 503, 504})


class TarashException(Exception):
    """Base class of every error tarash raises.

    Attributes:
        message: Human-readable description (never contains an API key).
        provider: Provider id of the attempt that failed, when known.
        model: Model of the attempt that failed, when known.
        request_id: The provider's id for the job, when one was assigned.
        raw_response: The provider's error body, when there was one.
        execution_metadata: Every attempt of the fallback chain, set by the
            engine before the exception leaves the public API.
    """

    def __init__(
        self,
        message: str,
        provider: str | None = None,
        model: str | None = None,
        request_id: str | None = None,
        raw_response: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.model = model
        self.request_id = request_id
        self.raw_response = raw_response
        self.execution_metadata: ExecutionMetadata | None = None

    def __str__(self) -> str:
        where = "/".join(part for part in (self.provider, self.model) if part)
        return f"[{where}] {self.message}" if where else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, provider={self.provider!r}, model={self.model!r})"


class ValidationError(TarashException, ValueError):
    """The request or configuration is invalid; raised before any network call.

    Also a ``ValueError``, so code written for pydantic's errors (or for
    tarash-gateway 0.1) still catches it.

    Attributes:
        problems: ``(field, value shown or None, reason)`` per refused field when one of
            tarash's models refused the input (values of secret fields hidden).
    """

    problems: list[tuple[str, str | None, str]] = []  # noqa: RUF012 - replaced, never mutated


class ContentModerationError(TarashException):
    """The provider's content policy rejected the prompt, the input or the output."""


class HTTPError(TarashException):
    """The provider answered with an error status.

    Attributes:
        status_code: The HTTP status code.
        retry_after: Seconds the provider asked us to wait (``Retry-After``), if any.
        retryable: Set by a provider whose status code misleads (ElevenLabs answers
            a transient quota error with 401); None = decided by the status code.
    """

    def __init__(
        self,
        message: str,
        provider: str | None = None,
        model: str | None = None,
        request_id: str | None = None,
        raw_response: dict[str, Any] | None = None,
        status_code: int | None = None,
        retry_after: float | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message, provider, model, request_id, raw_response)
        self.status_code = status_code
        self.retry_after = retry_after
        self.retryable = retryable


class MalformedResponseError(HTTPError):
    """The provider answered, but its body is not what its protocol documents."""


class HTTPConnectionError(TarashException):
    """The provider could not be reached, or the connection dropped mid-request.

    Attributes:
        request_sent: False when the request provably never reached the provider
            (connection refused or connect timeout); True or None otherwise.
    """

    def __init__(
        self,
        message: str,
        provider: str | None = None,
        model: str | None = None,
        request_id: str | None = None,
        raw_response: dict[str, Any] | None = None,
        request_sent: bool | None = None,
    ) -> None:
        super().__init__(message, provider, model, request_id, raw_response)
        self.request_sent = request_sent


class ResultTooLargeError(TarashException):
    """A media answer (a paid result) is over ``max_media_bytes``, the cap of media read into memory.

    Not retryable: the job is done and paid for, a fallback would buy it again.
    The result is not lost: ``url`` (and the message) say where it is, ``request_id``
    the job; raise the cap (``configure_http(max_media_bytes=...)`` or
    ``TARASH_MAX_MEDIA_BYTES``) and wait for the job again.
    """

    def __init__(
        self, message: str, *, url: str | None = None, limit: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.url = url
        self.limit = limit


class GenerationFailedError(TarashException):
    """The provider accepted the job, then reported that it failed."""


class TimeoutError(TarashException):  # noqa: A001 - documented public name
    """The job did not finish within ``config.timeout`` or ``max_poll_attempts``.

    Attributes:
        timeout_seconds: The limit that was reached, in seconds.
    """

    def __init__(
        self,
        message: str,
        provider: str | None = None,
        model: str | None = None,
        request_id: str | None = None,
        raw_response: dict[str, Any] | None = None,
        timeout_seconds: float | None = None,
    ) -> None:
        super().__init__(message, provider, model, request_id, raw_response)
        self.timeout_seconds = timeout_seconds


class WebhookVerificationError(TarashException):
    """A webhook delivery is not authentic: forged, replayed, tampered or unknown key.

    Answer it with 401 and do not trust its body.
    """


class UnsupportedModalityError(ValidationError, NotImplementedError):
    """The provider or model cannot generate the requested modality (before any request)."""


class TarashWarning(UserWarning):
    """A likely mistake that is not an error, e.g. a misspelt request field."""


class TarashPluginWarning(TarashWarning):
    """A provider plugin could not be loaded; every other provider keeps working."""


def is_retryable_error(error: BaseException) -> bool:
    """Tell whether a fallback chain should move on to its next config after ``error``.

    Args:
        error: The exception an attempt raised.

    Returns:
        True for GenerationFailedError, TimeoutError, HTTPConnectionError and
        HTTPError with status 429/500/502/503/504 (unless the provider set
        ``HTTPError.retryable``); False for everything else.
    """
    if isinstance(error, GenerationFailedError | TimeoutError | HTTPConnectionError):
        return True
    if isinstance(error, HTTPError):
        if error.retryable is not None:
            return error.retryable
        return error.status_code in RETRYABLE_STATUS_CODES
    return False


F = TypeVar("F", bound=Callable[..., Any])


def handle_video_generation_errors(func: F) -> F:
    """Decorate a handler's ``generate_video[_async]``: errors become TarashExceptions.

    TarashExceptions pass through unchanged; any other exception is raised as a
    TarashException naming the config's provider and model (``from`` the
    original). Sync and async methods alike.
    """
    return _wrap_errors(func, "video")


def handle_audio_generation_errors(func: F) -> F:
    """Decorate a handler's ``generate_tts`` / ``generate_sts`` (sync or async) the same way."""
    return _wrap_errors(func, "audio")


def _wrap_errors(func: F, what: str) -> F:
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return await func(*args, **kwargs)
            except TarashException:
                raise
            except Exception as exc:
                raise _unknown_error(exc, what, args, kwargs) from exc

        return cast(F, async_wrapper)

    @functools.wraps(func)
    def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TarashException:
            raise
        except Exception as exc:
            raise _unknown_error(exc, what, args, kwargs) from exc

    return cast(F, sync_wrapper)


def _unknown_error(
    exc: Exception, what: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> TarashException:
    config = kwargs.get("config") or next(
        (arg for arg in args if hasattr(arg, "provider") and hasattr(arg, "fallback_configs")),
        None,
    )
    return TarashException(
        f"unknown error while generating {what}: {type(exc).__name__}: {exc}",
        provider=getattr(config, "provider", None),
        model=getattr(config, "model", None),
        raw_response={"error": str(exc), "error_type": type(exc).__name__},
    )
