"""Money: no attempt ends with its remote job still running, no fallback beside a paid job.

Regression tests of issue 11, items 6 (failed polls leave the job running while
the fallback submits a second one) and 12 (a flow's Sleep ignores the deadline).
"""

from __future__ import annotations

import time

import pytest

from tarash.tarash_gateway import _engine
from tarash.tarash_gateway.exceptions import HTTPError, MalformedResponseError, TimeoutError
from tarash.tarash_gateway.models import VideoGenerationRequest
from tests.adversarial.conftest import echo_config, run
from tests.adversarial.hostile import HostilePlugin, register
from tests.support.echo_provider import EchoServer

REQUEST = VideoGenerationRequest(prompt="a cat")


def _order(server: EchoServer) -> list[str]:
    return [f"{r.method} {r.path}" for r in server.requests]


def test_poll_failures_cancel_the_job_before_the_fallback_submits(driver, monkeypatch, echo):
    """#6: 503 + Retry-After: 0 on every poll: back off, give up, cancel, only then fall back."""
    monkeypatch.setattr(_engine, "POLL_FAILURE_BUDGET", 0.6)
    with echo as server:
        server.inject("GET", r"/v1/jobs/job-1", status=503, headers={"Retry-After": "0"}, times=99)
        config = echo_config(server, fallback_configs=[echo_config(server)])
        response = run(driver, config, REQUEST)
        order = _order(server)
    assert response.request_id == "job-2"
    assert response.execution_metadata.attempts[0].error_type == "HTTPError"
    cancel = order.index("DELETE /v1/jobs/job-1")
    second_submit = [i for i, line in enumerate(order) if line == "POST /v1/jobs"][1]
    assert cancel < second_submit
    # The floor holds even at Retry-After: 0 — a handful of polls, not a storm.
    assert 2 <= order.count("GET /v1/jobs/job-1") <= 6


def test_retry_after_zero_polls_back_off_with_a_floor(driver, monkeypatch, echo):
    """#6: the budget is time, not a count: a burst of quick 503s is ridden out."""
    monkeypatch.setattr(_engine, "POLL_RETRY_FLOOR", 0.01)
    with echo as server:
        server.inject("GET", r"/v1/jobs/job-1", status=503, headers={"Retry-After": "0"}, times=7)
        started = time.monotonic()
        response = run(driver, echo_config(server), REQUEST)
    assert response.request_id == "job-1"
    assert time.monotonic() - started < 5


def test_a_non_transient_poll_error_cancels_the_job(driver, echo):
    """#6: a 401 on poll ends the attempt; the job is cancelled, not orphaned."""
    with echo as server:
        server.inject("GET", r"/v1/jobs/job-1", status=401, json_body={"error": "expired"})
        with pytest.raises(HTTPError):
            run(driver, echo_config(server), REQUEST)
        assert server.count("DELETE", r"/v1/jobs/job-1") == 1


def test_a_malformed_poll_answer_cancels_the_job(driver, monkeypatch, echo):
    """#6: malformed status bodies until the budget runs out: the job is cancelled."""
    monkeypatch.setattr(_engine, "POLL_FAILURE_BUDGET", 0.3)
    with echo as server:
        server.inject("GET", r"/v1/jobs/job-1", status=200, body=b"<html>", times=99)
        with pytest.raises(MalformedResponseError):
            run(driver, echo_config(server), REQUEST)
        assert server.count("DELETE", r"/v1/jobs/job-1") == 1


def test_sleep_in_a_flow_is_cut_at_the_deadline(driver, plugin_slot):
    """#12: a flow yielding Sleep(6) under timeout=1 times out after about a second."""
    register(HostilePlugin("submit-sleeps"), plugin_slot)
    with EchoServer() as server:
        config = echo_config(server, provider="hostile", timeout=1)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            run(driver, config, REQUEST)
        elapsed = time.monotonic() - started
        assert server.count("POST", r"/v1/jobs") == 0
    assert 0.8 < elapsed < 2.5
