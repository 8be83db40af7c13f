"""Streamed speech: one program for the sync and async iterators, like ``_engine.generate``.

``stream_program`` resolves the chain, opens the provider's stream through the
plugin's ``tarash_stream`` flow, then reads the body chunk by chunk. It yields
effects: the usual ones (sent by ``_flow``'s performers) plus :class:`ReadChunk`,
:class:`Opened` and :class:`Emit`, which the two drivers here handle. An error
before the first byte moves on to the next config of the chain; after it, the
caller has played audio: the error is raised with the bytes delivered.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Generator, Iterator
from typing import Any

import httpx

from tarash.tarash_gateway._chain import Link, resolve_chain
from tarash.tarash_gateway._engine import (
    _attach,
    _attempt_record,
    _coerce,
    _drive_flow,
    _has_next,
    _label,
    _metadata,
    _now,
    logger,
)
from tarash.tarash_gateway._flow import _perform_async, _perform_sync
from tarash.tarash_gateway._redact import scrub_exception
from tarash.tarash_gateway.exceptions import (
    HTTPConnectionError,
    TarashException,
    TimeoutError,
    UnsupportedModalityError,
    is_retryable_error,
)
from tarash.tarash_gateway.models import AttemptMetadata, ExecutionMetadata, Modality
from tarash.tarash_gateway.plugin import CallContext, StreamStart


class ReadChunk:
    """Effect: the next chunk of an open response (None at the end)."""

    __slots__ = ("response", "iterator", "deadline")

    def __init__(self, response: httpx.Response, deadline: float) -> None:
        self.response = response
        self.iterator: Any = None
        self.deadline = deadline


class Opened:
    """Effect: the stream is open and its first chunk read; tells the caller what it is."""

    __slots__ = ("link", "start")

    def __init__(self, link: Link, start: StreamStart) -> None:
        self.link = link
        self.start = start


class Emit:
    """Effect: hand one chunk to the caller."""

    __slots__ = ("chunk",)

    def __init__(self, chunk: bytes) -> None:
        self.chunk = chunk


StreamProgram = Generator[Any, Any, ExecutionMetadata]


def stream_program(modality: Modality, config: Any, request: Any) -> StreamProgram:
    """The whole streamed call; returns the execution metadata after the last chunk."""
    config, request = _coerce(modality, config, request)
    links = resolve_chain(modality, config, request)
    secrets = [key for link in links for key in (link.api_key, link.config.api_key) if key]
    attempts: list[AttemptMetadata] = []
    for number, link in enumerate(links, start=1):
        started = _now()
        if link.skip is not None or link.handler is not None:
            skip = link.skip or UnsupportedModalityError(
                f"the handler registered for {link.provider!r} cannot stream"
            )
            attempts.append(_attempt_record(link, number, started, "skipped", skip))
            continue
        record = _attempt_record(link, number, started, "success")
        delivered = 0
        try:
            start, reader, chunk = yield from _open(modality, link, request)
            record.request_id = start.request_id
            yield Opened(link, start)
            while chunk is not None:
                delivered += len(chunk)
                yield Emit(chunk)
                chunk = yield from _read(link, reader, delivered)
        except NotImplementedError as exc:
            attempts.append(_attempt_record(link, number, started, "skipped", exc))
            if not _has_next(links, number):
                _attach(exc, attempts, len(links))
                raise
            continue
        except TarashException as exc:
            exc.provider = exc.provider or link.provider
            exc.model = exc.model or link.model
            scrub_exception(exc, secrets)
            attempts.append(_attempt_record(link, number, started, "failed", exc))
            if delivered == 0 and is_retryable_error(exc) and _has_next(links, number):
                logger.info("tarash: %s failed (%s); falling back", _label(link), exc.message)
                continue
            _attach(exc, attempts, len(links))
            raise
        record.ended_at = _now()
        attempts.append(record)
        return _metadata(attempts, len(links))
    raise AssertionError("unreachable: resolve_chain guarantees a runnable link")


def _open(
    modality: Modality, link: Link, request: Any
) -> Generator[Any, Any, tuple[StreamStart, ReadChunk, bytes | None]]:
    """Open the stream and read its first chunk (errors up to here may fall back)."""
    assert link.loaded is not None and link.payload is not None
    config = link.config
    ctx = CallContext(
        link.provider, link.model, modality, config, request, link.api_key, link.base_url
    )
    deadline = time.monotonic() + config.timeout
    flow = link.loaded.call("tarash_stream", provider=link.provider, payload=link.payload, ctx=ctx)
    if flow is None:
        raise UnsupportedModalityError(
            f"provider {link.provider!r} does not stream {modality}",
            provider=link.provider,
            model=link.model,
        )
    start = yield from _drive_flow(link, flow, deadline, "tarash_stream")
    if not isinstance(start, StreamStart):
        raise TarashException(
            f"{link.loaded.describe()} returned {type(start).__name__} from tarash_stream, "
            "not a StreamStart",
            provider=link.provider,
        )
    reader = ReadChunk(start.response, deadline)
    first = yield from _read(link, reader, 0)
    return start, reader, first


def _read(link: Link, reader: ReadChunk, delivered: int) -> Generator[Any, Any, bytes | None]:
    deadline = reader.deadline
    try:
        chunk: bytes | None = yield reader
    except httpx.HTTPError as exc:
        raise HTTPConnectionError(
            f"the {link.provider} stream broke after {delivered} bytes: {type(exc).__name__}",
            request_sent=True,
        ) from exc
    if chunk is not None and time.monotonic() > deadline:
        raise TimeoutError(
            f"stream not finished within timeout={link.config.timeout}s "
            f"({delivered + len(chunk)} bytes delivered)",
            timeout_seconds=link.config.timeout,
        )
    return chunk


# ---------------------------------------------------------------- drivers
def iterate_sync(program: StreamProgram) -> Iterator[Opened | bytes | ExecutionMetadata]:
    """Drive ``program``: yields the Opened effect, then chunks, then the metadata."""
    value: Any = None
    error: BaseException | None = None
    readers: list[ReadChunk] = []
    try:
        while True:
            try:
                effect = program.throw(error) if error is not None else program.send(value)
            except StopIteration as stop:
                yield stop.value
                return
            value, error = None, None
            try:
                if isinstance(effect, Emit):
                    yield effect.chunk
                elif isinstance(effect, Opened):
                    yield effect
                elif isinstance(effect, ReadChunk):
                    if effect.iterator is None:
                        readers.append(effect)
                        effect.iterator = effect.response.iter_bytes()
                    try:
                        value = next(effect.iterator, None)
                    finally:
                        if value is None:
                            effect.response.close()
                else:
                    value = _perform_sync(effect)
            except GeneratorExit:
                raise
            except BaseException as exc:  # noqa: BLE001 - delivered to the program
                error = exc
    finally:
        program.close()
        for reader in readers:
            reader.response.close()


async def iterate_async(
    program: StreamProgram,
) -> AsyncIterator[Opened | bytes | ExecutionMetadata]:
    """The async twin of :func:`iterate_sync`."""
    value: Any = None
    error: BaseException | None = None
    readers: list[ReadChunk] = []
    try:
        while True:
            try:
                effect = program.throw(error) if error is not None else program.send(value)
            except StopIteration as stop:
                yield stop.value
                return
            value, error = None, None
            try:
                if isinstance(effect, Emit):
                    yield effect.chunk
                elif isinstance(effect, Opened):
                    yield effect
                elif isinstance(effect, ReadChunk):
                    if effect.iterator is None:
                        readers.append(effect)
                        effect.iterator = effect.response.aiter_bytes()
                    try:
                        value = await anext(effect.iterator, None)
                    finally:
                        if value is None:
                            await effect.response.aclose()
                else:
                    value = await _perform_async(effect)
            except (GeneratorExit, asyncio.CancelledError):
                raise
            except BaseException as exc:  # noqa: BLE001 - delivered to the program
                error = exc
    finally:
        program.close()
        for reader in readers:
            await reader.response.aclose()
