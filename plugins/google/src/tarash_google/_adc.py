"""Application Default Credentials for Vertex AI, without I/O in the plugin.

Reads a credentials file (``provider_config['credentials_file']``, else
``GOOGLE_APPLICATION_CREDENTIALS``, else gcloud's
``~/.config/gcloud/application_default_credentials.json``) and exchanges it for an
OAuth access token with a request the flow yields (so the core sends it, sync or
async, like any other):

- ``service_account`` keys: a JWT signed locally with the key (RS256, by
  ``google-auth``: ``pip install tarash-google[vertex]``) posted as a
  ``jwt-bearer`` grant to the file's ``token_uri``;
- ``authorized_user`` files (``gcloud auth application-default login``): a
  ``refresh_token`` grant (no extra package needed).

Tokens are cached per file until a minute before they expire. The metadata
server of Compute Engine and workload-identity federation are not supported:
pass a token (``api_key`` or ``provider_config['access_token']``) there.
"""

from __future__ import annotations

import importlib
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tarash.tarash_gateway.exceptions import HTTPError, ValidationError
from tarash.tarash_gateway.plugin import CallContext, Flow, malformed_response, send

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GCLOUD_FILE = Path("~/.config/gcloud/application_default_credentials.json")
REFRESH_MARGIN = 60.0
SUPPORTED = ("service_account", "authorized_user")


@dataclass(frozen=True)
class Credentials:
    """A parsed credentials file (the secret fields stay inside ``info``)."""

    path: str
    kind: str
    info: dict[str, Any]

    @property
    def token_uri(self) -> str:
        """Where the token is requested."""
        return str(self.info.get("token_uri") or DEFAULT_TOKEN_URI)

    def __repr__(self) -> str:
        return f"Credentials(path={self.path!r}, kind={self.kind!r})"


_cache: dict[str, tuple[str, float]] = {}
_lock = threading.Lock()


def credentials_path(ctx_config: Any) -> str | None:
    """The credentials file ADC would use, or None when there is none."""
    named = ctx_config.provider_config.get("credentials_file")
    if named:
        return str(named)
    env = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if env:
        return env
    gcloud = GCLOUD_FILE.expanduser()
    return str(gcloud) if gcloud.is_file() else None


def load(path: str) -> Credentials:
    """Read and check a credentials file.

    Raises:
        ValidationError: The file is missing, not JSON, of an unsupported type, or a
            service-account key while google-auth is not installed.
    """
    try:
        info = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ValidationError(
            f"Google credentials file {path!r} could not be read: {type(exc).__name__}"
        ) from None
    kind = info.get("type") if isinstance(info, dict) else None
    if kind not in SUPPORTED:
        raise ValidationError(
            f"Google credentials file {path!r} has type {kind!r}; accepted: "
            + ", ".join(repr(k) for k in SUPPORTED)
            + " (or pass an access token in api_key / provider_config['access_token'])"
        )
    if kind == "service_account":
        _google_auth()  # fail early, before any request, when the extra is missing
    return Credentials(path=path, kind=str(kind), info=info)


def _google_auth() -> tuple[Any, Any]:
    try:
        crypt = importlib.import_module("google.auth.crypt")
        jwt = importlib.import_module("google.auth.jwt")
    except ImportError:
        raise ValidationError(
            "a service-account key needs google-auth to sign its token request: "
            "pip install 'tarash-google[vertex]' (or pass an access token)"
        ) from None
    return crypt, jwt


def _grant(credentials: Credentials) -> dict[str, str]:
    info = credentials.info
    if credentials.kind == "authorized_user":
        return {
            "grant_type": "refresh_token",
            "client_id": str(info.get("client_id", "")),
            "client_secret": str(info.get("client_secret", "")),
            "refresh_token": str(info.get("refresh_token", "")),
        }
    crypt, jwt = _google_auth()
    try:
        signer = crypt.RSASigner.from_service_account_info(info)
    except (ValueError, KeyError) as exc:
        raise ValidationError(
            f"service-account key {credentials.path!r} cannot sign: {type(exc).__name__}"
        ) from None
    now = int(time.time())
    claims = {
        "iss": info.get("client_email"),
        "scope": SCOPE,
        "aud": credentials.token_uri,
        "iat": now,
        "exp": now + 3600,
    }
    assertion = jwt.encode(signer, claims)
    return {
        "grant_type": JWT_BEARER,
        "assertion": assertion.decode("ascii") if isinstance(assertion, bytes) else assertion,
    }


def access_token(credentials: Credentials, ctx: CallContext) -> Flow[str]:
    """A valid access token for ``credentials``: cached, or requested from its token URI."""
    key = f"{credentials.path}:{credentials.info.get('client_email') or credentials.info.get('client_id')}"
    with _lock:
        cached = _cache.get(key)
    if cached is not None and cached[1] - REFRESH_MARGIN > time.monotonic():
        return cached[0]
    request = httpx.Request(
        "POST",
        credentials.token_uri,
        data=_grant(credentials),
        headers={"Accept": "application/json"},
    )
    response = yield from send(request)
    if response.status_code >= 400:
        raise _token_error(response, ctx)
    try:
        body = response.json()
    except ValueError:
        body = None
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise malformed_response(response, ctx, "without an access_token")
    try:
        lifetime = float(body.get("expires_in", 3600))  # type: ignore[union-attr]
    except (TypeError, ValueError):
        lifetime = 3600.0
    with _lock:
        _cache[key] = (token, time.monotonic() + lifetime)
    return token


def _token_error(response: httpx.Response, ctx: CallContext) -> HTTPError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    reason = body.get("error_description") or body.get("error") or response.reason_phrase
    return HTTPError(
        f"the token endpoint {response.request.url.host} refused the credentials "
        f"({response.status_code}): {reason}",
        provider=ctx.provider,
        model=ctx.model,
        status_code=response.status_code,
    )


def clear_cache() -> None:
    """Forget cached tokens (tests, credential rotation)."""
    with _lock:
        _cache.clear()
