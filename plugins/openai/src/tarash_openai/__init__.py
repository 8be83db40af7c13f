"""tarash-openai: OpenAI and Azure OpenAI providers for tarash.

Two providers, each its own entry point of group ``tarash.providers``:
``openai`` (:mod:`tarash_openai.openai`) and ``azure-openai``
(:mod:`tarash_openai.azure`). They serve images, speech and video through the
Videos API protocol; see docs/providers/openai.md.

The gateway is imported first on purpose: it loads the entry points, and they
must never meet this package half-initialised (importing ``tarash_openai``
before ``tarash.tarash_gateway`` would otherwise register an empty plugin).
"""

import tarash.tarash_gateway  # noqa: F401  (see the module docstring)
from tarash_openai._version import __version__

__all__ = ["__version__"]
