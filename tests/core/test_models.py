from datetime import UTC

import pytest
from pydantic import ValidationError as PydanticValidationError

from tarash.tarash_gateway import generate_video
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import (
    AudioGenerationConfig,
    AudioOutputFormat,
    ImageGenerationConfig,
    ImageGenerationRequest,
    STSRequest,
    TTSRequest,
    VideoGenerationConfig,
    VideoGenerationRequest,
)


def test_unknown_request_fields_go_to_extra_params():
    request = VideoGenerationRequest(prompt="p", cfg_scale=0.5, extra_params={"mode": "pro"})
    assert request.extra_params == {"cfg_scale": 0.5, "mode": "pro"}
    assert ImageGenerationRequest(prompt="p", steps=30).extra_params == {"steps": 30}
    assert TTSRequest(text="t", voice_id="v", seed=1).extra_params == {"seed": 1}
    assert STSRequest(audio=b"x", voice_id="v", remove_background_noise=True).extra_params == {
        "remove_background_noise": True
    }


def test_tts_output_format_defaults_to_mp3_44100_128():
    assert TTSRequest(text="t", voice_id="v").output_format == AudioOutputFormat(
        format="mp3", sample_rate=44100, bitrate=128
    )


def test_config_defaults_per_modality():
    assert VideoGenerationConfig(provider="p").timeout == 600
    assert ImageGenerationConfig(provider="p").timeout == 120
    assert AudioGenerationConfig(provider="p", base_url="http://x").base_url == "http://x"


def test_api_key_is_not_in_repr_or_dump():
    config = VideoGenerationConfig(provider="fal", model="m", api_key="sk-very-secret")
    assert "sk-very-secret" not in repr(config)
    assert "sk-very-secret" not in str(config)
    assert "sk-very-secret" not in config.model_dump_json()
    assert config.api_key == "sk-very-secret"


def test_config_rejects_unknown_fields_and_bad_values():
    with pytest.raises(ValidationError, match="timeoutt"):
        VideoGenerationConfig(provider="p", timeoutt=3)
    with pytest.raises(ValidationError, match="timeout"):
        VideoGenerationConfig(provider="p", timeout=0)
    with pytest.raises(ValidationError, match="aspect_ratio"):
        VideoGenerationRequest(prompt="p", aspect_ratio="7:5")


def test_metadata_timestamps_are_utc():
    response = generate_video(
        VideoGenerationConfig(provider="mock"), VideoGenerationRequest(prompt="p")
    )
    attempt = response.execution_metadata.attempts[0]
    assert attempt.started_at.tzinfo is UTC and attempt.ended_at.tzinfo is UTC
    assert attempt.elapsed_seconds >= 0
    assert response.execution_metadata.total_elapsed_seconds >= 0


def test_usage_is_absent_unless_the_provider_reported_it():
    from decimal import Decimal

    from tarash.tarash_gateway.models import ImageGenerationResponse, ProviderUsage

    assert ImageGenerationResponse(request_id="r", images=["aGk="]).usage is None
    usage = ProviderUsage(
        cost=Decimal("0.02"),
        currency="USD",
        units={"cost_in_usd_ticks": 200_000_000},
        raw={"cost_in_usd_ticks": 200_000_000},
    )
    response = ImageGenerationResponse(request_id="r", images=["aGk="], usage=usage)
    assert response.usage is not None and response.usage.cost == Decimal("0.02")
    assert response.usage.units == {"cost_in_usd_ticks": 200_000_000}
    dumped = response.model_dump(mode="json")["usage"]
    assert dumped == {
        "cost": "0.02",
        "currency": "USD",
        "units": {"cost_in_usd_ticks": 200000000},
        "raw": {"cost_in_usd_ticks": 200000000},
    }
    assert ImageGenerationResponse.model_validate_json(response.model_dump_json()) == response
    with pytest.raises(PydanticValidationError, match="cost"):
        ProviderUsage(cost=Decimal("-1"), currency="USD")
