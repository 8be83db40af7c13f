"""Exact JSON bodies of tarash_map_fields for each xAI family, and the refusals of bad input."""

from __future__ import annotations

import base64
from typing import Any

from tarash.tarash_gateway import _mock_media, describe_model
from tarash.tarash_gateway.models import (
    ImageGenerationRequest,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing import mapping

PNG = _mock_media.png(8, 8)
PNG_URI = "data:image/png;base64," + base64.b64encode(PNG).decode()
URL = "https://example.com/a.png"
MP4_URL = "https://example.com/clip.mp4"


def payload(model: str, request: Any, **config: Any) -> dict[str, Any]:
    return mapping.mapped("xai", model, request, **config)


def refused(model: str, request: Any, *needles: str) -> str:
    return mapping.refused("xai", model, request, *needles)


# ---------------------------------------------------------------- images
def test_image_generation_body() -> None:
    request = ImageGenerationRequest(
        prompt="a red fox", n=3, aspect_ratio="16:9", resolution="2k", response_format="b64_json"
    )
    assert payload("grok-imagine-image", request) == {
        "model": "grok-imagine-image",
        "prompt": "a red fox",
        "n": 3,
        "aspect_ratio": "16:9",
        "resolution": "2k",
        "response_format": "b64_json",
    }


def test_image_aspect_ratios_beyond_tarash_go_through_extra_params() -> None:
    request = ImageGenerationRequest(prompt="tall", extra_params={"aspect_ratio": "9:19.5"})
    assert payload("grok-imagine-image-quality", request) == {
        "model": "grok-imagine-image-quality",
        "prompt": "tall",
        "aspect_ratio": "9:19.5",
    }
    refused(
        "grok-imagine-image",
        ImageGenerationRequest(prompt="p", extra_params={"aspect_ratio": "7:5"}),
        "aspect_ratio='7:5'",
        "'20:9'",
    )


def test_image_2_takes_quality_the_others_do_not() -> None:
    request = ImageGenerationRequest(prompt="p", quality="low")
    assert payload("grok-imagine-image-2.0", request) == {
        "model": "grok-imagine-image-2.0",
        "prompt": "p",
        "quality": "low",
    }
    refused(
        "grok-imagine-image-2.0", ImageGenerationRequest(prompt="p", quality="high"), "'medium'"
    )
    refused(
        "grok-imagine-image", ImageGenerationRequest(prompt="p", quality="low"), "quality='low'"
    )


def test_fields_xai_does_not_take_are_refused() -> None:
    for field, value in (
        ("size", "1024x1024"),
        ("style", "vivid"),
        ("seed", 3),
        ("negative_prompt", "x"),
    ):
        refused(
            "grok-imagine-image",
            ImageGenerationRequest(prompt="p", **{field: value}),
            f"{field}=",
            "would be ignored",
        )
    refused("grok-imagine-image", ImageGenerationRequest(prompt="p", n=11), "n=11")
    refused("grok-imagine-image", ImageGenerationRequest(prompt="p", resolution="4k"), "'2k'")


def test_edit_of_one_image_sends_image_object() -> None:
    request = ImageGenerationRequest(
        prompt="make it night", image_list=[{"image": PNG, "type": "reference"}]
    )
    assert payload("grok-imagine-image", request) == {
        "model": "grok-imagine-image",
        "prompt": "make it night",
        "image": {"url": PNG_URI, "type": "image_url"},
    }
    refused(
        "grok-imagine-image",
        ImageGenerationRequest(
            prompt="p", image_list=[{"image": PNG, "type": "reference"}], aspect_ratio="1:1"
        ),
        "editing one image",
    )


def test_edit_of_several_images_sends_images_list() -> None:
    request = ImageGenerationRequest(
        prompt="combine",
        aspect_ratio="3:2",
        image_list=[{"image": URL, "type": "reference"}, {"image": PNG, "type": "style"}],
    )
    assert payload("grok-imagine-image", request) == {
        "model": "grok-imagine-image",
        "prompt": "combine",
        "aspect_ratio": "3:2",
        "images": [{"url": URL, "type": "image_url"}, {"url": PNG_URI, "type": "image_url"}],
    }
    refused(
        "grok-imagine-image",
        ImageGenerationRequest(prompt="p", image_list=[{"image": URL, "type": "reference"}] * 4),
        "4 images",
        "at most 3",
    )
    refused(
        "grok-imagine-image",
        ImageGenerationRequest(
            prompt="p", image_list=[{"image": URL, "type": "reference"}], mask_image=PNG
        ),
        "would ignore it",
    )


# ---------------------------------------------------------------- video
def test_text_to_video_body() -> None:
    request = VideoGenerationRequest(
        prompt="a candle", duration_seconds=10, aspect_ratio="9:16", resolution="480p"
    )
    assert payload("grok-imagine-video", request) == {
        "model": "grok-imagine-video",
        "prompt": "a candle",
        "duration": 10,
        "aspect_ratio": "9:16",
        "resolution": "480p",
    }


def test_image_to_video_and_reference_to_video() -> None:
    first = VideoGenerationRequest(
        prompt="animate", image_list=[{"image": URL, "type": "first_frame"}], generate_audio=False
    )
    assert payload("grok-imagine-video-1.5", first) == {
        "model": "grok-imagine-video-1.5",
        "prompt": "animate",
        "image": {"url": URL},
        "generate_audio": False,
    }
    refs = VideoGenerationRequest(
        prompt="these two meet",
        image_list=[{"image": URL, "type": "reference"}, {"image": PNG, "type": "reference"}],
        reference_audios=[{"voice_id": "ara"}],
    )
    assert payload("grok-imagine-video-1.5", refs) == {
        "model": "grok-imagine-video-1.5",
        "prompt": "these two meet",
        "reference_images": [{"url": URL}, {"url": PNG_URI}],
        "reference_audios": [{"voice_id": "ara"}],
    }
    refused(
        "grok-imagine-video",
        VideoGenerationRequest(
            prompt="p",
            image_list=[{"image": URL, "type": "first_frame"}, {"image": URL, "type": "reference"}],
        ),
        "one or the other",
    )


def test_video_limits() -> None:
    refused(
        "grok-imagine-video", VideoGenerationRequest(prompt="p", duration_seconds=16), "1 to 15"
    )
    refused("grok-imagine-video", VideoGenerationRequest(prompt="p", resolution="1080p"), "'720p'")
    assert (
        payload("grok-imagine-video-1.5", VideoGenerationRequest(prompt="p", resolution="1080p"))[
            "resolution"
        ]
        == "1080p"
    )
    refused("grok-imagine-video", VideoGenerationRequest(prompt="p", aspect_ratio="21:9"), "'2:3'")
    refused(
        "grok-imagine-video",
        VideoGenerationRequest(prompt="p", number_of_videos=2),
        "number_of_videos=2",
    )
    refused("grok-imagine-video", VideoGenerationRequest(prompt="p", seed=1), "seed=1")
    refused(
        "grok-imagine-video",
        VideoGenerationRequest(prompt="p", image_list=[{"image": URL, "type": "last_frame"}]),
        "last_frame",
    )


def test_video_edit_and_extension_are_chosen_by_duration() -> None:
    edit = VideoGenerationRequest(prompt="add snow", video=MP4_URL)
    assert payload("grok-imagine-video", edit) == {
        "model": "grok-imagine-video",
        "prompt": "add snow",
        "video": {"url": MP4_URL},
    }
    extend = VideoGenerationRequest(prompt="then it rains", video=MP4_URL, duration_seconds=5)
    assert payload("grok-imagine-video", extend) == {
        "model": "grok-imagine-video",
        "prompt": "then it rains",
        "video": {"url": MP4_URL},
        "duration": 5,
    }
    refused(
        "grok-imagine-video",
        VideoGenerationRequest(prompt="p", video=MP4_URL, duration_seconds=12),
        "1 to 10",
    )
    refused(
        "grok-imagine-video",
        VideoGenerationRequest(prompt="p", video=MP4_URL, aspect_ratio="16:9"),
        "aspect_ratio='16:9'",
    )


def test_describe_model_shows_every_endpoint() -> None:
    caps = describe_model("xai", "grok-imagine-video", "video")
    assert caps.endpoint == "/videos/generations"
    assert [v.endpoint for v in caps.variants] == [
        "/videos/generations",
        "/videos/extensions",
        "/videos/edits",
    ]
    assert caps.field("duration_seconds").maximum == 15
    assert caps.field("resolution").values == ["480p", "720p"]
    assert describe_model("xai", "grok-imagine-video-1.5", "video").field("resolution").values == [
        "480p",
        "720p",
        "1080p",
    ]
    image = describe_model("xai", "grok-imagine-image-pro", "image")
    assert image.family == "Grok Imagine Image"
    assert {e.name for e in image.extra_fields} == {"resolution", "response_format", "aspect_ratio"}
