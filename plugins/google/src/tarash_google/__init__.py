"""tarash-google: Veo video and Gemini native images, on the Gemini API and on Vertex AI.

Two providers, each its own entry point of group ``tarash.providers``:
``google`` (:data:`google_plugin`, the Gemini API, key from ``GEMINI_API_KEY`` or
``GOOGLE_API_KEY``) and ``google-vertex`` (:data:`vertex_plugin`, Vertex AI). They
share the model tables of ``_families.py``; see docs/providers/google.md.
"""

from tarash_google._families import FAMILIES, FIELD_MAPPINGS, RETIRED
from tarash_google._providers import GoogleProvider, VertexProvider
from tarash_google._version import __version__

__all__ = [
    "FAMILIES",
    "FIELD_MAPPINGS",
    "RETIRED",
    "GoogleProvider",
    "VertexProvider",
    "__version__",
    "google_plugin",
    "vertex_plugin",
]

google_plugin = GoogleProvider()
"""The instance the ``google`` entry point registers."""
vertex_plugin = VertexProvider()
"""The instance the ``google-vertex`` entry point registers."""
