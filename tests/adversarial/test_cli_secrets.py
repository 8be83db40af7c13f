"""Secret hunting in the CLI: the key echoed back by the provider never reaches the terminal.

Issue 11, item 5, through ``tarash`` itself: stdout, stderr (``--debug``
tracebacks and the HTTP log included) and ``--json`` output.
"""

from __future__ import annotations

import pytest

from tests.cli.conftest import echo, run  # noqa: F401 - fixtures
from tests.cli.test_cli_echo import echo_args

SECRET = "sk-cli-secret-7d3e9a"


@pytest.mark.parametrize("flags", [("-q",), ("--debug",), ("--json",)])
def test_an_echoed_key_never_reaches_the_terminal(run, echo, flags):  # noqa: F811
    echo.inject(
        "GET", r"/v1/jobs/job-1", status=200, json_body={"status": "running", "note": SECRET}
    )
    echo.inject("GET", r"/v1/jobs/job-1", status=401, json_body={"error": f"bad key {SECRET!r}"})
    result = run(*echo_args(echo, "video", "x", *flags), echo=True, ECHO_API_KEY=f"{SECRET}\n")
    assert result.code == 3, result.stderr
    assert echo.last("POST", r"/v1/jobs").headers["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in result.stdout and SECRET not in result.stderr
