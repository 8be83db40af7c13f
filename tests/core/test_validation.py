"""Bad input is a tarash ValidationError (also a ValueError); likely typos warn."""

import warnings

import pytest

from tarash.tarash_gateway import generate_image, generate_video
from tarash.tarash_gateway.exceptions import (
    TarashException,
    TarashPluginWarning,
    TarashWarning,
    ValidationError,
)
from tarash.tarash_gateway.mock import MockConfig
from tarash.tarash_gateway.models import (
    AudioOutputFormat,
    ImageGenerationConfig,
    ImageGenerationRequest,
    TTSRequest,
    VideoGenerationConfig,
    VideoGenerationRequest,
)

SECRET = "sk-live-abcdef0123456789"


def refusal(build, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        build(*args, **kwargs)
    error = caught.value
    assert isinstance(error, TarashException) and isinstance(error, ValueError)
    assert "pydantic" not in str(error)
    return error


# ---------------------------------------------------------------- 5. one exception family
def test_a_refused_value_names_field_value_and_accepted_values():
    error = refusal(VideoGenerationRequest, prompt="fox", aspect_ratio="17:3")
    assert str(error).startswith("VideoGenerationRequest.aspect_ratio='17:3' is not accepted")
    assert "accepted: '16:9', '9:16'" in str(error) and "'auto'" in str(error)
    assert error.problems[0][:2] == ("aspect_ratio", "'17:3'")


def test_config_limits_and_missing_fields():
    assert str(refusal(VideoGenerationConfig, provider="fal", timeout=0)) == (
        "VideoGenerationConfig.timeout=0 is not accepted; accepted: greater than 0"
    )
    assert str(refusal(VideoGenerationRequest)) == "VideoGenerationRequest.prompt is required"
    assert "text=''" in str(refusal(TTSRequest, text="", voice_id="v"))
    assert "sample_rate=-1" in str(refusal(AudioOutputFormat, format="mp3", sample_rate=-1))


def test_unknown_config_field_suggests_the_right_one():
    error = refusal(ImageGenerationConfig, provider="fal", timout=3)
    assert str(error) == "ImageGenerationConfig.timout is not a field; did you mean 'timeout'?"


def test_every_problem_is_listed_with_its_place():
    error = refusal(
        VideoGenerationRequest,
        prompt="fox",
        duration_seconds=0,
        image_list=[{"image": "https://x/a.png", "type": "middle"}],
    )
    message = str(error)
    assert message.startswith("2 problems in VideoGenerationRequest:")
    assert "duration_seconds=0 is not accepted; accepted: greater than or equal to 1" in message
    assert "image_list[0].type='middle' is not accepted; accepted: 'reference'" in message


def test_nested_configs_report_the_inner_field():
    error = refusal(
        VideoGenerationConfig,
        provider="fal",
        fallback_configs=[{"provider": "openai", "timeout": -1}],
    )
    assert str(error) == (
        "VideoGenerationConfig.fallback_configs[0].timeout=-1 is not accepted; "
        "accepted: greater than 0"
    )
    error = refusal(VideoGenerationConfig, provider="fal", mock={"responses": [{"weight": 0}]})
    assert "mock.responses[0].weight=0" in str(error)


def test_secret_values_are_never_echoed():
    error = refusal(VideoGenerationConfig, provider="fal", api_key=12345678901234)
    assert "12345678901234" not in str(error) and "api_key=<hidden>" in str(error)
    # a bad fallback config carrying a key: the key stays out of the message
    error = refusal(
        VideoGenerationConfig,
        provider="fal",
        api_key=SECRET,
        fallback_configs=[{"provider": "openai", "api_key": SECRET, "timeout": 0}],
    )
    assert SECRET not in str(error) and SECRET not in repr(error)
    assert SECRET not in str(error.problems)
    error = refusal(VideoGenerationConfig, provider="fal", api_kye=SECRET)
    assert SECRET not in str(error) and "did you mean 'api_key'" in str(error)


def test_dicts_given_to_the_api_are_refused_the_same_way():
    error = refusal(generate_video, {"provider": "mock"}, {"prompt": "fox", "aspect_ratio": "2:1"})
    assert "aspect_ratio='2:1' is not accepted" in str(error)
    error = refusal(VideoGenerationConfig.model_validate, {"provider": "mock", "timeout": 0})
    assert "timeout=0" in str(error)


def test_code_written_for_value_error_still_catches_refusals():
    try:
        VideoGenerationRequest(prompt="fox", resolution="8k")
    except ValueError as exc:
        assert "resolution='8k'" in str(exc)
    else:
        pytest.fail("no error")


def test_a_missing_required_field_of_a_model_mapping_is_a_value_error_too():
    config = ImageGenerationConfig(
        provider="fal", model="fal-ai/flux-2/edit", api_key="k", base_url="http://127.0.0.1:9"
    )
    error = refusal(generate_image, config, ImageGenerationRequest(prompt="fox"))
    assert "image_list is required" in str(error)


def test_mock_config_refusals_are_tarash_errors():
    error = refusal(MockConfig, responses=[{"error": ValueError("x"), "output_video": "u"}])
    assert "MockConfig.responses[0]: set at most one of" in str(error)


# ---------------------------------------------------------------- 6. likely typos warn
def test_a_misspelt_request_field_warns_and_still_goes_to_extra_params():
    with pytest.warns(TarashWarning, match="did you mean 'duration_seconds'") as record:
        request = VideoGenerationRequest(prompt="fox", duraton_seconds=4)
    assert request.extra_params == {"duraton_seconds": 4}
    assert record[0].filename == __file__  # points at the caller's line
    with pytest.warns(TarashWarning, match="did you mean 'aspect_ratio'"):
        VideoGenerationRequest(prompt="fox", aspectRatio="16:9")
    with pytest.warns(TarashWarning, match="did you mean 'voice_id'"):
        TTSRequest(text="hi", voice_id="v", voiceid="w")


def test_provider_specific_parameters_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        request = VideoGenerationRequest(prompt="fox", cfg_scale=0.5, motion_bucket_id=3)
        ImageGenerationRequest(prompt="fox", steps=30, guidance_scale=7)
    assert request.extra_params == {"cfg_scale": 0.5, "motion_bucket_id": 3}


def test_plugin_warnings_are_tarash_warnings():
    assert issubclass(TarashPluginWarning, TarashWarning)


def test_unknown_provider_config_keys_of_a_declaring_plugin_warn(echo_server):
    from tarash.tarash_gateway import _plugins
    from tests.support.echo_provider import EchoPlugin

    class Declaring(EchoPlugin):
        def info(self):
            return super().info().model_copy(update={"provider_config_keys": ["region"]})

    _plugins.registry.unregister("echo-test")
    _plugins.registry.register(Declaring(), "echo-test", distribution="tarash-echo-test")
    config = VideoGenerationConfig(
        provider="echo", api_key="k", base_url=echo_server.url, poll_interval=0.01
    )
    with pytest.warns(TarashWarning, match="'regoin' is not read .*did you mean 'region'"):
        generate_video(
            config.model_copy(update={"provider_config": {"regoin": "eu"}}),
            VideoGenerationRequest(prompt="fox"),
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        generate_video(
            config.model_copy(update={"provider_config": {"region": "eu"}}),
            VideoGenerationRequest(prompt="fox"),
        )


def test_a_key_given_in_the_wrong_config_field_is_not_echoed():
    error = refusal(VideoGenerationConfig, provider="fal", timeout=SECRET)
    assert SECRET not in str(error) and "timeout=<hidden> is not accepted" in str(error)
