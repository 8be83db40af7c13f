"""Public API: ``generate_*`` functions, thin shells over the one engine.

Each sync function drives the engine on the calling thread with the shared
``httpx.Client`` (it never starts an event loop, so it also works where one is
running, as in Jupyter); each async function drives the same engine on the
running loop with that loop's shared ``httpx.AsyncClient``.
"""

from __future__ import annotations

from tarash.tarash_gateway._engine import generate
from tarash.tarash_gateway._flow import run_async, run_sync
from tarash.tarash_gateway._registry import (
    get_provider_field_mapping,
    register_provider,
    register_provider_field_mapping,
)
from tarash.tarash_gateway.models import (
    AudioGenerationConfig,
    ImageGenerationConfig,
    ImageGenerationRequest,
    ImageGenerationResponse,
    ImageProgressCallback,
    ProgressCallback,
    STSProgressCallback,
    STSRequest,
    STSResponse,
    TTSProgressCallback,
    TTSRequest,
    TTSResponse,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)

__all__ = [
    "generate_image",
    "generate_image_async",
    "generate_sts",
    "generate_sts_async",
    "generate_tts",
    "generate_tts_async",
    "generate_video",
    "generate_video_async",
    "get_provider_field_mapping",
    "register_provider",
    "register_provider_field_mapping",
]


def generate_video(
    config: VideoGenerationConfig,
    request: VideoGenerationRequest,
    on_progress: ProgressCallback | None = None,
) -> VideoGenerationResponse:
    """Generate a video, blocking until it is done.

    Submits to ``config.provider``, polls until the job completes, and falls back
    to ``config.fallback_configs`` (depth-first) on retryable errors.

    Args:
        config: Provider, model, key, limits and fallbacks.
        request: What to generate. Unknown fields go to ``extra_params``.
        on_progress: Called with a VideoGenerationUpdate at each status change;
            sync or async callables are both accepted.

    Returns:
        The video with its ExecutionMetadata.

    Raises:
        TarashException: Generation failed on every provider of the chain; the
            exception's ``execution_metadata`` lists every attempt.
    """
    return run_sync(generate("video", config, request, on_progress))  # type: ignore[no-any-return]


async def generate_video_async(
    config: VideoGenerationConfig,
    request: VideoGenerationRequest,
    on_progress: ProgressCallback | None = None,
) -> VideoGenerationResponse:
    """Generate a video (async twin of :func:`generate_video`).

    Cancelling the awaiting task cancels the remote job where the provider allows.
    """
    return await run_async(generate("video", config, request, on_progress))  # type: ignore[no-any-return]


def generate_image(
    config: ImageGenerationConfig,
    request: ImageGenerationRequest,
    on_progress: ImageProgressCallback | None = None,
) -> ImageGenerationResponse:
    """Generate one or more images, blocking (see :func:`generate_video`).

    Raises:
        TarashException: Generation failed on every provider of the chain.
        NotImplementedError: The provider cannot generate images (also a ValidationError).
    """
    return run_sync(generate("image", config, request, on_progress))  # type: ignore[no-any-return]


async def generate_image_async(
    config: ImageGenerationConfig,
    request: ImageGenerationRequest,
    on_progress: ImageProgressCallback | None = None,
) -> ImageGenerationResponse:
    """Generate one or more images (async twin of :func:`generate_image`)."""
    return await run_async(generate("image", config, request, on_progress))  # type: ignore[no-any-return]


def generate_tts(
    config: AudioGenerationConfig,
    request: TTSRequest,
    on_progress: TTSProgressCallback | None = None,
) -> TTSResponse:
    """Synthesise speech from text, blocking.

    Returns:
        TTSResponse with base64 audio and its content type.

    Raises:
        TarashException: Generation failed on every provider of the chain.
        NotImplementedError: The provider cannot do tts (also a ValidationError).
    """
    return run_sync(generate("tts", config, request, on_progress))  # type: ignore[no-any-return]


async def generate_tts_async(
    config: AudioGenerationConfig,
    request: TTSRequest,
    on_progress: TTSProgressCallback | None = None,
) -> TTSResponse:
    """Synthesise speech from text (async twin of :func:`generate_tts`)."""
    return await run_async(generate("tts", config, request, on_progress))  # type: ignore[no-any-return]


def generate_sts(
    config: AudioGenerationConfig,
    request: STSRequest,
    on_progress: STSProgressCallback | None = None,
) -> STSResponse:
    """Convert speech into another voice, blocking.

    Raises:
        TarashException: Generation failed on every provider of the chain.
        NotImplementedError: The provider cannot do sts (also a ValidationError).
    """
    return run_sync(generate("sts", config, request, on_progress))  # type: ignore[no-any-return]


async def generate_sts_async(
    config: AudioGenerationConfig,
    request: STSRequest,
    on_progress: STSProgressCallback | None = None,
) -> STSResponse:
    """Convert speech into another voice (async twin of :func:`generate_sts`)."""
    return await run_async(generate("sts", config, request, on_progress))  # type: ignore[no-any-return]
