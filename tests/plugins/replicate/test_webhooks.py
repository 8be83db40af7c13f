"""Replicate webhooks: ``webhook`` at create, Standard Webhooks deliveries read by the core."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest

from tarash.tarash_gateway import parse_webhook, submit_video
from tarash.tarash_gateway.exceptions import WebhookVerificationError
from tarash.tarash_gateway.models import (
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
)
from tests.plugins.replicate.fake_replicate import FakeReplicateServer

KEY = "r8_test_key_123"
SECRET = "whsec_" + base64.b64encode(b"replicate-webhook-secret-32bytes").decode()
CREATE = ("POST", r"/v1/models/google/veo-3\.1-fast/predictions")
OUT = "https://replicate.delivery/xezq/out.mp4"


def prediction(status: str, **fields: Any) -> dict[str, Any]:
    return {"id": "p7fq2", "model": "google/veo-3.1-fast", "status": status, "logs": "", **fields}


def delivery(body: dict[str, Any], secret: str = SECRET, age: float = 0.0):
    raw = json.dumps(body).encode()
    stamp = str(int(time.time() - age))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"msg_2Q.{stamp}.".encode() + raw, hashlib.sha256).digest()
    headers = {
        "webhook-id": "msg_2Q",
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }
    return raw, headers


def test_webhook_url_goes_into_the_create_body(replicate_server: FakeReplicateServer) -> None:
    config = VideoGenerationConfig(
        provider="replicate",
        model="google/veo-3.1-fast",
        api_key=KEY,
        base_url=replicate_server.url,
        webhook_url="https://app.example/hooks/replicate",
    )
    job = submit_video(config, VideoGenerationRequest(prompt="a fox"))
    body = replicate_server.last(*CREATE).json()
    assert body["webhook"] == "https://app.example/hooks/replicate"
    assert body["webhook_events_filter"] == ["completed"]
    assert job.webhook_url == "https://app.example/hooks/replicate"


def test_a_signed_completed_delivery_gives_the_video() -> None:
    raw, headers = delivery(prediction("succeeded", output=OUT))
    event = parse_webhook("replicate", raw, headers, modality="video", secret=SECRET)
    assert event.status == "completed" and event.request_id == "p7fq2"
    assert isinstance(event.result, VideoGenerationResponse) and event.result.video == OUT
    assert event.webhook_id == "msg_2Q"


def test_failed_and_processing_deliveries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPLICATE_WEBHOOK_SECRET", SECRET)
    raw, headers = delivery(prediction("failed", error="CUDA out of memory (E1001)"))
    failed = parse_webhook("replicate", raw, headers, modality="video")
    assert failed.status == "failed" and "CUDA out of memory" in failed.error
    raw, headers = delivery(prediction("processing", logs=" 45%|████ | 9/20\n"))
    running = parse_webhook("replicate", raw, headers, modality="video")
    assert running.status == "processing" and running.result is None


def test_forged_replayed_and_tampered_deliveries_raise() -> None:
    raw, headers = delivery(prediction("succeeded", output=OUT))
    other = "whsec_" + base64.b64encode(b"not-the-replicate-secret-32bytes").decode()
    forged_raw, forged_headers = delivery(prediction("succeeded", output=OUT), secret=other)
    with pytest.raises(WebhookVerificationError):
        parse_webhook("replicate", forged_raw, forged_headers, secret=SECRET)
    old_raw, old_headers = delivery(prediction("succeeded", output=OUT), age=3600)
    with pytest.raises(WebhookVerificationError, match="replay"):
        parse_webhook("replicate", old_raw, old_headers, secret=SECRET)
    with pytest.raises(WebhookVerificationError):
        parse_webhook("replicate", raw.replace(b"out.mp4", b"evil.mp4"), headers, secret=SECRET)
