"""Runway's model families: one table per endpoint and model group (data, not code).

Fields, required inputs and ratio lists follow the request types of Runway's
official SDK (runwayml/sdk-python 5.13.0, ``types/*_create_params.py``). A
model listed by several families (``gen4.5`` on ``/v1/text_to_video`` and
``/v1/image_to_video``) gets the endpoint whose inputs the request has.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from tarash.tarash_gateway.capabilities import Catalog, Family
from tarash.tarash_gateway.models import Modality
from tarash.tarash_gateway.plugin import ModelFamily
from tarash.tarash_gateway.providers.field_mappers import (
    enum_field_mapper,
    n_images_field_mapper,
    passthrough_field_mapper,
)
from tarash_runway._mapping import (
    AUDIO,
    NEGATIVE_PROMPT,
    PROMPT,
    PROMPT_OPTIONAL,
    SEED,
    Mappers,
    duration,
    image_ratio,
    output_format,
    preset_voice,
    prompt_image,
    ratio,
    reference_images,
    reference_voice,
    sample_rate,
    seconds,
    sts_media,
    video_uri,
)

SDK = "runwayml/sdk-python 5.13.0 (2026-07-27)"
T2V, I2V, V2V, T2I = (
    "/v1/text_to_video",
    "/v1/image_to_video",
    "/v1/video_to_video",
    "/v1/text_to_image",
)

# ---------------------------------------------------------------- ratio lists (SDK Literals)
R_720 = ("1280:720", "720:1280")
R_VEO = ("1280:720", "720:1280", "1080:1920", "1920:1080")
R_GEN4_I2V = ("1280:720", "720:1280", "1104:832", "960:960", "832:1104", "1584:672")
R_HAPPYHORSE = (
    "1280:720", "720:1280", "960:960", "1108:832", "832:1108",
    "1920:1080", "1080:1920", "1440:1440", "1662:1248", "1248:1662",
)  # fmt: skip
R_SEEDANCE_720 = (
    "992:432", "864:496", "752:560", "640:640", "560:752", "496:864",
    "1470:630", "1280:720", "1112:834", "960:960", "834:1112", "720:1280",
)  # fmt: skip
R_SEEDANCE = (
    *R_SEEDANCE_720,
    "2206:946", "1920:1080", "1664:1248", "1440:1440", "1248:1664", "1080:1920",
    "3840:1646", "3840:2160", "3840:2880", "3840:3840", "2880:3840", "2160:3840",
)  # fmt: skip
R_GEN4_IMAGE = (
    "1024:1024", "1080:1080", "1168:880", "1360:768", "1440:1080", "1080:1440",
    "1808:768", "1920:1080", "1080:1920", "2112:912", "1280:720", "720:1280",
    "720:720", "960:720", "720:960", "1680:720",
)  # fmt: skip
R_GPT_IMAGE_2 = (
    "2048:880", "1920:1088", "1920:1280", "1920:1440", "1920:1536", "1920:1920",
    "1536:1920", "1440:1920", "1280:1920", "1088:1920", "2912:1248", "2560:1440",
    "2560:1712", "2560:1920", "2560:2048", "2560:2560", "2048:2560", "1920:2560",
    "1712:2560", "1440:2560", "3840:1648", "3840:2160", "3504:2336", "3264:2448",
    "3200:2560", "2880:2880", "2560:3200", "2448:3264", "2336:3504", "2160:3840", "auto",
)  # fmt: skip
R_GEMINI_IMAGE = (
    "1344:768", "768:1344", "1024:1024", "1184:864", "864:1184", "1536:672",
    "832:1248", "1248:832", "896:1152", "1152:896",
)  # fmt: skip
R_GEMINI_IMAGE_3_PRO = (
    *R_GEMINI_IMAGE,
    "2048:2048", "1696:2528", "2528:1696", "1792:2400", "2400:1792", "1856:2304",
    "2304:1856", "1536:2752", "2752:1536", "3168:1344", "4096:4096", "3392:5056",
    "5056:3392", "3584:4800", "4800:3584", "3712:4608", "4608:3712", "3072:5504",
    "5504:3072", "6336:2688",
)  # fmt: skip

R_GEMINI_IMAGE_31_FLASH = (
    "512:512", "416:624", "624:416", "432:592", "592:432", "448:576", "576:448", "384:672",
    "672:384", "768:336", "256:1024", "1024:256", "176:1408", "1408:176", "1024:1024",
    "832:1248", "1248:832", "864:1184", "1184:864", "896:1152", "1152:896", "768:1344",
    "1344:768", "1536:672", "512:2048", "2048:512", "352:2816", "2816:352", "2048:2048",
    "1696:2528", "2528:1696", "1792:2400", "2400:1792", "1856:2304", "2304:1856",
    "1536:2752", "2752:1536", "3168:1344", "1024:4096", "4096:1024", "704:5632", "5632:704",
    "4096:4096", "3392:5056", "5056:3392", "3584:4800", "4800:3584", "3712:4608",
    "4608:3712", "3072:5504", "5504:3072", "6336:2688", "2048:8192", "8192:2048",
    "1408:11264", "11264:1408",
)  # fmt: skip

R_SEEDREAM5_PRO = (
    "1024:1024", "1184:896", "896:1184", "1376:768", "768:1376", "1296:864", "864:1296",
    "2048:2048", "2304:1728", "1728:2304", "2720:1530", "1530:2720", "2496:1664",
    "1664:2496", "auto_1k", "auto_2k",
)  # fmt: skip

R_SEEDREAM5_LITE = (
    "2048:2048", "2304:1728", "1728:2304", "2848:1600", "1600:2848", "2496:1664",
    "1664:2496", "3136:1344", "3072:3072", "3456:2592", "2592:3456", "4096:2304",
    "2304:4096", "3744:2496", "2496:3744", "4704:2016",
)  # fmt: skip

GEN4_DURATION = seconds(2, 10)
SEEDANCE_DURATION = seconds(4, 15)
SEEDANCE_MODELS = ("seedance2", "seedance2_fast", "seedance2_mini")

# ---------------------------------------------------------------- video tables
GEN45_T2V: Mappers = {
    "promptText": PROMPT,
    "ratio": ratio(R_720),
    "duration": duration(GEN4_DURATION, default=5),
    "seed": SEED,
}
GEN45_I2V: Mappers = {**GEN45_T2V, "promptImage": prompt_image(), "ratio": ratio(R_GEN4_I2V)}
GEN4_TURBO: Mappers = {
    "promptText": PROMPT_OPTIONAL,
    "promptImage": prompt_image(),
    "ratio": ratio(R_GEN4_I2V),
    "duration": duration(GEN4_DURATION),
    "seed": SEED,
}
VEO31_T2V: Mappers = {
    "promptText": PROMPT,
    "ratio": ratio(R_VEO),
    "duration": duration([4, 6, 8]),
    "audio": AUDIO,
    "negativePrompt": NEGATIVE_PROMPT,
}
VEO31_I2V: Mappers = {
    **VEO31_T2V,
    "promptText": PROMPT_OPTIONAL,
    "promptImage": prompt_image(last=True),
}
VEO3_T2V: Mappers = {
    "promptText": PROMPT,
    "ratio": ratio(R_VEO),
    "duration": duration([8], default=8),
    "negativePrompt": NEGATIVE_PROMPT,
}
VEO3_I2V: Mappers = {**VEO3_T2V, "promptText": PROMPT_OPTIONAL, "promptImage": prompt_image()}


def _seedance(ratios: tuple[str, ...]) -> tuple[Mappers, Mappers, Mappers]:
    base: Mappers = {
        "promptText": PROMPT,
        "ratio": ratio(ratios, required=False),
        "duration": duration(SEEDANCE_DURATION),
        "audio": AUDIO,
    }
    t2v = base
    i2v = {
        **base,
        "promptText": PROMPT_OPTIONAL,
        "promptImage": prompt_image(last=True, references=True),
    }
    v2v = {**base, "promptText": PROMPT_OPTIONAL, "promptVideo": video_uri()}
    return t2v, i2v, v2v


SEEDANCE2_T2V, SEEDANCE2_I2V, SEEDANCE2_V2V = _seedance(R_SEEDANCE)
SEEDANCE2_720_T2V, SEEDANCE2_720_I2V, SEEDANCE2_720_V2V = _seedance(R_SEEDANCE_720)

HAPPYHORSE_T2V: Mappers = {
    "promptText": PROMPT,
    "ratio": ratio(R_HAPPYHORSE, required=False),
    "duration": duration(),
}
HAPPYHORSE_I2V: Mappers = {
    "promptText": PROMPT_OPTIONAL,
    "promptImage": prompt_image(),
    "resolution": enum_field_mapper("resolution", {"720p": "720P", "1080p": "1080P"}),
    "duration": duration(),
}
OMNI_FLASH_T2V: Mappers = {
    "promptText": PROMPT,
    "ratio": ratio(R_720, required=False),
    "duration": duration(seconds(3, 10)),
}
OMNI_FLASH_I2V: Mappers = {
    **OMNI_FLASH_T2V,
    "promptText": PROMPT_OPTIONAL,
    "promptImage": prompt_image(),
}
OMNI_FLASH_V2V: Mappers = {
    "promptText": PROMPT,
    "videoUri": video_uri(),
    "references": reference_images(9),
}
ALEPH2: Mappers = {
    "promptText": PROMPT_OPTIONAL,
    "videoUri": video_uri(),
    "seed": SEED,
}

# ---------------------------------------------------------------- image tables
GEN4_IMAGE: Mappers = {
    "promptText": PROMPT,
    "ratio": image_ratio(R_GEN4_IMAGE),
    "referenceImages": reference_images(3),
    "seed": SEED,
}
GEN4_IMAGE_TURBO: Mappers = {**GEN4_IMAGE, "referenceImages": reference_images(3, required=True)}
GPT_IMAGE_2: Mappers = {
    "promptText": PROMPT,
    "ratio": image_ratio(R_GPT_IMAGE_2),
    "quality": enum_field_mapper("quality", ["low", "medium", "high", "auto"]),
    "outputCount": n_images_field_mapper(1, 10),
    "referenceImages": reference_images(16),
}
GEMINI_IMAGE_3: Mappers = {
    "promptText": PROMPT,
    "ratio": image_ratio(R_GEMINI_IMAGE_3_PRO),
    "outputCount": enum_field_mapper("n", [1, 4]),
    "referenceImages": reference_images(14),
}
GEMINI_25_FLASH: Mappers = {
    "promptText": PROMPT,
    "ratio": image_ratio(R_GEMINI_IMAGE),
    "referenceImages": reference_images(3),
}


def SEEDREAM5(ratios: tuple[str, ...]) -> Mappers:  # noqa: N802 - reads as a table
    """Seedream 5 (Pro, Lite): ratio list, image count, references by upload order."""
    return {
        "promptText": PROMPT,
        "ratio": image_ratio(ratios),
        "outputCount": n_images_field_mapper(1, 10),
        "referenceImages": reference_images(10),
    }


# ---------------------------------------------------------------- generic tables
R_GENERIC_VIDEO = R_GEN4_I2V
R_GENERIC_IMAGE = (*R_GEN4_IMAGE,)
GENERIC_T2V: Mappers = {
    "promptText": PROMPT,
    "ratio": ratio(R_GENERIC_VIDEO, required=False),
    "duration": duration(),
    "seed": SEED,
}
GENERIC_I2V: Mappers = {
    **GENERIC_T2V,
    "promptText": PROMPT_OPTIONAL,
    "promptImage": prompt_image(last=True),
}
GENERIC_V2V: Mappers = {"promptText": PROMPT_OPTIONAL, "videoUri": video_uri(), "seed": SEED}
GENERIC_T2I: Mappers = {
    "promptText": PROMPT,
    "ratio": image_ratio(R_GENERIC_IMAGE),
    "referenceImages": reference_images(16),
    "seed": SEED,
}

# ---------------------------------------------------------------- speech tables
TEXT = passthrough_field_mapper("text", required=True)
ELEVEN_TTS: Mappers = {"promptText": TEXT, "voice": preset_voice()}
SEED_AUDIO_TTS: Mappers = {
    "promptText": TEXT,
    "voice": reference_voice(),
    "outputFormat": output_format(),
    "sampleRate": sample_rate(),
}
ELEVEN_STS: Mappers = {"media": sts_media(), "voice": preset_voice()}

# ---------------------------------------------------------------- the catalog
_SEEDANCE_VIDEO = (
    (("seedance2",), SEEDANCE2_T2V, SEEDANCE2_I2V, SEEDANCE2_V2V),
    (("seedance2_fast", "seedance2_mini"), SEEDANCE2_720_T2V, SEEDANCE2_720_I2V, SEEDANCE2_720_V2V),
)
_task = partial(Family, model_field="model")
"""A Runway family: every task body names its model (``model``)."""

_SEEDANCE_NOTE = "duration 4-15 s (Runway's types say int; range from Seedance 2.0's own docs)"

FAMILIES: tuple[Family, ...] = (
    _task("Gen-4.5 text to video", "video", ("gen4.5",), GEN45_T2V, T2V, SDK,
           "duration 2-10 s (5 when not given); ratio 1280:720 or 720:1280"),
    _task("Gen-4.5 image to video", "video", ("gen4.5",), GEN45_I2V, I2V, SDK,
           "first frame from image_list"),
    _task("Gen-4 Turbo", "video", ("gen4_turbo",), GEN4_TURBO, I2V, SDK,
           "image to video only: a first frame is required"),
    _task("Veo 3.1 text to video", "video", ("veo3.1", "veo3.1_fast"), VEO31_T2V, T2V, SDK,
           "duration 4, 6 or 8 s; 720p or 1080p, 16:9 or 9:16"),
    _task("Veo 3.1 image to video", "video", ("veo3.1", "veo3.1_fast"), VEO31_I2V, I2V, SDK,
           "first frame, optionally a last frame"),
    _task("Veo 3 text to video", "video", ("veo3",), VEO3_T2V, T2V, SDK, "8 s only"),
    _task("Veo 3 image to video", "video", ("veo3",), VEO3_I2V, I2V, SDK, "8 s only"),
    *(
        family
        for models, t2v, i2v, v2v in _SEEDANCE_VIDEO
        for family in (
            _task("Seedance 2.0 text to video", "video", models, t2v, T2V, SDK, _SEEDANCE_NOTE),
            _task("Seedance 2.0 image to video", "video", models, i2v, I2V, SDK,
                   "first/last keyframes, or up to 9 reference images (not both)"),
            _task("Seedance 2.0 video to video", "video", models, v2v, V2V, SDK, _SEEDANCE_NOTE),
        )
    ),
    _task("HappyHorse 1.0 text to video", "video", ("happyhorse_1_0",), HAPPYHORSE_T2V, T2V, SDK),
    _task("HappyHorse 1.0 image to video", "video", ("happyhorse_1_0",), HAPPYHORSE_I2V, I2V,
           SDK, "resolution 720p or 1080p; the aspect ratio follows the image"),
    _task("Gemini Omni Flash text to video", "video", ("gemini_omni_flash",), OMNI_FLASH_T2V,
           T2V, SDK, "duration 3-10 s"),
    _task("Gemini Omni Flash image to video", "video", ("gemini_omni_flash",), OMNI_FLASH_I2V,
           I2V, SDK, "first frame only"),
    _task("Gemini Omni Flash video edit", "video", ("gemini_omni_flash",), OMNI_FLASH_V2V, V2V,
           SDK, "image_list as references"),
    _task("Aleph 2 video to video", "video", ("aleph2",), ALEPH2, V2V, SDK,
           "keyframes / targetAspectRatio through extra_params"),
    _task("Gen-4 Image", "image", ("gen4_image",), GEN4_IMAGE, T2I, SDK,
           "up to 3 reference images (tag them through extra_params referenceImages)"),
    _task("Gen-4 Image Turbo", "image", ("gen4_image_turbo",), GEN4_IMAGE_TURBO, T2I, SDK,
           "1 to 3 reference images required"),
    _task("GPT Image 2", "image", ("gpt_image_2",), GPT_IMAGE_2, T2I, SDK,
           "aspect_ratio 'auto' lets the model choose"),
    _task("Gemini Image 3 Pro", "image", ("gemini_image3_pro",), GEMINI_IMAGE_3, T2I, SDK,
           "n is 1 or 4"),
    _task("Gemini Image 3.1 Flash", "image", ("gemini_image3.1_flash",),
           {**GEMINI_IMAGE_3, "ratio": image_ratio(R_GEMINI_IMAGE_31_FLASH)}, T2I, SDK,
           "n is 1 or 4"),
    _task("Gemini 2.5 Flash Image", "image", ("gemini_2.5_flash",), GEMINI_25_FLASH, T2I, SDK),
    _task("Seedream 5 Pro", "image", ("seedream5_pro",), SEEDREAM5(R_SEEDREAM5_PRO), T2I, SDK,
           "ratio 'auto_1k'/'auto_2k' through extra_params"),
    _task("Seedream 5 Lite", "image", ("seedream5_lite",), SEEDREAM5(R_SEEDREAM5_LITE), T2I,
           SDK),
    _task("ElevenLabs Multilingual v2 (text to speech)", "tts", ("eleven_multilingual_v2",),
           ELEVEN_TTS, "/v1/text_to_speech", SDK, "voice_id is one of Runway's preset voices"),
    _task("Seed Audio (text to speech)", "tts", ("seed_audio",), SEED_AUDIO_TTS,
           "/v1/text_to_speech", SDK,
           "voice_id: a URL / data URI of reference audio to clone (optional)"),
    _task("ElevenLabs Multilingual STS v2", "sts", ("eleven_multilingual_sts_v2",), ELEVEN_STS,
           "/v1/speech_to_speech", SDK, "voice_id is one of Runway's preset voices"),
)  # fmt: skip

GENERIC_VIDEO: tuple[Family, ...] = (
    _task("Any other model: text to video", "video", (), GENERIC_T2V, T2V,
           notes="prompt, 16:9 / 9:16 / 1:1 / 4:3 / 3:4 / 21:9 at 720p, duration, seed"),
    _task("Any other model: image to video", "video", (), GENERIC_I2V, I2V,
           selected_when="image_list has a first frame"),
    _task("Any other model: video to video", "video", (), GENERIC_V2V, V2V,
           selected_when="video is given"),
)  # fmt: skip
GENERIC_IMAGE = _task("Any other model: text to image", "image", (), GENERIC_T2I, T2I)

CATALOG = Catalog(FAMILIES, generic={"video": GENERIC_VIDEO, "image": GENERIC_IMAGE})
"""Every family; unknown model ids use the generic tables of their modality (video: the
text, image and video to video endpoints, chosen by what the request holds)."""


def select(model: str, modality: Modality, request: Any) -> Family:
    """The family (endpoint) serving ``request``: ``CATALOG.select``."""
    return CATALOG.select(model, modality, request)


def _describe(family: Family) -> ModelFamily:
    fields: list[str] = []
    for mapper in family.fields.values():
        for name in (mapper.source_field, *(other for other, _ in mapper.also_reads)):
            if name and name not in fields:
                fields.append(name)
    return ModelFamily(
        name=family.name,
        prefixes=list(family.models),
        modalities=[family.modality],
        fields=[*fields, "extra_params"],
        notes=f"POST {family.endpoint}" + (f"; {family.notes}" if family.notes else ""),
    )


MODEL_FAMILIES: list[ModelFamily] = [
    _describe(f) for f in (*FAMILIES, *GENERIC_VIDEO, GENERIC_IMAGE)
]
"""Every family as ``tarash providers --models`` lists it."""
