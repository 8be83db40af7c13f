"""Keeping secrets out of every string tarash shows: logs, exceptions, updates, URLs.

The engine remembers each key it resolves (:func:`remember`); from then on the key is
masked wherever tarash hands text to the user or to ``logging``: exception
messages, ``raw_response``, progress updates, responses, and the records of the
``tarash``, ``httpx`` and ``httpcore`` loggers (httpx logs full URLs). A key is
matched however it is quoted: as is, stripped, ``repr``-escaped, JSON-escaped
or percent-encoded. URLs lose their userinfo password and secret-looking
query parameters.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

SECRET_QUERY_KEYS = frozenset(
    {"key", "api_key", "apikey", "token", "access_token", "signature", "sig"}
)
MASK = "***"
MIN_SECRET_LENGTH = 6
"""Shorter strings are not remembered process-wide (masking them would garble text)."""
PROTECTED_LOGGERS = ("tarash", "httpx", "httpcore")

_known: tuple[str, ...] = ()
_lock = threading.Lock()
_filtered: set[str] = set()
_seen = [0]  # loggers known when the filters were last attached


def redact_url(url: str) -> str:
    """Mask the userinfo password and secret-looking query parameters of a URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return scrub_text(url)
    if parts.password is not None:
        host = parts.netloc.rpartition("@")[2]
        parts = parts._replace(netloc=f"{parts.username or ''}:{MASK}@{host}")
    if parts.query:
        query = [
            (name, MASK if name.lower() in SECRET_QUERY_KEYS else value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
        ]
        parts = parts._replace(query=urlencode(query, safe="*"))
    return urlunsplit(parts)


def url_password(url: str) -> str | None:
    """The password in a URL's userinfo (``http://user:PASS@host``), if any."""
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def forms(secret: str) -> set[str]:
    """The ways ``secret`` can appear in text: raw, stripped, repr/JSON-escaped, URL-quoted."""
    found = {
        secret,
        secret.strip(),
        repr(secret)[1:-1],
        json.dumps(secret)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret),
    }
    return {form for form in found if form}


def remember(*secrets: str | None) -> None:
    """Mask these secrets (and their quoted forms) from now on; install the log filters."""
    global _known
    new = {
        form
        for secret in secrets
        if secret and len(secret.strip()) >= MIN_SECRET_LENGTH
        for form in forms(secret)
        if len(form) >= MIN_SECRET_LENGTH
    }
    if not new.difference(_known) and len(logging.Logger.manager.loggerDict) == _seen[0]:
        return
    with _lock:
        # Longest first, so that a secret is masked whole before any form inside it.
        _known = tuple(sorted(new.union(_known), key=len, reverse=True))
        protect_loggers()


def known_secrets() -> tuple[str, ...]:
    """Every secret form remembered so far."""
    return _known


def scrub_text(text: str, secrets: list[str] | tuple[str, ...] | None = None) -> str:
    """Replace each secret (default: every remembered one) in ``text``."""
    for secret in _known if secrets is None else secrets:
        if secret and secret in text:
            text = text.replace(secret, MASK)
    return text


def scrub(value: Any) -> Any:
    """``value`` with every remembered secret masked in its strings (dicts, lists, tuples)."""
    if not _known:
        return value
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub(item) for item in value)
    return value


def scrub_exception(exc: Any, secrets: list[str] | None = None) -> None:
    """Remove secrets from a TarashException's message, args and raw response, in place."""
    listed = [form for s in secrets or [] if s and len(s) >= 4 for form in forms(s)]
    chosen = sorted({*listed, *_known}, key=len, reverse=True)
    if not chosen:
        return
    exc.message = scrub_text(exc.message, chosen)
    exc.args = tuple(scrub_text(a, chosen) if isinstance(a, str) else a for a in exc.args)
    raw = exc.raw_response
    if raw is not None:
        dumped = json.dumps(raw, default=str)
        if any(s in dumped for s in chosen):
            exc.raw_response = _scrub_with(raw, chosen)


def _scrub_with(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        return scrub_text(value, secrets)
    if isinstance(value, dict):
        return {_scrub_with(k, secrets): _scrub_with(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrub_with(item, secrets) for item in value)
    return value


class SecretFilter(logging.Filter):
    """Masks remembered secrets and URL credentials in every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            if any(_is_url(arg) for arg in args):
                record.args = tuple(redact_url(str(a)) if _is_url(a) else a for a in args)
        if not _known:
            return True
        message = record.getMessage()
        scrubbed = scrub_text(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = scrub_text(record.exc_text)
        return True


def _is_url(value: Any) -> bool:
    return type(value).__name__ == "URL" or (
        isinstance(value, str) and value.startswith(("http://", "https://"))
    )


_FILTER = SecretFilter()


def protect_loggers() -> None:
    """Attach the secret filter to the tarash, httpx and httpcore loggers (and their children)."""
    manager = logging.Logger.manager
    names = [*PROTECTED_LOGGERS, "httpcore.connection", "httpcore.http11", "httpcore.http2"]
    names += [
        name
        for name in list(manager.loggerDict)
        if name.split(".")[0] in PROTECTED_LOGGERS or name.startswith("tarash")
    ]
    _seen[0] = len(manager.loggerDict)
    for name in names:
        if name not in _filtered:
            logging.getLogger(name).addFilter(_FILTER)
            _filtered.add(name)
