"""The mock tells the truth: a real plugin's checks offline, media shaped like the request."""

from __future__ import annotations

import base64
import struct
import time

import pytest

from tarash.tarash_gateway import (
    generate_image,
    generate_tts,
    generate_video,
    generate_video_async,
)
from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    HTTPError,
    ValidationError,
)
from tarash.tarash_gateway.mock import MockConfig
from tarash.tarash_gateway.models import (
    AudioGenerationConfig,
    AudioOutputFormat,
    ImageGenerationConfig,
    ImageGenerationRequest,
    TTSRequest,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tests.plugins.fal.fake_fal import FakeFalServer

VEO = "fal-ai/veo3.1/fast"


def mp4_size(data: bytes) -> tuple[int, int]:
    """Width and height of the video track, from the MP4's track header boxes (tkhd)."""
    sizes = []
    start = data.find(b"tkhd")
    while start != -1:
        box = data[start + 4 :]
        offset = 76 if box[0] == 0 else 88  # version 0: 32-bit times; version 1: 64-bit
        width, height = struct.unpack(">II", box[offset : offset + 8])
        sizes.append((width >> 16, height >> 16))
        start = data.find(b"tkhd", start + 4)
    return max(sizes)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


MP3_BITRATES = {  # kbps by index: MPEG-1 and MPEG-2 layer III (ISO/IEC 11172-3, 13818-3)
    3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000)}


def mp3_format(data: bytes) -> tuple[int, int]:
    """(sample rate, kbps) from the first MPEG audio frame header."""
    assert data[0] == 0xFF and data[1] & 0xE0 == 0xE0
    version = (data[1] >> 3) & 3
    return MP3_RATES[version][(data[2] >> 2) & 3], MP3_BITRATES[version][data[2] >> 4]


# ---------------------------------------------------------------- config.mock on fal
def fal_mock(**overrides) -> VideoGenerationConfig:
    return VideoGenerationConfig(provider="fal", model=VEO, mock=MockConfig(), **overrides)


def test_config_mock_on_fal_raises_the_error_production_raises_with_no_key_and_no_network(
    monkeypatch,
):
    monkeypatch.delenv("FAL_KEY", raising=False)
    request = VideoGenerationRequest(prompt="a fox", duration_seconds=999)

    with pytest.raises(ValidationError) as offline:
        generate_video(fal_mock(), request)
    with FakeFalServer() as server, pytest.raises(ValidationError) as online:
        generate_video(
            VideoGenerationConfig(provider="fal", model=VEO, api_key="k", base_url=server.url),
            request,
        )

    assert str(offline.value) == str(online.value)
    assert "duration_seconds=999 is not accepted; accepted: 4, 6, 8" in str(offline.value)
    assert server.requests == []


def test_config_mock_puts_the_payload_fal_would_receive_in_raw_response():
    request = VideoGenerationRequest(prompt="a fox", duration_seconds=6, aspect_ratio="9:16")

    mocked = generate_video(fal_mock(), request)
    with FakeFalServer(polls=1) as server:
        generate_video(
            VideoGenerationConfig(
                provider="fal", model=VEO, api_key="k", base_url=server.url, poll_interval=0.01
            ),
            request,
        )

    assert mocked.is_mock and mocked.raw_response["provider"] == "fal"
    assert mocked.raw_response["payload"] == server.payload()
    assert mocked.raw_response["payload"] == {
        "prompt": "a fox",
        "duration": "6s",
        "aspect_ratio": "9:16",
    }


def test_config_mock_on_a_model_without_the_modality_is_skipped_like_production():
    config = VideoGenerationConfig(provider="fal", model="fal-ai/flux/dev", mock=MockConfig())

    with pytest.raises(ValidationError, match="does not support video"):
        generate_video(config, VideoGenerationRequest(prompt="a fox"))


# ---------------------------------------------------------------- provider="mock" refuses
@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (ImageGenerationRequest(prompt="   "), "prompt is empty"),
        (ImageGenerationRequest(prompt="x", size="banana"), "size='banana' is not accepted"),
        (ImageGenerationRequest.model_construct(prompt="x", n=-2), "n=-2 is not accepted"),
        (
            ImageGenerationRequest(prompt="x", mask_image="not-media"),
            "mask_image: 'not-media' is not a URL (http/https), a data URI or base64",
        ),
    ],
)
def test_the_mock_refuses_what_every_provider_refuses(request_, expected):
    with pytest.raises(ValidationError) as caught:
        generate_image(ImageGenerationConfig(provider="mock"), request_)

    assert expected in caught.value.message


def test_the_mock_refuses_an_unknown_audio_format():
    request = TTSRequest(text="hi", voice_id="v", output_format=AudioOutputFormat(format="mp4"))

    with pytest.raises(ValidationError, match="output_format.format='mp4' is not accepted"):
        generate_tts(AudioGenerationConfig(provider="mock"), request)


# ---------------------------------------------------------------- media follows the request
@pytest.mark.parametrize(
    ("aspect_ratio", "size"),
    [("9:16", (180, 320)), ("16:9", (320, 180)), ("1:1", (240, 240)), ("3:4", (180, 320))],
)
def test_the_mock_video_has_the_requested_shape(aspect_ratio, size):
    request = VideoGenerationRequest(
        prompt="p", aspect_ratio=aspect_ratio, duration_seconds=8, resolution="720p"
    )

    response = generate_video(VideoGenerationConfig(provider="mock"), request)

    assert mp4_size(response.video["content"]) == size
    assert (response.duration, response.resolution) == (8.0, "720p")
    assert response.aspect_ratio == aspect_ratio
    assert response.raw_response["file"] == {"width": size[0], "height": size[1], "seconds": 2.0}


@pytest.mark.anyio
async def test_without_a_shape_the_video_is_the_landscape_sample_async():
    response = await generate_video_async(
        VideoGenerationConfig(provider="mock"), VideoGenerationRequest(prompt="p")
    )

    assert mp4_size(response.video["content"]) == (320, 180)
    assert (response.duration, response.resolution, response.aspect_ratio) == (
        2.0,
        "320x180",
        "16:9",
    )


@pytest.mark.parametrize(
    ("fields", "size"),
    [
        ({"aspect_ratio": "16:9"}, (512, 288)),
        ({"aspect_ratio": "9:16"}, (288, 512)),
        ({"size": "64x32", "aspect_ratio": "9:16"}, (64, 32)),
        ({}, (512, 512)),
    ],
)
def test_mock_images_follow_size_and_aspect_ratio(fields, size):
    response = generate_image(
        ImageGenerationConfig(provider="mock"), ImageGenerationRequest(prompt="p", **fields)
    )

    assert png_size(base64.b64decode(response.images[0])) == size


@pytest.mark.parametrize(
    ("sample_rate", "bitrate", "expected"),
    [(22050, 32, (22050, 32)), (44100, 128, (44100, 128)), (44100, 192, (44100, 192))],
)
def test_mock_mp3_follows_sample_rate_and_bitrate(sample_rate, bitrate, expected):
    fmt = AudioOutputFormat(format="mp3", sample_rate=sample_rate, bitrate=bitrate)

    response = generate_tts(
        AudioGenerationConfig(provider="mock"),
        TTSRequest(text="hi", voice_id="v", output_format=fmt),
    )

    assert mp3_format(base64.b64decode(response.audio)) == expected
    assert response.content_type == "audio/mpeg"


@pytest.mark.parametrize(
    ("name", "content_type", "magic"),
    [
        ("opus", "audio/opus", b"OggS"),
        ("flac", "audio/flac", b"fLaC"),
        ("aac", "audio/aac", b"\xff\xf1"),
        ("wav", "audio/wav", b"RIFF"),
    ],
)
def test_mock_audio_is_in_the_requested_format(name, content_type, magic):
    fmt = AudioOutputFormat(format=name)

    response = generate_tts(
        AudioGenerationConfig(provider="mock"),
        TTSRequest(text="hi", voice_id="v", output_format=fmt),
    )

    assert response.content_type == content_type
    assert base64.b64decode(response.audio).startswith(magic)


def test_mock_ulaw_has_one_byte_per_sample_at_the_requested_rate():
    fmt = AudioOutputFormat(format="ulaw", sample_rate=8000)
    text = "hello there, this is thirty chars"

    response = generate_tts(
        AudioGenerationConfig(provider="mock"),
        TTSRequest(text=text, voice_id="v", output_format=fmt),
    )

    audio = base64.b64decode(response.audio)
    assert response.content_type == "audio/basic"
    assert len(audio) == round(response.duration * 8000)
    assert len(set(audio)) > 16  # a tone, not silence


# ---------------------------------------------------------------- slow and failing
def test_provider_config_delay_makes_a_slow_job_with_progress():
    updates = []
    started = time.monotonic()

    generate_video(
        VideoGenerationConfig(provider="mock", provider_config={"delay": 0.3}),
        VideoGenerationRequest(prompt="p"),
        on_progress=updates.append,
    )

    assert time.monotonic() - started >= 0.25
    assert [u.status for u in updates][:2] == ["queued", "queued"]
    assert "processing" in [u.status for u in updates]


@pytest.mark.parametrize(
    ("fail", "error"), [("rate_limit", HTTPError), ("moderation", ContentModerationError)]
)
def test_provider_config_fail_raises_that_failure(fail, error):
    config = VideoGenerationConfig(provider="mock", provider_config={"fail": fail})

    with pytest.raises(error):
        generate_video(config, VideoGenerationRequest(prompt="p"))


def test_provider_config_of_the_mock_is_checked():
    config = VideoGenerationConfig(provider="mock", provider_config={"dealy": 1})

    with pytest.raises(
        ValidationError, match=r"\['dealy'\] is not read by the mock; accepted: delay"
    ):
        generate_video(config, VideoGenerationRequest(prompt="p"))


# ---------------------------------------------------------------- several images
def test_save_of_several_images_writes_them_all_without_overwriting(tmp_path):
    response = generate_image(
        ImageGenerationConfig(provider="mock"), ImageGenerationRequest(prompt="p", n=3, seed=1)
    )

    first = response.save(tmp_path / "cat.png")
    second = response.save(tmp_path / "one.png", index=1)

    assert first == tmp_path / "cat.png"
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["cat-2.png", "cat-3.png", "cat.png", "one.png"]
    assert (tmp_path / "cat-2.png").read_bytes() == second.read_bytes()
    assert len({(tmp_path / name).read_bytes() for name in written[:3]}) == 3


@pytest.mark.anyio
async def test_save_all_names_from_the_content_type_when_no_suffix(tmp_path):
    response = generate_image(
        ImageGenerationConfig(provider="mock"), ImageGenerationRequest(prompt="p", n=2)
    )

    paths = await response.asave_all(tmp_path / "shots" / "lighthouse")

    assert paths == [tmp_path / "shots" / "lighthouse.png", tmp_path / "shots" / "lighthouse-2.png"]
    assert all(png_size(path.read_bytes()) == (512, 512) for path in paths)
    assert response.save_all(tmp_path / "again.png") == [
        tmp_path / "again.png",
        tmp_path / "again-2.png",
    ]
