"""Replicate webhooks: webhook + webhook_events_filter at submit; signed deliveries parsed."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tarash.tarash_gateway import generate_video, parse_webhook, parse_webhook_async
from tarash.tarash_gateway.exceptions import ContentModerationError, WebhookVerificationError
from tarash.tarash_gateway.models import VideoGenerationRequest
from tarash.tarash_gateway.testing import FakeRequest, FakeResponse, FakeServer, config_for
from tests.plugins.replicate.fake_replicate import FakeReplicateServer

HOOK = "/hooks/replicate"


def config(server: FakeReplicateServer, receiver: FakeServer, **overrides: Any):
    values: dict[str, Any] = {
        "model": "google/veo-3.1-fast",
        "api_key": "r8_key",
        "timeout": 600,
        "webhook_url": f"{receiver.url}{HOOK}",
        **overrides,
    }
    return config_for(server, "replicate", "video", **values)


@pytest.fixture
def receiver():
    with FakeServer() as server:
        server.add_route("POST", HOOK, lambda request: FakeResponse(204))
        yield server


def received(receiver: FakeServer) -> tuple[bytes, dict[str, str]]:
    delivery: FakeRequest = receiver.last("POST", HOOK)
    return delivery.body, delivery.headers


def test_webhook_and_filter_are_sent_and_the_delivery_parses(
    replicate_server: FakeReplicateServer, receiver: FakeServer
) -> None:
    response = generate_video(
        config(replicate_server, receiver), VideoGenerationRequest(prompt="a fox")
    )
    create = replicate_server.last("POST", r"/v1/models/google/veo-3\.1-fast/predictions")
    assert create.json() == {
        "input": {"prompt": "a fox"},
        "webhook": f"{receiver.url}{HOOK}",
        "webhook_events_filter": ["completed"],
    }
    assert replicate_server.deliver().status_code == 204
    body, headers = received(receiver)
    event = parse_webhook(
        "replicate", body, headers, modality="video", secret=replicate_server.webhook_secret
    )
    assert event.provider == "replicate" and event.status == "completed"
    assert event.request_id == response.request_id
    assert event.result is not None and event.result.video == response.video
    assert event.webhook_id == f"msg_{response.request_id}"
    again = asyncio.run(
        parse_webhook_async(
            "replicate", body, headers, modality="video", secret=replicate_server.webhook_secret
        )
    )
    assert again.result is not None and again.result.video == response.video


def test_a_tampered_or_unsigned_delivery_is_refused(
    replicate_server: FakeReplicateServer, receiver: FakeServer
) -> None:
    generate_video(config(replicate_server, receiver), VideoGenerationRequest(prompt="a fox"))
    replicate_server.deliver()
    body, headers = received(receiver)
    forged = json.loads(body)
    forged["output"] = "https://evil.example/x.mp4"
    with pytest.raises(WebhookVerificationError):
        parse_webhook(
            "replicate",
            json.dumps(forged).encode(),
            headers,
            modality="video",
            secret=replicate_server.webhook_secret,
        )
    with pytest.raises(WebhookVerificationError):
        parse_webhook(
            "replicate", body, {}, modality="video", secret=replicate_server.webhook_secret
        )


def test_secret_from_the_environment_and_a_failed_prediction(
    replicate_server: FakeReplicateServer, receiver: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLICATE_WEBHOOK_SECRET", replicate_server.webhook_secret)
    with pytest.raises(ContentModerationError):
        generate_video(
            config(replicate_server, receiver), VideoGenerationRequest(prompt="forbidden")
        )
    replicate_server.deliver()
    body, headers = received(receiver)
    event = parse_webhook("replicate", body, headers, modality="video")
    assert event.status == "failed" and "NSFW" in (event.error or "")


def test_the_events_filter_comes_from_provider_config(
    replicate_server: FakeReplicateServer, receiver: FakeServer
) -> None:
    generate_video(
        config(
            replicate_server,
            receiver,
            provider_config={"webhook_events_filter": ["start", "completed"]},
        ),
        VideoGenerationRequest(prompt="a fox"),
    )
    create = replicate_server.last("POST", r"/v1/models/google/veo-3\.1-fast/predictions")
    assert create.json()["webhook_events_filter"] == ["start", "completed"]
