"""Keeping secrets out of logs and exceptions."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SECRET_QUERY_KEYS = frozenset(
    {"key", "api_key", "apikey", "token", "access_token", "signature", "sig"}
)
MASK = "***"


def redact_url(url: str) -> str:
    """Mask secret-looking query parameters (``?key=...``) of a URL."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (name, MASK if name.lower() in SECRET_QUERY_KEYS else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))


def scrub_text(text: str, secrets: list[str]) -> str:
    """Replace every occurrence of each secret in ``text``."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, MASK)
    return text


def scrub_exception(exc: Any, secrets: list[str]) -> None:
    """Remove secrets from a TarashException's message, args and raw response, in place."""
    secrets = [s for s in secrets if s and len(s) >= 4]
    if not secrets:
        return
    exc.message = scrub_text(exc.message, secrets)
    exc.args = tuple(scrub_text(a, secrets) if isinstance(a, str) else a for a in exc.args)
    raw = exc.raw_response
    if raw is not None:
        dumped = json.dumps(raw, default=str)
        if any(s in dumped for s in secrets):
            exc.raw_response = json.loads(scrub_text(dumped, secrets))
