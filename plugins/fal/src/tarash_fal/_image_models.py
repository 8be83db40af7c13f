"""Image model families on fal: one mapping table per endpoint (data, not code)."""

from __future__ import annotations

from tarash.tarash_gateway.providers.field_mappers import passthrough_field_mapper
from tarash_fal._mapping import (
    NEGATIVE_PROMPT,
    PROMPT,
    SEED,
    Mappers,
    aspect_ratio_from_size,
    choice,
    image_size,
    image_url,
    image_urls,
    num_images,
)

# ---------------------------------------------------------------- FLUX.1 (dev, schnell, pro)
# fal's text-to-image FLUX endpoints document no input image: image-to-image is its own
# endpoint (fal-ai/flux/dev/image-to-image), with the image required.
_FLUX1: Mappers = {
    "prompt": PROMPT,
    "image_size": image_size(),
    "num_images": num_images(4),
    "seed": SEED,
}
_FLUX1_I2I: Mappers = {**_FLUX1, "image_url": image_url(required=True)}
_FLUX_PRO: Mappers = {
    "prompt": PROMPT,
    "image_size": image_size(),
    "num_images": num_images(4),
    "seed": SEED,
}
_ULTRA_RATIOS = ["21:9", "16:9", "4:3", "3:2", "1:1", "2:3", "3:4", "9:16", "9:21"]
FLUX: dict[str, Mappers] = {
    "fal-ai/flux/": _FLUX1,
    "fal-ai/flux/dev/image-to-image": _FLUX1_I2I,
    "fal-ai/flux-pro": _FLUX_PRO,
    "fal-ai/flux-pro/v1.1-ultra": {
        "prompt": PROMPT,
        "aspect_ratio": aspect_ratio_from_size(_ULTRA_RATIOS),
        "num_images": num_images(4),
        "seed": SEED,
    },
    "fal-ai/flux-pro/kontext": {
        "prompt": PROMPT,
        "image_url": image_url(),
        "aspect_ratio": aspect_ratio_from_size(_ULTRA_RATIOS),
        "num_images": num_images(4),
        "seed": SEED,
    },
}

# ---------------------------------------------------------------- FLUX.2
_FLUX2: Mappers = {
    "prompt": PROMPT,
    "image_size": image_size(),
    "num_images": num_images(4),
    "seed": SEED,
    "image_urls": image_urls(None),
}
FLUX2: dict[str, Mappers] = {
    "fal-ai/flux-2": _FLUX2,
    "fal-ai/flux-2/edit": {**_FLUX2, "image_urls": image_urls(None, required=True)},
    "fal-ai/flux-2-pro/edit": {**_FLUX2, "image_urls": image_urls(None, required=True)},
    "fal-ai/flux-2-flex/edit": {**_FLUX2, "image_urls": image_urls(None, required=True)},
}

# ---------------------------------------------------------------- Z-Image Turbo
Z_IMAGE: dict[str, Mappers] = {
    "fal-ai/z-image/turbo": {
        "prompt": PROMPT,
        "image_size": image_size(),
        "num_images": num_images(4),
        "seed": SEED,
    },
    "fal-ai/z-image/turbo/image-to-image": {
        "prompt": PROMPT,
        "image_size": image_size(),
        "num_images": num_images(4),
        "seed": SEED,
        "image_url": image_url(required=True),
    },
}

# ---------------------------------------------------------------- Recraft v3
_RECRAFT: Mappers = {
    "prompt": PROMPT,
    "image_size": image_size(),
    "style": passthrough_field_mapper("style"),
}
RECRAFT: dict[str, Mappers] = {
    "fal-ai/recraft-v3": _RECRAFT,
    "fal-ai/recraft/v3": _RECRAFT,
}

# ---------------------------------------------------------------- Ideogram
_IDEOGRAM_V3_STYLE = {
    **{s: s for s in ("AUTO", "GENERAL", "REALISTIC", "DESIGN")},
    **{s.lower(): s for s in ("AUTO", "GENERAL", "REALISTIC", "DESIGN")},
}
_RENDERING_SPEED = {
    "low": "TURBO",
    "turbo": "TURBO",
    "medium": "BALANCED",
    "standard": "BALANCED",
    "balanced": "BALANCED",
    "high": "QUALITY",
    "hd": "QUALITY",
    "quality": "QUALITY",
}
_IDEOGRAM_V2_STYLE = ["auto", "general", "realistic", "design", "render_3D", "anime"]
IDEOGRAM: dict[str, Mappers] = {
    "fal-ai/ideogram": {
        "prompt": PROMPT,
        "negative_prompt": NEGATIVE_PROMPT,
        # fal also lists 10:16, 16:10, 1:3 and 3:1, which are not request aspect ratios:
        # send those through extra_params={"aspect_ratio": ...}.
        "aspect_ratio": aspect_ratio_from_size(["9:16", "16:9", "4:3", "3:4", "1:1", "3:2", "2:3"]),
        "style": choice("style", _IDEOGRAM_V2_STYLE),
        "seed": SEED,
    },
    "fal-ai/ideogram/v3": {
        "prompt": PROMPT,
        "negative_prompt": NEGATIVE_PROMPT,
        "image_size": image_size(),
        "num_images": num_images(8),
        "style": choice("style", _IDEOGRAM_V3_STYLE),
        "rendering_speed": choice("quality", _RENDERING_SPEED),
        "seed": SEED,
        "image_urls": image_urls(("style",)),
    },
}

# ---------------------------------------------------------------- Nano Banana (Gemini image)
_NANO_RATIOS = ["21:9", "16:9", "3:2", "4:3", "5:4", "1:1", "4:5", "3:4", "2:3", "9:16"]
_NANO: Mappers = {
    "prompt": PROMPT,
    "num_images": num_images(4),
    "aspect_ratio": aspect_ratio_from_size(_NANO_RATIOS),
    "seed": SEED,
}
_NANO_EDIT: Mappers = {
    **_NANO,
    "aspect_ratio": aspect_ratio_from_size(["auto", *_NANO_RATIOS]),
    "image_urls": image_urls(None, required=True),
}
NANO_BANANA: dict[str, Mappers] = {
    "fal-ai/nano-banana": _NANO,
    "fal-ai/nano-banana/edit": _NANO_EDIT,
    "fal-ai/nano-banana-pro/edit": _NANO_EDIT,
    "fal-ai/nano-banana-2/edit": _NANO_EDIT,
}
