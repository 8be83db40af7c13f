"""Testing helpers for plugin authors: a fake-server base, flow drivers, the contract suite.

``tarash.tarash_gateway.testing.contract`` (the suite) imports pytest; this
package itself does not.
"""

from tarash.tarash_gateway.testing.calls import (
    DRIVERS,
    FAST_POLLING,
    Driver,
    config_for,
    generate,
)
from tarash.tarash_gateway.testing.fake_server import (
    FakeRequest,
    FakeResponse,
    FakeServer,
    ScriptedJob,
    UploadedFile,
)
from tarash.tarash_gateway.testing.flows import make_context, run_flow
from tarash.tarash_gateway.testing.mapping import mapped, modality_of, refused

__all__ = [
    "DRIVERS",
    "FAST_POLLING",
    "Driver",
    "FakeRequest",
    "FakeResponse",
    "FakeServer",
    "ScriptedJob",
    "UploadedFile",
    "config_for",
    "generate",
    "make_context",
    "mapped",
    "modality_of",
    "refused",
    "run_flow",
]
