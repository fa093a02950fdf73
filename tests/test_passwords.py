"""Password hashing: scrypt with a per-user salt and its parameters stored in the hash."""

import hashlib

import pytest

from proto import passwords


def test_hash_carries_parameters_and_a_fresh_salt():
    first, second = passwords.hash_password("s3cret-pass"), passwords.hash_password("s3cret-pass")
    assert first.startswith(f"scrypt${passwords.SCRYPT_N}${passwords.SCRYPT_R}${passwords.SCRYPT_P}$")
    assert first != second
    assert passwords.verify_password("s3cret-pass", first)
    assert not passwords.verify_password("s3cret-pasS", first)
    assert not passwords.needs_rehash(first)


def test_old_parameters_still_verify_and_ask_for_a_rehash():
    salt = b"0123456789abcdef"
    import base64
    digest = hashlib.scrypt(b"old-password", salt=salt, n=2 ** 10, r=8, p=1, dklen=32)
    stored = f"scrypt${2 ** 10}$8$1${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    assert passwords.verify_password("old-password", stored)
    assert passwords.needs_rehash(stored)


@pytest.mark.parametrize("stored", ["", "plain", "md5$x$y", "scrypt$x$8$1$AAAA$AAAA", "scrypt$16384$8$1$!!$!!"])
def test_garbage_hashes_never_verify(stored):
    assert not passwords.verify_password("anything", stored)


@pytest.mark.parametrize(("password", "message"), [
    ("short", "at least 8 characters"),
    ("x" * 1025, "at most 1024 characters"),
])
def test_new_password_rules(password, message):
    with pytest.raises(passwords.PasswordRejected, match=message):
        passwords.check_new_password(password)


def test_passwords_are_checked_exactly_as_typed():
    stored = passwords.hash_password("  Spaces and Ümlauts  ")
    assert passwords.verify_password("  Spaces and Ümlauts  ", stored)
    assert not passwords.verify_password("Spaces and Ümlauts", stored)
