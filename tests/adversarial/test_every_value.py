"""Every value the request models accept either maps or is refused, by every plugin.

Regression test of issue 11, item 15 (``resolution="512p"`` for OpenAI video
raised a plain KeyError). Walks every installed provider, every model it
declares and every value of every enumerated request field; a hypothesis test
then throws random whole requests at the same mappings.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tarash.tarash_gateway.exceptions import ValidationError
from tests.adversarial.requests import (
    UNKNOWN_MODEL,
    enumerated_fields,
    outcome,
    provider_modalities,
    resolve,
    targets,
)

TARGETS = targets()


@pytest.mark.parametrize(("provider", "modality"), provider_modalities())
def test_every_enumerated_value_maps_or_is_refused(provider, modality):
    models = [model for p, m, model in TARGETS if (p, m) == (provider, modality)]
    seen: dict[str, int] = {}
    for model in models:
        result = outcome(provider, modality, model, {})
        seen[result] = seen.get(result, 0) + 1
        for field, values in enumerated_fields(modality).items():
            for value in values:
                result = outcome(provider, modality, model, {field: value})
                seen[result] = seen.get(result, 0) + 1
    assert seen.get("mapped", 0) + seen.get("refused", 0) > 0, (provider, modality, seen)


def test_openai_video_512p_is_refused_or_mapped_never_a_key_error():
    """#15 as reported: sora-2 refuses 512p naming field and value; unknown models map it."""
    if ("openai", "video") not in provider_modalities():
        pytest.skip("tarash-openai is not installed")
    with pytest.raises(ValidationError) as caught:
        resolve("openai", "video", "sora-2", {"resolution": "512p"})
    assert "resolution" in caught.value.message and "512p" in caught.value.message
    link = resolve("openai", "video", UNKNOWN_MODEL, {"resolution": "512p"})
    assert link.payload["size"] == "910x512"


# ---------------------------------------------------------------- random whole requests
TEXT = st.text(max_size=40) | st.sampled_from(["", " ", "\x00", "é" * 3, "\ud7ff", "a" * 5000])
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


def _request_fields(modality: str) -> st.SearchStrategy[dict[str, Any]]:
    enumerated = {
        name: st.sampled_from(values) for name, values in enumerated_fields(modality).items()
    }
    common: dict[str, st.SearchStrategy[Any]] = {
        "seed": st.integers(-(2**40), 2**40),
        "negative_prompt": TEXT,
        "extra_params": st.dictionaries(TEXT, JSONISH, max_size=3),
    }
    if modality == "video":
        common |= {
            "duration_seconds": st.integers(1, 400),
            "number_of_videos": st.integers(1, 9),
        }
    if modality == "image":
        common |= {
            "size": st.sampled_from(["1024x1024", "0x0", "99999x1", "big", "512x512"]),
            "n": st.integers(1, 20),
        }
    from tarash.tarash_gateway.models import REQUEST_TYPES

    known = set(REQUEST_TYPES[modality].model_fields)
    options = {k: v for k, v in {**common, **enumerated}.items() if k in known}
    return st.fixed_dictionaries({}, optional=options)


@pytest.mark.parametrize(("provider", "modality"), provider_modalities())
def test_random_requests_map_or_are_refused(provider, modality):
    models = sorted({model for p, m, model in TARGETS if (p, m) == (provider, modality)})

    @settings(
        max_examples=30,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(model=st.sampled_from(models), fields=_request_fields(modality))
    def check(model: str, fields: dict[str, Any]) -> None:
        try:
            link = resolve(provider, modality, model, fields)
        except ValidationError:
            return
        except Exception as exc:  # noqa: BLE001 - reported with the input
            raise AssertionError(
                f"{provider}/{model} {modality} {fields!r}: {type(exc).__name__}: {exc}"
            ) from exc
        if link.payload is not None and not _has_media(link.payload):
            json.dumps(link.payload, allow_nan=False)  # what reaches the wire is JSON

    check()


def _has_media(value: Any) -> bool:
    if isinstance(value, bytes | bytearray | tuple):
        return True
    if isinstance(value, dict):
        return any(_has_media(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_media(v) for v in value)
    return not isinstance(value, str | int | float | bool | type(None))
