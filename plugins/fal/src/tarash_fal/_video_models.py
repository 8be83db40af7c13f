"""Video model families on fal: one mapping table per endpoint (data, not code).

Field names and accepted values follow each model's page on fal.ai. A model id
uses the table of the longest prefix it starts with; ``extra_params`` are
merged over the mapped payload, so any model-specific input not listed here
(``cfg_scale``, ``camera_fixed``, ``elements``...) can still be sent.
"""

from __future__ import annotations

from tarash_fal._mapping import (
    ENHANCE_PROMPT,
    GENERATE_AUDIO,
    NEGATIVE_PROMPT,
    PROMPT,
    PROMPT_OPTIONAL,
    SEED,
    Mappers,
    choice,
    duration,
    image_url,
    image_urls,
    last_frame_url,
    num_frames,
    seconds_range,
    video_url,
    video_urls,
)

# ---------------------------------------------------------------- Veo 3 / 3.1 / 3.1 lite
_VEO_BASE: Mappers = {
    "prompt": PROMPT,
    "aspect_ratio": choice("aspect_ratio", ["16:9", "9:16"]),
    "duration": duration([4, 6, 8], suffix=True),
    "negative_prompt": NEGATIVE_PROMPT,
    "resolution": choice("resolution", ["720p", "1080p"]),
    "generate_audio": GENERATE_AUDIO,
    "seed": SEED,
}
_VEO31_BASE: Mappers = {**_VEO_BASE, "resolution": choice("resolution", ["720p", "1080p", "4k"])}
_VEO_AUTO = choice("aspect_ratio", ["auto", "16:9", "9:16"])


def _veo_i2v(base: Mappers) -> Mappers:
    return {**base, "aspect_ratio": _VEO_AUTO, "image_url": image_url(required=True)}


def _veo_flf(base: Mappers) -> Mappers:
    return {
        **base,
        "aspect_ratio": _VEO_AUTO,
        "first_frame_url": image_url(("first_frame",), required=True),
        "last_frame_url": last_frame_url(required=True),
    }


_VEO_EXTEND: Mappers = {
    "prompt": PROMPT,
    "video_url": video_url(required=True),
    "aspect_ratio": _VEO_AUTO,
    "duration": duration([7], suffix=True),
    "negative_prompt": NEGATIVE_PROMPT,
    "resolution": choice("resolution", ["720p"]),
    "generate_audio": GENERATE_AUDIO,
    "seed": SEED,
}
_VEO31_REFERENCE: Mappers = {
    **_VEO31_BASE,
    "image_urls": image_urls(("reference",), required=True),
}
_VEO_LITE: Mappers = _VEO_BASE

VEO: dict[str, Mappers] = {
    "fal-ai/veo3": _VEO_BASE,
    "fal-ai/veo3/image-to-video": _veo_i2v(_VEO_BASE),
    "fal-ai/veo3/fast/image-to-video": _veo_i2v(_VEO_BASE),
    "fal-ai/veo3.1": _VEO31_BASE,
    "fal-ai/veo3.1/image-to-video": _veo_i2v(_VEO31_BASE),
    "fal-ai/veo3.1/fast/image-to-video": _veo_i2v(_VEO31_BASE),
    "fal-ai/veo3.1/first-last-frame-to-video": _veo_flf(_VEO31_BASE),
    "fal-ai/veo3.1/fast/first-last-frame-to-video": _veo_flf(_VEO31_BASE),
    "fal-ai/veo3.1/reference-to-video": _VEO31_REFERENCE,
    "fal-ai/veo3.1/extend-video": _VEO_EXTEND,
    "fal-ai/veo3.1/fast/extend-video": _VEO_EXTEND,
    "fal-ai/veo3.1/lite": _VEO_LITE,
    "fal-ai/veo3.1/lite/image-to-video": _veo_i2v(_VEO_LITE),
    "fal-ai/veo3.1/lite/first-last-frame-to-video": _veo_flf(_VEO_LITE),
}

# ---------------------------------------------------------------- Kling
_KLING_RATIO = choice("aspect_ratio", ["16:9", "9:16", "1:1"])
_KLING_5_10 = duration([5, 10])
_KLING_3_10 = duration(seconds_range(3, 10))
_KLING_3_15 = duration(seconds_range(3, 15))

# v1.x - v2.5 turbo: fal's text-to-video pages take aspect_ratio; the image-to-video
# pages take a required image_url and no aspect_ratio (the frame sets it).
_KLING_LEGACY: Mappers = {
    "prompt": PROMPT,
    "duration": _KLING_5_10,
    "aspect_ratio": _KLING_RATIO,
    "negative_prompt": NEGATIVE_PROMPT,
}
_KLING_LEGACY_I2V: Mappers = {
    "prompt": PROMPT,
    "image_url": image_url(required=True),
    "tail_image_url": last_frame_url(),
    "duration": _KLING_5_10,
    "negative_prompt": NEGATIVE_PROMPT,
}
_KLING_LEGACY_VERSIONS = ("v1", "v1.5", "v1.6", "v2", "v2.1", "v2.5-turbo")
_KLING26_T2V: Mappers = {
    "prompt": PROMPT,
    "duration": _KLING_5_10,
    "aspect_ratio": _KLING_RATIO,
    "negative_prompt": NEGATIVE_PROMPT,
    "generate_audio": GENERATE_AUDIO,
}
_KLING26_I2V: Mappers = {
    "prompt": PROMPT,
    "start_image_url": image_url(required=True),
    "end_image_url": last_frame_url(),
    "duration": _KLING_5_10,
    "negative_prompt": NEGATIVE_PROMPT,
    "generate_audio": GENERATE_AUDIO,
}
_KLING_MOTION: Mappers = {
    "prompt": PROMPT_OPTIONAL,
    "image_url": image_url(required=True),
    "video_url": video_url(required=True),
}
# Kling v3 takes the v2.6 fields, with durations of 3 to 15 seconds.
_KLING3_T2V: Mappers = {**_KLING26_T2V, "duration": _KLING_3_15}
_KLING3_I2V: Mappers = {**_KLING26_I2V, "duration": _KLING_3_15}
_KLING_O1_I2V: Mappers = {
    "prompt": PROMPT,
    "start_image_url": image_url(required=True),
    "end_image_url": last_frame_url(),
    "duration": _KLING_5_10,
}
_KLING_O1_REFERENCE: Mappers = {
    "prompt": PROMPT,
    "image_urls": image_urls(("reference",), max_items=7),
    "duration": _KLING_5_10,
    "aspect_ratio": _KLING_RATIO,
}
_KLING_O_EDIT: Mappers = {
    "prompt": PROMPT,
    "video_url": video_url(required=True),
    "image_urls": image_urls(("reference",), max_items=4),
}
_KLING_O1_V2V_REFERENCE: Mappers = {
    **_KLING_O_EDIT,
    "duration": _KLING_5_10,
    "aspect_ratio": choice("aspect_ratio", ["auto", "16:9", "9:16", "1:1"]),
}
_KLING_O3_T2V: Mappers = {
    "prompt": PROMPT,
    "duration": _KLING_3_15,
    "aspect_ratio": _KLING_RATIO,
    "generate_audio": GENERATE_AUDIO,
}
_KLING_O3_I2V: Mappers = {
    "prompt": PROMPT,
    "image_url": image_url(required=True),
    "end_image_url": last_frame_url(),
    "duration": _KLING_3_15,
    "generate_audio": GENERATE_AUDIO,
}
_KLING_O3_REFERENCE: Mappers = {
    "prompt": PROMPT,
    "start_image_url": image_url(("first_frame",)),
    "end_image_url": last_frame_url(),
    "image_urls": image_urls(("reference",), max_items=4),
    "duration": _KLING_3_15,
    "aspect_ratio": _KLING_RATIO,
    "generate_audio": GENERATE_AUDIO,
}
_KLING_O3_V2V_REFERENCE: Mappers = {
    **_KLING_O_EDIT,
    "duration": _KLING_3_15,
    "aspect_ratio": choice("aspect_ratio", ["auto", "16:9", "9:16", "1:1"]),
}


def _tiers(
    prefix: str, endpoints: dict[str, Mappers], tiers: tuple[str, ...]
) -> dict[str, Mappers]:
    """``{prefix}/{tier}/{endpoint}`` for every tier (``""`` = no tier segment)."""
    table: dict[str, Mappers] = {}
    for tier in tiers:
        for endpoint, mappers in endpoints.items():
            table["/".join(part for part in (prefix, tier, endpoint) if part)] = mappers
    return table


KLING: dict[str, Mappers] = {
    "fal-ai/kling-video": _KLING_LEGACY,
    **{
        key: table
        for version in _KLING_LEGACY_VERSIONS
        for key, table in _tiers(
            f"fal-ai/kling-video/{version}",
            {"image-to-video": _KLING_LEGACY_I2V},
            ("standard", "pro", "master"),
        ).items()
    },
    "fal-ai/kling-video/v2.6": _KLING26_T2V,
    **_tiers(
        "fal-ai/kling-video/v2.6",
        {"image-to-video": _KLING26_I2V, "motion-control": _KLING_MOTION},
        ("pro", "standard"),
    ),
    "fal-ai/kling-video/v3": _KLING3_T2V,
    **_tiers("fal-ai/kling-video/v3", {"image-to-video": _KLING3_I2V}, ("pro", "standard")),
    "fal-ai/kling-video/o1": _KLING_O1_REFERENCE,
    **_tiers(
        "fal-ai/kling-video/o1",
        {
            "image-to-video": _KLING_O1_I2V,
            "reference-to-video": _KLING_O1_REFERENCE,
            "video-to-video/edit": _KLING_O_EDIT,
            "video-to-video/reference": _KLING_O1_V2V_REFERENCE,
        },
        ("", "standard"),
    ),
    # fal's standard-tier O1 pages list durations 3-10 (the pro pages only say 5 or 10)
    "fal-ai/kling-video/o1/standard/image-to-video": {**_KLING_O1_I2V, "duration": _KLING_3_10},
    "fal-ai/kling-video/o1/standard/reference-to-video": {
        **_KLING_O1_REFERENCE,
        "duration": _KLING_3_10,
    },
    "fal-ai/kling-video/o3": _KLING_O3_T2V,
    **_tiers(
        "fal-ai/kling-video/o3",
        {
            "text-to-video": _KLING_O3_T2V,
            "image-to-video": _KLING_O3_I2V,
            "reference-to-video": _KLING_O3_REFERENCE,
            "video-to-video/edit": _KLING_O_EDIT,
            "video-to-video/reference": _KLING_O3_V2V_REFERENCE,
        },
        ("pro", "standard"),
    ),
}

# ---------------------------------------------------------------- MiniMax / Hailuo
_PROMPT_OPTIMIZER = ENHANCE_PROMPT
MINIMAX: dict[str, Mappers] = {
    "fal-ai/minimax": {
        "prompt": PROMPT,
        "prompt_optimizer": _PROMPT_OPTIMIZER,
        "image_url": image_url(),
    },
    # Standard renders 512P or 768P; 1080P is the pro endpoints' (6 s only), which take
    # no resolution field.
    "fal-ai/minimax/hailuo-02": {
        "prompt": PROMPT,
        "duration": duration([6, 10]),
        "resolution": choice("resolution", {"512p": "512P", "768p": "768P"}),
        "prompt_optimizer": _PROMPT_OPTIMIZER,
        "image_url": image_url(),
        "end_image_url": last_frame_url(),
    },
    "fal-ai/minimax/hailuo-02/pro": {
        "prompt": PROMPT,
        "duration": duration([6]),
        "prompt_optimizer": _PROMPT_OPTIMIZER,
        "image_url": image_url(),
        "end_image_url": last_frame_url(),
    },
    "fal-ai/minimax/hailuo-2.3": {
        "prompt": PROMPT,
        "duration": duration([6, 10]),
        "prompt_optimizer": _PROMPT_OPTIMIZER,
        "image_url": image_url(),
    },
}

# ---------------------------------------------------------------- Sora 2 on fal
_SORA_T2V: Mappers = {
    "prompt": PROMPT,
    "duration": duration([4, 8, 12], as_int=True),
    "aspect_ratio": choice("aspect_ratio", ["16:9", "9:16"]),
    "resolution": choice("resolution", ["720p"]),
}
_SORA_I2V: Mappers = {
    **_SORA_T2V,
    "image_url": image_url(required=True),
    "aspect_ratio": choice("aspect_ratio", ["auto", "16:9", "9:16"]),
}
SORA: dict[str, Mappers] = {
    "fal-ai/sora-2": _SORA_T2V,
    "fal-ai/sora-2/text-to-video/pro": {
        **_SORA_T2V,
        "resolution": choice("resolution", ["720p", "1080p"]),
    },
    "fal-ai/sora-2/image-to-video": _SORA_I2V,
    "fal-ai/sora-2/image-to-video/pro": {
        **_SORA_I2V,
        "resolution": choice("resolution", ["720p", "1080p"]),
    },
}

# ---------------------------------------------------------------- Wan
_WAN_EXPANSION = ENHANCE_PROMPT
_WAN22_T2V: Mappers = {
    "prompt": PROMPT,
    "negative_prompt": NEGATIVE_PROMPT,
    "num_frames": num_frames(),
    "resolution": choice("resolution", ["480p", "720p"]),
    "aspect_ratio": choice("aspect_ratio", ["16:9", "9:16", "1:1"]),
    "enable_prompt_expansion": _WAN_EXPANSION,
    "seed": SEED,
}
_WAN22_ANIMATE: Mappers = {
    "video_url": video_url(required=True),
    "image_url": image_url(required=True),
    "resolution": choice("resolution", ["480p", "720p"]),
    "seed": SEED,
}
_WAN25_T2V: Mappers = {
    "prompt": PROMPT,
    "negative_prompt": NEGATIVE_PROMPT,
    "duration": duration([5, 10]),
    "resolution": choice("resolution", ["480p", "720p", "1080p"]),
    "aspect_ratio": choice("aspect_ratio", ["16:9", "9:16", "1:1"]),
    "enable_prompt_expansion": _WAN_EXPANSION,
    "seed": SEED,
}
_WAN25_I2V: Mappers = {
    **{k: v for k, v in _WAN25_T2V.items() if k != "aspect_ratio"},
    "image_url": image_url(required=True),
}
_WAN_RATIOS5 = choice("aspect_ratio", ["16:9", "9:16", "1:1", "4:3", "3:4"])
_WAN26_T2V: Mappers = {
    "prompt": PROMPT,
    "negative_prompt": NEGATIVE_PROMPT,
    "duration": duration([5, 10, 15]),
    "resolution": choice("resolution", ["720p", "1080p"]),
    "aspect_ratio": _WAN_RATIOS5,
    "enable_prompt_expansion": _WAN_EXPANSION,
    "seed": SEED,
}
_WAN26_I2V: Mappers = {
    **{k: v for k, v in _WAN26_T2V.items() if k != "aspect_ratio"},
    "image_url": image_url(required=True),
}
_WAN26_R2V: Mappers = {
    **_WAN26_T2V,
    "duration": duration([5, 10]),
    "video_urls": video_urls(),
    "image_urls": image_urls(("reference",), max_items=5),
}
_WAN27_T2V: Mappers = {
    "prompt": PROMPT,
    "negative_prompt": NEGATIVE_PROMPT,
    "duration": duration(seconds_range(2, 15), as_int=True),  # an integer, unlike 2.5/2.6
    "resolution": choice("resolution", ["720p", "1080p"]),
    "aspect_ratio": _WAN_RATIOS5,
    "enable_prompt_expansion": _WAN_EXPANSION,
    "seed": SEED,
}
_WAN27_I2V: Mappers = {
    **{k: v for k, v in _WAN27_T2V.items() if k != "aspect_ratio"},
    "prompt": PROMPT_OPTIONAL,
    "image_url": image_url(),
    "end_image_url": last_frame_url(),
    "video_url": video_url(),
}
_WAN27_R2V: Mappers = {
    **_WAN27_T2V,
    "reference_image_urls": image_urls(("reference",)),
    "reference_video_urls": video_urls(),
}
WAN: dict[str, Mappers] = {
    "fal-ai/wan": {
        "prompt": PROMPT,
        "negative_prompt": NEGATIVE_PROMPT,
        "aspect_ratio": choice("aspect_ratio", ["16:9", "9:16", "1:1"]),
        "resolution": choice("resolution", ["480p", "720p"]),
        "seed": SEED,
        "image_url": image_url(),
    },
    "fal-ai/wan/v2.2-a14b/text-to-video": _WAN22_T2V,
    "fal-ai/wan/v2.2-a14b/image-to-video": {
        **{k: v for k, v in _WAN22_T2V.items() if k != "aspect_ratio"},
        "image_url": image_url(required=True),
    },
    "fal-ai/wan/v2.2-14b/animate": _WAN22_ANIMATE,
    "fal-ai/wan-25-preview/text-to-video": _WAN25_T2V,
    "fal-ai/wan-25-preview/image-to-video": _WAN25_I2V,
    "wan/v2.6/text-to-video": _WAN26_T2V,
    "wan/v2.6/image-to-video": _WAN26_I2V,
    "wan/v2.6/reference-to-video": _WAN26_R2V,
    "fal-ai/wan/v2.7/text-to-video": _WAN27_T2V,
    "fal-ai/wan/v2.7/image-to-video": _WAN27_I2V,
    "fal-ai/wan/v2.7/reference-to-video": _WAN27_R2V,
}

# ---------------------------------------------------------------- ByteDance Seedance
_SEEDANCE_RATIOS = ["21:9", "16:9", "4:3", "1:1", "3:4", "9:16"]
_SEEDANCE_V1: Mappers = {
    "prompt": PROMPT,
    "aspect_ratio": choice("aspect_ratio", _SEEDANCE_RATIOS),
    "resolution": choice("resolution", ["480p", "720p", "1080p"]),
    "duration": duration(seconds_range(2, 12)),
    "seed": SEED,
    "image_url": image_url(("first_frame",)),  # reference images go to reference-to-video
    "end_image_url": last_frame_url(),
    "reference_image_urls": image_urls(("reference",), max_items=4),
}
_SEEDANCE_V15: Mappers = {
    "prompt": PROMPT,
    "aspect_ratio": choice("aspect_ratio", [*_SEEDANCE_RATIOS, "auto"]),
    "resolution": choice("resolution", ["480p", "720p", "1080p"]),
    "duration": duration(seconds_range(4, 12)),
    "generate_audio": GENERATE_AUDIO,
    "seed": SEED,
    "image_url": image_url(("first_frame", "reference")),
    "end_image_url": last_frame_url(),
}
_SEEDANCE_V2: Mappers = {
    "prompt": PROMPT,
    "aspect_ratio": choice("aspect_ratio", ["auto", *_SEEDANCE_RATIOS]),
    "resolution": choice("resolution", ["480p", "720p"]),
    "duration": duration(seconds_range(4, 15)),
    "generate_audio": GENERATE_AUDIO,
    "seed": SEED,
    "image_url": image_url(("first_frame",)),
    "end_image_url": last_frame_url(),
}
SEEDANCE: dict[str, Mappers] = {
    "fal-ai/bytedance/seedance/v1/": _SEEDANCE_V1,
    "fal-ai/bytedance/seedance/v1.5": _SEEDANCE_V15,
    "bytedance/seedance-2.0": _SEEDANCE_V2,
    # the standard (not fast) image-to-video tier also renders 1080p
    "bytedance/seedance-2.0/image-to-video": {
        **_SEEDANCE_V2,
        "resolution": choice("resolution", ["480p", "720p", "1080p"]),
    },
    "bytedance/seedance-2.0/reference-to-video": {
        **{k: v for k, v in _SEEDANCE_V2.items() if k not in ("image_url", "end_image_url")},
        "image_urls": image_urls(("reference",), max_items=9),
        "video_urls": video_urls(),
    },
    "bytedance/seedance-2.0/fast/reference-to-video": {
        **{k: v for k, v in _SEEDANCE_V2.items() if k not in ("image_url", "end_image_url")},
        "image_urls": image_urls(("reference",), max_items=9),
        "video_urls": video_urls(),
    },
}

# ---------------------------------------------------------------- Pixverse
_PIXVERSE_STYLE = choice("style", ["anime", "3d_animation", "clay", "comic", "cyberpunk"])
_PIXVERSE_V5: Mappers = {
    "prompt": PROMPT,
    "aspect_ratio": choice("aspect_ratio", ["16:9", "4:3", "1:1", "3:4", "9:16"]),
    "resolution": choice("resolution", ["360p", "540p", "720p", "1080p"]),
    "duration": duration([5, 8]),
    "negative_prompt": NEGATIVE_PROMPT,
    "style": _PIXVERSE_STYLE,
    "seed": SEED,
    "image_url": image_url(),
}
PIXVERSE: dict[str, Mappers] = {
    "fal-ai/pixverse/v5/": _PIXVERSE_V5,
    "fal-ai/pixverse/v5.5": {
        **_PIXVERSE_V5,
        "duration": duration([5, 8, 10]),
        "generate_audio_switch": GENERATE_AUDIO,
    },
    "fal-ai/pixverse/v5.6": {
        **_PIXVERSE_V5,
        "duration": duration([5, 8, 10]),
        "generate_audio_switch": GENERATE_AUDIO,
    },
    "fal-ai/pixverse/swap": {
        "video_url": video_url(required=True),
        "image_url": image_url(required=True),
        "resolution": choice("resolution", ["360p", "540p", "720p"]),
        "seed": SEED,
    },
}
