"""Password hashing with the standard library's scrypt.

A stored hash carries its own parameters (``scrypt$n$r$p$salt$hash``), so the
cost can be raised later: ``needs_rehash`` tells the login to store a new hash.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

# 2**15 x 8 x 1: about 32 MiB and 50-100 ms per hash on one core here.
SCRYPT_N = 2 ** 15
SCRYPT_R = 8
SCRYPT_P = 1
KEY_LENGTH = 32
MIN_LENGTH = 8
MAX_LENGTH = 1024


class PasswordRejected(ValueError):
    """A new password does not meet the rules; the message says which."""


def check_new_password(password: str) -> None:
    """Raise PasswordRejected unless the password may be used (8 to 1024 characters)."""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(f"The password must have at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(f"The password must have at most {MAX_LENGTH} characters.")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=2 * 128 * n * r * p, dklen=KEY_LENGTH)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """Hash a password with a fresh salt and the current parameters."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Tell whether the password matches the stored hash, in constant time."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def needs_rehash(stored: str) -> bool:
    """Tell whether a stored hash was made with other parameters than today's."""
    return not stored.startswith(f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$")


@functools.cache
def dummy_hash() -> str:
    """Return a hash to verify against when the account does not exist, so both cases take as long."""
    # Made on first use, not at import: a hash costs as much as a whole start-up.
    return hash_password(secrets.token_urlsafe(16))
