"""check_extra_params: documented extras are checked against their ExtraField data."""

from __future__ import annotations

import pytest

from tarash.tarash_gateway.capabilities import ExtraField, check_extra_params
from tarash.tarash_gateway.exceptions import ValidationError

EXTRAS = (
    ExtraField(name="speed", type="string", values=("slow", "normal", "fast")),
    ExtraField(name="save", type="boolean"),
    ExtraField(name="steps", type="integer"),
    ExtraField(name="scale", type="number"),
    ExtraField(name="dict", type="object"),
)


def test_accepted_values_and_unknown_keys_pass() -> None:
    extras = {"speed": "fast", "save": False, "steps": 3, "scale": 0.5, "dict": {}, "other": 1}
    check_extra_params(EXTRAS, extras)


@pytest.mark.parametrize(
    ("extras", "message"),
    [
        ({"speed": "warp"}, "extra_params['speed']='warp' is not accepted; accepted: 'slow'"),
        ({"save": "yes"}, "accepted: a JSON boolean"),
        ({"steps": True}, "extra_params['steps']=True"),
        ({"steps": 2.5}, "a JSON integer"),
        ({"scale": "big"}, "a JSON number"),
        ({"dict": [1]}, "a JSON object"),
    ],
)
def test_refusals_name_key_value_and_accepted(extras: dict, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_extra_params(EXTRAS, extras)
    assert message in str(caught.value)
