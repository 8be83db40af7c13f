"""Small helpers kept from tarash-gateway 0.1's ``utils`` module."""

from __future__ import annotations

import uuid

__all__ = ["generate_unique_id"]


def generate_unique_id() -> str:
    """A new random id (a UUID4 string), e.g. for a handler's ``request_id``."""
    return str(uuid.uuid4())
