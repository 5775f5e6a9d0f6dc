"""Passwords (argon2id) and tokens (PyJWT, HS256 only: the algorithm list is never taken from
the token itself, which closes the `alg: none` and key-confusion attacks)."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from functools import lru_cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app_backend.db import utcnow

ALGORITHM = "HS256"
ACCESS = "access"
REFRESH = "refresh"

_hasher = PasswordHasher()
# Verifying against this when the account does not exist keeps login timing uniform.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class TokenError(Exception):
    """The token is missing, expired, forged or of the wrong kind."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def create_token(
    *, subject: str, kind: str, secret: str, lifetime: timedelta, token_version: int, role: str
) -> str:
    now = utcnow()
    claims = {
        "sub": subject,
        "typ": kind,
        "role": role,
        "ver": token_version,
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


@lru_cache(maxsize=4096)
def _signed_claims(token: str, secret: str) -> dict:
    """The claims of a token whose signature checks out. Memoised: the same bytes under the same
    key always verify the same way, and a client sends its token with every request. Expiry is
    checked by the caller on every use; failures raise, so they are never cached."""
    return jwt.decode(token, secret, algorithms=[ALGORITHM],
                      options={"require": ["exp", "sub", "typ"], "verify_exp": False})


def decode_token(token: str, *, secret: str, kind: str) -> dict:
    try:
        claims = dict(_signed_claims(token, secret))
    except jwt.PyJWTError as exc:
        raise TokenError(str(exc)) from exc
    expires = claims["exp"]
    if not isinstance(expires, int | float) or expires <= time.time():
        raise TokenError("Signature has expired")
    if claims.get("typ") != kind:
        raise TokenError(f"expected a {kind} token")
    return claims
