"""Replicate model ids route to the right endpoint; every family maps to the exact input."""

from __future__ import annotations

from typing import Any

import pytest

from tarash.tarash_gateway import _plugins, describe_model
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import (
    ImageGenerationRequest,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing import mapping
from tarash_replicate import _flows

IMG = "https://example.com/a.png"
END = "https://example.com/end.png"


def mapped(model: str, request: Any) -> dict[str, Any]:
    return mapping.mapped("replicate", model, request)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("model", "path", "version"),
    [
        ("google/veo-3.1", "/v1/models/google/veo-3.1/predictions", None),
        ("acme/model:5c7d5dc6dd8b", "/v1/predictions", "5c7d5dc6dd8b"),
        ("deployments/acme/my-veo", "/v1/deployments/acme/my-veo/predictions", None),
    ],
)
def test_routes(model: str, path: str, version: str | None) -> None:
    assert _flows.route(model) == _flows.Route(path, version)


@pytest.mark.parametrize("model", ["veo", "a/b/c", "deployments/acme", "/x", "deployments/a/b:v1"])
def test_malformed_ids_are_refused_before_any_request(model: str) -> None:
    with pytest.raises(ValidationError, match="not a Replicate model id"):
        mapped(model, VideoGenerationRequest(prompt="p"))


CASES: list[tuple[str, Any, dict[str, Any]]] = [
    (
        "google/veo-3.1",
        VideoGenerationRequest(
            prompt="a fox",
            duration_seconds=8,
            aspect_ratio="16:9",
            resolution="1080p",
            generate_audio=False,
            negative_prompt="blur",
            seed=3,
            image_list=[
                {"image": IMG, "type": "first_frame"},
                {"image": END, "type": "last_frame"},
            ],
        ),
        {
            "prompt": "a fox",
            "aspect_ratio": "16:9",
            "duration": 8,
            "resolution": "1080p",
            "generate_audio": False,
            "negative_prompt": "blur",
            "seed": 3,
            "image": IMG,
            "last_frame": END,
        },
    ),
    (
        "google/veo-3.1",
        VideoGenerationRequest(
            prompt="a fox",
            image_list=[{"image": IMG, "type": "reference"}, {"image": END, "type": "reference"}],
        ),
        {"prompt": "a fox", "reference_images": [IMG, END]},
    ),
    (
        "google/veo-3.1-fast",
        VideoGenerationRequest(
            prompt="a fox", duration_seconds=4, image_list=[{"image": IMG, "type": "reference"}]
        ),
        {"prompt": "a fox", "duration": 4, "image": IMG},
    ),
    (
        "kwaivgi/kling-v2.5-turbo-pro",
        VideoGenerationRequest(
            prompt="a fox",
            duration_seconds=10,
            aspect_ratio="1:1",
            image_list=[{"image": IMG, "type": "first_frame"}],
        ),
        {"prompt": "a fox", "duration": 10, "aspect_ratio": "1:1", "start_image": IMG},
    ),
    (
        "black-forest-labs/flux-schnell",
        ImageGenerationRequest(prompt="a fox", aspect_ratio="21:9", n=4, seed=1),
        {"prompt": "a fox", "aspect_ratio": "21:9", "num_outputs": 4, "seed": 1},
    ),
    (
        "black-forest-labs/flux-schnell:f2ab8a5",
        ImageGenerationRequest(prompt="a fox", output_format="png", go_fast=False),
        {"prompt": "a fox", "output_format": "png", "go_fast": False},
    ),
    (
        "bytedance/seedance-1-pro",
        VideoGenerationRequest(
            prompt="a fox",
            duration_seconds=5,
            resolution="1080p",
            aspect_ratio="21:9",
            camera_fixed=True,
            image_list=[{"image": IMG, "type": "first_frame"}],
        ),
        {
            "prompt": "a fox",
            "duration": 5,
            "aspect_ratio": "21:9",
            "resolution": "1080p",
            "image": IMG,
            "camera_fixed": True,
        },
    ),
    (
        "deployments/acme/my-sdxl",
        ImageGenerationRequest(prompt="a fox", n=2, negative_prompt="text"),
        {"prompt": "a fox", "negative_prompt": "text", "num_outputs": 2},
    ),
]


@pytest.mark.parametrize(("model", "request_", "expected"), CASES, ids=[c[0] for c in CASES])
def test_input(model: str, request_: Any, expected: dict[str, Any]) -> None:
    assert mapped(model, request_) == {"input": expected}


@pytest.mark.parametrize(
    ("model", "request_", "message"),
    [
        (
            "google/veo-3.1",
            VideoGenerationRequest(prompt="p", duration_seconds=5),
            "duration_seconds=5 is not accepted; accepted: 4, 6, 8",
        ),
        (
            "google/veo-3.1",
            VideoGenerationRequest(prompt="p", resolution="4k"),
            "resolution='4k' is not accepted; accepted: '720p', '1080p'",
        ),
        (
            "kwaivgi/kling-v2.5-turbo-pro",
            VideoGenerationRequest(prompt="p", image_list=[{"image": END, "type": "last_frame"}]),
            "image_list has an image of type 'last_frame', which this model would ignore",
        ),
        (
            "black-forest-labs/flux-schnell",
            ImageGenerationRequest(prompt="p", n=5),
            "n=5 is not accepted; accepted: 1 to 4",
        ),
        (
            "black-forest-labs/flux-schnell",
            ImageGenerationRequest(prompt="p", size="1024x768"),
            "size='1024x768' is not accepted; this model takes aspect_ratio",
        ),
        (
            "google/veo-3.1",
            VideoGenerationRequest(prompt="p", number_of_videos=2),
            "number_of_videos=2 is not accepted",
        ),
        (
            "black-forest-labs/flux-schnell",
            ImageGenerationRequest(prompt="p", quality="high"),
            "quality='high' is not taken by this model",
        ),
    ],
)
def test_refusals(model: str, request_: Any, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        mapped(model, request_)
    assert message in str(caught.value)


def test_describe_model_lists_the_families_and_the_generic_tables() -> None:
    veo = describe_model("replicate", "google/veo-3.1", "video")
    assert veo.family == "Veo 3.1" and "replicate.com/google/veo-3.1" in (veo.source or "")
    assert veo.field("duration_seconds").values == [4, 6, 8]
    flux = describe_model("replicate", "black-forest-labs/flux-schnell:abc", "image")
    assert flux.family == "FLUX.1 schnell" and flux.field("n").maximum == 4
    other = describe_model("replicate", "someone/new-video-model", "video")
    assert other.family == "any other Replicate video model"
    info = _plugins.registry.providers["replicate"].info
    assert {f.name for f in info.model_families} >= {
        "Veo 3.1",
        "Veo 3.1 Fast",
        "Kling 2.5 Turbo Pro",
        "FLUX.1 schnell",
        "any other Replicate video model",
    }
