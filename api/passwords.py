"""Passwords for the pages, stored as scrypt hashes; checking one costs the same scrypt work
whether or not the name exists, so timing does not tell which names do."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

LENGTH = (8, 200)


def password_hash(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


@functools.cache
def no_user_hash() -> str:
    """A hash no password matches, checked when the name is unknown (constant-time sign-in)."""
    return password_hash(secrets.token_urlsafe(32))


def password_matches(password: str, stored: str) -> bool:
    try:
        _, salt, _ = stored.split("$")
        expected = password_hash(password, bytes.fromhex(salt))
    except ValueError:
        return False
    return hmac.compare_digest(expected, stored)


def password_problem(password: str) -> str | None:
    """Why a password cannot be set, or None."""
    low, high = LENGTH
    if not low <= len(password) <= high or "\x00" in password:
        return f"password: use {low} to {high} characters"
    return None
