"""The engine: one generator runs a whole call, for the sync and the async API alike.

``generate()`` resolves the chain, then for each link submits, polls (honouring
Retry-After and the provider's poll hints, bounded by ``timeout`` and
``max_poll_attempts``), reports progress and builds the response. It yields
effects (see ``_flow.py``) and never touches a socket, a clock-based sleep or a
callback itself, so the sync and async drivers share every line of it.

The job lifecycle API uses the same two phases separately: ``submit()`` runs the
chain up to the first link that takes the job and returns its GenerationJob;
``wait()``, ``status()`` and ``cancel()`` (in ``_jobs.py``) take one back.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Callable, Generator
from datetime import UTC, datetime
from typing import Any

import httpx
import pydantic

from tarash.tarash_gateway import _journal
from tarash.tarash_gateway._chain import Link, resolve_chain
from tarash.tarash_gateway._flow import CallHandler, Notify, Program, Reserve, Send, SendAll
from tarash.tarash_gateway._media import to_data_uri
from tarash.tarash_gateway._redact import (
    redact_url,
    remember,
    scrub,
    scrub_exception,
    url_password,
)
from tarash.tarash_gateway._transport import USER_AGENT, backlogged
from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    GenerationFailedError,
    HTTPConnectionError,
    HTTPError,
    MalformedResponseError,
    ResultTooLargeError,
    TarashException,
    TimeoutError,
    ValidationError,
    is_retryable_error,
)
from tarash.tarash_gateway.models import (
    CONFIG_TYPES,
    REQUEST_TYPES,
    RESPONSE_TYPES,
    UPDATE_TYPES,
    AttemptMetadata,
    ExecutionMetadata,
    GenerationConfig,
    GenerationJob,
    GenerationRequest,
    MappingAdjustment,
    Modality,
)
from tarash.tarash_gateway.plugin import CallContext, Concurrently, Job, JobStatus, Sleep

logger = logging.getLogger("tarash")

POLL_FAILURE_BUDGET = 60.0
"""Seconds a run of consecutive transient poll failures may last before the attempt fails."""
POLL_RETRY_FLOOR = 0.25
"""Least wait before retrying a failed poll, even when the provider says Retry-After: 0."""
MAX_SUBMIT_RETRIES = 2
CANCEL_TIMEOUT = 10.0
LAST_POLL_GRACE = 1.0  # seconds a poll sent at the deadline may take to answer
TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


def generate(
    modality: Modality,
    config: Any,
    request: Any,
    on_progress: Callable[[Any], Any] | None,
) -> Program[Any]:
    """The whole call as a program for ``run_sync`` / ``run_async``: submit, then wait.

    (Plain functions returning the program: a generator frame less per in-flight job.)
    """
    return _through_chain(modality, config, request, on_progress, wait=True)


def submit(modality: Modality, config: Any, request: Any) -> Program[GenerationJob]:
    """Submit on the first link of the chain that takes the job; return its handle."""
    return _through_chain(modality, config, request, None, wait=False)


def _through_chain(
    modality: Modality,
    config: Any,
    request: Any,
    on_progress: Callable[[Any], Any] | None,
    wait: bool,
) -> Program[Any]:
    config, request = _coerce(modality, config, request)
    links = resolve_chain(modality, config, request)
    secrets = [key for link in links for key in (link.api_key, link.config.api_key) if key]
    secrets += [pw for link in links if (pw := url_password(link.base_url))]
    remember(*secrets)  # masked from now on in logs, updates and responses too
    attempts: list[AttemptMetadata] = []
    for number, link in enumerate(links, start=1):
        started = _now()
        if link.skip is not None:
            attempts.append(_attempt_record(link, number, started, "skipped", link.skip))
            logger.info("tarash: %s skipped: %s", _label(link), link.skip.message)
            continue
        logger.info(
            "tarash: %s via %s (attempt %d of %d)", modality, _label(link), number, len(links)
        )
        record = _attempt_record(link, number, started, "success")
        try:
            if link.handler is not None:
                response = yield from _run_handler(modality, link, request, on_progress)
                if not wait:
                    record.request_id = response.request_id
                    chain = _Chain(number, len(links), [*attempts, record])
                    return handle_of_response(modality, link, response, chain)
            else:
                chain = _Chain(number, len(links), [*attempts, record])
                outcome = yield from _run_job(modality, link, request, on_progress, chain, wait)
                if not wait:
                    return outcome
                response = outcome
        except NotImplementedError as exc:
            attempts.append(_attempt_record(link, number, started, "skipped", exc))
            if not _has_next(links, number):
                _attach(exc, attempts, len(links))
                raise
            continue
        except TarashException as exc:
            exc.provider = exc.provider or link.provider
            exc.model = exc.model or link.model
            exc.request_id = exc.request_id or record.request_id
            scrub_exception(exc, secrets)
            failed = _attempt_record(link, number, started, "failed", exc)
            attempts.append(failed)
            if on_progress is not None:
                yield from _notify(on_progress, _failed_update(modality, link, number, exc))
            if is_retryable_error(exc) and _has_next(links, number):
                logger.info("tarash: %s failed (%s); falling back", _label(link), exc.message)
                continue
            _attach(exc, attempts, len(links))
            raise
        record.ended_at = _now()
        attempts.append(record)
        metadata = _metadata(attempts, len(links))
        return response.model_copy(update={"execution_metadata": metadata})
    raise AssertionError("unreachable: resolve_chain guarantees a runnable link")


# ---------------------------------------------------------------- one job
class _Chain:
    """Where a job stands in its fallback chain: its link and the attempts so far."""

    __slots__ = ("number", "length", "attempts")

    def __init__(self, number: int, length: int, attempts: list[AttemptMetadata]) -> None:
        self.number = number
        self.length = length
        self.attempts = attempts  # the last one is this job's own attempt

    @property
    def record(self) -> AttemptMetadata:
        """The attempt of this job."""
        return self.attempts[-1]


def _run_job(
    modality: Modality,
    link: Link,
    request: GenerationRequest,
    on_progress: Callable[[Any], Any] | None,
    chain: _Chain,
    wait: bool,
) -> Generator[Any, Any, Any]:
    """Submit on ``link``; then wait for the job (``generate``) or return its handle."""
    assert link.loaded is not None and link.payload is not None
    config = link.config
    ctx = CallContext(
        link.provider, link.model, modality, config, request, link.api_key, link.base_url
    )
    deadline = time.monotonic() + config.timeout
    job: Job = yield from _submit(link, ctx, deadline)
    link.payload = None  # sent: its inline media is not held while the job runs
    chain.record.request_id = job.id
    _record_adjustments(chain.record, job.status)
    journal = _journal.current()
    handle = None
    if journal is not None or not wait:
        handle = handle_of_job(modality, link, job, chain)
        if journal is not None:
            yield from _journal_write(journal.add, handle, link.config)
    if not wait:
        return handle
    if journal is None:
        return (
            yield from wait_for(
                modality, link, ctx, job, on_progress, chain, deadline, handle, True
            )
        )
    assert handle is not None
    with _journal.holding(handle.id):  # a concurrent `tarash jobs resume` leaves it to us
        return (
            yield from wait_for(
                modality, link, ctx, job, on_progress, chain, deadline, handle, True
            )
        )


def wait_for(
    modality: Modality,
    link: Link,
    ctx: CallContext,
    job: Job,
    on_progress: Callable[[Any], Any] | None,
    chain: _Chain,
    deadline: float,
    handle: GenerationJob | None,
    cancel_on_abandon: bool,
) -> Generator[Any, Any, Any]:
    """Poll ``job`` until it completes; build the response.

    ``cancel_on_abandon``: a timeout or an interruption cancels the remote job
    (``generate``); ``wait_for_job`` leaves it running, its handle still valid.
    """
    assert link.loaded is not None
    config = link.config
    record = chain.record
    journal = _journal.current() if handle is not None else None
    status = job.status
    polls = 0
    failures = 0
    failing_since = 0.0
    wait = 0.0  # the first poll goes out at once: fast jobs finish fast ...
    if backlogged(link.provider):  # ... unless jobs wait to start: leave them the slots
        wait = poll_wait(1, config.poll_interval, None, backlogged=True)
    last_poll = False  # the poll at the deadline has gone out
    reported: tuple[Any, ...] | None = None
    try:
        fresh = handle is None or handle.status == "queued"
        if status is None and on_progress is not None and fresh:
            queued = JobStatus(state="queued")
            reported = _reported(queued)
            yield from _notify(on_progress, _update(modality, link, record, job, queued))
        while status is None or status.state != "completed":
            if config.max_poll_attempts is not None and polls >= config.max_poll_attempts:
                raise TimeoutError(
                    f"job not finished after max_poll_attempts={config.max_poll_attempts} polls "
                    f"(before timeout={config.timeout}s)",
                    request_id=job.id,
                    timeout_seconds=config.timeout,
                )
            if last_poll:
                raise TimeoutError(
                    f"job not finished within timeout={config.timeout}s (after {polls} polls)",
                    request_id=job.id,
                    timeout_seconds=config.timeout,
                )
            # timeout is a promise of at least that long: sleep up to it, poll once more
            remaining = deadline - time.monotonic()
            if wait >= remaining:
                wait, last_poll = max(0.0, remaining), True
            if wait > 0:
                yield Sleep(wait)
            polls += 1
            poll_deadline = max(deadline, time.monotonic() + LAST_POLL_GRACE)
            if backlogged(link.provider):
                # wait for the queue before building the poll: a queued job then holds
                # no request and no flow (the slot goes to the poll's request)
                yield Reserve(link.provider, poll_deadline)
            try:
                status = yield from _drive(link, "tarash_poll", ctx, poll_deadline, job=job)
            except TarashException as exc:
                now = time.monotonic()
                failing_since = failing_since if failures else now
                # A throttled poll (429) says the provider is there and the job exists:
                # wait it out up to the job's own timeout rather than failing a paid job.
                throttled = isinstance(exc, HTTPError) and exc.status_code == 429
                over_budget = now - failing_since >= POLL_FAILURE_BUDGET and not throttled
                if not _transient(exc) or over_budget:
                    raise
                failures += 1
                wait = _backoff(failures, exc, config.poll_interval)
                logger.info(
                    "tarash: poll of %s failed (%s); retrying in %.2fs", job.id, exc.message, wait
                )
                continue
            if not isinstance(status, JobStatus):
                raise TarashException(
                    f"{link.loaded.describe()}: tarash_poll returned "
                    f"{type(status).__name__}, not a JobStatus",
                    request_id=job.id,
                )
            failures = 0
            wait = poll_wait(
                polls, config.poll_interval, status.poll_after, backlogged(link.provider)
            )
            if handle is not None and handle.status != status.state:
                handle.status = status.state
                if journal is not None:
                    yield from _journal_write(journal.update, handle)
            if on_progress is not None and status.state != "completed":
                seen = _reported(status)
                if seen != reported or status.logs:
                    reported = seen
                    yield from _notify(on_progress, _update(modality, link, record, job, status))
            if status.state != "completed":
                status = None  # seen: its parsed answer is not held while the job waits
    except ResultTooLargeError as exc:
        # the job is done and its result waits at the provider: nothing to cancel, and
        # the handle stays valid to wait again with a larger max_media_bytes
        if handle is not None:
            handle.error = exc.message
            if journal is not None:
                yield from _journal_write(journal.update, handle)
        raise
    except (GenerationFailedError, ContentModerationError) as exc:
        # the job ended at the provider: nothing to cancel
        if handle is not None:
            handle.status, handle.error = "failed", exc.message
            if journal is not None:
                yield from _journal_write(journal.update, handle)
        raise
    except (TarashException, asyncio.CancelledError, KeyboardInterrupt):
        # Whatever ends the attempt while the job may still run (timeout, poll
        # failures, a plugin bug, an interruption) cancels it before the chain
        # moves on: a fallback must never run beside a job the user pays for.
        # wait_for_job (cancel_on_abandon=False) leaves it running: its handle
        # stays valid and cancel_job stops it.
        if cancel_on_abandon:
            yield from _cancel(link, ctx, job)
            if handle is not None:
                handle.status = "cancelled"
                if journal is not None:
                    yield from _journal_write(journal.update, handle)
        raise
    response = _build_response(modality, link, job, status)
    _record_adjustments(record, status)
    if handle is not None:
        complete(handle, status)
        if journal is not None:
            yield from _journal_write(journal.update, handle)
    if on_progress is not None:
        done = _update(modality, link, record, job, status, result=response)
        yield from _notify(on_progress, done)
    return response


def _submit(link: Link, ctx: CallContext, deadline: float) -> Generator[Any, Any, Job]:
    """Submit once; retry only when the provider provably did not take the job."""
    retries = 0
    while True:
        try:
            job = yield from _drive(link, "tarash_submit", ctx, deadline, payload=link.payload)
        except (HTTPConnectionError, HTTPError) as exc:
            delay = _submit_retry_delay(exc, retries, deadline)
            if delay is None:
                raise
            retries += 1
            logger.info("tarash: submit to %s refused (%s); retrying", _label(link), exc.message)
            yield Sleep(delay)
            continue
        if not isinstance(job, Job):
            assert link.loaded is not None
            raise TarashException(
                f"{link.loaded.describe()} returned {type(job).__name__} from submit, not a Job"
            )
        return job


def _submit_retry_delay(exc: TarashException, retries: int, deadline: float) -> float | None:
    if retries >= MAX_SUBMIT_RETRIES:
        return None
    if isinstance(exc, HTTPConnectionError) and exc.request_sent is False:
        delay = 0.5 * (retries + 1)
    elif isinstance(exc, HTTPError) and exc.status_code == 429 and exc.retry_after is not None:
        delay = exc.retry_after  # a 429 means the job was refused, not created
    else:
        return None
    return delay if time.monotonic() + delay < deadline else None


def _cancel(link: Link, ctx: CallContext, job: Job) -> Generator[Any, Any, None]:
    """Best-effort remote cancellation within CANCEL_TIMEOUT; never raises.

    A refusal that may pass (429, 5xx, a dropped connection) is retried: a paid job
    left running is billed, and cancelling twice is harmless.
    """
    deadline = time.monotonic() + CANCEL_TIMEOUT
    failures = 0
    while True:
        try:
            flow = (
                link.loaded.call("tarash_cancel", provider=link.provider, job=job, ctx=ctx)
                if link.loaded
                else None
            )
            if flow is None:
                return
            yield from _drive_flow(link, flow, deadline, "tarash_cancel")
            logger.info("tarash: cancelled job %s at %s", job.id, link.provider)
            return
        except TarashException as exc:
            failures += 1
            wait = _backoff(failures, exc, POLL_RETRY_FLOOR)
            if _transient(exc) and time.monotonic() + wait < deadline:
                yield Sleep(wait)
                continue
            error: Exception = exc
        except Exception as exc:  # noqa: BLE001 - cancellation is best effort
            error = exc
        logger.warning("tarash: could not cancel job %s at %s: %s", job.id, link.provider, error)
        return


def poll_wait(polls: int, interval: float, hint: float | None, backlogged: bool = False) -> float:
    """Seconds until the next poll: the provider's hint first, else an adaptive schedule.

    Short first waits (a fast job finishes fast), growing by half each poll toward
    ``poll_interval``, with ±10% jitter so thousands of jobs do not poll in lockstep.
    While requests to the provider queue for in-flight slots (``backlogged``), no
    short waits: the polls would only take slots from the jobs waiting to start.
    """
    if hint is not None:
        return hint
    ramp = max(0.25, interval / 8) * 1.5 ** (polls - 1)
    base = interval if backlogged else min(interval, ramp)
    return base * (0.9 + random.random() / 5)


def _transient(exc: TarashException) -> bool:
    if isinstance(exc, HTTPConnectionError | MalformedResponseError):
        return True
    return isinstance(exc, HTTPError) and exc.status_code in TRANSIENT_STATUS


def _backoff(failures: int, exc: TarashException, interval: float) -> float:
    """Exponential backoff with jitter, never below POLL_RETRY_FLOOR; Retry-After is a minimum."""
    base = min(30.0, max(interval, POLL_RETRY_FLOOR) * 2.0 ** (failures - 1))
    jittered = max(POLL_RETRY_FLOOR, base * (0.5 + random.random() / 2))
    retry_after: float | None = getattr(exc, "retry_after", None)
    return max(jittered, float(retry_after or 0.0))


# ---------------------------------------------------------------- flows
def _drive(
    link: Link, hook: str, ctx: CallContext, deadline: float, **kwargs: Any
) -> Generator[Any, Any, Any]:
    """Start the plugin's ``hook`` flow; ``yield from`` the result to drive it."""
    assert link.loaded is not None
    flow = link.loaded.call(hook, provider=link.provider, ctx=ctx, **kwargs)
    if flow is None:
        raise TarashException(
            f"{link.loaded.describe()} returned no flow from {hook}",
            provider=link.provider,
            model=link.model,
        )
    return _drive_flow(link, flow, deadline, hook)


def _drive_flow(link: Link, flow: Any, deadline: float, hook: str) -> Generator[Any, Any, Any]:
    """Run a plugin flow: time-box its requests, map transport errors, log without secrets."""
    response: httpx.Response | list[httpx.Response | TarashException] | None = None
    while True:
        try:
            item = flow.send(response)
        except StopIteration as stop:
            return stop.value
        except (TarashException, asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as exc:
            assert link.loaded is not None
            raise link.loaded.hook_error(hook, exc) from exc
        if isinstance(item, Sleep):
            yield from _sleep_within(link, flow, item, deadline, hook)
            response = None
            continue
        if isinstance(item, Concurrently) and item.requests:
            response = yield from _send_all(link, flow, item.requests, deadline, hook)
            continue
        if not isinstance(item, httpx.Request):
            flow.close()
            raise TarashException(
                f"{hook} flow yielded {type(item).__name__}; "
                "flows yield httpx.Request, Sleep or Concurrently",
                provider=link.provider,
            )
        _prepare(link, flow, item, deadline)
        started = time.perf_counter()
        try:
            # A submit creates a paid job: it finishes even when interrupted, so that
            # the job it created can be cancelled (see _flow.run_sync / run_async).
            answer: httpx.Response = yield Send(
                item,
                link.provider,
                must_finish=hook == "tarash_submit",
                urgent=hook == "tarash_cancel",  # a paid job's cancel waits for no queue
                resumed=response is not None,  # work under way goes before new work
            )
        except httpx.HTTPError as exc:
            flow.close()
            raise _transport_error(link, item, exc, deadline) from exc
        except BaseException:
            flow.close()
            raise
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "tarash: %s %s → %d (%.1f ms)",
                item.method,
                redact_url(str(item.url)),
                answer.status_code,
                (time.perf_counter() - started) * 1000,
            )
        response = answer


def _prepare(link: Link, flow: Any, request: httpx.Request, deadline: float) -> None:
    """Time-box ``request`` to the deadline and name the client; past it, end the flow."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        flow.close()
        raise TimeoutError(
            f"timeout={link.config.timeout}s reached", timeout_seconds=link.config.timeout
        )
    if "user-agent" not in request.headers:
        request.headers["User-Agent"] = USER_AGENT
    connect = min(remaining, 10.0)  # httpx.Timeout(remaining, connect=...).as_dict(), cheaper
    request.extensions["timeout"] = {
        "connect": connect,
        "read": remaining,
        "write": remaining,
        "pool": remaining,
    }
    request.extensions["tarash_deadline"] = deadline  # the whole exchange ends by it
    request.extensions["tarash_provider"] = link.provider  # its request rate applies


def _send_all(
    link: Link, flow: Any, requests: tuple[httpx.Request, ...], deadline: float, hook: str
) -> Generator[Any, Any, list[httpx.Response | TarashException]]:
    """Send a flow's Concurrently requests; transport failures go to the flow, mapped."""
    for request in requests:
        _prepare(link, flow, request, deadline)
    try:
        answers = yield SendAll(requests, link.provider, must_finish=hook == "tarash_submit")
    except BaseException:
        flow.close()
        raise
    return [
        answer
        if isinstance(answer, httpx.Response)
        else _transport_error(link, request, answer, deadline)
        for request, answer in zip(requests, answers, strict=True)
    ]


def _sleep_within(
    link: Link, flow: Any, item: Sleep, deadline: float, hook: str
) -> Generator[Any, Any, None]:
    """A flow's Sleep, cut at the deadline (then the attempt times out)."""
    seconds = item.seconds
    if not isinstance(seconds, int | float) or not seconds >= 0:  # NaN fails too
        flow.close()
        assert link.loaded is not None
        raise link.loaded.hook_error(hook, ValueError(f"Sleep({seconds!r}) is not a duration"))
    remaining = deadline - time.monotonic()
    if seconds < remaining:
        yield item
        return
    yield Sleep(max(0.0, remaining))
    flow.close()
    raise TimeoutError(
        f"timeout={link.config.timeout}s reached while {hook} waited",
        timeout_seconds=link.config.timeout,
    )


def _transport_error(
    link: Link, request: httpx.Request, exc: httpx.HTTPError, deadline: float
) -> TarashException:
    where = f"{request.method} {redact_url(str(request.url))}"
    if isinstance(exc, httpx.TimeoutException) and time.monotonic() >= deadline - 0.05:
        return TimeoutError(
            f"{where}: no answer within timeout={link.config.timeout}s",
            timeout_seconds=link.config.timeout,
        )
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return ValidationError(f"{where}: invalid URL ({exc}); check config.base_url")
    # A refused or timed-out connect never sent the request: retrying cannot duplicate a job.
    sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
    return HTTPConnectionError(
        f"{where}: {type(exc).__name__}: {exc or 'connection failed'}", request_sent=sent
    )


# ---------------------------------------------------------------- handles
def handle_of_job(modality: Modality, link: Link, job: Job, chain: _Chain) -> GenerationJob:
    """The public handle of a job the provider just took."""
    handle = GenerationJob(
        id=f"job_{uuid.uuid4().hex[:12]}",
        provider=link.provider,
        model=link.model,
        modality=modality,
        request_id=job.id,
        base_url=link.base_url,
        created_at=_now(),
        attempt_number=chain.number,
        configs_in_chain=chain.length,
        attempts=chain.attempts,
        is_mock=link.is_mock,
        webhook_url=link.config.webhook_url,
    )
    handle.data = job.data  # one dict: what the plugin updates, the handle keeps
    handle.attach(job)
    if job.status is not None and job.status.state == "completed":
        complete(handle, job.status)
    _refuse_secrets(handle, link)
    return handle


def handle_of_response(
    modality: Modality, link: Link, response: Any, chain: _Chain
) -> GenerationJob:
    """A completed handle for a ``register_provider`` handler's response."""
    output = response.model_dump(exclude=set(_ENVELOPE))
    job = Job(provider=link.provider, model=link.model, modality=modality, id=response.request_id)
    job.status = JobStatus(state="completed", output=output, raw=response.raw_response)
    return handle_of_job(modality, link, job, chain)


_ENVELOPE = ("request_id", "status", "is_mock", "raw_response", "execution_metadata")


def complete(handle: GenerationJob, status: JobStatus) -> None:
    """Record a completed status (and its portable result) on the handle."""
    handle.status = "completed"
    handle.result = {key: portable(value) for key, value in (status.output or {}).items()}
    handle.raw_response = status.raw
    job = handle.attached()
    if job is not None:
        job.status = status


def portable(value: Any) -> Any:
    """A JSON-ready copy of ``value``: inline media (bytes, MediaContent) become data URIs."""
    if isinstance(value, bytes | bytearray):
        return to_data_uri(bytes(value))
    if isinstance(value, dict):
        if isinstance(value.get("content"), bytes | bytearray):
            return to_data_uri(value)
        return {key: portable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [portable(item) for item in value]
    return value


def _refuse_secrets(handle: GenerationJob, link: Link) -> None:
    text = handle.model_dump_json()
    for secret in (link.api_key, link.config.api_key):
        if secret and len(secret) >= 4 and secret in text:
            raise TarashException(
                f"plugin {link.provider!r} put the API key in its job data; "
                "the job handle is refused (report this to the plugin's authors)",
                provider=link.provider,
                model=link.model,
                request_id=handle.request_id,
            )


def _journal_write(write: Callable[..., None], *args: Any) -> Generator[Any, Any, None]:
    """Record in the journal (through the driver); a failed write is logged, never raised."""
    try:
        yield Notify(lambda _: write(*args), None)
    except (asyncio.CancelledError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - the paid job must not fail for its journal
        logger.warning("tarash: could not write the job journal: %s", exc)


# ---------------------------------------------------------------- handlers
def _run_handler(
    modality: Modality,
    link: Link,
    request: GenerationRequest,
    on_progress: Callable[[Any], Any] | None,
) -> Generator[Any, Any, Any]:
    try:
        response = yield CallHandler(link.handler, modality, (link.config, request, on_progress))
    except (TarashException, NotImplementedError, asyncio.CancelledError, KeyboardInterrupt):
        raise
    except Exception as exc:
        raise TarashException(
            f"handler of provider {link.provider!r} raised {type(exc).__name__}: {exc}",
            provider=link.provider,
            model=link.model,
        ) from exc
    expected = RESPONSE_TYPES[modality]
    if not isinstance(response, expected):
        raise TarashException(
            f"handler of provider {link.provider!r} returned {type(response).__name__}, "
            f"not {expected.__name__}",
            provider=link.provider,
        )
    return response


# ---------------------------------------------------------------- building blocks
def _coerce(
    modality: Modality, config: Any, request: Any
) -> tuple[GenerationConfig, GenerationRequest]:
    config_type, request_type = CONFIG_TYPES[modality], REQUEST_TYPES[modality]
    try:
        if isinstance(config, dict):
            config = config_type.model_validate(config)
        if isinstance(request, dict):
            request = request_type.model_validate(request)
    except pydantic.ValidationError as exc:
        raise ValidationError(str(exc)) from exc
    if not isinstance(config, config_type):
        raise ValidationError(
            f"generate_{modality} takes a {config_type.__name__}, got {type(config).__name__}"
        )
    if not isinstance(request, request_type):
        raise ValidationError(
            f"generate_{modality} takes a {request_type.__name__}, got {type(request).__name__}"
        )
    return config, request  # type: ignore[return-value]


def _build_response(modality: Modality, link: Link, job: Job, status: JobStatus | None) -> Any:
    assert status is not None
    try:
        return RESPONSE_TYPES[modality](
            request_id=job.id,
            status="completed",
            raw_response=scrub(status.raw),
            is_mock=link.is_mock,
            provider=link.provider,
            model=link.model,
            **scrub(status.output or {}),
        )
    except pydantic.ValidationError as exc:
        raise MalformedResponseError(
            f"the completed job's result is not a valid {modality} result: {exc}",
            request_id=job.id,
            raw_response=status.raw,
        ) from exc


def _update(
    modality: Modality,
    link: Link,
    record: AttemptMetadata,
    job: Job,
    status: JobStatus,
    result: Any = None,
) -> Any:
    return UPDATE_TYPES[modality](
        request_id=job.id,
        status=status.state,
        progress_percent=100 if result is not None else status.progress_percent,
        update=scrub(status.raw),
        queue_position=status.queue_position,
        logs=scrub(status.logs),
        provider=link.provider,
        model=link.model,
        attempt_number=record.attempt_number,
        result=result,
    )


def _reported(status: JobStatus) -> tuple[Any, ...]:
    """What a progress update reports; an update goes out when this changes."""
    return (status.state, status.progress_percent, status.queue_position)


def _failed_update(modality: Modality, link: Link, number: int, exc: TarashException) -> Any:
    return UPDATE_TYPES[modality](
        request_id=exc.request_id or "",
        status="failed",
        error=exc.message,
        provider=link.provider,
        model=link.model,
        attempt_number=number,
    )


def _notify(callback: Callable[[Any], Any], update: Any) -> Generator[Any, Any, None]:
    try:
        yield Notify(callback, update)
    except (asyncio.CancelledError, KeyboardInterrupt):
        raise
    except Exception:
        logger.exception("tarash: the on_progress callback raised; generation continues")


def _attempt_record(
    link: Link,
    number: int,
    started: datetime,
    status: str,
    error: BaseException | None = None,
) -> AttemptMetadata:
    return AttemptMetadata(
        provider=link.provider,
        model=link.model or None,
        attempt_number=number,
        started_at=started,
        ended_at=None if status == "success" else _now(),
        status=status,  # type: ignore[arg-type]
        error_type=type(error).__name__ if error is not None else None,
        error_message=(getattr(error, "message", None) or str(error)) if error else None,
        is_retryable=is_retryable_error(error) if error is not None else None,
        request_id=getattr(error, "request_id", None),
        adjustments=link.adjustments,  # type: ignore[arg-type]
    )


def _record_adjustments(record: AttemptMetadata, status: JobStatus | None) -> None:
    """Add what a completed status says differs from the ask (a batch's shortfall)."""
    if status is None or not status.adjustments:
        return
    seen = [item.model_dump() for item in record.adjustments]
    new = [MappingAdjustment.model_validate(a) for a in status.adjustments]
    record.adjustments = [
        *record.adjustments,
        *(item for item in new if item.model_dump() not in seen),
    ]


def _metadata(attempts: list[AttemptMetadata], chain_length: int) -> ExecutionMetadata:
    success = next((a.attempt_number for a in attempts if a.status == "success"), None)
    return ExecutionMetadata(
        total_attempts=len(attempts),
        successful_attempt=success,
        attempts=attempts,
        fallback_triggered=any(a.status == "failed" for a in attempts),
        configs_in_chain=chain_length,
    )


def _attach(exc: BaseException, attempts: list[AttemptMetadata], chain_length: int) -> None:
    exc.execution_metadata = _metadata(attempts, chain_length)  # type: ignore[attr-defined]


def _has_next(links: list[Link], number: int) -> bool:
    return any(link.skip is None for link in links[number:])


def _label(link: Link) -> str:
    return f"{link.provider}/{link.model}" if link.model else link.provider


def _now() -> datetime:
    return datetime.now(UTC)
