"""Reading a request's fields on the hot path (every mapping reads dozens of them).

``getattr(request, "mask_image", None)`` on a pydantic model that has no such
field goes through pydantic's ``__getattr__`` and an AttributeError, and
``type(request).model_fields`` through a descriptor: microseconds each, dozens
of times per call. These helpers read the field names once per request type.
"""

from __future__ import annotations

from typing import Any

_names: dict[type, frozenset[str] | None] = {}


def field_names(cls: type) -> frozenset[str] | None:
    """The model fields of request type ``cls``; None when it is not a pydantic model."""
    try:
        return _names[cls]
    except KeyError:
        fields = getattr(cls, "model_fields", None)
        names = _names[cls] = None if fields is None else frozenset(fields)
        return names


def request_field(request: Any, name: str) -> Any:
    """``getattr(request, name, None)``, without the cost of a missing field."""
    names = field_names(type(request))
    if names is None:
        return getattr(request, name, None)
    return getattr(request, name) if name in names else None
