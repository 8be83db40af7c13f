"""Testing helpers for plugin authors: a fake-server base, flow drivers, the contract suite.

``tarash.tarash_gateway.testing.contract`` (the suite) imports pytest; this
package itself does not.
"""

from tarash.tarash_gateway.testing.fake_server import (
    FakeRequest,
    FakeResponse,
    FakeServer,
    ScriptedJob,
    UploadedFile,
)
from tarash.tarash_gateway.testing.flows import make_context, run_flow

__all__ = [
    "FakeRequest",
    "FakeResponse",
    "FakeServer",
    "ScriptedJob",
    "UploadedFile",
    "make_context",
    "run_flow",
]
