"""The plugin-author guide's complete plugin and its tests run as written."""

import re
from pathlib import Path

import pytest

from tarash.tarash_gateway import _plugins

GUIDE = Path(__file__).parents[2] / "docs" / "plugins.md"


def block(marker: str) -> str:
    (code,) = [
        b for b in re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.S) if marker in b
    ]
    return code


@pytest.fixture
def acme_plugin():
    namespace: dict = {}
    exec(compile(block("class AcmeProvider"), str(GUIDE), "exec"), namespace)
    _plugins.registry.register(namespace["plugin"], "acme-guide", distribution="tarash-acme")
    try:
        yield namespace["plugin"]
    finally:
        _plugins.registry.unregister("acme-guide")


def test_the_example_plugin_is_under_80_lines():
    assert len(block("class AcmeProvider").strip().splitlines()) < 80


def test_the_example_plugin_passes_its_own_tests(acme_plugin):
    tests: dict = {}
    exec(compile(block("def acme_server"), str(GUIDE), "exec"), tests)
    names = [name for name in tests if name.startswith("test_")]
    assert len(names) >= 4
    for name in names:
        tests[name]()


def test_a_user_override_keeps_the_plugin_fields(acme_plugin):
    from tarash.tarash_gateway import generate_video, register_provider_field_mapping
    from tarash.tarash_gateway.models import VideoGenerationConfig, VideoGenerationRequest
    from tarash.tarash_gateway.providers.field_mappers import (
        duration_field_mapper,
        passthrough_field_mapper,
    )

    tests: dict = {}
    exec(compile(block("def acme_server"), str(GUIDE), "exec"), tests)
    register_provider_field_mapping(
        "acme",
        {
            "acme-1": {
                "duration": duration_field_mapper("int"),
                "seed": passthrough_field_mapper("seed"),
            }
        },
    )
    with tests["acme_server"]() as server:
        config = VideoGenerationConfig(
            provider="acme", api_key="k", base_url=server.url, poll_interval=0.01
        )
        generate_video(config, VideoGenerationRequest(prompt="fox", duration_seconds=7, seed=1))
    # The override replaced "duration" (7 is now accepted) and added "seed"; the
    # plugin's fixed "model" field and its other mappings still reach the wire.
    assert server.last("POST", "/v1/text_to_video").json() == {
        "model": "acme-1",
        "prompt": "fox",
        "duration": 7,
        "seed": 1,
    }
