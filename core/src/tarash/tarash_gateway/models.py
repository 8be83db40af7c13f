"""Pydantic models of the public API: configs, requests, responses, progress updates.

Configs say *who* generates (provider, model, key, limits, fallbacks); requests say
*what* to generate; responses carry the media and the :class:`ExecutionMetadata`
of every attempt the engine made.
"""

from __future__ import annotations

import io
import os
from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator
from typing_extensions import TypedDict

from tarash.tarash_gateway._media import numbered_paths, save_media, save_media_async
from tarash.tarash_gateway._metadata import AttemptMetadata as AttemptMetadata
from tarash.tarash_gateway._metadata import ExecutionMetadata as ExecutionMetadata
from tarash.tarash_gateway._metadata import MappingAdjustment as MappingAdjustment
from tarash.tarash_gateway._validation import TarashModel, did_you_mean, warn_user

if TYPE_CHECKING:
    from tarash.tarash_gateway._mock_config import MockConfig

AnyDict: TypeAlias = dict[str, Any]
Modality = Literal["video", "image", "tts", "sts"]
MODALITIES: tuple[Modality, ...] = ("video", "image", "tts", "sts")

Resolution = Literal["360p", "480p", "512p", "540p", "720p", "768p", "1080p", "1440p", "2k", "4k"]
AspectRatio = Literal[
    "16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21", "3:2", "2:3", "4:5", "5:4", "auto"
]
Base64 = str
StatusType = Literal["queued", "processing", "completed", "failed"]
ImageRole = Literal["reference", "first_frame", "last_frame", "asset", "style"]


class MediaContent(TypedDict):
    """Media given as raw bytes together with its MIME type."""

    content: bytes
    content_type: str


MediaType: TypeAlias = str | bytes | MediaContent | os.PathLike[str] | io.IOBase
"""A URL (``https://...``), a data URI or bare base64 string, raw bytes, MediaContent,
a local file as ``pathlib.Path``, or a file opened with ``open(path, "rb")`` (read when needed).
The type is read from the bytes; a string is never taken for a local path."""


class ImageType(TypedDict):
    """An input image with the role it plays in the generation."""

    image: MediaType
    type: ImageRole


class AudioOutputFormat(TarashModel):
    """Audio encoding of a speech result."""

    model_config = ConfigDict(defer_build=True)

    format: str = Field(
        description="Codec / container: mp3, wav, pcm, opus, flac, aac, ulaw, alaw."
    )
    sample_rate: int | None = Field(
        default=None, gt=0, description="Sample rate in Hz, e.g. 44100."
    )
    bitrate: int | None = Field(default=None, gt=0, description="Bitrate in kbps, e.g. 128.")


AUDIO_CONTENT_TYPES: dict[str, str] = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
    "flac": "audio/flac",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "ulaw": "audio/basic",
    "alaw": "audio/basic",
}


def format_to_content_type(audio_format: str) -> str:
    """Return the MIME type of an audio format name (``mp3`` → ``audio/mpeg``)."""
    return AUDIO_CONTENT_TYPES.get(audio_format, "application/octet-stream")


# ---------------------------------------------------------------- callbacks
SyncProgressCallback = Callable[["VideoGenerationUpdate"], None]
AsyncProgressCallback = Callable[["VideoGenerationUpdate"], Awaitable[None]]
ProgressCallback = SyncProgressCallback | AsyncProgressCallback
SyncImageProgressCallback = Callable[["ImageGenerationUpdate"], None]
AsyncImageProgressCallback = Callable[["ImageGenerationUpdate"], Awaitable[None]]
ImageProgressCallback = SyncImageProgressCallback | AsyncImageProgressCallback
SyncTTSProgressCallback = Callable[["TTSUpdate"], None]
AsyncTTSProgressCallback = Callable[["TTSUpdate"], Awaitable[None]]
TTSProgressCallback = SyncTTSProgressCallback | AsyncTTSProgressCallback
SyncSTSProgressCallback = Callable[["STSUpdate"], None]
AsyncSTSProgressCallback = Callable[["STSUpdate"], Awaitable[None]]
STSProgressCallback = SyncSTSProgressCallback | AsyncSTSProgressCallback


# ---------------------------------------------------------------- configs
class _Config(TarashModel):
    """Fields shared by every generation config."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", defer_build=True, hide_input_in_errors=True
    )

    provider: str = Field(description="Provider id: 'fal', 'openai', 'elevenlabs', 'mock', ...")
    model: str | None = Field(default=None, description="Model id; None = provider's default.")
    api_key: str | None = Field(
        default=None,
        repr=False,
        exclude=True,
        description="API key; None = the provider's environment variable. Never logged.",
    )
    base_url: str | None = Field(default=None, description="Replace the provider's API root.")
    api_version: str | None = Field(default=None, description="API version (Azure OpenAI).")
    timeout: float = Field(default=600, gt=0, description="Seconds before the job is abandoned.")
    max_poll_attempts: int | None = Field(
        default=None,
        ge=1,
        description="Upper bound on status polls; None = as many as the timeout allows.",
    )
    poll_interval: float = Field(default=5, ge=0, description="Seconds between status polls.")
    mock: MockConfig | None = Field(default=None, description="Route this call to the mock.")
    provider_config: dict[str, Any] = Field(
        default_factory=dict, description="Provider-specific settings (see provider pages)."
    )
    webhook_url: str | None = Field(
        default=None,
        description="URL the provider calls when the job ends (providers with webhooks only).",
    )

    def fallbacks(self) -> list[_Config]:
        """Return this config's fallback configs (empty list when none)."""
        return list(getattr(self, "fallback_configs", None) or [])


class VideoGenerationConfig(_Config):
    """Who generates a video, with which limits and fallbacks."""

    fallback_configs: list[VideoGenerationConfig] | None = None


class ImageGenerationConfig(_Config):
    """Who generates an image, with which limits and fallbacks."""

    timeout: float = Field(default=120, gt=0)
    poll_interval: float = Field(default=2, ge=0)
    fallback_configs: list[ImageGenerationConfig] | None = None


class AudioGenerationConfig(_Config):
    """Who generates speech (tts or sts), with which limits and fallbacks."""

    timeout: float = Field(default=240, gt=0)
    poll_interval: float = Field(default=1, ge=0)
    fallback_configs: list[AudioGenerationConfig] | None = None


GenerationConfig: TypeAlias = VideoGenerationConfig | ImageGenerationConfig | AudioGenerationConfig


# ---------------------------------------------------------------- requests
class _Request(TarashModel):
    """Base of requests: unknown keyword arguments are kept in ``extra_params``."""

    model_config = ConfigDict(arbitrary_types_allowed=True, defer_build=True)

    extra_params: dict[str, Any] = Field(
        default_factory=dict, description="Provider- or model-specific parameters."
    )

    @model_validator(mode="before")
    @classmethod
    def _capture_extra_fields(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        known = set(cls.model_fields)
        extras = {k: v for k, v in data.items() if k not in known}
        if not extras:
            return data
        for name in extras:
            hint = did_you_mean(name, known - {"extra_params"})
            if hint:
                warn_user(
                    f"{cls.__name__}: {name!r} is not a standard field and goes to "
                    f"extra_params as is{hint}"
                )
        kept = {k: v for k, v in data.items() if k in known}
        kept["extra_params"] = {**extras, **dict(data.get("extra_params") or {})}
        return kept


class VideoGenerationRequest(_Request):
    """What video to generate."""

    prompt: str = Field(description="Text description of the video.")
    duration_seconds: int | None = Field(default=None, ge=1, description="Length in seconds.")
    resolution: Resolution | None = None
    aspect_ratio: AspectRatio | None = None
    generate_audio: bool | None = None
    image_list: list[ImageType] = Field(
        default_factory=list, description="Input images with roles (first_frame, last_frame...)."
    )
    video: MediaType | None = Field(default=None, description="Input video (extend, edit, remix).")
    seed: int | None = None
    number_of_videos: int = Field(default=1, ge=1)
    negative_prompt: str | None = None
    enhance_prompt: bool | None = None


class ImageGenerationRequest(_Request):
    """What image to generate."""

    prompt: str = Field(description="Text description of the image.")
    negative_prompt: str | None = None
    size: str | None = Field(default=None, description="'WxH', e.g. '1024x1024'.")
    quality: str | None = None
    style: str | None = None
    n: int | None = Field(default=None, ge=1)
    image_list: list[ImageType] = Field(default_factory=list)
    mask_image: MediaType | None = None
    seed: int | None = None
    aspect_ratio: AspectRatio | None = None


def _default_audio_format() -> AudioOutputFormat:
    return AudioOutputFormat(format="mp3", sample_rate=44100, bitrate=128)


class TTSRequest(_Request):
    """What text to speak, in which voice."""

    text: str = Field(min_length=1)
    voice_id: str = Field(description="Provider-specific voice id.")
    output_format: AudioOutputFormat = Field(default_factory=_default_audio_format)
    language_code: str | None = None
    voice_settings: dict[str, Any] | None = None


class STSRequest(_Request):
    """Which speech to re-voice, into which voice."""

    audio: MediaType = Field(description="Source audio: URL, base64 / data URI, bytes, Path, file.")
    voice_id: str
    output_format: AudioOutputFormat = Field(default_factory=_default_audio_format)
    voice_settings: dict[str, Any] | None = None


GenerationRequest: TypeAlias = (
    VideoGenerationRequest | ImageGenerationRequest | TTSRequest | STSRequest
)


# ---------------------------------------------------------------- responses
class ProviderUsage(BaseModel):
    """What the provider itself reported a generation cost or consumed.

    Plugins fill it only from figures in the provider's answer, never from
    estimates or price lists: a figure the provider did not report stays absent
    (and a response without any has ``usage=None``). ``cost`` is set only when the
    provider states an amount of money, or units with a documented fixed rate
    (xAI: 10^10 ticks per USD).
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    cost: Decimal | None = Field(
        default=None, ge=0, description="Amount billed, in ``currency``, as the provider reported."
    )
    currency: str | None = Field(default=None, description="ISO 4217 code of ``cost``: 'USD'.")
    units: dict[str, int | float] = Field(
        default_factory=dict,
        description="Reported quantities in the provider's units, named as the provider "
        "names them: {'cost_in_usd_ticks': 200000000}, {'credits': 6.5}, "
        "{'prompt_token_count': 12}, {'predict_time': 3.2}.",
    )
    raw: dict[str, Any] = Field(
        default_factory=dict, description="The provider's usage figures, verbatim."
    )

    @classmethod
    def reported(
        cls, raw: dict[str, Any], cost: Decimal | None = None, currency: str | None = None
    ) -> ProviderUsage:
        """Usage from a provider's usage object: its numeric top-level figures become ``units``."""
        units = {
            name: value
            for name, value in raw.items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        }
        return cls(cost=cost, currency=currency, units=units, raw=raw)


class _Response(BaseModel):
    # bytes (MediaContent, raw video) serialise to JSON as base64
    model_config = ConfigDict(
        frozen=True, arbitrary_types_allowed=True, defer_build=True, ser_json_bytes="base64"
    )

    request_id: str = Field(description="The provider's job id (or a tarash id when none).")
    content_type: str | None = None
    status: Literal["completed", "failed"] = "completed"
    is_mock: bool = False
    raw_response: dict[str, Any] = Field(default_factory=dict)
    execution_metadata: ExecutionMetadata | None = None
    provider: str | None = Field(default=None, description="Provider that produced the media.")
    model: str | None = Field(default=None, description="Model that produced the media.")
    usage: ProviderUsage | None = Field(
        default=None, description="Cost / usage the provider reported for this result, if any."
    )

    def _media(self) -> MediaType:
        raise NotImplementedError

    def save(self, path: str | Path, *, max_bytes: int | None = None) -> Path:
        """Write the media to ``path`` (URL downloaded, base64 decoded, bytes written).

        A URL is streamed to disk with bounded memory and resumed (HTTP Range) when
        the connection breaks; the file appears under its name only once complete.
        When ``path`` has no suffix, one is chosen from the content type.
        ``max_bytes`` refuses absurd results (a lying Content-Length) without
        reading them. Returns the path written.
        """
        return save_media(self._media(), path, self.content_type, max_bytes)

    async def asave(self, path: str | Path, *, max_bytes: int | None = None) -> Path:
        """Async twin of :meth:`save`."""
        return await save_media_async(self._media(), path, self.content_type, max_bytes)


class VideoGenerationResponse(_Response):
    """A generated video."""

    video: MediaType = Field(description="URL, base64 / data URI, bytes or MediaContent.")
    audio_url: str | None = None
    duration: float | None = None
    resolution: str | None = None
    aspect_ratio: str | None = None

    def _media(self) -> MediaType:
        return self.video


class ImageGenerationResponse(_Response):
    """One or more generated images."""

    images: list[str] = Field(description="URLs or base64 strings, one per image.")
    content_type: str | None = "image/png"
    revised_prompt: str | None = None

    def _media(self) -> MediaType:
        return self.images[0]

    def save(
        self, path: str | Path, index: int | None = None, *, max_bytes: int | None = None
    ) -> Path:
        """Write the images to ``path`` (see :meth:`_Response.save`); return the first path.

        Several images are all written, never over each other: ``name.png``,
        ``name-2.png``, ... (as :meth:`save_all`). ``index`` writes that image only.
        """
        if index is None:
            return self.save_all(path, max_bytes=max_bytes)[0]
        return save_media(self.images[index], path, self.content_type, max_bytes)

    async def asave(
        self, path: str | Path, index: int | None = None, *, max_bytes: int | None = None
    ) -> Path:
        """Async twin of :meth:`save`."""
        if index is None:
            return (await self.asave_all(path, max_bytes=max_bytes))[0]
        return await save_media_async(self.images[index], path, self.content_type, max_bytes)

    def save_all(self, path: str | Path, *, max_bytes: int | None = None) -> list[Path]:
        """Write every image: ``path``, then ``path`` with ``-2``, ``-3``... before the suffix."""
        targets = numbered_paths(path, len(self.images))
        return [
            save_media(image, to, self.content_type, max_bytes)
            for image, to in zip(self.images, targets, strict=True)
        ]

    async def asave_all(self, path: str | Path, *, max_bytes: int | None = None) -> list[Path]:
        """Async twin of :meth:`save_all`."""
        targets = numbered_paths(path, len(self.images))
        return [
            await save_media_async(image, to, self.content_type, max_bytes)
            for image, to in zip(self.images, targets, strict=True)
        ]


class TTSResponse(_Response):
    """Synthesised speech."""

    audio: str = Field(description="Base64-encoded audio bytes.")
    duration: float | None = None

    def _media(self) -> MediaType:
        return self.audio


class STSResponse(TTSResponse):
    """Re-voiced speech."""


GenerationResponse: TypeAlias = (
    VideoGenerationResponse | ImageGenerationResponse | TTSResponse | STSResponse
)


# ---------------------------------------------------------------- updates
class _Update(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, defer_build=True)

    request_id: str
    status: StatusType
    progress_percent: int | None = Field(default=None, ge=0, le=100)
    update: dict[str, Any] = Field(default_factory=dict, description="Raw provider payload.")
    error: str | None = None
    queue_position: int | None = None
    logs: list[str] = Field(default_factory=list, description="New provider log lines.")
    provider: str | None = None
    model: str | None = None
    attempt_number: int | None = Field(default=None, description="Position in the chain.")


class VideoGenerationUpdate(_Update):
    """A progress event of a video job."""

    result: VideoGenerationResponse | None = None


class ImageGenerationUpdate(_Update):
    """A progress event of an image job."""

    result: ImageGenerationResponse | None = None


class TTSUpdate(_Update):
    """A progress event of a tts job."""

    result: TTSResponse | None = None


class STSUpdate(_Update):
    """A progress event of an sts job."""

    result: STSResponse | None = None


# ---------------------------------------------------------------- jobs
JobState = Literal["queued", "processing", "completed", "failed", "cancelled"]


class GenerationJob(BaseModel):
    """A handle of a submitted job: store it anywhere, resume it in any process.

    ``submit_video`` (and the other ``submit_*`` functions) return one at once;
    ``get_job_status``, ``wait_for_job`` and ``cancel_job`` take it back together
    with a config, which supplies the credentials. It never holds an API key::

        text = job.model_dump_json()
        job = GenerationJob.model_validate_json(text)
    """

    model_config = ConfigDict(defer_build=True, ser_json_bytes="base64")

    id: str = Field(description="tarash's id of the job (its key in the journal).")
    provider: str = Field(description="Provider that took the job.")
    model: str
    modality: Modality
    request_id: str = Field(description="The provider's id for the job.")
    base_url: str = Field(description="API root the job was submitted to.")
    data: dict[str, Any] = Field(
        default_factory=dict, description="What the provider plugin needs to poll, fetch, cancel."
    )
    created_at: datetime = Field(description="UTC, timezone-aware.")
    status: JobState = Field(default="queued", description="Last state seen.")
    attempt_number: int = Field(default=1, description="Link of the fallback chain that took it.")
    configs_in_chain: int = 1
    attempts: list[AttemptMetadata] = Field(
        default_factory=list, description="Attempts of the chain up to this job's submit."
    )
    result: dict[str, Any] | None = Field(
        default=None, description="The response fields once the job is complete."
    )
    raw_response: dict[str, Any] = Field(default_factory=dict)
    error: str | None = Field(default=None, description="Why the job failed, when it did.")
    is_mock: bool = False
    webhook_url: str | None = None
    _job: Any = PrivateAttr(default=None)

    @property
    def is_finished(self) -> bool:
        """True when the job is completed, failed or cancelled."""
        return self.status in ("completed", "failed", "cancelled")

    def attach(self, job: Any) -> None:
        """Keep the plugin's live job (in-process only; never serialised)."""
        self._job = job

    def attached(self) -> Any:
        """The plugin's live job when this handle was made in this process, else None."""
        return self._job


class WebhookEvent(BaseModel):
    """A verified webhook delivery (see ``parse_webhook``)."""

    model_config = ConfigDict(arbitrary_types_allowed=True, defer_build=True)

    provider: str
    request_id: str = Field(description="The provider's id for the job.")
    status: Literal["completed", "failed", "processing", "queued"]
    result: GenerationResponse | None = Field(
        default=None,
        description="The unified response when the job completed (None when the delivery "
        "does not carry it, e.g. speech to download: wait_for_job fetches it).",
    )
    error: str | None = None
    raw: dict[str, Any] = Field(default_factory=dict, description="The delivery's JSON body.")
    webhook_id: str | None = Field(default=None, description="The delivery's id, when signed.")


# ---------------------------------------------------------------- handler protocol
class ProviderHandler(Protocol):
    """A provider object for :func:`register_provider`.

    Implement the pairs you support (``generate_video`` / ``generate_video_async``,
    ``generate_image`` / ``generate_image_async``, ``generate_tts`` /
    ``generate_tts_async``, ``generate_sts`` / ``generate_sts_async``). A handler
    with only one of a pair still serves both the sync and the async API.
    """

    def generate_video(
        self,
        config: VideoGenerationConfig,
        request: VideoGenerationRequest,
        on_progress: ProgressCallback | None = None,
    ) -> VideoGenerationResponse:
        """Generate a video, blocking."""
        ...

    async def generate_video_async(
        self,
        config: VideoGenerationConfig,
        request: VideoGenerationRequest,
        on_progress: ProgressCallback | None = None,
    ) -> VideoGenerationResponse:
        """Generate a video."""
        ...


RESPONSE_TYPES: dict[str, type[_Response]] = {
    "video": VideoGenerationResponse,
    "image": ImageGenerationResponse,
    "tts": TTSResponse,
    "sts": STSResponse,
}
UPDATE_TYPES: dict[str, type[_Update]] = {
    "video": VideoGenerationUpdate,
    "image": ImageGenerationUpdate,
    "tts": TTSUpdate,
    "sts": STSUpdate,
}
REQUEST_TYPES: dict[str, type[_Request]] = {
    "video": VideoGenerationRequest,
    "image": ImageGenerationRequest,
    "tts": TTSRequest,
    "sts": STSRequest,
}
CONFIG_TYPES: dict[str, type[_Config]] = {
    "video": VideoGenerationConfig,
    "image": ImageGenerationConfig,
    "tts": AudioGenerationConfig,
    "sts": AudioGenerationConfig,
}

from tarash.tarash_gateway._mock_config import MockConfig  # noqa: E402  (cycle: MockResponse)

for _model in (_Config, VideoGenerationConfig, ImageGenerationConfig, AudioGenerationConfig):
    _model.model_rebuild(_types_namespace={"MockConfig": MockConfig})
