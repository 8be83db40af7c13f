"""How long a provider asks us to wait: ``retry-after-ms`` or ``Retry-After``.

A leaf module (no tarash imports), so the transport and the error mapping share it.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import httpx


def parse_retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date)."""
    millis = response.headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
