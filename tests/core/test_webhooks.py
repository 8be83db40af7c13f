"""Webhooks: webhook_url at submit, and parse_webhook verifying signatures.

fal's scheme (ED25519, keys published as a JWKS) with keys generated here and a
key set served by the fake fal server; Standard Webhooks (HMAC) through a test
plugin that only declares the scheme.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tarash.tarash_gateway import (
    _plugins,
    generate_video,
    parse_webhook,
    parse_webhook_async,
    submit_video,
)
from tarash.tarash_gateway.exceptions import ValidationError, WebhookVerificationError
from tarash.tarash_gateway.models import (
    ImageGenerationResponse,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tarash.tarash_gateway.plugin import CallContext, JobStatus
from tarash.tarash_gateway.testing import FakeResponse
from tarash.tarash_gateway.webhooks import _JWKS, StandardWebhooks
from tests.plugins.fal.fake_fal import FakeFalServer
from tests.support.echo_provider import EchoPlugin

RID = "123e4567-e89b-12d3-a456-426614174000"
VIDEO = {"video": {"url": "https://v3.fal.media/files/out.mp4", "content_type": "video/mp4"}}


# ---------------------------------------------------------------- fal signing, done here
def jwk(key: Ed25519PrivateKey, kid: str) -> dict[str, str]:
    raw = key.public_key().public_bytes_raw()
    x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid}


def fal_delivery(
    key: Ed25519PrivateKey, body: dict[str, Any], timestamp: float | None = None
) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    stamp = str(int(time.time() if timestamp is None else timestamp))
    message = "\n".join([body["request_id"], "user-1", stamp, hashlib.sha256(raw).hexdigest()])
    headers = {
        "X-Fal-Webhook-Request-Id": body["request_id"],
        "X-Fal-Webhook-User-Id": "user-1",
        "X-Fal-Webhook-Timestamp": stamp,
        "X-Fal-Webhook-Signature": key.sign(message.encode()).hex(),
    }
    return raw, headers


@pytest.fixture
def fal_keys():
    """fal's key set served by the fake at /.well-known/jwks.json; the signing key."""
    _JWKS.clear()
    signing = Ed25519PrivateKey.generate()
    other = Ed25519PrivateKey.generate()
    with FakeFalServer() as server:
        jwks = {"keys": [jwk(other, "k0"), jwk(signing, "k1")]}
        server.add_route(
            "GET", r"/\.well-known/jwks\.json", lambda request: FakeResponse.json(jwks)
        )
        yield server, signing
    _JWKS.clear()


def ok_body(payload: dict[str, Any] = VIDEO) -> dict[str, Any]:
    return {"request_id": RID, "gateway_request_id": RID, "status": "OK", "payload": payload}


def test_a_valid_fal_delivery_gives_the_unified_response(fal_keys):
    server, key = fal_keys
    body, headers = fal_delivery(key, ok_body())
    url = f"{server.url}/.well-known/jwks.json"
    event = parse_webhook("fal", body, headers, modality="video", key_url=url)
    assert event.status == "completed" and event.request_id == RID
    assert isinstance(event.result, VideoGenerationResponse)
    assert event.result.video == "https://v3.fal.media/files/out.mp4"
    assert event.result.provider == "fal" and event.webhook_id == RID
    # the key set is fetched once, then cached
    again = parse_webhook("fal", body, {k.lower(): v for k, v in headers.items()}, key_url=url)
    assert again.result.video == event.result.video
    assert server.count("GET", r"/\.well-known/jwks\.json") == 1


def test_async_twin_and_image_results(fal_keys):
    server, key = fal_keys
    images = {"images": [{"url": "https://v3.fal.media/files/a.png", "content_type": "image/png"}]}
    body, headers = fal_delivery(key, ok_body(images))
    url = f"{server.url}/.well-known/jwks.json"
    event = asyncio.run(parse_webhook_async("fal", body, headers, key_url=url))
    assert isinstance(event.result, ImageGenerationResponse)  # modality guessed from the fields
    assert event.result.images == ["https://v3.fal.media/files/a.png"]


def test_a_failed_job_is_a_failed_event(fal_keys):
    _, key = fal_keys
    failed = {
        "request_id": RID,
        "status": "ERROR",
        "error": "Invalid status code: 422",
        "payload": {"detail": [{"loc": ["body", "prompt"], "msg": "field required"}]},
    }
    body, headers = fal_delivery(key, failed)
    event = parse_webhook("fal", body, headers, modality="video", keys=[jwk(key, "k1")])
    assert event.status == "failed" and event.result is None
    assert "422" in event.error and "prompt: field required" in event.error


def test_forged_replayed_tampered_and_unknown_key_deliveries_raise(fal_keys):
    server, key = fal_keys
    url = f"{server.url}/.well-known/jwks.json"
    body, headers = fal_delivery(key, ok_body())

    forged = dict(headers, **{"X-Fal-Webhook-Signature": "00" * 64})
    with pytest.raises(WebhookVerificationError, match="forged"):
        parse_webhook("fal", body, forged, key_url=url)

    old_body, old_headers = fal_delivery(key, ok_body(), timestamp=time.time() - 3600)
    with pytest.raises(WebhookVerificationError, match="replay"):
        parse_webhook("fal", old_body, old_headers, key_url=url)

    tampered = body.replace(b"out.mp4", b"evil.mp4")
    with pytest.raises(WebhookVerificationError):
        parse_webhook("fal", tampered, headers, key_url=url)

    stranger = Ed25519PrivateKey.generate()
    unknown_body, unknown_headers = fal_delivery(stranger, ok_body())
    with pytest.raises(WebhookVerificationError, match="unknown key"):
        parse_webhook("fal", unknown_body, unknown_headers, key_url=url)
    with pytest.raises(WebhookVerificationError, match="no given key"):
        parse_webhook("fal", body, headers, keys=[jwk(stranger, "s")])

    unsigned = {k: v for k, v in headers.items() if k != "X-Fal-Webhook-Signature"}
    with pytest.raises(WebhookVerificationError, match="not signed"):
        parse_webhook("fal", body, unsigned, key_url=url)


def test_a_delivery_for_another_job_is_refused(fal_keys):
    server, key = fal_keys
    config = VideoGenerationConfig(provider="fal", api_key="k:s", base_url=server.url)
    job = submit_video(config, VideoGenerationRequest(prompt="fox"))
    body, headers = fal_delivery(key, ok_body())
    with pytest.raises(ValidationError, match="not"):
        parse_webhook("fal", body, headers, job=job, keys={"keys": [jwk(key, "k1")]})


def test_webhook_url_goes_to_fal_at_submit(fal_keys):
    server, _ = fal_keys
    hook = "https://app.example/hooks/fal?token=abc"
    config = VideoGenerationConfig(
        provider="fal", api_key="k:s", base_url=server.url, webhook_url=hook
    )
    job = submit_video(config, VideoGenerationRequest(prompt="fox"))
    submitted = server.last("POST", r"/fal-ai/.*")
    assert submitted.query["fal_webhook"] == [hook]
    assert job.webhook_url == hook


def test_providers_without_webhooks_refuse_webhook_url_before_any_request(echo_server):
    config = VideoGenerationConfig(
        provider="echo", api_key="sk-1234", base_url=echo_server.url, webhook_url="https://x.y/h"
    )
    with pytest.raises(ValidationError, match="webhook_url.*no webhooks"):
        submit_video(config, VideoGenerationRequest(prompt="fox"))
    with pytest.raises(ValidationError, match="no webhooks"):
        generate_video(config, VideoGenerationRequest(prompt="fox"))
    assert echo_server.count("POST", "/v1/jobs") == 0
    with pytest.raises(ValidationError, match="no webhooks"):
        parse_webhook("echo", b"{}", {})


# ---------------------------------------------------------------- Standard Webhooks (HMAC)
SECRET = "whsec_" + base64.b64encode(b"a-test-secret-of-32-bytes-length").decode()


class HookedEcho(EchoPlugin):
    """A plugin that only declares Standard Webhooks and reads its bodies."""

    name = "echo-hooks"
    webhook_verifier = StandardWebhooks(secret_env=("ECHO_WEBHOOK_SECRET",))

    def info(self):
        info = super().info()
        return info.model_copy(update={"name": "echo-hooks"})

    def parse_webhook(self, body: dict[str, Any], ctx: CallContext) -> tuple[str, JobStatus]:
        if body["status"] != "succeeded":
            return body["id"], JobStatus(state="processing", raw=body)
        output = {"video": body["output"], "content_type": "video/mp4"}
        return body["id"], JobStatus(state="completed", output=output, raw=body)


@pytest.fixture
def hooked():
    _plugins.registry.register(HookedEcho(), "echo-hooks-test", distribution="tarash-echo-hooks")
    try:
        yield
    finally:
        _plugins.registry.unregister("echo-hooks-test")


def standard_delivery(body: dict[str, Any], secret: str = SECRET, timestamp: float | None = None):
    raw = json.dumps(body).encode()
    stamp = str(int(time.time() if timestamp is None else timestamp))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"msg_1.{stamp}.".encode() + raw
    signature = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": stamp,
        "webhook-signature": f"v1,bm90LXRoaXMtb25l v1,{signature}",
    }
    return raw, headers


def test_standard_webhooks_hmac(hooked, monkeypatch):
    done = {"id": "p1", "status": "succeeded", "output": "https://r.example/out.mp4"}
    body, headers = standard_delivery(done)
    event = parse_webhook("echo-hooks", body, headers, modality="video", secret=SECRET)
    assert event.status == "completed" and event.result.video == "https://r.example/out.mp4"
    assert event.webhook_id == "msg_1"
    monkeypatch.setenv("ECHO_WEBHOOK_SECRET", SECRET)  # the declared variable works too
    assert parse_webhook("echo-hooks", body, headers, modality="video").request_id == "p1"

    wrong = "whsec_" + base64.b64encode(b"another-secret-another-secret-32").decode()
    forged_body, forged_headers = standard_delivery(done, secret=wrong)
    with pytest.raises(WebhookVerificationError, match="forged"):
        parse_webhook("echo-hooks", forged_body, forged_headers)
    with pytest.raises(WebhookVerificationError, match="tampered"):
        parse_webhook("echo-hooks", body.replace(b"p1", b"p2"), headers)
    old_body, old_headers = standard_delivery(done, timestamp=time.time() - 600)
    with pytest.raises(WebhookVerificationError, match="replay"):
        parse_webhook("echo-hooks", old_body, old_headers)
    future_body, future_headers = standard_delivery(done, timestamp=time.time() + 600)
    with pytest.raises(WebhookVerificationError, match="replay"):
        parse_webhook("echo-hooks", future_body, future_headers)


def test_standard_webhooks_without_a_secret_is_a_clear_error(hooked, monkeypatch):
    monkeypatch.delenv("ECHO_WEBHOOK_SECRET", raising=False)
    body, headers = standard_delivery({"id": "p1", "status": "processing"})
    with pytest.raises(ValidationError, match="ECHO_WEBHOOK_SECRET"):
        parse_webhook("echo-hooks", body, headers)


def test_an_unknown_keyword_is_a_type_error_before_any_check():
    with pytest.raises(TypeError, match="unexpected keyword argument 'tolerence'"):
        parse_webhook("fal", b"{}", {}, tolerence=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'now'"):
        asyncio.run(parse_webhook_async("fal", b"{}", {}, now=1.0))  # type: ignore[call-arg]
