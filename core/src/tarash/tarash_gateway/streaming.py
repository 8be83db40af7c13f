"""Speech as it is generated: ``stream_tts`` / ``stream_sts`` and their async twins.

::

    with stream_tts(config, TTSRequest(text="Hello", voice_id="alloy")) as stream:
        print(stream.content_type)          # known before the first chunk is used
        for chunk in stream:                # bytes, as the provider sends them
            player.write(chunk)
    print(stream.execution_metadata)        # after the last chunk

The call is validated, keyed, logged and error-mapped like ``generate_tts``.
Opening the stream (up to its first chunk) follows the fallback chain; an error
after that raises, saying how many bytes were delivered. Leaving the ``with``
block (or ``close()``) early closes the connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import Any

from tarash.tarash_gateway._stream import Opened, iterate_async, iterate_sync, stream_program
from tarash.tarash_gateway.models import AudioGenerationConfig, ExecutionMetadata, Modality

__all__ = [
    "AsyncSpeechStream",
    "SpeechStream",
    "stream_sts",
    "stream_sts_async",
    "stream_tts",
    "stream_tts_async",
]


class _StreamInfo:
    """What both stream classes expose."""

    content_type: str
    request_id: str | None
    provider: str
    model: str
    raw_response: dict[str, Any]
    bytes_delivered: int
    execution_metadata: ExecutionMetadata | None

    def _opened(self, opened: Opened) -> None:
        self.content_type = opened.start.content_type
        self.request_id = opened.start.request_id
        self.provider = opened.link.provider
        self.model = opened.link.model
        self.raw_response = dict(opened.start.raw)
        self.bytes_delivered = 0
        self.execution_metadata = None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(provider={self.provider!r}, model={self.model!r}, "
            f"content_type={self.content_type!r}, bytes_delivered={self.bytes_delivered})"
        )


class SpeechStream(_StreamInfo):
    """An open stream of audio chunks (``bytes``); iterate it once.

    Attributes:
        content_type: MIME type of the audio.
        request_id: The provider's id of the generation, when it sends one.
        provider: The provider of the chain that is streaming.
        model: Its model.
        bytes_delivered: Bytes handed out so far.
        execution_metadata: Every attempt of the chain; set after the last chunk.
    """

    def __init__(self, driver: Iterator[Any]) -> None:
        self._driver = driver
        self._opened(next(driver))

    def __iter__(self) -> Iterator[bytes]:
        for item in self._driver:
            if isinstance(item, bytes):
                self.bytes_delivered += len(item)
                yield item
            elif isinstance(item, ExecutionMetadata):
                self.execution_metadata = item

    def read(self) -> bytes:
        """Every remaining chunk, joined."""
        return b"".join(self)

    def close(self) -> None:
        """Stop reading and close the connection."""
        self._driver.close()  # type: ignore[attr-defined]

    def __enter__(self) -> SpeechStream:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


TTSStream = SpeechStream


class AsyncSpeechStream(_StreamInfo):
    """The async twin of :class:`SpeechStream` (``async for chunk in stream``)."""

    def __init__(self, driver: AsyncIterator[Any], opened: Opened) -> None:
        self._driver = driver
        self._opened(opened)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for item in self._driver:
            if isinstance(item, bytes):
                self.bytes_delivered += len(item)
                yield item
            elif isinstance(item, ExecutionMetadata):
                self.execution_metadata = item

    async def read(self) -> bytes:
        """Every remaining chunk, joined."""
        return b"".join([chunk async for chunk in self])

    async def aclose(self) -> None:
        """Stop reading and close the connection."""
        await self._driver.aclose()  # type: ignore[attr-defined]

    async def __aenter__(self) -> AsyncSpeechStream:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


def _open_sync(modality: Modality, config: AudioGenerationConfig, request: Any) -> SpeechStream:
    return SpeechStream(iterate_sync(stream_program(modality, config, request)))


async def _open_async(
    modality: Modality, config: AudioGenerationConfig, request: Any
) -> AsyncSpeechStream:
    driver = iterate_async(stream_program(modality, config, request))
    opened = await anext(driver)
    assert isinstance(opened, Opened), "a stream program opens before it emits"
    return AsyncSpeechStream(driver, opened)


def stream_tts(config: AudioGenerationConfig, request: Any) -> SpeechStream:
    """Speak ``request.text``, returning the audio as it is generated.

    Returns once the stream is open and its first chunk has arrived (so errors
    before any audio follow the fallback chain and raise here).

    Raises:
        TarashException: As ``generate_tts``; an UnsupportedModalityError when no
            config of the chain streams.
    """
    return _open_sync("tts", config, request)


async def stream_tts_async(config: AudioGenerationConfig, request: Any) -> AsyncSpeechStream:
    """Async :func:`stream_tts`."""
    return await _open_async("tts", config, request)


def stream_sts(config: AudioGenerationConfig, request: Any) -> SpeechStream:
    """Re-voice ``request.audio``, returning the audio as it is generated."""
    return _open_sync("sts", config, request)


async def stream_sts_async(config: AudioGenerationConfig, request: Any) -> AsyncSpeechStream:
    """Async :func:`stream_sts`."""
    return await _open_async("sts", config, request)
