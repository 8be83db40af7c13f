"""Every fal model family maps a request to the exact payload fal documents."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tarash.tarash_gateway import _plugins
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import ImageGenerationRequest, VideoGenerationRequest
from tarash.tarash_gateway.testing import mapping

IMG = "https://example.com/a.png"
IMG2 = "https://example.com/b.png"
END = "https://example.com/end.png"
VID = "https://example.com/in.mp4"


def first(url: str = IMG) -> dict[str, Any]:
    return {"image": url, "type": "first_frame"}


def ref(url: str = IMG) -> dict[str, Any]:
    return {"image": url, "type": "reference"}


def last(url: str = END) -> dict[str, Any]:
    return {"image": url, "type": "last_frame"}


def map_video(model: str, **fields: Any) -> dict[str, Any]:
    return mapping.mapped("fal", model, VideoGenerationRequest(**fields))


def map_image(model: str, **fields: Any) -> dict[str, Any]:
    return mapping.mapped("fal", model, ImageGenerationRequest(**fields))


VIDEO_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    # ---- Veo 3 / 3.1 / lite
    (
        "fal-ai/veo3",
        dict(
            prompt="p",
            duration_seconds=8,
            aspect_ratio="16:9",
            resolution="1080p",
            generate_audio=False,
            negative_prompt="blur",
            seed=7,
        ),
        {
            "prompt": "p",
            "duration": "8s",
            "aspect_ratio": "16:9",
            "resolution": "1080p",
            "generate_audio": False,
            "negative_prompt": "blur",
            "seed": 7,
        },
    ),
    ("fal-ai/veo3/fast", dict(prompt="p", duration_seconds=4), {"prompt": "p", "duration": "4s"}),
    (
        "fal-ai/veo3.1/fast",
        dict(prompt="p", duration_seconds=6, resolution="4k"),
        {"prompt": "p", "duration": "6s", "resolution": "4k"},
    ),
    (
        "fal-ai/veo3.1/image-to-video",
        dict(prompt="p", image_list=[first()], aspect_ratio="auto"),
        {"prompt": "p", "image_url": IMG, "aspect_ratio": "auto"},
    ),
    (
        "fal-ai/veo3.1/fast/first-last-frame-to-video",
        dict(prompt="p", image_list=[first(), last()], duration_seconds=8),
        {"prompt": "p", "first_frame_url": IMG, "last_frame_url": END, "duration": "8s"},
    ),
    (
        "fal-ai/veo3.1/reference-to-video",
        dict(prompt="p", image_list=[ref(), ref(IMG2)]),
        {"prompt": "p", "image_urls": [IMG, IMG2]},
    ),
    (
        "fal-ai/veo3.1/fast/extend-video",
        dict(prompt="p", video=VID, duration_seconds=7),
        {"prompt": "p", "video_url": VID, "duration": "7s"},
    ),
    (
        "fal-ai/veo3.1/lite",
        dict(prompt="p", duration_seconds=4, resolution="720p"),
        {"prompt": "p", "duration": "4s", "resolution": "720p"},
    ),
    # ---- Kling
    (
        "fal-ai/kling-video/v2.6/pro/text-to-video",
        dict(
            prompt="p",
            duration_seconds=10,
            aspect_ratio="9:16",
            generate_audio=True,
            negative_prompt="n",
        ),
        {
            "prompt": "p",
            "duration": "10",
            "aspect_ratio": "9:16",
            "generate_audio": True,
            "negative_prompt": "n",
        },
    ),
    (
        "fal-ai/kling-video/v2.6/pro/image-to-video",
        dict(prompt="p", image_list=[first(), last()], duration_seconds=5),
        {"prompt": "p", "start_image_url": IMG, "end_image_url": END, "duration": "5"},
    ),
    (
        "fal-ai/kling-video/v2.6/standard/motion-control",
        dict(prompt="p", image_list=[ref()], video=VID, character_orientation="video"),
        {"prompt": "p", "image_url": IMG, "video_url": VID, "character_orientation": "video"},
    ),
    (
        "fal-ai/kling-video/v3/pro/text-to-video",
        dict(prompt="p", duration_seconds=15),
        {"prompt": "p", "duration": "15"},
    ),
    (
        "fal-ai/kling-video/v3/standard/image-to-video",
        dict(prompt="p", image_list=[first()], duration_seconds=3),
        {"prompt": "p", "start_image_url": IMG, "duration": "3"},
    ),
    (
        "fal-ai/kling-video/o1/image-to-video",
        dict(prompt="p", image_list=[first(), last()]),
        {"prompt": "p", "start_image_url": IMG, "end_image_url": END},
    ),
    (
        "fal-ai/kling-video/o1/reference-to-video",
        dict(prompt="@Image1 dances", image_list=[ref(), ref(IMG2)], aspect_ratio="1:1"),
        {"prompt": "@Image1 dances", "image_urls": [IMG, IMG2], "aspect_ratio": "1:1"},
    ),
    (
        "fal-ai/kling-video/o1/standard/image-to-video",
        dict(prompt="p", image_list=[first()], duration_seconds=3),
        {"prompt": "p", "start_image_url": IMG, "duration": "3"},
    ),
    (
        "fal-ai/kling-video/o1/standard/reference-to-video",
        dict(prompt="@Image1 waves", image_list=[ref()], duration_seconds=7),
        {"prompt": "@Image1 waves", "image_urls": [IMG], "duration": "7"},
    ),
    (
        "fal-ai/kling-video/o1/video-to-video/edit",
        dict(prompt="p", video=VID),
        {"prompt": "p", "video_url": VID},
    ),
    (
        "fal-ai/kling-video/o3/pro/text-to-video",
        dict(prompt="p", generate_audio=True),
        {"prompt": "p", "generate_audio": True},
    ),
    (
        "fal-ai/kling-video/o3/standard/image-to-video",
        dict(prompt="p", image_list=[first(), last()], duration_seconds=10),
        {"prompt": "p", "image_url": IMG, "end_image_url": END, "duration": "10"},
    ),
    (
        "fal-ai/kling-video/o3/pro/reference-to-video",
        dict(prompt="p", image_list=[first(), ref(IMG2)]),
        {"prompt": "p", "start_image_url": IMG, "image_urls": [IMG2]},
    ),
    (
        "fal-ai/kling-video/o3/pro/video-to-video/reference",
        dict(prompt="p", video=VID, aspect_ratio="auto"),
        {"prompt": "p", "video_url": VID, "aspect_ratio": "auto"},
    ),
    (
        "fal-ai/kling-video/v2.5-turbo/pro/image-to-video",
        dict(prompt="p", image_list=[first()], duration_seconds=5),
        {"prompt": "p", "image_url": IMG, "duration": "5"},
    ),
    # ---- MiniMax / Hailuo
    (
        "fal-ai/minimax/hailuo-02/standard/image-to-video",
        dict(
            prompt="p",
            image_list=[first(), last()],
            duration_seconds=10,
            resolution="768p",
            enhance_prompt=False,
        ),
        {
            "prompt": "p",
            "image_url": IMG,
            "end_image_url": END,
            "duration": "10",
            "resolution": "768P",
            "prompt_optimizer": False,
        },
    ),
    (
        "fal-ai/minimax/hailuo-02/standard/image-to-video",
        dict(prompt="p", image_list=[first()], resolution="512p"),
        {"prompt": "p", "image_url": IMG, "resolution": "512P"},
    ),
    (
        "fal-ai/minimax/hailuo-2.3-fast/standard/image-to-video",
        dict(prompt="p", image_list=[first()], duration_seconds=6),
        {"prompt": "p", "image_url": IMG, "duration": "6"},
    ),
    (
        "fal-ai/minimax/video-01-live",
        dict(prompt="p", enhance_prompt=True),
        {"prompt": "p", "prompt_optimizer": True},
    ),
    # ---- Sora 2
    (
        "fal-ai/sora-2/text-to-video",
        dict(prompt="p", duration_seconds=12, aspect_ratio="9:16", resolution="720p"),
        {"prompt": "p", "duration": 12, "aspect_ratio": "9:16", "resolution": "720p"},
    ),
    (
        "fal-ai/sora-2/text-to-video/pro",
        dict(prompt="p", resolution="1080p"),
        {"prompt": "p", "resolution": "1080p"},
    ),
    (
        "fal-ai/sora-2/image-to-video",
        dict(prompt="p", image_list=[first()], aspect_ratio="auto"),
        {"prompt": "p", "image_url": IMG, "aspect_ratio": "auto"},
    ),
    # ---- Wan
    (
        "fal-ai/wan/v2.2-a14b/text-to-video",
        dict(prompt="p", duration_seconds=5, resolution="720p", enhance_prompt=True, seed=1),
        {
            "prompt": "p",
            "num_frames": 81,
            "resolution": "720p",
            "enable_prompt_expansion": True,
            "seed": 1,
        },
    ),
    (
        "fal-ai/wan/v2.2-a14b/image-to-video",
        dict(prompt="p", image_list=[first()]),
        {"prompt": "p", "image_url": IMG},
    ),
    (
        "fal-ai/wan/v2.2-14b/animate/move",
        dict(prompt="p", image_list=[ref()], video=VID),
        {"image_url": IMG, "video_url": VID},
    ),
    (
        "fal-ai/wan-25-preview/text-to-video",
        dict(prompt="p", duration_seconds=10, resolution="480p", aspect_ratio="1:1"),
        {"prompt": "p", "duration": "10", "resolution": "480p", "aspect_ratio": "1:1"},
    ),
    (
        "fal-ai/wan-25-preview/image-to-video",
        dict(prompt="p", image_list=[first()], audio_url="https://x/a.mp3"),
        {"prompt": "p", "image_url": IMG, "audio_url": "https://x/a.mp3"},
    ),
    (
        "wan/v2.6/text-to-video",
        dict(prompt="p", duration_seconds=15, aspect_ratio="4:3"),
        {"prompt": "p", "duration": "15", "aspect_ratio": "4:3"},
    ),
    (
        "wan/v2.6/image-to-video",
        dict(prompt="p", image_list=[first()], resolution="1080p"),
        {"prompt": "p", "image_url": IMG, "resolution": "1080p"},
    ),
    (
        "wan/v2.6/reference-to-video",
        dict(prompt="Character1 waves", video=VID, image_list=[ref()]),
        {"prompt": "Character1 waves", "video_urls": [VID], "image_urls": [IMG]},
    ),
    (
        "fal-ai/wan/v2.7/text-to-video",
        dict(prompt="p", duration_seconds=2, aspect_ratio="3:4", resolution="1080p"),
        {"prompt": "p", "duration": 2, "aspect_ratio": "3:4", "resolution": "1080p"},
    ),
    (
        "fal-ai/wan/v2.7/image-to-video",
        dict(prompt="p", image_list=[first(), last()], duration_seconds=15),
        {"prompt": "p", "image_url": IMG, "end_image_url": END, "duration": 15},
    ),
    (
        "fal-ai/wan/v2.7/reference-to-video",
        dict(prompt="p", image_list=[ref()]),
        {"prompt": "p", "reference_image_urls": [IMG]},
    ),
    # ---- Seedance
    (
        "fal-ai/bytedance/seedance/v1/pro/text-to-video",
        dict(
            prompt="p",
            duration_seconds=5,
            aspect_ratio="21:9",
            resolution="1080p",
            camera_fixed=True,
        ),
        {
            "prompt": "p",
            "duration": "5",
            "aspect_ratio": "21:9",
            "resolution": "1080p",
            "camera_fixed": True,
        },
    ),
    (
        "fal-ai/bytedance/seedance/v1/lite/reference-to-video",
        dict(prompt="p", image_list=[ref(), ref(IMG2)]),
        {"prompt": "p", "reference_image_urls": [IMG, IMG2]},
    ),
    (
        "fal-ai/bytedance/seedance/v1.5/pro/image-to-video",
        dict(prompt="p", image_list=[first(), last()], duration_seconds=12, generate_audio=True),
        {
            "prompt": "p",
            "image_url": IMG,
            "end_image_url": END,
            "duration": "12",
            "generate_audio": True,
        },
    ),
    (
        "bytedance/seedance-2.0/text-to-video",
        dict(prompt="p", duration_seconds=15, aspect_ratio="auto", resolution="720p"),
        {"prompt": "p", "duration": "15", "aspect_ratio": "auto", "resolution": "720p"},
    ),
    (
        "bytedance/seedance-2.0/image-to-video",
        dict(prompt="p", image_list=[first(), last()], duration_seconds=4, resolution="1080p"),
        {
            "prompt": "p",
            "image_url": IMG,
            "end_image_url": END,
            "duration": "4",
            "resolution": "1080p",
        },
    ),
    (
        "bytedance/seedance-2.0/fast/image-to-video",
        dict(prompt="p", image_list=[first()], resolution="480p"),
        {"prompt": "p", "image_url": IMG, "resolution": "480p"},
    ),
    (
        "bytedance/seedance-2.0/fast/reference-to-video",
        dict(prompt="[Image1] runs", image_list=[ref()], video=VID),
        {"prompt": "[Image1] runs", "image_urls": [IMG], "video_urls": [VID]},
    ),
    # ---- Pixverse
    (
        "fal-ai/pixverse/v5/text-to-video",
        dict(prompt="p", duration_seconds=8, resolution="540p", style="anime"),
        {"prompt": "p", "duration": "8", "resolution": "540p", "style": "anime"},
    ),
    (
        "fal-ai/pixverse/v5.5/image-to-video",
        dict(prompt="p", image_list=[first()], duration_seconds=10, generate_audio=True),
        {"prompt": "p", "image_url": IMG, "duration": "10", "generate_audio_switch": True},
    ),
    (
        "fal-ai/pixverse/swap",
        dict(prompt="p", video=VID, image_list=[ref()], mode="background"),
        {"video_url": VID, "image_url": IMG, "mode": "background"},
    ),
    # ---- any other fal model id: the generic mapping
    (
        "fal-ai/ltx-2/text-to-video",
        dict(
            prompt="p",
            duration_seconds=6,
            aspect_ratio="16:9",
            resolution="1080p",
            image_list=[first()],
            fps=25,
        ),
        {
            "prompt": "p",
            "duration": "6",
            "aspect_ratio": "16:9",
            "resolution": "1080p",
            "image_url": IMG,
            "fps": 25,
        },
    ),
]


@pytest.mark.parametrize(
    ("model", "fields", "expected"), VIDEO_CASES, ids=[case[0] for case in VIDEO_CASES]
)
def test_video_payload(model: str, fields: dict[str, Any], expected: dict[str, Any]) -> None:
    assert map_video(model, **fields) == expected


IMAGE_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "fal-ai/flux/dev",
        dict(prompt="p", aspect_ratio="16:9", n=2, seed=3, guidance_scale=4.0),
        {
            "prompt": "p",
            "image_size": "landscape_16_9",
            "num_images": 2,
            "seed": 3,
            "guidance_scale": 4.0,
        },
    ),
    (
        "fal-ai/flux/schnell",
        dict(prompt="p", size="1024x768"),
        {"prompt": "p", "image_size": {"width": 1024, "height": 768}},
    ),
    (
        "fal-ai/flux/dev/image-to-image",
        dict(prompt="p", image_list=[ref()]),
        {"prompt": "p", "image_url": IMG},
    ),
    (
        "fal-ai/flux-pro/v1.1",
        dict(prompt="p", aspect_ratio="1:1"),
        {"prompt": "p", "image_size": "square_hd"},
    ),
    (
        "fal-ai/flux-pro/v1.1-ultra",
        dict(prompt="p", aspect_ratio="21:9"),
        {"prompt": "p", "aspect_ratio": "21:9"},
    ),
    (
        "fal-ai/flux-pro/kontext",
        dict(prompt="p", image_list=[ref()]),
        {"prompt": "p", "image_url": IMG},
    ),
    (
        "fal-ai/flux-2",
        dict(prompt="p", aspect_ratio="3:4", n=4),
        {"prompt": "p", "image_size": "portrait_4_3", "num_images": 4},
    ),
    (
        "fal-ai/flux-2-pro/edit",
        dict(prompt="p", image_list=[ref(), ref(IMG2)]),
        {"prompt": "p", "image_urls": [IMG, IMG2]},
    ),
    (
        "fal-ai/z-image/turbo",
        dict(prompt="p", size="512x512", num_inference_steps=8),
        {"prompt": "p", "image_size": {"width": 512, "height": 512}, "num_inference_steps": 8},
    ),
    (
        "fal-ai/recraft/v3/text-to-image",
        dict(prompt="p", style="vector_illustration", aspect_ratio="9:16"),
        {"prompt": "p", "style": "vector_illustration", "image_size": "portrait_16_9"},
    ),
    (
        "fal-ai/ideogram/v3",
        dict(prompt="p", quality="high", style="realistic", n=3, negative_prompt="text"),
        {
            "prompt": "p",
            "rendering_speed": "QUALITY",
            "style": "REALISTIC",
            "num_images": 3,
            "negative_prompt": "text",
        },
    ),
    (
        "fal-ai/ideogram/v2",
        dict(prompt="p", aspect_ratio="16:9", style="anime"),
        {"prompt": "p", "aspect_ratio": "16:9", "style": "anime"},
    ),
    (
        "fal-ai/nano-banana",
        dict(prompt="p", aspect_ratio="4:5", n=2),
        {"prompt": "p", "aspect_ratio": "4:5", "num_images": 2},
    ),
    (
        "fal-ai/nano-banana/edit",
        dict(prompt="p", image_list=[ref(), first(IMG2)], aspect_ratio="auto"),
        {"prompt": "p", "image_urls": [IMG, IMG2], "aspect_ratio": "auto"},
    ),
    (
        "fal-ai/nano-banana-pro",
        dict(prompt="p", resolution="2K"),
        {"prompt": "p", "resolution": "2K"},
    ),
    (
        "fal-ai/some-new-image-model",
        dict(prompt="p", n=2, aspect_ratio="1:1"),
        {"prompt": "p", "num_images": 2, "image_size": "square_hd"},
    ),
]


@pytest.mark.parametrize(
    ("model", "fields", "expected"), IMAGE_CASES, ids=[case[0] for case in IMAGE_CASES]
)
def test_image_payload(model: str, fields: dict[str, Any], expected: dict[str, Any]) -> None:
    assert map_image(model, **fields) == expected


def test_inline_bytes_become_data_uris() -> None:
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
    )
    payload = map_video(
        "fal-ai/kling-video/v2.6/pro/image-to-video",
        prompt="p",
        image_list=[{"image": png, "type": "first_frame"}],
    )
    assert payload["start_image_url"] == ("data:image/png;base64," + base64.b64encode(png).decode())
    as_b64 = map_image(
        "fal-ai/nano-banana/edit",
        prompt="p",
        image_list=[{"image": base64.b64encode(png).decode(), "type": "reference"}],
    )
    assert as_b64["image_urls"][0].startswith("data:image/png;base64,iVBOR")


@pytest.mark.parametrize(
    ("model", "fields", "fragments"),
    [
        (
            "fal-ai/veo3.1/fast",
            dict(prompt="p", duration_seconds=5),
            ["duration_seconds=5", "4, 6, 8"],
        ),
        (
            "fal-ai/kling-video/v2.6/pro/text-to-video",
            dict(prompt="p", aspect_ratio="4:3"),
            ["aspect_ratio='4:3'", "'16:9'"],
        ),
        (
            "fal-ai/sora-2/text-to-video",
            dict(prompt="p", resolution="1080p"),
            ["resolution='1080p'", "'720p'"],
        ),
        (
            "fal-ai/minimax/hailuo-02/standard/text-to-video",
            dict(prompt="p", resolution="1080p"),
            ["resolution='1080p'", "'512p', '768p'"],
        ),
        (
            "fal-ai/minimax/hailuo-02/pro/text-to-video",
            dict(prompt="p", resolution="1080p"),
            ["resolution='1080p' is not taken by this model"],
        ),
        (
            "fal-ai/wan/v2.2-a14b/text-to-video",
            dict(prompt="p", duration_seconds=12),
            ["duration_seconds=12", "1 to 10"],
        ),
        (
            "fal-ai/wan/v2.7/text-to-video",
            dict(prompt="p", duration_seconds=20),
            ["duration_seconds=20", "15"],
        ),
        (
            "fal-ai/kling-video/o1/image-to-video",
            dict(prompt="p", image_list=[first()], duration_seconds=3),
            ["duration_seconds=3", "5, 10"],
        ),
        (
            "bytedance/seedance-2.0/fast/image-to-video",
            dict(prompt="p", image_list=[first()], resolution="1080p"),
            ["resolution='1080p'", "'720p'"],
        ),
        ("fal-ai/veo3.1/image-to-video", dict(prompt="p"), ["image_list", "image_url"]),
        (
            "fal-ai/veo3.1/first-last-frame-to-video",
            dict(prompt="p", image_list=[first()]),
            ["image_list", "last_frame_url"],
        ),
        (
            "fal-ai/kling-video/v2.6/pro/image-to-video",
            dict(prompt="p", image_list=[first(), first(IMG2)]),
            ["image_list", "at most 1"],
        ),
        ("fal-ai/veo3", dict(prompt="p", number_of_videos=2), ["number_of_videos=2"]),
        ("singlesegment", dict(prompt="p"), ["owner/app"]),
    ],
)
def test_bad_video_input_is_refused_with_field_value_and_accepted(
    model: str, fields: dict[str, Any], fragments: list[str]
) -> None:
    with pytest.raises(ValidationError) as caught:
        map_video(model, **fields)
    for fragment in fragments:
        assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("model", "fields", "fragments"),
    [
        ("fal-ai/flux/dev", dict(prompt="p", size="big"), ["size='big'", "WIDTHxHEIGHT"]),
        ("fal-ai/flux/dev", dict(prompt="p", n=9), ["n=9", "1 to 4"]),
        ("fal-ai/flux/dev", dict(prompt="p", aspect_ratio="21:9"), ["aspect_ratio='21:9'"]),
        ("fal-ai/ideogram/v3", dict(prompt="p", quality="ultra"), ["quality='ultra'", "'high'"]),
        ("fal-ai/nano-banana/edit", dict(prompt="p"), ["image_list", "image_urls"]),
    ],
)
def test_bad_image_input_is_refused(
    model: str, fields: dict[str, Any], fragments: list[str]
) -> None:
    with pytest.raises(ValidationError) as caught:
        map_image(model, **fields)
    for fragment in fragments:
        assert fragment in str(caught.value)


# ---- the three mappings that disagreed with fal's published pages (issue 13)
def test_flux_dev_with_an_image_is_refused_and_image_to_image_takes_it() -> None:
    with pytest.raises(ValidationError, match="image_list is given, but this model takes no"):
        map_image("fal-ai/flux/dev", prompt="p", image_list=[ref()])
    assert map_image(
        "fal-ai/flux/dev/image-to-image",
        prompt="p",
        image_list=[ref()],
        extra_params={"strength": 0.8},
    ) == {"prompt": "p", "image_url": IMG, "strength": 0.8}
    with pytest.raises(ValidationError, match="image_list is required"):
        map_image("fal-ai/flux/dev/image-to-image", prompt="p")


def test_hailuo_02_standard_sends_768p_and_pro_sends_no_resolution() -> None:
    assert map_video(
        "fal-ai/minimax/hailuo-02/standard/text-to-video",
        prompt="p",
        resolution="768p",
        duration_seconds=10,
    ) == {"prompt": "p", "resolution": "768P", "duration": "10"}
    assert map_video(
        "fal-ai/minimax/hailuo-02/pro/image-to-video", prompt="p", image_list=[first()]
    ) == {"prompt": "p", "image_url": IMG}


def test_kling_v21_pro_image_to_video_sends_no_aspect_ratio() -> None:
    assert map_video(
        "fal-ai/kling-video/v2.1/pro/image-to-video",
        prompt="p",
        image_list=[first()],
        duration_seconds=10,
    ) == {"prompt": "p", "image_url": IMG, "duration": "10"}
    with pytest.raises(ValidationError, match="aspect_ratio='16:9' is not taken by this model"):
        map_video(
            "fal-ai/kling-video/v2.1/pro/image-to-video",
            prompt="p",
            image_list=[first()],
            aspect_ratio="16:9",
        )
    assert map_video(
        "fal-ai/kling-video/v2.1/pro/text-to-video", prompt="p", aspect_ratio="9:16"
    ) == {
        "prompt": "p",
        "aspect_ratio": "9:16",
    }


def test_provider_info_exposes_families_and_mappings() -> None:
    info = _plugins.registry.providers["fal"].info
    names = {family.name for family in info.model_families}
    assert any("Veo" in n for n in names) and any("Nano Banana" in n for n in names)
    assert "fal-ai/veo3.1" in info.field_mappings
    veo = next(f for f in info.model_families if f.name.startswith("Veo"))
    assert veo.modalities == ["video"] and "duration_seconds" in veo.fields


def test_supports_modality_by_family() -> None:
    fal = _plugins.registry.providers["fal"]

    def supports(model: str, modality: str) -> bool:
        return fal.call("tarash_supports_modality", provider="fal", model=model, modality=modality)

    assert supports("fal-ai/veo3.1", "video") and not supports("fal-ai/veo3.1", "image")
    assert supports("fal-ai/flux/dev", "image") and not supports("fal-ai/flux/dev", "video")
    assert supports("someone/new-model", "video") and supports("someone/new-model", "image")
    assert not supports("someone/new-model", "tts")
