import base64

import pytest

from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import ImageGenerationRequest, VideoGenerationRequest
from tarash.tarash_gateway.providers.field_mappers import (
    FieldMapper,
    apply_field_mappers,
    aspect_ratio_field_mapper,
    constant_field_mapper,
    duration_field_mapper,
    enum_field_mapper,
    extra_params_field_mapper,
    get_field_mappers_from_registry,
    image_input_field_mapper,
    image_list_field_mapper,
    mask_image_field_mapper,
    n_images_field_mapper,
    passthrough_field_mapper,
    quality_field_mapper,
    single_image_field_mapper,
    size_field_mapper,
    style_field_mapper,
    video_url_field_mapper,
)

PNG = b"\x89PNG\r\n\x1a\nrest"
PNG_URI = "data:image/png;base64," + base64.b64encode(PNG).decode()


def video(**fields):
    return VideoGenerationRequest(prompt="a fox", **fields)


def test_passthrough_required_and_none_omitted():
    mappers = {
        "prompt": passthrough_field_mapper("prompt", required=True),
        "seed": passthrough_field_mapper("seed"),
    }
    assert apply_field_mappers(mappers, video()) == {"prompt": "a fox"}
    assert apply_field_mappers(mappers, video(seed=7)) == {"prompt": "a fox", "seed": 7}
    with pytest.raises(ValidationError, match="negative_prompt is required"):
        apply_field_mappers(
            {"neg": passthrough_field_mapper("negative_prompt", required=True)}, video()
        )


@pytest.mark.parametrize(
    ("mapper", "seconds", "expected"),
    [
        (duration_field_mapper("int"), 5, 5),
        (duration_field_mapper("str"), 8, "8s"),
        (duration_field_mapper("str", add_suffix=False), 10, "10"),
        (duration_field_mapper("str", ["4s", "6s", "8s"]), 6, "6s"),
        (duration_field_mapper("int", [5, 10]), 10, 10),
    ],
)
def test_duration_mapper(mapper, seconds, expected):
    assert apply_field_mappers({"duration": mapper}, video(duration_seconds=seconds)) == {
        "duration": expected
    }


def test_duration_outside_allowed_names_field_value_and_choices():
    with pytest.raises(ValidationError) as caught:
        apply_field_mappers(
            {"duration": duration_field_mapper("str", ["4s", "8s"])}, video(duration_seconds=7)
        )
    assert str(caught.value) == "duration_seconds=7 is not accepted; accepted: 4, 8"


def test_single_image_by_role_and_data_uri():
    request = video(
        image_list=[
            {"image": "https://x/first.png", "type": "first_frame"},
            {"image": {"content": PNG, "content_type": "image/png"}, "type": "last_frame"},
        ]
    )
    mappers = {
        "image_url": single_image_field_mapper(image_type="first_frame"),
        "last_frame_url": single_image_field_mapper(image_type="last_frame"),
        "ref": single_image_field_mapper(),  # reference also takes first_frame
        "style": single_image_field_mapper(image_type="style"),
    }
    assert apply_field_mappers(mappers, request) == {
        "image_url": "https://x/first.png",
        "last_frame_url": PNG_URI,
        "ref": "https://x/first.png",
    }


def test_single_image_strict_refuses_two():
    two = video(
        image_list=[
            {"image": "https://a", "type": "reference"},
            {"image": "https://b", "type": "reference"},
        ]
    )
    with pytest.raises(ValidationError, match="at most 1"):
        apply_field_mappers({"image_url": single_image_field_mapper()}, two)
    assert apply_field_mappers({"image_url": single_image_field_mapper(strict=False)}, two) == {}


def test_image_list_filters_roles_and_limits_count():
    request = video(
        image_list=[
            {"image": "https://a", "type": "reference"},
            {"image": base64.b64encode(PNG).decode(), "type": "reference"},
            {"image": "https://c", "type": "style"},
        ]
    )
    styles = {"styles": image_list_field_mapper("style")}
    assert apply_field_mappers(
        {"urls": image_list_field_mapper("reference"), **styles}, request
    ) == {"urls": ["https://a", PNG_URI], "styles": ["https://c"]}
    # an image of a role no mapper reads would be dropped: refused instead
    with pytest.raises(ValidationError, match="type 'style'.*accepted types: reference"):
        apply_field_mappers({"urls": image_list_field_mapper("reference")}, request)
    assert (
        apply_field_mappers({"urls": image_list_field_mapper()}, request)["urls"][2] == "https://c"
    )
    with pytest.raises(ValidationError, match="at most 2"):
        apply_field_mappers({"urls": image_list_field_mapper(max_items=2)}, request)


def test_video_url_and_extra_params():
    request = video(
        video={"content": b"\x00\x00\x00\x18ftypmp42", "content_type": "video/mp4"},
        extra_params={"mode": "pro"},
    )
    assert apply_field_mappers(
        {
            "video_url": video_url_field_mapper(),
            "mode": extra_params_field_mapper("mode"),
            "x": extra_params_field_mapper("x"),
        },
        request,
    ) == {"video_url": "data:video/mp4;base64,AAAAGGZ0eXBtcDQy", "mode": "pro"}


def test_enum_mapper_translates_and_refuses():
    mapper = aspect_ratio_field_mapper({"16:9": "landscape_16_9", "1:1": "square"})
    assert apply_field_mappers({"image_size": mapper}, video(aspect_ratio="1:1")) == {
        "image_size": "square"
    }
    with pytest.raises(
        ValidationError, match=r"aspect_ratio='9:16' is not accepted; accepted: '16:9', '1:1'"
    ):
        apply_field_mappers({"image_size": mapper}, video(aspect_ratio="9:16"))
    assert apply_field_mappers(
        {"r": enum_field_mapper("resolution", ["720p"])}, video(resolution="720p")
    ) == {"r": "720p"}
    assert apply_field_mappers({"fixed": constant_field_mapper(True)}, video()) == {"fixed": True}


def test_image_option_mappers():
    request = ImageGenerationRequest(
        prompt="p",
        size="1024x1024",
        quality="hd",
        style="vivid",
        n=2,
        image_list=[{"image": "https://in.png", "type": "reference"}],
        mask_image=PNG,
    )
    mappers = {
        "size": size_field_mapper(["1024x1024"]),
        "quality": quality_field_mapper(["standard", "hd"]),
        "style": style_field_mapper(),
        "n": n_images_field_mapper(1, 4),
        "image": image_input_field_mapper(),
        "mask": mask_image_field_mapper(),
    }
    assert apply_field_mappers(mappers, request) == {
        "size": "1024x1024",
        "quality": "hd",
        "style": "vivid",
        "n": 2,
        "image": "https://in.png",
        "mask": PNG_URI,
    }
    with pytest.raises(ValidationError, match="n=5 is not accepted; accepted: 1 to 4"):
        apply_field_mappers({"n": n_images_field_mapper(1, 4)}, request.model_copy(update={"n": 5}))
    with pytest.raises(ValidationError, match="size='1024x1024'"):
        apply_field_mappers({"size": size_field_mapper(["512x512"])}, request)


def test_longest_prefix_lookup():
    a, b, generic = {"a": FieldMapper("prompt", lambda r, v: v)}, {}, {}
    registry = {"fal-ai/veo3": a, "fal-ai/veo3.1": b}
    assert get_field_mappers_from_registry("fal-ai/veo3.1/fast", registry, generic) is b
    assert get_field_mappers_from_registry("fal-ai/veo3/fast", registry, generic) is a
    assert get_field_mappers_from_registry("fal-ai/kling", registry, generic) is generic


def test_media_the_mapping_never_sends_is_refused():
    text_only = {"prompt": passthrough_field_mapper("prompt")}
    with_image = video(image_list=[{"image": "https://x/first.png", "type": "first_frame"}])
    with pytest.raises(
        ValidationError, match="image_list is given, but this model takes no input images"
    ):
        apply_field_mappers(text_only, with_image)
    with pytest.raises(ValidationError, match="video is given"):
        apply_field_mappers(text_only, video(video="https://x/in.mp4"))
    image = ImageGenerationRequest(prompt="p", mask_image=PNG)
    with pytest.raises(ValidationError, match="mask_image is given"):
        apply_field_mappers(text_only, image)
    assert apply_field_mappers(text_only, video()) == {"prompt": "a fox"}
