"""The mock provider: offline, real media, weighted outcomes, errors, simulated progress."""

import asyncio
import base64
import io
import wave
from pathlib import Path

import pytest

from tarash.tarash_gateway import (
    generate_image,
    generate_sts,
    generate_tts,
    generate_video,
    generate_video_async,
)
from tarash.tarash_gateway._media import sniff_content_type
from tarash.tarash_gateway.exceptions import ContentModerationError, HTTPError
from tarash.tarash_gateway.mock import MockConfig, MockPollingConfig, MockResponse
from tarash.tarash_gateway.models import (
    AudioGenerationConfig,
    AudioOutputFormat,
    ImageGenerationConfig,
    ImageGenerationRequest,
    STSRequest,
    TTSRequest,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)


def test_video_is_a_real_mp4(tmp_path):
    response = generate_video(
        VideoGenerationConfig(provider="mock"), VideoGenerationRequest(prompt="p")
    )
    assert response.is_mock and response.content_type == "video/mp4"
    path = response.save(tmp_path / "out")
    assert path.suffix == ".mp4"
    data = path.read_bytes()
    assert data[4:8] == b"ftyp" and b"moov" in data and b"mdat" in data


def test_images_are_real_pngs_of_the_requested_size():
    response = generate_image(
        ImageGenerationConfig(provider="mock"),
        ImageGenerationRequest(prompt="p", size="64x32", n=3),
    )
    assert len(response.images) == 3 and response.is_mock
    png = base64.b64decode(response.images[0])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") == 64 and int.from_bytes(png[20:24], "big") == 32
    assert len(set(response.images)) == 3


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [("mp3", "audio/mpeg", b"\xff\xf3"), ("wav", "audio/wav", b"RIFF")],
)
def test_speech_is_real_audio(fmt, content_type, magic):
    request = TTSRequest(
        text="hello world",
        voice_id="v",
        output_format=AudioOutputFormat(format=fmt, sample_rate=22050),
    )
    response = generate_tts(AudioGenerationConfig(provider="mock"), request)
    audio = base64.b64decode(response.audio)
    assert response.content_type == content_type and audio.startswith(magic) and response.is_mock
    if fmt == "wav":
        with wave.open(io.BytesIO(audio)) as parsed:
            assert parsed.getframerate() == 22050 and parsed.getnframes() > 0
    sts = generate_sts(
        AudioGenerationConfig(provider="mock"), STSRequest(audio=audio, voice_id="v")
    )
    assert sniff_content_type(base64.b64decode(sts.audio)) == "audio/mpeg"


def test_mock_config_routes_any_provider_to_the_mock():
    config = VideoGenerationConfig(
        provider="fal", model="fal-ai/veo3", mock=MockConfig(enabled=True)
    )
    response = generate_video(config, VideoGenerationRequest(prompt="p"))
    assert response.is_mock and response.provider == "mock" and response.model == "fal-ai/veo3"


def test_weighted_outcomes_and_error_injection():
    error = ContentModerationError("flagged")
    config = VideoGenerationConfig(
        provider="mock",
        mock=MockConfig(
            responses=[MockResponse(weight=1, error=error), MockResponse(weight=1e-9)], seed=1
        ),
    )
    with pytest.raises(ContentModerationError, match="flagged") as caught:
        generate_video(config, VideoGenerationRequest(prompt="p"))
    assert caught.value.execution_metadata.attempts[0].status == "failed"


def test_injected_retryable_error_triggers_fallback():
    failing = VideoGenerationConfig(
        provider="mock",
        model="first",
        mock=MockConfig(responses=[MockResponse(error=HTTPError("busy", status_code=503))]),
        fallback_configs=[VideoGenerationConfig(provider="mock", model="second")],
    )
    response = generate_video(failing, VideoGenerationRequest(prompt="p"))
    assert response.model == "second"
    assert [a.status for a in response.execution_metadata.attempts] == ["failed", "success"]


def test_fixed_response_and_output_video():
    fixed = VideoGenerationResponse(
        request_id="x", video="https://cdn/v.mp4", status="completed", duration=8.0
    )
    config = VideoGenerationConfig(
        provider="mock", mock=MockConfig(responses=[MockResponse(mock_response=fixed)])
    )
    response = generate_video(config, VideoGenerationRequest(prompt="p"))
    assert response.video == "https://cdn/v.mp4" and response.duration == 8.0 and response.is_mock
    config = VideoGenerationConfig(
        provider="mock", mock=MockConfig(responses=[MockResponse(output_video="https://x/y.mp4")])
    )
    assert generate_video(config, VideoGenerationRequest(prompt="p")).video == "https://x/y.mp4"


def test_simulated_polling_reports_progress(driver):
    polling = MockPollingConfig(
        status_sequence=["queued", "processing", "processing", "completed"],
        delay_between_updates=0.01,
        progress_percentages=[0, 40, 80, 100],
    )
    config = VideoGenerationConfig(provider="mock", mock=MockConfig(polling=polling))
    updates = []
    if driver == "sync":
        generate_video(config, VideoGenerationRequest(prompt="p"), updates.append)
    else:
        asyncio.run(
            generate_video_async(config, VideoGenerationRequest(prompt="p"), updates.append)
        )
    assert [(u.status, u.progress_percent) for u in updates] == [
        ("queued", None),
        ("queued", 0),
        ("processing", 40),
        ("processing", 80),
        ("completed", 100),
    ]


def test_mock_writes_nothing_to_the_home_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    generate_video(VideoGenerationConfig(provider="mock"), VideoGenerationRequest(prompt="p"))
    assert list(Path(tmp_path).iterdir()) == []


def test_responses_with_bytes_serialise_to_json():
    import json

    response = generate_video(
        VideoGenerationConfig(provider="mock"), VideoGenerationRequest(prompt="p")
    )
    dumped = json.loads(response.model_dump_json())
    assert base64.b64decode(dumped["video"]["content"])[4:8] == b"ftyp"
