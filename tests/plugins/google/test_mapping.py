"""Exact payloads of tarash_map_fields per family, and the ValidationErrors of bad input."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tarash.tarash_gateway import (
    _mock_media,
    describe_model,
    get_provider_field_mapping,
    list_models,
)
from tarash.tarash_gateway.models import (
    ImageGenerationRequest,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing import mapping
from tarash_google import FAMILIES, RETIRED

PNG = _mock_media.png(8, 8)
PNG_B64 = base64.b64encode(PNG).decode()
INLINE = {"bytesBase64Encoded": PNG_B64, "mimeType": "image/png"}
VERTEX = {"provider_config": {"project": "p1", "region": "us-central1"}, "api_key": "ya29.t"}


def payload(model: str, request: Any, *, provider: str = "google", **config: Any) -> dict[str, Any]:
    """The payload of ``request`` as the core asks the plugin for it."""
    vertex = VERTEX if provider == "google-vertex" else {}
    return mapping.mapped(provider, model, request, **{**vertex, **config})


def refused(
    model: str, request: Any, *needles: str, provider: str = "google", **config: Any
) -> str:
    vertex = VERTEX if provider == "google-vertex" else {}
    return mapping.refused(provider, model, request, *needles, **{**vertex, **config})


def video(**fields: Any) -> VideoGenerationRequest:
    return VideoGenerationRequest(prompt="a fox", **fields)


def image(**fields: Any) -> ImageGenerationRequest:
    return ImageGenerationRequest(prompt="a fox", **fields)


# ---------------------------------------------------------------- Veo 3.1
@pytest.mark.parametrize("model", ["veo-3.1-generate-001", "veo-3.1-fast-generate-001"])
def test_veo31_text_to_video_payload(model: str) -> None:
    request = video(
        duration_seconds=6,
        aspect_ratio="9:16",
        resolution="1080p",
        negative_prompt="blurry",
        enhance_prompt=True,
        person_generation="allow_adult",
    )
    assert payload(model, request) == {
        "instances": [{"prompt": "a fox"}],
        "parameters": {
            "durationSeconds": 6,
            "aspectRatio": "9:16",
            "resolution": "1080p",
            "negativePrompt": "blurry",
            "enhancePrompt": True,
            "personGeneration": "allow_adult",
        },
    }


def test_veo31_first_and_last_frame_payload() -> None:
    request = video(
        image_list=[
            {"image": PNG, "type": "first_frame"},
            {"image": "https://example.com/end.png", "type": "last_frame"},
        ]
    )
    assert payload("veo-3.1-generate-001", request) == {
        "instances": [
            {
                "prompt": "a fox",
                "image": INLINE,
                "lastFrame": {"_url": "https://example.com/end.png"},
            }
        ],
        "parameters": {},
    }


def test_veo31_reference_images_payload() -> None:
    request = video(
        duration_seconds=8,
        image_list=[
            {"image": PNG, "type": "reference"},
            {"image": {"content": PNG, "content_type": "image/png"}, "type": "asset"},
        ],
    )
    assert payload("veo-3.1-generate-001", request)["instances"] == [
        {
            "prompt": "a fox",
            "referenceImages": [
                {"image": INLINE, "referenceType": "asset"},
                {"image": INLINE, "referenceType": "asset"},
            ],
        }
    ]


def test_veo31_4k_resolution() -> None:
    assert payload("veo-3.1-generate-001", video(resolution="4k"))["parameters"] == {
        "resolution": "4k"
    }


@pytest.mark.parametrize(
    ("request_", "needles"),
    [
        (video(duration_seconds=5), ("duration_seconds=5", "4, 6, 8")),
        (video(aspect_ratio="1:1"), ("aspect_ratio='1:1'", "'16:9', '9:16'")),
        (video(resolution="480p"), ("resolution='480p'", "'720p', '1080p', '4k'")),
        (video(number_of_videos=2), ("number_of_videos=2", "one video")),
        (video(seed=4), ("seed=4", "google-vertex")),
        (video(generate_audio=False), ("generate_audio=False", "always makes sound")),
        (video(storage_uri="gs://b/o"), ("storage_uri", "Vertex AI only")),
        (video(person_generation="everyone"), ("person_generation='everyone'", "allow_all")),
        (video(resolution_hint="x"), ("resolution_hint", "person_generation")),
        (
            video(image_list=[{"image": PNG, "type": "reference"}] * 4),
            ("image_list", "at most 3"),
        ),
        (
            video(duration_seconds=6, image_list=[{"image": PNG, "type": "reference"}]),
            ("duration_seconds=6", "with reference images: 8"),
        ),
        (
            video(aspect_ratio="9:16", image_list=[{"image": PNG, "type": "asset"}]),
            ("aspect_ratio='9:16'", "'16:9'"),
        ),
        (
            video(image_list=[{"image": PNG, "type": "last_frame"}]),
            ("last_frame", "first_frame"),
        ),
        (
            video(
                image_list=[
                    {"image": PNG, "type": "first_frame"},
                    {"image": PNG, "type": "reference"},
                ]
            ),
            ("either first/last frames or reference images",),
        ),
        (video(image_list=[{"image": PNG, "type": "style"}]), ("'style'", "first_frame")),
        (video(image_list=[{"image": "gs://b/i.png", "type": "first_frame"}]), ("gs://",)),
        (video(video="https://example.com/v.mp4"), ("video", "input video")),
        (
            video(image_list=[{"image": "not base64!", "type": "first_frame"}]),
            ("image_list",),
        ),
    ],
)
def test_veo31_refusals(request_: VideoGenerationRequest, needles: tuple[str, ...]) -> None:
    refused("veo-3.1-fast-generate-001", request_, *needles)


def test_generate_audio_true_is_the_default_and_not_sent() -> None:
    assert payload("veo-3.1-generate-001", video(generate_audio=True))["parameters"] == {}


# ---------------------------------------------------------------- Veo 3.1 Lite
def test_veo31_lite_payload_and_limits() -> None:
    request = video(resolution="720p", image_list=[{"image": PNG, "type": "first_frame"}])
    assert payload("veo-3.1-lite-generate-001", request) == {
        "instances": [{"prompt": "a fox", "image": INLINE}],
        "parameters": {"resolution": "720p"},
    }
    refused("veo-3.1-lite-generate-001", video(resolution="4k"), "'720p', '1080p'")
    refused(
        "veo-3.1-lite-generate-001",
        video(image_list=[{"image": PNG, "type": "reference"}]),
        "'reference'",
        "accepted types: first_frame",
    )


# ---------------------------------------------------------------- Vertex AI differences
def test_vertex_takes_seed_audio_storage_and_gcs_images() -> None:
    request = video(
        seed=7,
        generate_audio=False,
        storage_uri="gs://bucket/out/",
        image_list=[{"image": "gs://bucket/first.png", "type": "first_frame"}],
    )
    assert payload("veo-3.1-generate-001", request, provider="google-vertex") == {
        "instances": [
            {
                "prompt": "a fox",
                "image": {"gcsUri": "gs://bucket/first.png", "mimeType": "image/png"},
            }
        ],
        "parameters": {"seed": 7, "generateAudio": False, "storageUri": "gs://bucket/out/"},
    }


def test_vertex_needs_project_and_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.delenv("GOOGLE_CLOUD_LOCATION", raising=False)
    message = refused(
        "veo-3.1-generate-001",
        video(),
        "provider_config",
        "GOOGLE_CLOUD_PROJECT",
        "GOOGLE_CLOUD_LOCATION",
        provider="google-vertex",
        provider_config={"express": False},
    )
    assert "project and a region" in message
    refused(
        "veo-3.1-generate-001",
        video(),
        "region",
        "GOOGLE_CLOUD_LOCATION",
        provider="google-vertex",
        provider_config={"project": "p1"},
    )


def test_vertex_project_and_region_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "env-project")
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "europe-west4")
    assert payload("veo-3.1-generate-001", video(), provider="google-vertex", provider_config={})


def test_vertex_without_any_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    refused(
        "veo-3.1-generate-001",
        video(),
        "access token",
        "GOOGLE_APPLICATION_CREDENTIALS",
        provider="google-vertex",
        api_key=None,
    )


# ---------------------------------------------------------------- images
def test_nano_banana_2_payload() -> None:
    request = image(
        aspect_ratio="21:9",
        size="512",
        seed=3,
        image_list=[
            {"image": PNG, "type": "reference"},
            {"image": "https://example.com/cat.png", "type": "reference"},
        ],
    )
    assert payload("gemini-3.1-flash-image", request) == {
        "contents": [
            {
                "role": "user",
                "parts": [
                    {"text": "a fox"},
                    {"inlineData": {"mimeType": "image/png", "data": PNG_B64}},
                    {"inlineData": {"_url": "https://example.com/cat.png"}},
                ],
            }
        ],
        "generationConfig": {
            "responseModalities": ["IMAGE"],
            "imageConfig": {"aspectRatio": "21:9", "imageSize": "512"},
            "seed": 3,
        },
    }


def test_nano_banana_pro_and_text_modality() -> None:
    request = image(size="4K", response_modalities=["TEXT", "IMAGE"])
    assert payload("gemini-3-pro-image", request) == {
        "contents": [{"role": "user", "parts": [{"text": "a fox"}]}],
        "generationConfig": {
            "responseModalities": ["TEXT", "IMAGE"],
            "imageConfig": {"imageSize": "4K"},
        },
    }


def test_n_images_is_not_a_google_field() -> None:
    assert payload("gemini-3-pro-image", image(n=3)) == payload("gemini-3-pro-image", image())


def test_nano_banana_minimal_payload() -> None:
    assert payload("gemini-2.5-flash-image", image()) == {
        "contents": [{"role": "user", "parts": [{"text": "a fox"}]}],
        "generationConfig": {"responseModalities": ["IMAGE"]},
    }


@pytest.mark.parametrize(
    ("model", "request_", "needles"),
    [
        ("gemini-3.1-flash-image", image(n=5), ("n=5", "1 to 4", "one image per generateContent")),
        ("gemini-3-pro-image", image(size="512"), ("size='512'", "'1K', '2K', '4K'")),
        ("gemini-2.5-flash-image", image(size="2K"), ("size='2K'", "not taken by this model")),
        ("gemini-3-pro-image", image(aspect_ratio="9:21"), ("aspect_ratio='9:21'", "'21:9'")),
        ("gemini-3-pro-image", image(negative_prompt="x"), ("negative_prompt",)),
        ("gemini-3-pro-image", image(quality="hd"), ("quality='hd'",)),
        ("gemini-3-pro-image", image(mask_image=PNG), ("mask_image",)),
        (
            "gemini-2.5-flash-image",
            image(image_list=[{"image": PNG, "type": "reference"}] * 4),
            ("at most 3",),
        ),
        (
            "gemini-3-pro-image",
            image(image_list=[{"image": PNG, "type": "first_frame"}]),
            ("'first_frame'", "accepted types: reference"),
        ),
        (
            "gemini-3-pro-image",
            image(response_modalities=["TEXT"]),
            ("response_modalities", "['IMAGE']"),
        ),
    ],
)
def test_image_refusals(
    model: str, request_: ImageGenerationRequest, needles: tuple[str, ...]
) -> None:
    refused(model, request_, *needles)


# ---------------------------------------------------------------- retired and unknown ids
@pytest.mark.parametrize(
    ("model", "replacement"),
    [
        ("imagen-4.0-generate-001", "gemini-3.1-flash-image"),
        ("imagen-3.0-generate-002", "gemini-3.1-flash-image"),
        ("gemini-3-pro-image-preview", "gemini-3-pro-image"),
        ("gemini-3.1-flash-image-preview", "gemini-3.1-flash-image"),
    ],
)
def test_retired_image_ids_name_the_replacement(model: str, replacement: str) -> None:
    message = refused(model, image(), "shut down", repr(replacement))
    assert model in message


@pytest.mark.parametrize("model", sorted(m for m in RETIRED if m.startswith("veo")))
@pytest.mark.parametrize("provider", ["google", "google-vertex"])
def test_retired_veo_ids_name_the_replacement(model: str, provider: str) -> None:
    refused(model, video(), "shut down", RETIRED[model].replacement, provider=provider)


def test_unknown_id_lists_the_known_ones() -> None:
    refused("veo-4.0-generate-001", video(), "not a known video model", "veo-3.1-generate-001")
    refused("gemini-9-image", image(), "not a known image model", "gemini-3-pro-image")


def test_models_prefix_is_accepted() -> None:
    assert payload("models/gemini-2.5-flash-image", image()) == payload(
        "gemini-2.5-flash-image", image()
    )


def test_field_mappings_are_published_per_model() -> None:
    mapping = get_provider_field_mapping("google")
    assert mapping is not None
    assert {m for f in FAMILIES for m in f.models} == set(mapping)
    assert "durationSeconds" in mapping["veo-3.1-fast-generate-001"]


# ---------------------------------------------------------------- describe_model
@pytest.mark.parametrize("provider", ["google", "google-vertex"])
def test_describe_veo31(provider: str) -> None:
    vertex = provider == "google-vertex"
    caps = describe_model(provider, "veo-3.1-fast-generate-001")
    assert (caps.family, caps.modality, caps.endpoint) == ("Veo 3.1", "video", "predictLongRunning")
    field = caps.field("duration_seconds")
    assert field is not None and field.values == [4, 6, 8] and field.sent_as == ["durationSeconds"]
    resolution = caps.field("resolution")
    assert resolution is not None and resolution.values == ["720p", "1080p", "4k"]
    images = {tuple(f.roles or ()): f for f in caps.fields if f.name == "image_list"}
    assert images[("first_frame",)].sent_as == ["image"]
    assert images[("last_frame",)].sent_as == ["lastFrame"]
    assert images[("reference", "asset")].max_items == 3
    count = caps.field("number_of_videos")
    assert count is not None and count.values == [1]
    extras = ["person_generation", "storage_uri"] if vertex else ["person_generation"]
    assert [e.name for e in caps.extra_fields] == extras
    audio = caps.field("generate_audio")
    assert audio is not None and audio.values == ([True, False] if vertex else [True])
    assert (caps.field("seed") is not None) is vertex
    assert caps.extra_params is False and "video" in caps.unused_fields
    assert caps.source and "ai.google.dev" in caps.source


def test_describe_veo31_lite_and_image_families() -> None:
    lite = describe_model("google", "veo-3.1-lite-generate-001")
    assert lite.family == "Veo 3.1 Lite"
    assert [f.roles for f in lite.fields if f.name == "image_list"] == [["first_frame"]]
    for model, sizes, inputs in (
        ("gemini-3.1-flash-image", ["512", "1K", "2K", "4K"], 14),
        ("gemini-3-pro-image", ["1K", "2K", "4K"], 14),
        ("gemini-2.5-flash-image", None, 3),
    ):
        caps = describe_model("google", model)
        assert caps.modality == "image" and caps.endpoint == "generateContent"
        size = caps.field("size")
        assert (size.values if size else None) == sizes
        images = caps.field("image_list")
        assert images is not None and images.max_items == inputs
        assert "negative_prompt" in caps.unused_fields
        n = caps.field("n")
        assert n is not None and (n.minimum, n.maximum) == (1, 4)


def test_list_models_covers_every_family() -> None:
    listed = {caps.model: caps.family for caps in list_models("google")}
    assert listed == {m: f.name for f in FAMILIES for m in f.models}
