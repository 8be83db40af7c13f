"""The shared helpers that turn a provider's HTTP answer into the core's exceptions."""

import httpx
import pytest

from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    HTTPError,
    MalformedResponseError,
    ValidationError,
    is_retryable_error,
)
from tarash.tarash_gateway.plugin import (
    error_for_response,
    json_body,
    json_object,
    malformed_response,
    parse_retry_after,
)
from tarash.tarash_gateway.testing import make_context

CTX = make_context("acme", "m1", "video")


def answer(status: int, content: bytes = b"", headers: dict | None = None) -> httpx.Response:
    request = httpx.Request("POST", "https://api.acme.example/v1/jobs")
    return httpx.Response(status, content=content, headers=headers, request=request)


def test_json_body_accepts_any_object_and_refuses_the_rest():
    assert json_body(answer(200, b'{"body": "text"}'), CTX) == {"body": "text"}
    for content in (b"[1, 2]", b"<html>", b""):
        with pytest.raises(
            MalformedResponseError,
            match="POST /v1/jobs answered 200 with a body that is not a JSON object",
        ):
            json_body(answer(200, content), CTX)


def test_json_object_reads_an_error_body_of_any_shape():
    assert json_object(answer(400, b'{"error": "bad"}')) == {"error": "bad"}
    for content in (b"[1, 2]", b'"text"', b"<html>", b"", b"\xff\xfe"):
        assert json_object(answer(502, content)) is None


def test_malformed_response_names_the_request():
    error = malformed_response(answer(200), CTX, "without the job id", request_id="r1")
    assert str(error) == "[acme/m1] POST /v1/jobs answered 200 without the job id"
    assert error.request_id == "r1" and error.status_code == 200 and not is_retryable_error(error)


@pytest.mark.parametrize(
    ("status", "kind", "retryable"),
    [
        (400, ValidationError, False),
        (422, ValidationError, False),
        (401, HTTPError, False),
        (404, HTTPError, False),
        (429, HTTPError, True),
        (500, HTTPError, True),
        (503, HTTPError, True),
    ],
)
def test_error_for_response_by_status(status, kind, retryable):
    error = error_for_response(answer(status, b'{"error": "nope"}'), CTX, "nope")
    assert type(error) is kind and is_retryable_error(error) is retryable
    assert f"POST /v1/jobs → {status}: nope" in str(error) and error.raw_response == {
        "error": "nope"
    }


def test_moderation_and_retry_after():
    assert isinstance(error_for_response(answer(400), CTX, moderation=True), ContentModerationError)
    limited = error_for_response(answer(429, headers={"Retry-After": "7"}), CTX)
    assert limited.retry_after == 7.0
    assert (
        parse_retry_after(answer(429, headers={"retry-after-ms": "250", "Retry-After": "9"}))
        == 0.25
    )
    assert (
        parse_retry_after(answer(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}))
        == 0.0
    )
    assert parse_retry_after(answer(429)) is None
