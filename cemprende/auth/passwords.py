"""Argon2id hashing and the password policy."""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 10
# Spanish-speaking favourites that the English-centred list misses.
LOCAL_COMMON = {
    "contraseña", "contrasena", "contraseña1", "contrasena1", "contraseña123", "contrasena123",
    "colombia123", "colombia2024", "colombia2025", "colombia2026", "cemprende123",
    "cemprende2026", "bogota1234", "123456789co", "teamo12345", "tequiero123",
    "millonarios", "americadecali", "nacional123", "1234567890", "0987654321",
}


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"]) | LOCAL_COMMON


def _hasher() -> PasswordHasher:
    # Argon2id with argon2-cffi's RFC 9106 profile (t=3, 64 MiB, p=4) unless tests lighten it.
    return PasswordHasher(**current_app.config.get("ARGON2_PARAMETERS", {}))


def password_problem(password: str) -> str | None:
    """A Spanish sentence saying what is wrong with the password, or None."""
    if len(password) < MIN_LENGTH:
        return f"La contraseña debe tener al menos {MIN_LENGTH} caracteres."
    if len(password) > 256:
        return "La contraseña no puede tener más de 256 caracteres."
    if password.lower() in _common_passwords():
        return "Esa contraseña está entre las más usadas; elija otra."
    return None


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=4)
def _dummy_hash(params: tuple) -> str:
    return PasswordHasher(**dict(params)).hash("cuenta-inexistente")


def burn_verification_time(password: str) -> None:
    """Spend what a real check costs, so an unknown user answers as slowly as a wrong password."""
    params = tuple(sorted(current_app.config.get("ARGON2_PARAMETERS", {}).items()))
    verify_password(_dummy_hash(params), password)
