"""Bad input is a ValidationError before any request, and never quotes a key.

Regression tests of issue 11, items 1 (a key ending in a newline leaked through
an httpx error), 3 (config errors quote the key) and 16 (non-JSON extra_params
failed at submit).
"""

from __future__ import annotations

import math

import pytest

from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import VideoGenerationConfig, VideoGenerationRequest
from tests.adversarial.conftest import KEY, echo_config, run

BAD_EXTRAS = {
    "bytes": b"\x00\x01",
    "set": {1, 2},
    "nan": math.nan,
    "inf": [math.inf],
    "surrogate": "\ud800",
    "object": object(),
}


@pytest.mark.parametrize("name", sorted(BAD_EXTRAS))
def test_non_json_extra_params_are_refused_up_front(driver, echo_server, name):
    """#16: named in a ValidationError; nothing is sent."""
    request = VideoGenerationRequest(prompt="a cat", extra_params={name: BAD_EXTRAS[name]})
    with pytest.raises(ValidationError) as caught:
        run(driver, echo_config(echo_server), request)
    assert f"extra_params[{name!r}]" in caught.value.message
    assert echo_server.requests == []


@pytest.mark.parametrize("padding", ["\n", "\r\n", " ", "\t\n"])
def test_whitespace_around_a_key_is_stripped(driver, echo_server, padding):
    """#1: a key read from a file works; the provider sees the key alone."""
    config = echo_config(echo_server, api_key=f"{padding}{KEY}{padding}")
    run(driver, config, VideoGenerationRequest(prompt="a cat"))
    assert echo_server.last("POST", r"/v1/jobs").headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("key", [f"{KEY}\x00x", f"sk-\n{KEY}", f"{KEY}\x7f"])
def test_control_characters_in_a_key_are_refused_without_quoting_it(driver, echo_server, key):
    """#1: named by its field, never by its value; not retryable, nothing sent."""
    with pytest.raises(ValidationError) as caught:
        run(driver, echo_config(echo_server, api_key=key), VideoGenerationRequest(prompt="a"))
    assert "config.api_key" in caught.value.message
    assert KEY not in repr(caught.value) and KEY not in str(caught.value.args)
    assert echo_server.requests == []


def test_control_characters_in_an_environment_key_name_the_variable(echo_server, monkeypatch):
    monkeypatch.setenv("ECHO_API_KEY", f"{KEY}\x1b")
    config = echo_config(echo_server, api_key=None)
    with pytest.raises(ValidationError) as caught:
        run("sync", config, VideoGenerationRequest(prompt="a"))
    assert "$ECHO_API_KEY" in caught.value.message
    assert KEY not in caught.value.message


@pytest.mark.parametrize(
    "fields",
    [
        {"provider": "fal", "apikey": KEY},
        {"provider": "fal", "api_key": [KEY]},
        {"provider": "fal", "api_key": {"k": KEY}},
        {"provider": "fal", "fallback_configs": [{"provider": "fal", "api_key": 3, "x": KEY}]},
    ],
)
def test_config_errors_hide_input_values(fields):
    """#3: pydantic's input_value='sk-...' must not appear, directly or through generate."""
    with pytest.raises(ValidationError) as caught:
        VideoGenerationConfig(**fields)
    assert KEY not in str(caught.value) and KEY not in repr(caught.value)
    with pytest.raises(ValidationError) as wrapped:
        run("sync", fields, {"prompt": "a cat"})
    assert KEY not in str(wrapped.value) and KEY not in repr(wrapped.value.args)
