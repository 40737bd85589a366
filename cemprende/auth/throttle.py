"""The failed-login throttle, one count for every door: the login page, its second-factor step,
POST /api/v1/tokens and the password-change page and endpoint.

Counts live in the limiter's storage (RATELIMIT_STORAGE_URI: Redis when more than one process
serves, so every worker sees the same count), in a moving window: at most N failures per
username and M per address within the window. When that storage does not answer, the count goes
on in this process's memory (a warning is logged) rather than failing the login.
"""
from __future__ import annotations

import logging
import time

from flask import current_app, has_request_context
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from ..extensions import client_address, limiter

log = logging.getLogger("cemprende")

RETRY_STORAGE_SECONDS = 30


class _Fallback:
    """Per-process memory counts, used while the shared storage is down."""

    def __init__(self) -> None:
        self.strategy = MovingWindowRateLimiter(MemoryStorage())
        self.dead_until = 0.0


_fallback = _Fallback()


def _username_key(username: str) -> str:
    return (username or "").strip().lower()[:60]


def _limits(username: str) -> list[tuple]:
    config = current_app.config
    prefix = config.get("RATELIMIT_KEY_PREFIX") or "cemprende"
    address = client_address() if has_request_context() else "sin-peticion"
    return [
        (parse(config["LOGIN_LIMIT_PER_USERNAME"]), prefix, "login-usuario", _username_key(username)),
        (parse(config["LOGIN_LIMIT_PER_ADDRESS"]), prefix, "login-ip", address),
    ]


def _run(operation: str, username: str) -> bool:
    """test (every limit has room) or hit (count one failure); True when all have room."""
    limits = _limits(username)
    if time.monotonic() >= _fallback.dead_until:
        try:
            strategy = MovingWindowRateLimiter(limiter.storage)
            return all([getattr(strategy, operation)(item, *keys) for item, *keys in limits])
        except Exception as error:  # the storage's client raises its own connection errors
            _fallback.dead_until = time.monotonic() + RETRY_STORAGE_SECONDS
            log.warning("El almacén del límite de intentos no responde (%s); se cuenta en la "
                        "memoria de este proceso durante %s s.", type(error).__name__,
                        RETRY_STORAGE_SECONDS)
    return all([getattr(_fallback.strategy, operation)(item, *keys) for item, *keys in limits])


def ensure_allowed(username: str) -> None:
    """Refuse (429) an attempt for this username, or from this address, once it has used its
    failures in the window, whatever the door and whether the password is right."""
    if not _run("test", username):
        raise TooManyRequests()


def record_failure(username: str) -> None:
    _run("hit", username)
