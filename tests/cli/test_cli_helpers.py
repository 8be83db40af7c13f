"""The pure helpers behind the command line: option parsing, file names, error lines."""

from __future__ import annotations

import pytest

from tarash.tarash_gateway._cli_args import (
    UsageError,
    build_parser,
    config_fields,
    parse_assignment,
    parse_fallback,
    parse_output_format,
)
from tarash.tarash_gateway._cli_output import describe, output_paths, slug
from tarash.tarash_gateway._cli_progress import format_elapsed
from tarash.tarash_gateway.exceptions import HTTPError, TimeoutError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("n=2", ("n", 2)),
        ("flag=true", ("flag", True)),
        ("style=cinematic", ("style", "cinematic")),
        ('obj={"a": [1, 2]}', ("obj", {"a": [1, 2]})),
        ("url=https://x.test/?a=b", ("url", "https://x.test/?a=b")),
        ("empty=", ("empty", "")),
    ],
)
def test_param_values_are_json_when_they_parse(text, expected):
    assert parse_assignment("--param", text) == expected


def test_fallback_model_may_contain_colons():
    assert parse_fallback("replicate:owner/model:abc123") == ("replicate", "owner/model:abc123")
    assert parse_fallback("mock") == ("mock", None)
    with pytest.raises(UsageError):
        parse_fallback(":model")


def test_output_format_shorthand():
    assert parse_output_format("mp3_44100_128", None, None) == {
        "format": "mp3",
        "sample_rate": 44100,
        "bitrate": 128,
    }
    assert parse_output_format("wav", 16000, None) == {"format": "wav", "sample_rate": 16000}


def test_fallbacks_of_the_same_provider_inherit_its_key_and_base_url():
    args = build_parser().parse_args(
        ["video", "x", "-p", "fal", "--api-key", "k", "--base-url", "http://h",
         "--fallback", "fal:other", "--fallback", "openai", "--timeout", "30"]
    )  # fmt: skip
    config = config_fields(args)

    same, other = config["fallback_configs"]
    assert same == {"provider": "fal", "model": "other", "timeout": 30.0,
                    "api_key": "k", "base_url": "http://h"}  # fmt: skip
    assert other == {"provider": "openai", "model": None, "timeout": 30.0}


def test_a_long_timeout_is_not_cut_short_by_the_poll_limit():
    args = build_parser().parse_args(["video", "x", "-p", "fal", "--timeout", "1800"])
    assert "max_poll_attempts" not in config_fields(args)  # the API polls until the timeout


def test_slugs_and_numbering(tmp_path):
    assert slug("A red fox, in the snow at night!") == "a-red-fox-in-the-snow"
    (tmp_path / "fox.mp4").write_bytes(b"")
    assert output_paths(str(tmp_path) + "/", "fox", 1) == [
        tmp_path / "fox-2"
    ]  # save() adds the suffix
    assert output_paths(str(tmp_path / "o.png"), "ignored", 2) == [
        tmp_path / "o.png",
        tmp_path / "o-2.png",
    ]


def test_error_lines_name_the_provider_and_what_to_do():
    rate = HTTPError("too many requests", provider="fal", model="m", status_code=429)
    slow = TimeoutError("job not finished within timeout=5s", provider="fal")

    assert describe(rate) == (
        "fal/m: too many requests. Rate limited or out of quota: wait and retry, or add --fallback."
    )
    assert describe(HTTPError("no", provider="x", status_code=401), ["X_KEY"]).endswith(
        "Check the API key (--api-key or X_KEY)."
    )
    assert "Raise --timeout" in describe(slow)


def test_elapsed_format():
    assert format_elapsed(3.04) == "3.0s"
    assert format_elapsed(245) == "4m05s"
