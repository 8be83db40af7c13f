"""tarash-openai: OpenAI and Azure OpenAI providers for tarash.

Two providers, each its own entry point of group ``tarash.providers``:
``openai`` (:data:`openai_plugin`) and ``azure-openai`` (:data:`azure_plugin`).
They serve images, speech and video through the Videos API protocol; see
docs/providers/openai.md.
"""

from tarash_openai._providers import AzureOpenAIProvider, OpenAIProvider
from tarash_openai._version import __version__

__all__ = ["AzureOpenAIProvider", "OpenAIProvider", "__version__", "azure_plugin", "openai_plugin"]

openai_plugin = OpenAIProvider()
"""The instance the ``openai`` entry point registers."""
azure_plugin = AzureOpenAIProvider()
"""The instance the ``azure-openai`` entry point registers."""
