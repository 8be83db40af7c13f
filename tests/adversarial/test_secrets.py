"""Secret hunting: the key never reaches another host, a log line, an update or an error.

Regression tests of issue 11, items 2 (redirects carried xi-api-key & co. to other
hosts), 4 (the password of base_url's userinfo showed in errors and logs) and 5
(keys echoed by a provider reached log lines, raw_response and progress updates;
httpx's INFO line printed keys sent in query strings).
"""

from __future__ import annotations

import logging
import pickle

import pytest

from tarash.tarash_gateway.exceptions import HTTPConnectionError, TarashException
from tarash.tarash_gateway.models import VideoGenerationRequest
from tarash.tarash_gateway.testing import FakeResponse, FakeServer
from tests.adversarial.conftest import KEY, echo_config, run
from tests.adversarial.hostile import (
    KeyHeadersPlugin,
    KeyInQueryPlugin,
    StrictCancelPlugin,
    register,
)

REQUEST = VideoGenerationRequest(prompt="a cat")
PASSWORD = "hunter2-s3cret-pw"


def _everything(caplog: pytest.LogCaptureFixture, *objects: object) -> str:
    """Every string a user could see: log records (formatted, with tracebacks) and objects."""
    texts = [caplog.text]
    texts += [r.getMessage() for r in caplog.records]
    for obj in objects:
        texts += [str(obj), repr(obj)]
        if isinstance(obj, BaseException):
            texts += [repr(obj.args), str(getattr(obj, "raw_response", ""))]
            metadata = getattr(obj, "execution_metadata", None)
            texts.append(metadata.model_dump_json() if metadata else "")
            texts.append(repr(pickle.dumps(obj)))
        elif hasattr(obj, "model_dump_json"):
            texts.append(obj.model_dump_json())  # type: ignore[attr-defined]
    return "\n".join(texts)


@pytest.fixture
def evil():
    """Another origin: records what reaches it."""
    server = FakeServer()
    server.add_route("POST", r"/.*", lambda request: FakeResponse.json({"id": "stolen"}))
    server.add_route("GET", r"/.*", lambda request: FakeResponse.json({"status": "done"}))
    with server:
        yield server


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_origin_carries_no_key(driver, echo, evil, plugin_slot, status):
    """#2: Authorization, xi-api-key, x-goog-api-key, api-key, cookies: none leave the origin."""
    register(KeyHeadersPlugin(), plugin_slot)
    with echo as server:
        target = evil.url.replace("127.0.0.1", "localhost") + "/collect"
        server.inject("POST", r"/v1/jobs", status=status, headers={"Location": target})
        config = echo_config(server, provider="keyheaders")
        try:
            run(driver, config, REQUEST)
        except TarashException:
            pass
    assert evil.requests, "the redirect was not followed"
    for request in evil.requests:
        assert KEY not in repr(request.headers) and KEY not in request.path
        assert "authorization" not in request.headers


def test_a_same_origin_redirect_keeps_the_credentials(driver, echo, plugin_slot):
    with echo as server:
        server.inject("POST", r"/v1/jobs", status=307, headers={"Location": "/v1/jobs"})
        response = run(driver, echo_config(server), REQUEST)
        assert server.count("POST", r"/v1/jobs") == 2
    assert response.status == "completed"


def test_userinfo_passwords_are_masked_in_errors_and_logs(driver, echo, caplog):
    """#4: an unreachable base_url with user:PASS@ shows neither in the error nor the logs."""
    caplog.set_level(logging.DEBUG)
    with echo as server:
        config = echo_config(server, base_url=f"http://user:{PASSWORD}@127.0.0.1:9")
        with pytest.raises(HTTPConnectionError) as caught:
            run(driver, config, REQUEST)
    assert "user:***@" in caught.value.message
    assert PASSWORD not in _everything(caplog, caught.value)


@pytest.fixture
def routed_by_httpx(monkeypatch):
    """Proxies in the environment: requests go through ``httpx.Client``, which logs URLs.

    (127.0.0.1 is exempt, so the fake is still reached directly.)"""
    from tarash.tarash_gateway import _transport

    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    _transport.reset_http()
    yield
    _transport.reset_http()


def test_userinfo_passwords_are_masked_in_httpx_logs(driver, echo, caplog, routed_by_httpx):
    caplog.set_level(logging.DEBUG)
    with echo as server:
        url = server.url.replace("http://", f"http://user:{PASSWORD}@")
        try:
            run(driver, echo_config(server, base_url=url), REQUEST)
        except TarashException as exc:
            assert PASSWORD not in _everything(caplog, exc)
    assert PASSWORD not in _everything(caplog)
    assert any(r.name == "httpx" for r in caplog.records), "httpx logged nothing to check"


def test_keys_echoed_by_the_provider_are_masked_everywhere(driver, echo, caplog):
    """#5: status bodies, logs, a failed cancel's body: the echoed key is masked in all."""
    caplog.set_level(logging.DEBUG)
    updates: list[object] = []
    with echo as server:
        echoed = {"status": "running", "note": f"key {KEY} used", "logs": [KEY]}
        server.inject("GET", r"/v1/jobs/job-1", status=200, json_body=echoed)
        server.inject("GET", r"/v1/jobs/job-1", status=503, json_body={"detail": f"bad {KEY!r}"})
        response = run(driver, echo_config(server), REQUEST, updates.append)
    assert KEY not in _everything(caplog, response, *updates)
    assert any("***" in str(u) for u in updates), "the echoed key was not in any update"


def test_a_failed_cancel_echoing_the_key_is_masked_in_the_warning(
    driver, echo, caplog, plugin_slot
):
    register(StrictCancelPlugin(), plugin_slot)
    caplog.set_level(logging.DEBUG)
    with echo as server:
        server.polls = 10**6
        # (a refusal that would repeat: a 5xx would be retried, and the retry get through)
        server.inject("DELETE", r"/v1/jobs/job-1", status=403, json_body={"detail": repr(KEY)})
        with pytest.raises(TarashException) as caught:
            run(driver, echo_config(server, provider="strictcancel", timeout=0.5), REQUEST)
    assert "could not cancel" in caplog.text
    assert KEY not in _everything(caplog, caught.value)


def test_a_key_in_a_query_string_is_masked_in_httpx_logs(
    driver, echo, plugin_slot, caplog, routed_by_httpx
):
    """#5: httpx's INFO line prints full URLs; the core masks the key in them."""
    register(KeyInQueryPlugin(), plugin_slot)
    caplog.set_level(logging.INFO)
    with echo as server:
        run(driver, echo_config(server, provider="keyinquery"), REQUEST)
    assert any("key=" in r.getMessage() for r in caplog.records if r.name == "httpx")
    assert KEY not in _everything(caplog)


@pytest.mark.parametrize("quoted", [KEY + "\n", " " + KEY, f"{KEY}\r\n"])
def test_a_key_is_found_however_it_is_quoted(quoted):
    """#1: the scrubber matches raw, repr-escaped, JSON-escaped and URL-quoted forms."""
    from tarash.tarash_gateway import _redact

    _redact.remember(quoted)
    for form in (quoted, repr(quoted), f'"{KEY}\\n"', KEY):
        assert KEY not in _redact.scrub_text(form), form
