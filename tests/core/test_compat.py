"""Code written for tarash-gateway 0.1 runs unchanged where it used public names."""

import asyncio
import subprocess
import sys

import pytest

import tarash.tarash_gateway as gateway
from tarash.tarash_gateway import exceptions, models
from tarash.tarash_gateway.exceptions import (
    HTTPError,
    TarashException,
    ValidationError,
    handle_audio_generation_errors,
    handle_video_generation_errors,
)
from tarash.tarash_gateway.mock import MockConfig, MockResponse
from tarash.tarash_gateway.models import (
    AudioGenerationConfig,
    TTSRequest,
    TTSResponse,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash.tarash_gateway.utils import generate_unique_id

OLD_TOP_LEVEL_MODELS = [
    "AspectRatio",
    "AudioGenerationConfig",
    "AudioOutputFormat",
    "ImageGenerationConfig",
    "ImageGenerationRequest",
    "ImageGenerationResponse",
    "ImageType",
    "Resolution",
    "STSRequest",
    "STSResponse",
    "STSUpdate",
    "TTSRequest",
    "TTSResponse",
    "TTSUpdate",
    "VideoGenerationConfig",
    "VideoGenerationRequest",
    "VideoGenerationResponse",
    "VideoGenerationUpdate",
    "format_to_content_type",
]
OLD_TOP_LEVEL_EXCEPTIONS = [
    "ContentModerationError",
    "GenerationFailedError",
    "HTTPConnectionError",
    "HTTPError",
    "TarashException",
    "TimeoutError",
    "ValidationError",
]


@pytest.mark.parametrize("name", OLD_TOP_LEVEL_MODELS + OLD_TOP_LEVEL_EXCEPTIONS)
def test_models_types_and_exceptions_are_exported_at_the_top_level(name):
    home = models if name in OLD_TOP_LEVEL_MODELS else exceptions
    assert getattr(gateway, name) is getattr(home, name)
    assert name in gateway.__all__


def test_the_top_level_exports_stay_lazy():
    code = (
        "import sys, tarash.tarash_gateway as t; "
        "print(sorted(m for m in sys.modules if m.startswith('tarash.tarash_gateway.')))"
    )
    before = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    loaded = eval(before.stdout)  # noqa: S307 - our own subprocess' list of names
    assert "tarash.tarash_gateway.models" not in loaded
    assert "tarash.tarash_gateway.api" not in loaded
    code = "from tarash.tarash_gateway import VideoGenerationConfig as C; print(C.__module__)"
    after = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert after.stdout.strip() == "tarash.tarash_gateway.models"


# ---------------------------------------------------------------- handler decorators
class VideoHandler:
    def __init__(self, error):
        self.error = error

    @handle_video_generation_errors
    def generate_video(self, config, request, on_progress=None):
        raise self.error


class AsyncVideoHandler(VideoHandler):
    @handle_video_generation_errors
    async def generate_video_async(self, config, request, on_progress=None):
        await asyncio.sleep(0)
        raise self.error


class AudioHandler:
    def __init__(self, error):
        self.error = error

    @handle_audio_generation_errors
    def generate_tts(self, config, request, on_progress=None):
        raise self.error

    @handle_audio_generation_errors
    async def generate_tts_async(self, config, request, on_progress=None):
        raise self.error


VIDEO = (VideoGenerationConfig(provider="in-house", model="v1"), VideoGenerationRequest(prompt="x"))
AUDIO = (AudioGenerationConfig(provider="in-house", model="a1"), TTSRequest(text="x", voice_id="v"))


def call(handler, method, args):
    result = getattr(handler, method)(*args)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


@pytest.mark.parametrize(
    ("handler", "method", "args"),
    [
        (VideoHandler, "generate_video", VIDEO),
        (AsyncVideoHandler, "generate_video_async", VIDEO),
        (AudioHandler, "generate_tts", AUDIO),
        (AudioHandler, "generate_tts_async", AUDIO),
    ],
)
def test_decorators_wrap_foreign_errors_and_pass_tarash_ones(handler, method, args):
    with pytest.raises(TarashException) as caught:
        call(handler(KeyError("voice")), method, args)
    error = caught.value
    assert type(error) is TarashException and isinstance(error.__cause__, KeyError)
    assert (error.provider, error.model) == ("in-house", args[0].model)
    assert "KeyError" in error.message and error.raw_response["error_type"] == "KeyError"
    original = HTTPError("rate limited", status_code=429)
    with pytest.raises(HTTPError) as caught:
        call(handler(original), method, args)
    assert caught.value is original


def test_decorated_handlers_work_through_the_public_api():
    class Works:
        @handle_video_generation_errors
        async def generate_video_async(self, config, request, on_progress=None):
            return VideoGenerationResponse(request_id=generate_unique_id(), video="https://v/1")

        @handle_audio_generation_errors
        def generate_tts(self, config, request, on_progress=None):
            return TTSResponse(request_id=generate_unique_id(), audio="aGk=")

    gateway.register_provider("in-house", Works())
    assert gateway.generate_video(*VIDEO).video == "https://v/1"
    assert gateway.generate_tts(*AUDIO).audio == "aGk="
    assert Works.generate_video_async.__name__ == "generate_video_async"


# ---------------------------------------------------------------- small names
def test_generate_unique_id_gives_distinct_ids():
    ids = {generate_unique_id() for _ in range(100)}
    assert len(ids) == 100 and all(isinstance(i, str) and len(i) == 36 for i in ids)


def test_mock_config_responses_default_to_one_success():
    assert MockConfig(enabled=True).responses == [MockResponse()]
    response = gateway.generate_video(
        VideoGenerationConfig(provider="fal", mock=MockConfig(enabled=True)),
        VideoGenerationRequest(prompt="x"),
    )
    assert response.is_mock


def test_unknown_provider_says_unsupported_and_how_to_install():
    with pytest.raises(ValidationError) as caught:
        gateway.generate_video(
            VideoGenerationConfig(provider="acme-video"), VideoGenerationRequest(prompt="x")
        )
    message = str(caught.value)
    assert "Unsupported provider: unknown provider 'acme-video'" in message
    assert message.index("Unsupported provider") < message.index("Installed providers: ")
    assert "pip install tarash-acme-video" in message
