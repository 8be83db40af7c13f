"""Every Runway family maps a request to the exact body (and endpoint) Runway documents."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tarash.tarash_gateway import _plugins
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import (
    AudioOutputFormat,
    ImageGenerationRequest,
    STSRequest,
    TTSRequest,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing import mapping
from tarash_runway import CATALOG

IMG = "https://example.com/a.png"
END = "https://example.com/end.png"
VID = "https://example.com/in.mp4"


def first(url: str = IMG) -> dict[str, Any]:
    return {"image": url, "type": "first_frame"}


def last(url: str = END) -> dict[str, Any]:
    return {"image": url, "type": "last_frame"}


def ref(url: str = IMG) -> dict[str, Any]:
    return {"image": url, "type": "reference"}


def mapped(model: str, modality: str, request: Any) -> tuple[str, dict[str, Any]]:
    assert mapping.modality_of(request) == modality
    payload = mapping.mapped("runway", model, request)
    return CATALOG.select(model, modality, request).endpoint, payload


T2V, I2V, V2V = "/v1/text_to_video", "/v1/image_to_video", "/v1/video_to_video"

VIDEO_CASES: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
    # ---- Gen-4.5: text vs image endpoint is the catalog's choice
    (
        "gen4.5",
        {"prompt": "a fox", "duration_seconds": 8, "aspect_ratio": "9:16", "seed": 7},
        T2V,
        {"model": "gen4.5", "promptText": "a fox", "ratio": "720:1280", "duration": 8, "seed": 7},
    ),
    (
        "gen4.5",
        {"prompt": "a fox"},
        T2V,
        {"model": "gen4.5", "promptText": "a fox", "ratio": "1280:720", "duration": 5},
    ),
    (
        "gen4.5",
        {"prompt": "a fox", "aspect_ratio": "21:9", "image_list": [first()]},
        I2V,
        {
            "model": "gen4.5",
            "promptText": "a fox",
            "ratio": "1584:672",
            "duration": 5,
            "promptImage": IMG,
        },
    ),
    (
        "gen4_turbo",
        {"prompt": "wind", "aspect_ratio": "4:3", "duration_seconds": 10, "image_list": [ref()]},
        I2V,
        {
            "model": "gen4_turbo",
            "promptText": "wind",
            "promptImage": IMG,
            "ratio": "1104:832",
            "duration": 10,
        },
    ),
    # ---- Veo 3.1 / fast / 3
    (
        "veo3.1",
        {
            "prompt": "a fox",
            "aspect_ratio": "16:9",
            "resolution": "1080p",
            "duration_seconds": 6,
            "generate_audio": False,
            "negative_prompt": "blur",
        },
        T2V,
        {
            "model": "veo3.1",
            "promptText": "a fox",
            "ratio": "1920:1080",
            "duration": 6,
            "audio": False,
            "negativePrompt": "blur",
        },
    ),
    (
        "veo3.1_fast",
        {"prompt": "a fox", "image_list": [first(), last()], "aspect_ratio": "9:16"},
        I2V,
        {
            "model": "veo3.1_fast",
            "promptText": "a fox",
            "ratio": "720:1280",
            "promptImage": [
                {"uri": IMG, "position": "first"},
                {"uri": END, "position": "last"},
            ],
        },
    ),
    (
        "veo3",
        {"prompt": "a fox"},
        T2V,
        {"model": "veo3", "promptText": "a fox", "ratio": "1280:720", "duration": 8},
    ),
    (
        "veo3",
        {"prompt": "a fox", "image_list": [first()]},
        I2V,
        {
            "model": "veo3",
            "promptText": "a fox",
            "ratio": "1280:720",
            "duration": 8,
            "promptImage": IMG,
        },
    ),
    # ---- Seedance 2.0: text, keyframes, references, video
    (
        "seedance2",
        {
            "prompt": "a fox",
            "aspect_ratio": "21:9",
            "resolution": "4k",
            "duration_seconds": 15,
            "generate_audio": True,
        },
        T2V,
        {
            "model": "seedance2",
            "promptText": "a fox",
            "ratio": "3840:1646",
            "duration": 15,
            "audio": True,
        },
    ),
    ("seedance2", {"prompt": "a fox"}, T2V, {"model": "seedance2", "promptText": "a fox"}),
    (
        "seedance2_fast",
        {
            "prompt": "p",
            "aspect_ratio": "1:1",
            "resolution": "480p",
            "image_list": [first(), last()],
        },
        I2V,
        {
            "model": "seedance2_fast",
            "promptText": "p",
            "ratio": "640:640",
            "promptImage": [
                {"uri": IMG, "position": "first"},
                {"uri": END, "position": "last"},
            ],
        },
    ),
    (
        "seedance2_mini",
        {"prompt": "p", "image_list": [ref(IMG), ref(END)]},
        I2V,
        {"model": "seedance2_mini", "promptText": "p", "promptImage": [{"uri": IMG}, {"uri": END}]},
    ),
    (
        "seedance2",
        {"prompt": "p", "video": VID, "duration_seconds": 5},
        V2V,
        {"model": "seedance2", "promptText": "p", "duration": 5, "promptVideo": VID},
    ),
    # ---- HappyHorse, Gemini Omni Flash, Aleph 2
    (
        "happyhorse_1_0",
        {"prompt": "p", "image_list": [first()], "resolution": "1080p", "duration_seconds": 5},
        I2V,
        {
            "model": "happyhorse_1_0",
            "promptText": "p",
            "promptImage": IMG,
            "resolution": "1080P",
            "duration": 5,
        },
    ),
    (
        "happyhorse_1_0",
        {"prompt": "p", "aspect_ratio": "4:3", "resolution": "1080p"},
        T2V,
        {"model": "happyhorse_1_0", "promptText": "p", "ratio": "1662:1248"},
    ),
    (
        "gemini_omni_flash",
        {"prompt": "p", "duration_seconds": 3, "aspect_ratio": "9:16"},
        T2V,
        {"model": "gemini_omni_flash", "promptText": "p", "ratio": "720:1280", "duration": 3},
    ),
    (
        "gemini_omni_flash",
        {"prompt": "make it night", "video": VID, "image_list": [ref()]},
        V2V,
        {
            "model": "gemini_omni_flash",
            "promptText": "make it night",
            "videoUri": VID,
            "references": [{"uri": IMG}],
        },
    ),
    (
        "aleph2",
        {"prompt": "add snow", "video": VID, "seed": 3, "targetAspectRatio": "1:1"},
        V2V,
        {
            "model": "aleph2",
            "promptText": "add snow",
            "videoUri": VID,
            "seed": 3,
            "targetAspectRatio": "1:1",
        },
    ),
    # ---- any other model id: the generic tables
    (
        "gen5_preview",
        {"prompt": "p", "aspect_ratio": "1:1", "duration_seconds": 4},
        T2V,
        {"model": "gen5_preview", "promptText": "p", "ratio": "960:960", "duration": 4},
    ),
]


@pytest.mark.parametrize(
    ("model", "fields", "endpoint", "expected"),
    VIDEO_CASES,
    ids=[f"{c[0]}-{c[2].rsplit('/', 1)[-1]}-{i}" for i, c in enumerate(VIDEO_CASES)],
)
def test_video_payload(
    model: str, fields: dict[str, Any], endpoint: str, expected: dict[str, Any]
) -> None:
    assert mapped(model, "video", VideoGenerationRequest(**fields)) == (endpoint, expected)


IMAGE_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "gen4_image",
        {"prompt": "p", "size": "1808x768", "seed": 1, "image_list": [ref()]},
        {
            "model": "gen4_image",
            "promptText": "p",
            "ratio": "1808:768",
            "referenceImages": [{"uri": IMG}],
            "seed": 1,
        },
    ),
    (
        "gen4_image",
        {"prompt": "p", "aspect_ratio": "3:4"},
        {"model": "gen4_image", "promptText": "p", "ratio": "1080:1440"},
    ),
    (
        "gen4_image_turbo",
        {"prompt": "p", "image_list": [ref(), ref(END)]},
        {
            "model": "gen4_image_turbo",
            "promptText": "p",
            "ratio": "1920:1080",
            "referenceImages": [{"uri": IMG}, {"uri": END}],
        },
    ),
    (
        "gpt_image_2",
        {"prompt": "p", "aspect_ratio": "auto", "quality": "high", "n": 2},
        {
            "model": "gpt_image_2",
            "promptText": "p",
            "ratio": "auto",
            "quality": "high",
            "outputCount": 2,
        },
    ),
    (
        "gemini_image3_pro",
        {"prompt": "p", "aspect_ratio": "16:9", "n": 4},
        {"model": "gemini_image3_pro", "promptText": "p", "ratio": "1344:768", "outputCount": 4},
    ),
    (
        "gemini_image3.1_flash",
        {"prompt": "p", "size": "8192x2048"},
        {"model": "gemini_image3.1_flash", "promptText": "p", "ratio": "8192:2048"},
    ),
    (
        "gemini_2.5_flash",
        {"prompt": "p", "aspect_ratio": "9:16"},
        {"model": "gemini_2.5_flash", "promptText": "p", "ratio": "768:1344"},
    ),
    (
        "seedream5_lite",
        {"prompt": "p", "aspect_ratio": "1:1", "n": 3},
        {"model": "seedream5_lite", "promptText": "p", "ratio": "2048:2048", "outputCount": 3},
    ),
]


@pytest.mark.parametrize(
    ("model", "fields", "expected"), IMAGE_CASES, ids=[c[0] for c in IMAGE_CASES]
)
def test_image_payload(model: str, fields: dict[str, Any], expected: dict[str, Any]) -> None:
    request = ImageGenerationRequest(**fields)
    assert mapped(model, "image", request) == ("/v1/text_to_image", expected)


def test_tts_payloads() -> None:
    endpoint, payload = mapped(
        "eleven_multilingual_v2", "tts", TTSRequest(text="hello", voice_id="Maya")
    )
    assert endpoint == "/v1/text_to_speech"
    assert payload == {
        "model": "eleven_multilingual_v2",
        "promptText": "hello",
        "voice": {"type": "runway-preset", "presetId": "Maya"},
    }
    request = TTSRequest(
        text="hi",
        voice_id="https://example.com/voice.mp3",
        output_format=AudioOutputFormat(format="opus", sample_rate=48000),
    )
    assert mapped("seed_audio", "tts", request)[1] == {
        "model": "seed_audio",
        "promptText": "hi",
        "voice": {"type": "reference-audio", "audioUri": "https://example.com/voice.mp3"},
        "outputFormat": "ogg_opus",
        "sampleRate": 48000,
    }


def test_sts_payload_inlines_audio_as_a_data_uri() -> None:
    audio = b"ID3\x04" + bytes(20)
    request = STSRequest(
        audio={"content": audio, "content_type": "audio/mpeg"},
        voice_id="Noah",
        removeBackgroundNoise=True,
    )
    endpoint, payload = mapped("eleven_multilingual_sts_v2", "sts", request)
    assert endpoint == "/v1/speech_to_speech"
    assert payload == {
        "model": "eleven_multilingual_sts_v2",
        "media": {
            "type": "audio",
            "uri": "data:audio/mpeg;base64," + base64.b64encode(audio).decode(),
        },
        "voice": {"type": "runway-preset", "presetId": "Noah"},
        "removeBackgroundNoise": True,
    }


# ---------------------------------------------------------------- refusals name field, value, accepted
@pytest.mark.parametrize(
    ("model", "modality", "request_", "message"),
    [
        (
            "gen4.5",
            "video",
            VideoGenerationRequest(prompt="p", resolution="1080p"),
            "resolution='1080p' is not accepted; accepted: '720p'",
        ),
        (
            "veo3.1",
            "video",
            VideoGenerationRequest(prompt="p", aspect_ratio="1:1"),
            "aspect_ratio='1:1' is not accepted; accepted: '16:9', '9:16'; as Runway ratios: "
            "16:9 720p (1280:720), 9:16 720p (720:1280), 9:16 1080p (1080:1920), "
            "16:9 1080p (1920:1080)",
        ),
        (
            "veo3.1",
            "video",
            VideoGenerationRequest(prompt="p", duration_seconds=5),
            "duration_seconds=5 is not accepted; accepted: 4, 6, 8",
        ),
        (
            "gen4.5",
            "video",
            VideoGenerationRequest(prompt="p", duration_seconds=11),
            "duration_seconds=11 is not accepted; accepted: 2 to 10",
        ),
        (
            "gen4_turbo",
            "video",
            VideoGenerationRequest(prompt="p"),
            "image_list is required by this model (sent as 'promptImage')",
        ),
        (
            "gen4.5",
            "video",
            VideoGenerationRequest(prompt="p", image_list=[first(), last()]),
            "image_list='a last_frame image' is not accepted; this model takes a first frame only",
        ),
        (
            "veo3.1",
            "video",
            VideoGenerationRequest(prompt="p", image_list=[last()]),
            "a last_frame without a first_frame",
        ),
        (
            "seedance2",
            "video",
            VideoGenerationRequest(prompt="p", image_list=[first(), ref()]),
            "either keyframes (first_frame, last_frame) or reference images, not both",
        ),
        (
            "seedance2_fast",
            "video",
            VideoGenerationRequest(prompt="p", resolution="1080p"),
            "resolution='1080p' is not accepted; accepted: '480p', '720p'",
        ),
        (
            "veo3",
            "video",
            VideoGenerationRequest(prompt="p", video=VID),
            "video is given, but this model takes no input video",
        ),
        (
            "gen4_image",
            "image",
            ImageGenerationRequest(prompt="p", size="1000x1000"),
            "size='1000x1000' is not accepted; accepted: '1024x1024', '1080x1080', '1168x880'",
        ),
        (
            "gen4_image",
            "image",
            ImageGenerationRequest(prompt="p", image_list=[ref()] * 4),
            "image_list='4 images (any role)' is not accepted; at most 3",
        ),
        (
            "gemini_image3_pro",
            "image",
            ImageGenerationRequest(prompt="p", n=2),
            "n=2 is not accepted; accepted: 1, 4",
        ),
        (
            "eleven_multilingual_v2",
            "tts",
            TTSRequest(text="hi", voice_id="Bob"),
            "voice_id='Bob' is not accepted; accepted: 'Maya', 'Arjun'",
        ),
        (
            "seed_audio",
            "tts",
            TTSRequest(text="hi", voice_id="Maya"),
            "voice_id='Maya' is not accepted; accepted: a URL or data URI of reference audio",
        ),
        (
            "seed_audio",
            "tts",
            TTSRequest(
                text="hi",
                voice_id="https://x/v.mp3",
                output_format=AudioOutputFormat(format="flac"),
            ),
            "output_format.format='flac' is not accepted; accepted: mp3, wav, opus",
        ),
    ],
)
def test_refusals_name_the_field_the_value_and_what_is_accepted(
    model: str, modality: str, request_: Any, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        mapped(model, modality, request_)
    assert message in str(caught.value)


def test_two_videos_are_refused() -> None:
    with pytest.raises(ValidationError, match="number_of_videos=2"):
        mapped("gen4.5", "video", VideoGenerationRequest(prompt="p", number_of_videos=2))


def test_describe_lists_every_family_with_its_endpoint() -> None:
    info = _plugins.registry.providers["runway"].info
    names = {family.name for family in info.model_families}
    for expected in (
        "Gen-4.5 text to video",
        "Gen-4.5 image to video",
        "Gen-4 Turbo",
        "Veo 3.1 image to video",
        "Seedance 2.0 video to video",
        "Aleph 2 video to video",
        "Gen-4 Image",
        "GPT Image 2",
        "ElevenLabs Multilingual v2 (text to speech)",
        "ElevenLabs Multilingual STS v2",
    ):
        assert expected in names
    gen45 = [f for f in info.model_families if "gen4.5" in f.prefixes]
    assert [f.notes.split(";")[0] for f in gen45] == [
        "POST /v1/text_to_video",
        "POST /v1/image_to_video",
    ]
    assert "gen4.5" in info.field_mappings and "eleven_multilingual_sts_v2" in info.field_mappings


@pytest.mark.parametrize(
    ("model", "modality", "supported"),
    [
        ("gen4.5", "video", True),
        ("gen4.5", "image", False),
        ("gen4_image", "image", True),
        ("eleven_multilingual_v2", "tts", True),
        ("eleven_multilingual_v2", "sts", False),
        ("some_new_model", "video", True),
        ("some_new_model", "tts", False),
    ],
)
def test_supports_modality(model: str, modality: str, supported: bool) -> None:
    runway = _plugins.registry.providers["runway"]
    assert (
        runway.call("tarash_supports_modality", provider="runway", model=model, modality=modality)
        is supported
    )


def test_describe_model_publishes_the_tables_data() -> None:
    from tarash.tarash_gateway import describe_model, list_models

    gen45 = describe_model("runway", "gen4.5", "video")
    assert [v.endpoint for v in gen45.variants] == ["/v1/text_to_video", "/v1/image_to_video"]
    ratio = gen45.field("aspect_ratio")
    assert ratio is not None and ratio.values == ["16:9", "9:16"] and "1280:720" in ratio.note
    assert gen45.field("duration_seconds").minimum == 2
    assert gen45.field("duration_seconds").maximum == 10
    assert "negative_prompt" in gen45.unused_fields
    veo = describe_model("runway", "veo3.1", "video")
    image = next(v for v in veo.variants if v.endpoint == "/v1/image_to_video")
    frames = next(f for f in image.fields if f.name == "image_list")
    assert frames.roles == ["first_frame", "reference", "last_frame"] and frames.media == "image"
    voices = describe_model("runway", "eleven_multilingual_v2", "tts").field("voice_id")
    assert voices is not None and "Maya" in voices.values
    listed = {(m.model, m.modality) for m in list_models("runway")}
    assert {("gen4_turbo", "video"), ("gpt_image_2", "image"), ("seed_audio", "tts")} <= listed
    assert ("eleven_multilingual_sts_v2", "sts") in listed


def test_a_filled_in_default_is_recorded_not_silent(runway_server) -> None:
    from tarash.tarash_gateway import generate_video
    from tarash.tarash_gateway.models import VideoGenerationConfig

    config = VideoGenerationConfig(
        provider="runway", model="gen4.5", api_key="k", base_url=runway_server.url,
        poll_interval=0.01,
    )  # fmt: skip
    response = generate_video(config, VideoGenerationRequest(prompt="p"))
    text = response.execution_metadata.model_dump_json()
    assert "the model requires a duration; 5 s sent" in text
