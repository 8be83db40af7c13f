import pytest

from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    GenerationFailedError,
    HTTPConnectionError,
    HTTPError,
    MalformedResponseError,
    TarashException,
    TimeoutError,
    ValidationError,
    is_retryable_error,
)


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (GenerationFailedError("x"), True),
        (TimeoutError("x", timeout_seconds=3), True),
        (HTTPConnectionError("x"), True),
        *[(HTTPError("x", status_code=code), True) for code in (429, 500, 502, 503, 504)],
        *[(HTTPError("x", status_code=code), False) for code in (400, 401, 403, 404, 422, 501)],
        (MalformedResponseError("x", status_code=200), False),
        (ValidationError("x"), False),
        (ContentModerationError("x"), False),
        (TarashException("x"), False),
        (ValueError("x"), False),
    ],
)
def test_is_retryable_error(error, retryable):
    assert is_retryable_error(error) is retryable


def test_exception_carries_context():
    error = HTTPError(
        "boom", provider="fal", model="m", request_id="r1", raw_response={"a": 1}, status_code=503
    )
    assert (error.message, error.provider, error.model, error.request_id) == (
        "boom",
        "fal",
        "m",
        "r1",
    )
    assert error.raw_response == {"a": 1} and error.status_code == 503
    assert str(error) == "[fal/m] boom"
    assert TimeoutError("t", timeout_seconds=5).timeout_seconds == 5
