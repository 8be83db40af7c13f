"""Webhook signature schemes, verified by the core; plugins only declare theirs.

A plugin with webhooks sets ``webhook_verifier`` to one of these (data, no code):

- :class:`StandardWebhooks`: HMAC-SHA256 as specified by Standard Webhooks
  (``webhook-id`` / ``webhook-timestamp`` / ``webhook-signature`` headers, a
  ``whsec_`` base64 secret), used by Replicate among others;
- :class:`Ed25519Jwks`: ED25519 signatures checked against keys published as a
  JSON Web Key Set (fal). The key set is fetched through the core's HTTP layer
  and cached; keys may also be passed in.

Both refuse a delivery whose timestamp is outside ``tolerance`` seconds (a
replay), whose body was changed, or whose signature no known key made. The
ED25519 check needs ``cryptography`` (``pip install "tarash-core[webhooks]"``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import threading
import time
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from tarash.tarash_gateway.exceptions import (
    TarashException,
    ValidationError,
    WebhookVerificationError,
)

__all__ = [
    "Delivery",
    "Ed25519Jwks",
    "StandardWebhooks",
    "WebhookVerificationError",
    "WebhookVerifier",
]

DEFAULT_TOLERANCE = 300
JWKS_TTL = 24 * 3600.0
JWKS_REFRESH_AFTER = 300.0  # an unknown key refetches the set, at most this often


# Flows of the verifiers: yield an httpx.Request (the JWKS fetch), receive the response.
VerifyFlow = Generator[httpx.Request, httpx.Response, str | None]


@dataclass(frozen=True)
class Delivery:
    """A webhook delivery as a verifier reads it, with what ``parse_webhook`` was given."""

    body: bytes
    headers: Mapping[str, str]
    secret: str | None = None
    keys: Any = None
    now: float | None = None

    def header(self, name: str | None) -> str | None:
        """The value of header ``name`` (names are case-insensitive); None when absent."""
        if name is None:
            return None
        value = self.headers.get(name)
        if value is None:
            lowered = name.lower()
            value = next((v for k, v in self.headers.items() if k.lower() == lowered), None)
        return value


class WebhookVerifier:
    """Base of the signature schemes: ``verify`` hands a scheme's ``check`` the delivery."""

    tolerance: int

    def verify(
        self,
        body: bytes,
        headers: Mapping[str, str],
        *,
        secret: str | None = None,
        keys: Any = None,
        now: float | None = None,
    ) -> VerifyFlow:
        """A flow that raises WebhookVerificationError or returns the delivery id."""
        return self.check(Delivery(body, headers, secret, keys, now))

    def check(self, delivery: Delivery) -> VerifyFlow:
        """The scheme's own check of ``delivery`` (a flow, as :meth:`verify`)."""
        raise NotImplementedError

    def _check_time(self, timestamp: str | None, now: float | None) -> None:
        if not timestamp:
            raise WebhookVerificationError("the delivery has no signature timestamp")
        try:
            sent = float(timestamp)
        except ValueError:
            raise WebhookVerificationError(f"bad signature timestamp {timestamp!r}") from None
        current = time.time() if now is None else now
        if abs(current - sent) > self.tolerance:
            raise WebhookVerificationError(
                f"the delivery's timestamp is {current - sent:+.0f}s off "
                f"(tolerance {self.tolerance}s): a replay or a wrong clock"
            )


@dataclass(frozen=True)
class StandardWebhooks(WebhookVerifier):
    """Standard Webhooks HMAC-SHA256 (https://www.standardwebhooks.com).

    Signed content: ``{webhook-id}.{webhook-timestamp}.{body}``; the signature
    header lists ``v1,<base64>`` entries separated by spaces. The secret comes
    from ``parse_webhook(secret=...)`` or the first set variable of ``secret_env``.
    """

    secret_env: tuple[str, ...] = ()
    header_prefix: str = "webhook-"
    tolerance: int = DEFAULT_TOLERANCE

    def check(self, delivery: Delivery) -> VerifyFlow:
        """Check the HMAC; return the ``webhook-id``."""
        env = (os.environ[n] for n in self.secret_env if os.environ.get(n))
        secret = delivery.secret or next(env, None)
        if not secret:
            names = " or ".join(self.secret_env) or "the provider's secret variable"
            raise ValidationError(f"no webhook signing secret: pass secret= or set {names}")
        delivery_id = delivery.header(self.header_prefix + "id")
        timestamp = delivery.header(self.header_prefix + "timestamp")
        signatures = delivery.header(self.header_prefix + "signature")
        if not delivery_id or not signatures:
            raise WebhookVerificationError("the delivery is not signed (webhook-* headers missing)")
        self._check_time(timestamp, delivery.now)
        key = _secret_bytes(secret)
        signed = f"{delivery_id}.{timestamp}.".encode() + delivery.body
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        for entry in signatures.split():
            version, _, value = entry.partition(",")
            if version == "v1" and hmac.compare_digest(value, expected):
                return delivery_id
        raise WebhookVerificationError("no valid v1 signature: forged or tampered delivery")
        yield  # pragma: no cover - a flow, even without requests


@dataclass(frozen=True)
class Ed25519Jwks(WebhookVerifier):
    """ED25519 signatures over header values and the body's SHA-256, keys from a JWKS.

    Signed message: the values of ``signed_headers`` then the hex SHA-256 of the
    body, joined by newlines (fal: request id, user id, timestamp, body hash).
    The signature header is hex. Without ``key_id_header`` every key of the set
    is tried.
    """

    jwks_url: str
    signed_headers: tuple[str, ...]
    timestamp_header: str
    signature_header: str
    id_header: str | None = None
    key_id_header: str | None = None
    tolerance: int = DEFAULT_TOLERANCE

    def check(self, delivery: Delivery) -> VerifyFlow:
        """Check the signature against the passed keys, else the (cached) key set."""
        values = [delivery.header(name) for name in self.signed_headers]
        signature_hex = delivery.header(self.signature_header)
        if not signature_hex or any(v is None for v in values):
            missing = [n for n, v in zip(self.signed_headers, values, strict=True) if v is None]
            raise WebhookVerificationError(
                f"the delivery is not signed (missing {', '.join(missing) or self.signature_header})"
            )
        self._check_time(delivery.header(self.timestamp_header), delivery.now)
        try:
            signature = bytes.fromhex(signature_hex)
        except ValueError:
            raise WebhookVerificationError("the signature is not hex") from None
        digest = hashlib.sha256(delivery.body).hexdigest()
        message = "\n".join([*(str(v) for v in values), digest]).encode()
        kid = delivery.header(self.key_id_header)
        delivery_id = delivery.header(self.id_header)
        if delivery.keys is not None:
            if _verify_any(public_keys(delivery.keys), kid, signature, message):
                return delivery_id
            raise WebhookVerificationError("no given key verifies the signature")
        known = yield from _jwks(self.jwks_url, refresh=False)
        if _verify_any(known, kid, signature, message):
            return delivery_id
        if _JWKS.stale_enough(self.jwks_url):  # the key may be new: refetch once
            known = yield from _jwks(self.jwks_url, refresh=True)
            if _verify_any(known, kid, signature, message):
                return delivery_id
        raise WebhookVerificationError(
            "no published key verifies the signature: forged or tampered delivery, "
            "or signed by an unknown key"
        )


# ---------------------------------------------------------------- keys
def public_keys(keys: Any) -> dict[str, bytes]:
    """Key id → raw 32-byte ED25519 public key, from a JWKS, JWKs, or raw keys."""
    if isinstance(keys, Mapping) and "keys" in keys:
        keys = keys["keys"]
    if isinstance(keys, bytes | Mapping) or not isinstance(keys, Iterable):
        keys = [keys]
    found: dict[str, bytes] = {}
    for index, key in enumerate(keys):
        if isinstance(key, bytes):
            found[f"#{index}"] = key
        elif isinstance(key, Mapping):
            if key.get("kty") != "OKP" or key.get("crv") != "Ed25519" or "x" not in key:
                continue
            try:
                raw = base64.urlsafe_b64decode(str(key["x"]) + "=" * (-len(str(key["x"])) % 4))
            except (binascii.Error, ValueError):
                continue
            found[str(key.get("kid") or f"#{index}")] = raw
        else:
            raw_bytes = getattr(key, "public_bytes_raw", None)
            if raw_bytes is None:
                raise ValidationError(f"not an ED25519 public key: {type(key).__name__}")
            found[f"#{index}"] = raw_bytes()
    return found


def _verify_any(keys: dict[str, bytes], kid: str | None, signature: bytes, message: bytes) -> bool:
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:  # pragma: no cover - depends on the environment
        raise ValidationError(
            'verifying ED25519 webhooks needs cryptography: pip install "tarash-core[webhooks]"'
        ) from None
    candidates = [keys[kid]] if kid is not None and kid in keys else []
    if kid is None:
        candidates = list(keys.values())
    for raw in candidates:
        try:
            Ed25519PublicKey.from_public_bytes(raw).verify(signature, message)
            return True
        except (InvalidSignature, ValueError):
            continue
    return False


class _JwksCache:
    """Fetched key sets by URL, shared by every call of the process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sets: dict[str, tuple[float, dict[str, bytes]]] = {}

    def get(self, url: str) -> dict[str, bytes] | None:
        with self.lock:
            entry = self.sets.get(url)
        if entry is None or time.monotonic() - entry[0] > JWKS_TTL:
            return None
        return entry[1]

    def put(self, url: str, keys: dict[str, bytes]) -> None:
        with self.lock:
            self.sets[url] = (time.monotonic(), keys)

    def stale_enough(self, url: str) -> bool:
        with self.lock:
            entry = self.sets.get(url)
        return entry is None or time.monotonic() - entry[0] > JWKS_REFRESH_AFTER

    def clear(self) -> None:
        with self.lock:
            self.sets.clear()


_JWKS = _JwksCache()


def _jwks(url: str, refresh: bool) -> Generator[httpx.Request, httpx.Response, dict[str, bytes]]:
    cached = None if refresh else _JWKS.get(url)
    if cached is not None:
        return cached
    response = yield httpx.Request("GET", url, headers={"Accept": "application/json"})
    if response.status_code >= 400:
        raise TarashException(
            f"GET {url} → {response.status_code}: the webhook keys are unavailable"
        )
    try:
        keys = public_keys(response.json())
    except ValueError as exc:
        raise TarashException(f"GET {url}: the webhook key set is not JSON") from exc
    _JWKS.put(url, keys)
    return keys


def _secret_bytes(secret: str) -> bytes:
    text = secret.removeprefix("whsec_")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("the webhook secret is not a whsec_<base64> secret") from None
