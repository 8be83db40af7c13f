"""Capabilities as data: one table validates, maps, chooses the endpoint and describes."""

from __future__ import annotations

import json

import pytest

from tarash.tarash_gateway import describe_model, list_models
from tarash.tarash_gateway.capabilities import (
    Accepts,
    Catalog,
    Family,
    ModelCapabilities,
    refuse_unread_fields,
)
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import ImageGenerationRequest, VideoGenerationRequest
from tarash.tarash_gateway.providers.field_mappers import (
    Adjusted,
    FieldMapper,
    adjustments_var,
    apply_field_mappers,
    duration_field_mapper,
    enum_field_mapper,
    image_list_field_mapper,
    n_images_field_mapper,
    passthrough_field_mapper,
    single_image_field_mapper,
)

PROMPT = passthrough_field_mapper("prompt", required=True)
T2V = Family(
    "toy text-to-video",
    "video",
    ("toy/gen",),
    {"promptText": PROMPT, "duration": duration_field_mapper("int", [5, 10])},
    endpoint="/v1/text_to_video",
    selected_when="no first frame",
)
I2V = Family(
    "toy image-to-video",
    "video",
    ("toy/gen",),
    {
        "promptText": PROMPT,
        "promptImage": single_image_field_mapper(required=True, image_type="first_frame"),
        "ratio": enum_field_mapper("aspect_ratio", {"16:9": "1280:720", "9:16": "720:1280"}),
    },
    endpoint="/v1/image_to_video",
    selected_when="a first frame is given",
)
CATALOG = Catalog([T2V, I2V])
FRAME = {"image": "https://x/f.png", "type": "first_frame"}


def test_accepts_describes_and_checks_from_the_same_data():
    durations = Accepts.one_of([4, 6, 8])
    assert durations.describe() == "accepted: 4, 6, 8"
    durations.check("duration_seconds", 6)
    with pytest.raises(ValueError, match=r"duration_seconds=7 is not accepted; accepted: 4, 6, 8"):
        durations.check("duration_seconds", 7)
    counts = Accepts.range(1, 4, 1)
    assert counts.describe() == "accepted: 1 to 4"
    with pytest.raises(ValueError, match="accepted: 1 to 4"):
        counts.check("n", 5)
    with pytest.raises(ValueError):
        Accepts.one_of([1]).check("n", True)  # True is not 1
    with pytest.raises(ValueError, match="steps of 0.5"):
        Accepts.range(0.5, 2, 0.5).check("speed", 0.7)


def test_refused_values_name_the_accepted_ones_from_the_table():
    with pytest.raises(
        ValidationError, match=r"duration_seconds=7 is not accepted; accepted: 5, 10"
    ):
        apply_field_mappers(T2V.fields, VideoGenerationRequest(prompt="p", duration_seconds=7))
    with pytest.raises(ValidationError, match=r"n=9 .*accepted: 1 to 4"):
        apply_field_mappers(
            {"n": n_images_field_mapper(1, 4)}, ImageGenerationRequest(prompt="p", n=9)
        )


def test_catalog_chooses_the_endpoint_from_what_the_request_holds():
    text = VideoGenerationRequest(prompt="p")
    image = VideoGenerationRequest(prompt="p", image_list=[FRAME], aspect_ratio="9:16")
    assert CATALOG.select("toy/gen-2", "video", text).endpoint == "/v1/text_to_video"
    chosen = CATALOG.select("toy/gen-2", "video", image)
    assert chosen.endpoint == "/v1/image_to_video"
    assert apply_field_mappers(chosen.fields, image) == {
        "promptText": "p",
        "promptImage": "https://x/f.png",
        "ratio": "720:1280",
    }
    with pytest.raises(ValidationError, match="not a known video model; known: toy/gen"):
        CATALOG.select("other", "video", text)


def test_describe_lists_variants_values_and_json_round_trips():
    caps = CATALOG.describe("toy", "toy/gen-2", "video")
    assert caps is not None
    assert caps.family == "toy text-to-video" and caps.endpoint == "/v1/text_to_video"
    assert [v.endpoint for v in caps.variants] == ["/v1/text_to_video", "/v1/image_to_video"]
    ratio = next(f for f in caps.variants[1].fields if f.name == "aspect_ratio")
    assert ratio.values == ["16:9", "9:16"] and ratio.sent_as == ["ratio"]
    frame = next(f for f in caps.variants[1].fields if f.name == "image_list")
    assert frame.roles == ["first_frame"] and frame.max_items == 1 and frame.required
    assert "seed" in caps.unused_fields and "aspect_ratio" not in caps.unused_fields
    again = ModelCapabilities.model_validate_json(caps.model_dump_json())
    assert again == caps
    json.dumps(caps.model_dump(mode="json"))


def test_fields_a_model_does_not_take_are_refused_not_dropped():
    request = VideoGenerationRequest(prompt="p", seed=3)
    with pytest.raises(ValidationError, match=r"seed=3 is not taken by this model"):
        refuse_unread_fields(T2V.fields, request, "video")
    refuse_unread_fields(
        T2V.fields, VideoGenerationRequest(prompt="p", number_of_videos=1), "video"
    )


def test_images_of_a_role_no_field_reads_are_refused():
    request = VideoGenerationRequest(
        prompt="p", image_list=[FRAME, {"image": "https://x/s.png", "type": "style"}]
    )
    with pytest.raises(ValidationError, match="type 'style'.*accepted types: first_frame"):
        apply_field_mappers(I2V.fields, request)
    too_many = VideoGenerationRequest(prompt="p", image_list=[FRAME, FRAME])
    with pytest.raises(ValidationError, match="at most 1"):
        apply_field_mappers({"refs": image_list_field_mapper("first_frame", 1)}, too_many)


def test_adjustments_are_recorded_never_silent():
    snap = FieldMapper(
        "aspect_ratio", lambda _r, v: Adjusted("16:9", v, "nearest preset"), accepts=None
    )
    recorded: list[dict[str, object]] = []
    token = adjustments_var.set(recorded)
    try:
        payload = apply_field_mappers(
            {"ratio": snap}, VideoGenerationRequest(prompt="p", aspect_ratio="21:9")
        )
    finally:
        adjustments_var.reset(token)
    assert payload == {"ratio": "16:9"}
    assert recorded == [
        {
            "field": "aspect_ratio",
            "sent_as": "ratio",
            "asked": "21:9",
            "sent": "16:9",
            "why": "nearest preset",
        }
    ]


def test_describe_model_for_fal_answers_from_the_plugin_tables():
    caps = describe_model("fal", "fal-ai/veo3.1/fast")
    assert caps.modality == "video" and caps.family and caps.family.startswith("Veo")
    duration = caps.field("duration_seconds")
    assert duration is not None and duration.values == [4, 6, 8]
    assert duration.sent_as == ["duration"]
    assert caps.source and "fal.ai/models/fal-ai/veo3.1" in caps.source
    default = describe_model("fal", modality="image")
    assert default.model == "fal-ai/flux/dev"
    assert any(m.model == "fal-ai/veo3.1/fast/image-to-video" for m in list_models("fal"))
    with pytest.raises(ValidationError, match="does not support tts"):
        describe_model("fal", "fal-ai/veo3.1/fast", "tts")
    with pytest.raises(ValidationError, match="unknown provider 'nope'"):
        describe_model("nope", "x")


def test_an_adjusted_value_is_sent_and_recorded_in_execution_metadata(echo_server):
    from tarash.tarash_gateway import generate_video, register_provider_field_mapping
    from tarash.tarash_gateway.models import VideoGenerationConfig

    register_provider_field_mapping(
        "echo",
        {
            "echo-": {
                "ratio": FieldMapper("aspect_ratio", lambda _r, v: Adjusted("16:9", v, "nearest"))
            }
        },
    )
    config = VideoGenerationConfig(
        provider="echo", api_key="k", base_url=echo_server.url, poll_interval=0.01, timeout=10
    )
    response = generate_video(config, VideoGenerationRequest(prompt="fox", aspect_ratio="21:9"))
    assert echo_server.payloads["job-1"]["ratio"] == "16:9"
    (attempt,) = response.execution_metadata.attempts
    assert [a.model_dump() for a in attempt.adjustments] == [
        {
            "field": "aspect_ratio",
            "sent_as": "ratio",
            "asked": "21:9",
            "sent": "16:9",
            "why": "nearest",
        }
    ]


def test_find_is_memoised_and_callers_cannot_corrupt_the_memo():
    catalog = Catalog([T2V, I2V])
    first = catalog.find("toy/gen", "video")
    assert first == [T2V, I2V]
    first.clear()  # a caller mutating its list must not change the next answer
    assert catalog.find("toy/gen", "video") == [T2V, I2V]
    assert catalog.find("toy/gen", "image") == []
    assert catalog.find("other/model") == []
    assert catalog.find("toy/gen-2") == [T2V, I2V]  # a longer id still matches the prefix


# ---------------------------------------------------------------- finish_payload gets the model
def _plugin_with(finish):
    from tarash.tarash_gateway.models import VideoGenerationConfig
    from tarash.tarash_gateway.plugin import ProviderPlugin

    table = {"prompt": passthrough_field_mapper("prompt", required=True)}
    family = Family("Clips", "video", ("clip-",), table)
    plugin_type = type("Clips", (ProviderPlugin,), {"name": "clips", "finish_payload": finish})
    plugin_type.catalog = Catalog([family])
    config = VideoGenerationConfig(provider="clips", model="clip-2", api_key="k")
    return plugin_type(), config


def test_finish_payload_receives_the_resolved_model_id():
    def finish(self, family, payload, request, config, *, model=""):
        return {"model": model, **payload}

    plugin, config = _plugin_with(finish)
    request = VideoGenerationRequest(prompt="a fox")
    assert plugin.map_fields("clip-2", "video", request, config) == {
        "model": "clip-2",
        "prompt": "a fox",
    }


def test_a_finish_payload_without_the_model_keyword_still_works():
    def finish(self, family, payload, request, config):  # written before ``model`` existed
        return {"input": payload}

    plugin, config = _plugin_with(finish)
    request = VideoGenerationRequest(prompt="a fox")
    assert plugin.map_fields("clip-2", "video", request, config) == {"input": {"prompt": "a fox"}}


# ---------------------------------------------------------------- what is data, not finish_payload
def test_model_field_puts_the_resolved_model_id_first_without_an_override():
    from tarash.tarash_gateway.models import VideoGenerationConfig
    from tarash.tarash_gateway.plugin import ProviderPlugin

    table = {"prompt": passthrough_field_mapper("prompt", required=True)}
    family = Family("Clips", "video", ("clip-",), table, model_field="model_id")

    class Clips(ProviderPlugin):
        name = "clips"
        catalog = Catalog([family])

    config = VideoGenerationConfig(provider="clips", model="clip-2", api_key="k")
    payload = Clips().map_fields("clip-2", "video", VideoGenerationRequest(prompt="a fox"), config)
    assert list(payload.items()) == [("model_id", "clip-2"), ("prompt", "a fox")]


def test_config_fields_let_provider_config_replace_a_request_field_for_that_config():
    from tarash.tarash_gateway.models import AudioGenerationConfig, TTSRequest
    from tarash.tarash_gateway.plugin import ProviderPlugin

    voices = Accepts(values=("ara", "rex"))
    table = {
        "text": passthrough_field_mapper("text", required=True),
        "voice": FieldMapper("voice_id", lambda _r, v: v, accepts=voices),
    }

    class Voices(ProviderPlugin):
        name = "voices"
        catalog = Catalog([Family("Speech", "tts", ("speak",), table)])
        config_fields = ("voice_id",)

    def config(**provider_config):
        return AudioGenerationConfig(
            provider="voices", model="speak", api_key="k", provider_config=provider_config
        )

    request = TTSRequest(text="hi", voice_id="other-providers-voice")
    assert Voices().map_fields("speak", "tts", request, config(voice_id="rex")) == {
        "text": "hi",
        "voice": "rex",
    }
    with pytest.raises(ValidationError, match="'nobody'.*'ara', 'rex'"):
        Voices().map_fields("speak", "tts", request, config(voice_id="nobody"))
    with pytest.raises(ValidationError, match="other-providers-voice"):  # not replaced: checked
        Voices().map_fields("speak", "tts", request, config())


# ---------------------------------------------------------------- no endpoint fits
def _endpoints(models=("clip-",)):
    from tarash.tarash_gateway.providers.field_mappers import (
        single_image_field_mapper,
        video_url_field_mapper,
    )

    t2v = Family("Clip text", "video", models, {"prompt": PROMPT}, "/t2v")
    i2v = Family(
        "Clip image",
        "video",
        models,
        {"prompt": PROMPT, "image": single_image_field_mapper(True, "first_frame")},
        "/i2v",
    )
    v2v = Family(
        "Clip edit",
        "video",
        models,
        {"prompt": PROMPT, "video": video_url_field_mapper(True)},
        "/v2v",
    )
    return t2v, i2v, v2v


def test_select_names_what_each_endpoint_lacks_when_none_fits():
    catalog = Catalog(list(_endpoints()))
    last_only = VideoGenerationRequest(
        prompt="p", image_list=[{"image": "https://x.test/a.png", "type": "last_frame"}]
    )
    with pytest.raises(ValidationError) as refused:
        catalog.select("clip-2", "video", last_only)
    assert refused.value.message == (
        "model 'clip-2' has no endpoint that takes this request: "
        "Clip text (/t2v): takes no image_list; "
        "Clip image (/i2v): missing image_list (first_frame); "
        "Clip edit (/v2v): missing video, takes no image_list"
    )
    # media no endpoint reads: the first table's mapping refuses it, as for one endpoint
    audio = VideoGenerationRequest(prompt="p", audio="https://x.test/a.mp3")
    assert catalog.select("clip-2", "video", audio).name == "Clip text"


def test_generic_tables_may_be_several_endpoints():
    catalog = Catalog([], generic={"video": _endpoints(())})
    edit = VideoGenerationRequest(prompt="p", video="https://x.test/v.mp4")
    assert catalog.select("anything", "video", edit).endpoint == "/v2v"
    described = catalog.describe("clips", "anything", "video")
    assert described is not None and [v.endpoint for v in described.variants] == [
        "/t2v",
        "/i2v",
        "/v2v",
    ]


# ---------------------------------------------------------------- extra fields and spellings
def test_an_extra_field_is_checked_against_its_accepts():
    from tarash.tarash_gateway.capabilities import Accepts, ExtraField, check_extra_params

    speed = ExtraField(name="speed", type="number", accepts=Accepts.range(0.5, 2.0))
    check_extra_params([speed], {"speed": 1.5})
    with pytest.raises(ValidationError) as refused:
        check_extra_params([speed], {"speed": 3})
    assert refused.value.message == "extra_params['speed']=3 is not accepted; accepted: 0.5 to 2"


def test_language_tags_and_aliases_are_accepted_and_sent_as_the_listed_value():
    from tarash.tarash_gateway.capabilities import Accepts
    from tarash.tarash_gateway.models import TTSRequest
    from tarash.tarash_gateway.providers.field_mappers import FieldMapper, apply_field_mappers

    languages = Accepts(values=("hi-IN", "od-IN"), language_tags=True, aliases={"or": "od-IN"})
    table = {"lang": FieldMapper("language_code", lambda _r, v: v, accepts=languages)}
    sent = [
        apply_field_mappers(table, TTSRequest(text="t", voice_id="v", language_code=code))["lang"]
        for code in ("hi", "HI_in", "hi-GB", "or", "od-IN")
    ]
    assert sent == ["hi-IN", "hi-IN", "hi-IN", "od-IN", "od-IN"]
    with pytest.raises(ValidationError) as refused:
        apply_field_mappers(table, TTSRequest(text="t", voice_id="v", language_code="fr"))
    assert refused.value.message == (
        "language_code='fr' is not accepted; accepted: 'hi-IN', 'od-IN'; "
        "any case or region of these languages; also 'or' (as 'od-IN')"
    )
