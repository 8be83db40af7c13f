"""Exact payloads of tarash_map_fields, and the ValidationErrors of bad input."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tarash.tarash_gateway import _mock_media, _plugins, get_provider_field_mapping
from tarash.tarash_gateway.models import (
    AudioOutputFormat,
    ImageGenerationRequest,
    TTSRequest,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing import mapping

PNG = _mock_media.png(8, 8)
PNG_B64 = base64.b64encode(PNG).decode()
COMPATIBLE = "https://videos.example.com/v1"


def _config(provider: str, config: dict[str, Any]) -> dict[str, Any]:
    azure = {"base_url": "https://res.openai.azure.com"} if provider == "azure-openai" else {}
    return {**azure, **config}


def payload(model: str, request: Any, *, provider: str = "openai", **config: Any) -> dict[str, Any]:
    """The payload of ``request`` as the core asks the plugin for it."""
    return mapping.mapped(provider, model, request, **_config(provider, config))


def refused(
    model: str, request: Any, *needles: str, provider: str = "openai", **config: Any
) -> str:
    return mapping.refused(provider, model, request, *needles, **_config(provider, config))


# ---------------------------------------------------------------- images
def test_gpt_image_generation_payload() -> None:
    request = ImageGenerationRequest(
        prompt="a lighthouse",
        size="1536x1024",
        quality="high",
        n=2,
        background="transparent",
        output_format="webp",
        output_compression=80,
        moderation="low",
        user="user-42",
    )
    assert payload("gpt-image-1", request) == {
        "model": "gpt-image-1",
        "prompt": "a lighthouse",
        "size": "1536x1024",
        "quality": "high",
        "n": 2,
        "background": "transparent",
        "output_format": "webp",
        "output_compression": 80,
        "moderation": "low",
        "user": "user-42",
    }


@pytest.mark.parametrize(
    ("quality", "sent"), [("hd", "high"), ("standard", "medium"), ("low", "low"), ("auto", "auto")]
)
def test_gpt_image_quality_accepts_dalle_words(quality: str, sent: str) -> None:
    request = ImageGenerationRequest(prompt="p", quality=quality)
    assert payload("gpt-image-1-mini", request) == {
        "model": "gpt-image-1-mini",
        "prompt": "p",
        "quality": sent,
    }


@pytest.mark.parametrize(
    ("model", "aspect", "size"),
    [
        ("gpt-image-1", "1:1", "1024x1024"),
        ("gpt-image-1", "3:2", "1536x1024"),
        ("gpt-image-1.5", "2:3", "1024x1536"),
        ("gpt-image-2", "auto", "auto"),
        ("dall-e-3", "16:9", "1792x1024"),
        ("dall-e-3", "9:16", "1024x1792"),
        ("dall-e-2", "1:1", "1024x1024"),
    ],
)
def test_size_derived_from_aspect_ratio(model: str, aspect: str, size: str) -> None:
    request = ImageGenerationRequest(prompt="p", aspect_ratio=aspect)
    assert payload(model, request) == {"model": model, "prompt": "p", "size": size}


def test_explicit_size_wins_over_aspect_ratio() -> None:
    request = ImageGenerationRequest(prompt="p", size="1024x1024", aspect_ratio="3:2")
    assert payload("gpt-image-1", request)["size"] == "1024x1024"


@pytest.mark.parametrize("size", ["3840x2160", "2048x1152", "1024x3072", "auto"])
def test_gpt_image_2_takes_flexible_sizes(size: str) -> None:
    request = ImageGenerationRequest(prompt="p", size=size)
    assert payload("gpt-image-2", request) == {"model": "gpt-image-2", "prompt": "p", "size": size}


@pytest.mark.parametrize("size", ["1000x1000", "4096x2160", "3840x1024", "big"])
def test_gpt_image_2_refuses_bad_sizes(size: str) -> None:
    refused(
        "gpt-image-2",
        ImageGenerationRequest(prompt="p", size=size),
        f"size={size!r}",
        "multiples of 16",
    )


def test_dalle3_payload() -> None:
    request = ImageGenerationRequest(
        prompt="p", size="1792x1024", quality="hd", style="natural", response_format="b64_json"
    )
    assert payload("dall-e-3", request) == {
        "model": "dall-e-3",
        "prompt": "p",
        "size": "1792x1024",
        "quality": "hd",
        "style": "natural",
        "response_format": "b64_json",
    }


def test_dalle2_edit_payload_carries_uploads() -> None:
    request = ImageGenerationRequest(
        prompt="add a hat",
        size="512x512",
        n=3,
        image_list=[{"image": PNG, "type": "reference"}],
        mask_image={"content": PNG, "content_type": "image/png"},
    )
    assert payload("dall-e-2", request) == {
        "model": "dall-e-2",
        "prompt": "add a hat",
        "size": "512x512",
        "n": 3,
        "image": [("image_0.png", PNG, "image/png")],
        "mask": ("mask.png", PNG, "image/png"),
    }


def test_gpt_image_edit_payload_mixes_urls_and_inline_images() -> None:
    request = ImageGenerationRequest(
        prompt="combine",
        image_list=[
            {"image": "https://example.com/a.png", "type": "reference"},
            {"image": f"data:image/png;base64,{PNG_B64}", "type": "asset"},
            {"image": PNG_B64, "type": "style"},
        ],
        input_fidelity="high",
    )
    assert payload("gpt-image-1", request) == {
        "model": "gpt-image-1",
        "prompt": "combine",
        "input_fidelity": "high",
        "image": [
            "https://example.com/a.png",
            ("image_1.png", PNG, "image/png"),
            ("image_2.png", PNG, "image/png"),
        ],
    }


@pytest.mark.parametrize(
    ("model", "request_kwargs", "needles"),
    [
        ("gpt-image-1", {"size": "512x512"}, ["size='512x512'", "'1536x1024'"]),
        ("gpt-image-1", {"quality": "ultra"}, ["quality='ultra'", "'hd'"]),
        ("gpt-image-1", {"style": "vivid"}, ["style='vivid'", "dall-e-3"]),
        ("gpt-image-1", {"n": 11}, ["n=11", "1 to 10"]),
        ("gpt-image-1", {"aspect_ratio": "16:9"}, ["aspect_ratio='16:9'", "'3:2'"]),
        ("gpt-image-1", {"background": "black"}, ["background='black'", "'transparent'"]),
        ("gpt-image-1", {"output_format": "gif"}, ["output_format='gif'", "'webp'"]),
        ("gpt-image-1", {"output_compression": 50}, ["output_compression=50", "'jpeg'"]),
        (
            "gpt-image-1",
            {"output_format": "jpeg", "output_compression": 101},
            ["output_compression=101", "0 to 100"],
        ),
        ("gpt-image-1", {"negative_prompt": "blur"}, ["negative_prompt='blur'"]),
        ("gpt-image-1", {"seed": 7}, ["seed=7"]),
        ("gpt-image-1", {"stream": True}, ["stream=True", "streaming"]),
        ("gpt-image-1", {"input_fidelity": "high"}, ["input_fidelity", "image_list"]),
        ("dall-e-3", {"n": 2}, ["n=2", "1 to 1"]),
        ("dall-e-3", {"quality": "high"}, ["quality='high'", "'hd'"]),
        ("dall-e-3", {"style": "anime"}, ["style='anime'", "'vivid'"]),
        ("dall-e-3", {"background": "transparent"}, ["background='transparent'", "dall-e-3"]),
        ("dall-e-3", {"prompt": "x" * 4001}, ["prompt", "at most 4000 characters"]),
        ("dall-e-2", {"size": "1024x1792"}, ["size='1024x1792'", "'256x256'"]),
        ("dall-e-2", {"aspect_ratio": "16:9"}, ["aspect_ratio='16:9'", "'1:1'"]),
    ],
)
def test_image_values_refused(
    model: str, request_kwargs: dict[str, Any], needles: list[str]
) -> None:
    request = ImageGenerationRequest(**{"prompt": "p", **request_kwargs})
    refused(model, request, *needles)


def test_dalle3_cannot_edit() -> None:
    request = ImageGenerationRequest(prompt="p", image_list=[{"image": PNG, "type": "reference"}])
    refused("dall-e-3", request, "image_list", "cannot edit", "dall-e-2")


def test_dalle2_edits_one_image() -> None:
    image = {"image": PNG, "type": "reference"}
    request = ImageGenerationRequest(prompt="p", image_list=[image, image])
    refused("dall-e-2", request, "image_list", "2 images", "at most 1")


def test_mask_needs_an_image() -> None:
    refused("gpt-image-1", ImageGenerationRequest(prompt="p", mask_image=PNG), "mask_image")


def test_undecodable_image_is_refused() -> None:
    request = ImageGenerationRequest(
        prompt="p", image_list=[{"image": "not base64!", "type": "reference"}]
    )
    refused("gpt-image-1", request, "image_list", "not a URL, data URI or valid base64")


# ---------------------------------------------------------------- speech
def test_gpt_4o_mini_tts_payload() -> None:
    request = TTSRequest(
        text="Hello there",
        voice_id="marin",
        output_format=AudioOutputFormat(format="wav"),
        instructions="Speak slowly.",
        speed=1.25,
    )
    assert payload("gpt-4o-mini-tts", request) == {
        "model": "gpt-4o-mini-tts",
        "input": "Hello there",
        "voice": "marin",
        "response_format": "wav",
        "instructions": "Speak slowly.",
        "speed": 1.25,
    }


def test_tts_1_payload_with_custom_voice_and_voice_settings_speed() -> None:
    request = TTSRequest(text="Hi", voice_id="voice_abc123", voice_settings={"speed": 2})
    assert payload("tts-1-hd", request) == {
        "model": "tts-1-hd",
        "input": "Hi",
        "voice": {"id": "voice_abc123"},
        "response_format": "mp3",
        "speed": 2.0,
    }


@pytest.mark.parametrize(
    ("model", "kwargs", "needles"),
    [
        ("tts-1", {"voice_id": "marin"}, ["voice_id='marin'", "'alloy'", "voice_"]),
        ("gpt-4o-mini-tts", {"voice_id": "bob"}, ["voice_id='bob'", "'cedar'"]),
        ("tts-1", {"instructions": "whisper"}, ["instructions='whisper'", "tts-1"]),
        ("gpt-4o-mini-tts", {"speed": 5}, ["speed=5", "0.25 to 4"]),
        (
            "gpt-4o-mini-tts",
            {"output_format": {"format": "ogg"}},
            ["output_format.format='ogg'", "'opus'"],
        ),
        ("gpt-4o-mini-tts", {"text": "x" * 4097}, ["text", "at most 4096"]),
        ("gpt-4o-mini-tts", {"stream_format": "sse"}, ["stream_format='sse'", "streaming"]),
    ],
)
def test_tts_values_refused(model: str, kwargs: dict[str, Any], needles: list[str]) -> None:
    request = TTSRequest(**{"text": "t", "voice_id": "alloy", **kwargs})
    refused(model, request, *needles)


# ---------------------------------------------------------------- video
def test_sora_text_to_video_payload() -> None:
    request = VideoGenerationRequest(prompt="a cat", duration_seconds=8, aspect_ratio="9:16")
    assert payload("sora-2", request, base_url=COMPATIBLE) == {
        "model": "sora-2",
        "prompt": "a cat",
        "seconds": "8",
        "size": "720x1280",
    }


@pytest.mark.parametrize(
    ("model", "kwargs", "size"),
    [
        ("sora-2", {"resolution": "720p"}, "1280x720"),
        ("sora-2", {"aspect_ratio": "16:9"}, "1280x720"),
        ("sora-2-pro", {"resolution": "1080p", "aspect_ratio": "9:16"}, "1080x1920"),
        ("sora-2-pro-2025-10-06", {"resolution": "1080p"}, "1920x1080"),
        ("sora-2-pro", {"size": "1792x1024"}, "1792x1024"),
        ("wan-2.5", {"resolution": "480p", "aspect_ratio": "1:1"}, "480x480"),
        ("wan-2.5", {"resolution": "1080p", "aspect_ratio": "21:9"}, "2520x1080"),
        ("wan-2.5", {"size": "832x480"}, "832x480"),
    ],
)
def test_video_size(model: str, kwargs: dict[str, Any], size: str) -> None:
    request = VideoGenerationRequest(prompt="p", **kwargs)
    assert payload(model, request, base_url=COMPATIBLE) == {
        "model": model,
        "prompt": "p",
        "size": size,
    }


def test_image_to_video_with_url_sends_image_url() -> None:
    request = VideoGenerationRequest(
        prompt="p", image_list=[{"image": "https://example.com/f.png", "type": "first_frame"}]
    )
    assert payload("sora-2", request, base_url=COMPATIBLE) == {
        "model": "sora-2",
        "prompt": "p",
        "input_reference": {"image_url": "https://example.com/f.png"},
    }


def test_image_to_video_with_bytes_uploads_the_frame() -> None:
    request = VideoGenerationRequest(
        prompt="p", duration_seconds=4, image_list=[{"image": PNG, "type": "reference"}]
    )
    assert payload("sora-2", request, base_url=COMPATIBLE) == {
        "model": "sora-2",
        "prompt": "p",
        "seconds": "4",
        "input_reference": ("input_reference.png", PNG, "image/png"),
    }


@pytest.mark.parametrize(
    "request_kwargs",
    [{"video": "video_68d7512d07848190"}, {"remix_video_id": "video_68d7512d07848190"}],
)
def test_remix_payload(request_kwargs: dict[str, Any]) -> None:
    request = VideoGenerationRequest(prompt="make it night", **request_kwargs)
    assert payload("sora-2", request, base_url=COMPATIBLE) == {
        "model": "sora-2",
        "prompt": "make it night",
        "remix_video_id": "video_68d7512d07848190",
    }


@pytest.mark.parametrize(
    ("model", "kwargs", "needles"),
    [
        ("sora-2", {"duration_seconds": 5}, ["duration_seconds=5", "4, 8, 12"]),
        ("sora-2", {"resolution": "1080p"}, ["resolution='1080p'", "'720p'"]),
        ("sora-2", {"aspect_ratio": "1:1"}, ["aspect_ratio='1:1'", "'16:9'"]),
        ("sora-2", {"size": "1792x1024"}, ["size='1792x1024'", "'1280x720'"]),
        ("sora-2", {"negative_prompt": "x"}, ["negative_prompt='x'"]),
        ("sora-2", {"seed": 1}, ["seed=1"]),
        ("sora-2", {"number_of_videos": 2}, ["number_of_videos=2"]),
        ("sora-2", {"generate_audio": False}, ["generate_audio=False"]),
        (
            "sora-2",
            {"video": "https://example.com/v.mp4"},
            ["video='https://example.com/v.mp4'", "id"],
        ),
        ("sora-2", {"video": b"\x00\x00\x00\x18ftypmp42"}, ["video='<bytes media>'"]),
        (
            "sora-2",
            {"video": "video_1", "duration_seconds": 8},
            ["remix", "takes only a prompt", "seconds"],
        ),
        (
            "sora-2",
            {"image_list": [{"image": PNG, "type": "last_frame"}]},
            ["image_list", "last_frame", "one first_frame"],
        ),
        (
            "sora-2",
            {"image_list": [{"image": PNG, "type": "first_frame"}] * 2},
            ["image_list", "2 images"],
        ),
        ("wan-2.5", {"aspect_ratio": "auto"}, ["aspect_ratio='auto'"]),
        ("wan-2.5", {"size": "big"}, ["size='big'", "WxH"]),
    ],
)
def test_video_values_refused(model: str, kwargs: dict[str, Any], needles: list[str]) -> None:
    refused(model, VideoGenerationRequest(prompt="p", **kwargs), *needles, base_url=COMPATIBLE)


@pytest.mark.parametrize(
    "base_url", [None, "https://api.openai.com/v1", "https://api.openai.com/v1/"]
)
@pytest.mark.parametrize("model", ["sora-2", "sora-2-pro", "sora-2-2025-12-08"])
def test_retired_sora_refused_at_openai(model: str, base_url: str | None) -> None:
    refused(
        model,
        VideoGenerationRequest(prompt="p"),
        f"model {model!r} was retired",
        "2026-09-24",
        "base_url",
        "azure-openai",
        base_url=base_url,
    )


def test_any_video_refused_at_openai_after_the_videos_api_retired() -> None:
    refused(
        "some-video-model", VideoGenerationRequest(prompt="p"), "Videos API", "retired", "base_url"
    )


def test_sora_on_azure_is_not_retired() -> None:
    request = VideoGenerationRequest(prompt="p", duration_seconds=12)
    assert payload("sora-2", request, provider="azure-openai") == {
        "model": "sora-2",
        "prompt": "p",
        "seconds": "12",
    }


# ---------------------------------------------------------------- azure
def test_azure_deployment_with_base_model_uses_its_family() -> None:
    request = ImageGenerationRequest(prompt="p", quality="hd", aspect_ratio="3:2")
    config = {"provider": "azure-openai", "provider_config": {"base_model": "gpt-image-1"}}
    assert payload("images-prod", request, **config) == {
        "model": "images-prod",
        "prompt": "p",
        "quality": "high",
        "size": "1536x1024",
    }
    refused("images-prod", ImageGenerationRequest(prompt="p", size="7x7"), "size='7x7'", **config)


def test_azure_unknown_deployment_passes_values_through() -> None:
    request = ImageGenerationRequest(
        prompt="p", size="777x777", quality="premium", style="x", background="opaque"
    )
    assert payload("my-images", request, provider="azure-openai") == {
        "model": "my-images",
        "prompt": "p",
        "size": "777x777",
        "quality": "premium",
        "style": "x",
        "background": "opaque",
    }


@pytest.mark.parametrize(
    ("config", "needles"),
    [
        (
            {"provider_config": {"api_style": "classic"}},
            ["api_style", "'classic'", "'deployments'"],
        ),
        ({"provider_config": {"api_style": "deployments"}}, ["api_version is required"]),
        (
            {
                "base_url": "https://res.openai.azure.com/openai/v1",
                "api_version": "2024-02-01",
                "provider_config": {"api_style": "deployments"},
            },
            ["names the v1 API"],
        ),
        ({"provider_config": {"base_model": 3}}, ["base_model", "3"]),
    ],
)
def test_azure_config_refused(config: dict[str, Any], needles: list[str]) -> None:
    refused(
        "gpt-image-1",
        ImageGenerationRequest(prompt="p"),
        *needles,
        provider="azure-openai",
        **config,
    )


# ---------------------------------------------------------------- provider info
def test_provider_info() -> None:
    openai = _plugins.registry.providers["openai"].info
    azure = _plugins.registry.providers["azure-openai"].info
    assert openai.default_base_url == "https://api.openai.com/v1"
    assert openai.api_key_env == ["OPENAI_API_KEY"]
    assert openai.default_models == {"image": "gpt-image-1", "tts": "gpt-4o-mini-tts"}
    assert azure.default_base_url is None and azure.api_key_env == ["AZURE_OPENAI_API_KEY"]
    assert openai.distribution == azure.distribution == "tarash-openai"
    names = {family.name for family in openai.model_families}
    assert {"gpt-image", "gpt-image-2", "dall-e-3", "dall-e-2", "tts-1", "sora-2"} <= names


def test_field_mappings_are_published() -> None:
    mappings = get_provider_field_mapping("openai")
    assert mappings is not None
    assert set(mappings["dall-e-3"]) == {
        "prompt",
        "n",
        "size",
        "quality",
        "style",
        "response_format",
    }
    assert mappings["tts-1"]["voice"].source_field == "voice_id"
