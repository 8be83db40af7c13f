"""Exact forms of tarash_map_fields for each Stability family, and the refusals of bad input."""

from __future__ import annotations

from typing import Any

import pytest

from tarash.tarash_gateway import _mock_media, get_provider_field_mapping
from tarash.tarash_gateway.models import ImageGenerationRequest
from tarash.tarash_gateway.testing import mapping

PNG = _mock_media.png(8, 8)
URL = "https://example.com/photo.png"


def payload(model: str, request: ImageGenerationRequest, **config: Any) -> dict[str, Any]:
    return mapping.mapped("stability", model, request, **config)


def refused(model: str, request: ImageGenerationRequest, *needles: str, **config: Any) -> str:
    return mapping.refused("stability", model, request, *needles, **config)


def image(media: Any = PNG) -> list[dict[str, Any]]:
    return [{"image": media, "type": "reference"}]


# ---------------------------------------------------------------- generate
def test_ultra_text_to_image_form() -> None:
    request = ImageGenerationRequest(
        prompt="a lighthouse",
        negative_prompt="fog",
        aspect_ratio="16:9",
        seed=42,
        style="cinematic",
        output_format="webp",
    )
    assert payload("stable-image-ultra", request) == {
        "prompt": "a lighthouse",
        "negative_prompt": "fog",
        "aspect_ratio": "16:9",
        "seed": 42,
        "output_format": "webp",
        "style_preset": "cinematic",
    }


def test_ultra_image_to_image_form_keeps_the_media_for_upload() -> None:
    request = ImageGenerationRequest(prompt="oil painting", image_list=image(URL), strength=0.4)
    assert payload("stable-image-ultra", request) == {
        "prompt": "oil painting",
        "image": URL,
        "strength": 0.4,
    }


def test_core_form_and_provider_config_output_format() -> None:
    request = ImageGenerationRequest(prompt="a fox", aspect_ratio="9:21")
    assert payload("stable-image-core", request, provider_config={"output_format": "jpeg"}) == {
        "prompt": "a fox",
        "aspect_ratio": "9:21",
        "output_format": "jpeg",
    }
    # the request's own output_format wins over provider_config
    request = ImageGenerationRequest(prompt="a fox", output_format="png")
    assert payload("stable-image-core", request, provider_config={"output_format": "jpeg"}) == {
        "prompt": "a fox",
        "output_format": "png",
    }


@pytest.mark.parametrize(
    "model", ["sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash"]
)
def test_sd35_sends_the_model_id(model: str) -> None:
    request = ImageGenerationRequest(prompt="a fox", aspect_ratio="1:1", cfg_scale=4.5, seed=0)
    assert payload(model, request) == {
        "model": model,
        "prompt": "a fox",
        "aspect_ratio": "1:1",
        "seed": 0,
        "cfg_scale": 4.5,
    }


def test_sd35_image_to_image_form() -> None:
    request = ImageGenerationRequest(prompt="a fox", image_list=image(), strength=0.7)
    assert payload("sd3.5-medium", request) == {
        "model": "sd3.5-medium",
        "prompt": "a fox",
        "image": PNG,
        "strength": 0.7,
        "mode": "image-to-image",
    }


# ---------------------------------------------------------------- edit / upscale
def test_inpaint_form() -> None:
    request = ImageGenerationRequest(
        prompt="a red door",
        image_list=image(),
        mask_image=b"mask-bytes",
        grow_mask=10,
        style="photographic",
    )
    assert payload("stable-image-inpaint", request) == {
        "prompt": "a red door",
        "image": PNG,
        "mask": b"mask-bytes",
        "grow_mask": 10,
        "style_preset": "photographic",
    }


def test_outpaint_form_needs_a_side() -> None:
    request = ImageGenerationRequest(prompt="", image_list=image(), left=200, creativity=0.5)
    assert payload("stable-image-outpaint", request) == {
        "image": PNG,
        "left": 200,
        "creativity": 0.5,
    }
    refused(
        "stable-image-outpaint",
        ImageGenerationRequest(prompt="more sky", image_list=image()),
        "at least one of left, right, up, down",
    )


def test_search_and_replace_needs_search_prompt() -> None:
    request = ImageGenerationRequest(prompt="a cat", image_list=image(), search_prompt="dog")
    assert payload("stable-image-search-and-replace", request) == {
        "prompt": "a cat",
        "image": PNG,
        "search_prompt": "dog",
    }
    refused(
        "stable-image-search-and-replace",
        ImageGenerationRequest(prompt="a cat", image_list=image()),
        "search_prompt=None",
        "required by search-and-replace",
    )


def test_upscales() -> None:
    request = ImageGenerationRequest(prompt="sharp", image_list=image(), creativity=0.3)
    expected = {"prompt": "sharp", "image": PNG, "creativity": 0.3}
    assert payload("stable-image-upscale-conservative", request) == expected
    assert payload("stable-image-upscale-creative", request) == expected
    refused(
        "stable-image-upscale-conservative",
        ImageGenerationRequest(prompt="sharp", image_list=image(), creativity=0.1),
        "creativity=0.1",
        "from 0.2 to 0.5",
    )


# ---------------------------------------------------------------- refusals
def test_unknown_model_lists_the_models() -> None:
    refused("stable-diffusion-xl", ImageGenerationRequest(prompt="p"), "stable-image-ultra")


def test_values_outside_the_lists_are_refused_with_the_accepted_ones() -> None:
    refused(
        "stable-image-core",
        ImageGenerationRequest(prompt="p", aspect_ratio="4:3"),
        "aspect_ratio='4:3'",
        "'16:9'",
    )
    refused("stable-image-core", ImageGenerationRequest(prompt="p", style="watercolor"), "'anime'")
    refused(
        "sd3.5-large",
        ImageGenerationRequest(prompt="p", output_format="webp"),
        "output_format='webp'",
        "'png', 'jpeg'",
    )
    refused(
        "sd3.5-large",
        ImageGenerationRequest(prompt="p"),
        "provider_config",
        "'png', 'jpeg'",
        provider_config={"output_format": "gif"},
    )
    refused("stable-image-core", ImageGenerationRequest(prompt="p", seed=2**32), "0 to 4294967294")
    refused("sd3.5-large", ImageGenerationRequest(prompt="p", cfg_scale=11), "from 1 to 10")
    refused("stable-image-core", ImageGenerationRequest(prompt="x" * 10001), "10000 characters")


def test_options_the_family_does_not_take_are_refused() -> None:
    refused(
        "stable-image-core", ImageGenerationRequest(prompt="p", size="1024x1024"), "aspect_ratio"
    )
    refused("stable-image-core", ImageGenerationRequest(prompt="p", quality="hd"), "quality='hd'")
    refused("sd3.5-large", ImageGenerationRequest(prompt="p", style="anime"), "style='anime'")
    refused(
        "stable-image-ultra",
        ImageGenerationRequest(prompt="p", image_list=image(), strength=0.5, aspect_ratio="16:9"),
        "aspect_ratio='16:9'",
        "would be ignored",
    )


def test_inputs_a_model_cannot_read_are_refused() -> None:
    refused(
        "stable-image-core", ImageGenerationRequest(prompt="p", image_list=image()), "image_list"
    )
    refused(
        "stable-image-ultra",
        ImageGenerationRequest(prompt="p", image_list=image(), mask_image=PNG, strength=0.5),
        "would ignore it",
    )
    refused("stable-image-inpaint", ImageGenerationRequest(prompt="p"), "image_list")
    refused(
        "stable-image-ultra",
        ImageGenerationRequest(prompt="p", image_list=image() + image()),
        "2 images",
    )


def test_strength_is_required_with_an_image() -> None:
    refused(
        "stable-image-ultra",
        ImageGenerationRequest(prompt="p", image_list=image()),
        "strength=None",
        "required with an input image",
    )
    refused(
        "sd3.5-large",
        ImageGenerationRequest(prompt="p", image_list=image(), strength=1.5),
        "strength=1.5",
        "from 0 to 1",
    )


def test_n_is_bounded_per_family() -> None:
    assert payload("stable-image-core", ImageGenerationRequest(prompt="p", n=10)) == {"prompt": "p"}
    refused("stable-image-core", ImageGenerationRequest(prompt="p", n=11), "n=11", "1 to 10")
    refused(
        "stable-image-upscale-creative",
        ImageGenerationRequest(prompt="p", image_list=image(), n=2),
        "n=2",
        "1 to 1",
    )


def test_describe_model_comes_from_the_same_tables() -> None:
    from tarash.tarash_gateway import describe_model

    caps = describe_model("stability", "stable-image-ultra", "image")
    assert caps.endpoint == "/v2beta/stable-image/generate/ultra"
    assert caps.field("aspect_ratio").values == [
        "16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"
    ]  # fmt: skip
    assert caps.field("seed").maximum == 4294967294
    assert caps.field("n").maximum == 10
    assert [v.name for v in caps.variants] == [
        "Stable Image Ultra",
        "Stable Image Ultra (image-to-image)",
    ]
    creative = describe_model("stability", "stable-image-upscale-creative", "image")
    assert creative.field("n").maximum == 1
    assert {e.name for e in creative.extra_fields} == {"output_format", "creativity"}
    assert "size" in creative.unused_fields and "aspect_ratio" in creative.unused_fields


def test_field_mapping_is_published_per_model() -> None:
    mapping = get_provider_field_mapping("stability")
    assert mapping is not None
    assert set(mapping) >= {
        "stable-image-ultra",
        "stable-image-core",
        "sd3.5-large",
        "stable-image-inpaint",
        "stable-image-upscale-creative",
    }
    assert "style_preset" in mapping["stable-image-core"]
    assert "cfg_scale" in mapping["sd3.5-flash"]
