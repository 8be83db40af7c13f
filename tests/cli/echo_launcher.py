"""Run the ``tarash`` CLI with the in-test 'echo' provider registered.

The echo plugin (tests/support/echo_provider.py) has no entry point, so the CLI
subprocess tests start this script instead of ``tarash``; it registers the
plugin exactly as tests/conftest.py does, then hands over to ``cli.main()``.
With ``TARASH_TEST_BROKEN_PLUGIN=1`` it also registers a plugin that breaks the
contract, to show how ``tarash providers`` reports it.
"""

import os
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tarash.tarash_gateway import _plugins, cli  # noqa: E402
from tests.support.echo_provider import echo_plugin  # noqa: E402


class _NoHooks:
    """A plugin that implements no hook: registration fails validation."""


_plugins.registry.register(
    echo_plugin, "echo-test", distribution="tarash-echo-test", version="0.0.1"
)
if os.environ.get("TARASH_TEST_BROKEN_PLUGIN") == "1":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _plugins.registry.register(_NoHooks(), "broken-test", "tarash-broken-test", "9.9.9")

if __name__ == "__main__":
    sys.exit(cli.main())
