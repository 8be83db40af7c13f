"""What ``ProviderPlugin.flows`` holds: the module (or object) of a plugin's flows.

A plugin keeps its wire protocol in one module (``_flows.py``) of plain
functions — ``submit``, ``poll``, ``cancel``, ``stream``, ``parse_webhook`` —
and names it once, ``flows = _flows``, instead of a forwarding method per hook.
Only ``submit`` is required; a hook the module lacks keeps the plugin's default
(see :class:`tarash.tarash_gateway.plugin.ProviderPlugin`). Re-exported by
:mod:`tarash.tarash_gateway.plugin`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from tarash.tarash_gateway._plugin_types import CallContext, Flow, Job, JobStatus, StreamStart

__all__ = ["CancelHook", "PluginFlows", "PollHook", "StreamHook", "WebhookHook", "flow_hook"]


class PluginFlows(Protocol):
    """A module, class or object whose functions are a plugin's flows.

    ``submit(payload, ctx)`` is required. Used when present, each with the
    signature of the ``ProviderPlugin`` method of the same name:
    ``poll(job, ctx)``, ``cancel(job, ctx)``, ``stream(payload, ctx)`` and
    ``parse_webhook(body, ctx)``.
    """

    def submit(self, payload: dict[str, Any], ctx: CallContext, /) -> Flow[Job]:
        """A flow that starts the job."""
        ...


PollHook = Callable[[Job, CallContext], Flow[JobStatus]]
CancelHook = Callable[[Job, CallContext], Flow[None] | None]
StreamHook = Callable[[dict[str, Any], CallContext], Flow[StreamStart] | None]
WebhookHook = Callable[[dict[str, Any], CallContext], tuple[str, JobStatus]]
"""The optional hooks, as :func:`flow_hook` finds them."""


def flow_hook(flows: PluginFlows | None, name: str) -> Any:
    """``flows.<name>``, or None when there is no flows object or it lacks that hook."""
    return None if flows is None else getattr(flows, name, None)
