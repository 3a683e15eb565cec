"""Delivery signatures, the Standard Webhooks way (standardwebhooks.com).

Every delivery carries `webhook-id` (the CloudEvent id: the same on every retry),
`webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`
(`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`), so a receiver can refuse a replay
older than its tolerance. `Webhook(secret).verify(body, headers)` of the `standardwebhooks`
package checks them.

The HMAC key is the base64-decoded part of a `whsec_...` secret (what Tollgate generates),
or the UTF-8 bytes of any other secret (verify with `Webhook(secret.encode())`).

`Tollgate-Signature: sha256=<hex HMAC-SHA256 of the body>` is still sent for one more version
and is deprecated: it carries no timestamp, so it does not stop replays.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import datetime

from standardwebhooks import Webhook

PREFIX = "whsec_"
LEGACY = "Tollgate-Signature"
KEY_BYTES = (24, 64)  # the Standard Webhooks recommendation


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def key(secret: str) -> bytes:
    if secret.startswith(PREFIX):
        return base64.b64decode(secret.removeprefix(PREFIX), validate=True)
    return secret.encode()


def secret_problem(secret: str) -> str | None:
    """What is wrong with a `whsec_` secret, or None when it can sign."""
    if not secret.startswith(PREFIX):
        return None
    try:
        size = len(key(secret))
    except (binascii.Error, ValueError):
        return f"a {PREFIX} secret is followed by base64"
    low, high = KEY_BYTES
    if not low <= size <= high:
        return f"a {PREFIX} secret holds {low} to {high} bytes of key, not {size}"
    return None


def legacy_signature(secret: str, body: bytes) -> str:
    """Deprecated: `Tollgate-Signature`, no timestamp inside."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_headers(secret: str, message_id: str, body: bytes, now: datetime) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(key(secret)).sign(message_id, now, body.decode()),
        LEGACY: legacy_signature(secret, body),
    }
