"""Plugin bugs reach the caller as TarashException naming plugin, distribution, version, hook.

Regression tests of issue 11, item 11 (hook errors escaped as RuntimeError,
KeyError, ...; a poll failure left the remote job running).
"""

from __future__ import annotations

import pytest

from tarash.tarash_gateway.exceptions import TarashException
from tarash.tarash_gateway.models import VideoGenerationRequest
from tests.adversarial.conftest import echo_config, run
from tests.adversarial.hostile import DISTRIBUTION, VERSION, HostilePlugin, register
from tests.support.echo_provider import EchoServer

REQUEST = VideoGenerationRequest(prompt="a cat")
ERRORS = [RuntimeError("boom"), KeyError("512p"), ValueError("bad")]


def _assert_names_the_plugin(exc: TarashException, hook: str) -> None:
    assert type(exc) is TarashException
    for part in ("'hostile-test'", DISTRIBUTION, VERSION, hook):
        assert part in exc.message, (part, exc.message)
    assert exc.provider == "hostile"


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize(
    ("breaks", "hook"),
    [
        ("supports_modality", "tarash_supports_modality"),
        ("map_fields", "tarash_map_fields"),
        ("submit", "tarash_submit"),
    ],
)
def test_errors_before_any_request_are_wrapped(driver, plugin_slot, breaks, hook, error):
    register(HostilePlugin(breaks, error), plugin_slot)
    with EchoServer() as server:
        with pytest.raises(TarashException) as caught:
            run(driver, echo_config(server, provider="hostile"), REQUEST)
        assert server.count("POST", r"/v1/jobs") == 0
    _assert_names_the_plugin(caught.value, hook)
    assert isinstance(caught.value.__cause__, type(error))


@pytest.mark.parametrize(
    "breaks", ["poll", "poll-in-flow", "poll-returns-none", "poll-returns-dict"]
)
def test_poll_bugs_are_wrapped_and_cancel_the_job(driver, plugin_slot, breaks):
    register(HostilePlugin(breaks, KeyError("status")), plugin_slot)
    with EchoServer() as server:
        with pytest.raises(TarashException) as caught:
            run(driver, echo_config(server, provider="hostile"), REQUEST)
        assert server.count("DELETE", r"/v1/jobs/job-1") == 1
    _assert_names_the_plugin(caught.value, "tarash_poll")
    assert caught.value.request_id == "job-1"
