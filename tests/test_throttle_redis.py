"""With RATELIMIT_STORAGE_URI pointing at Redis the login throttle holds across processes."""
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
import redis

from conftest import PASSWORD

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parent.parent

ATTEMPT = textwrap.dedent("""
    import sys
    from cemprende import create_app
    from cemprende.config import TestConfig

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = sys.argv[1]
        RATELIMIT_STORAGE_URI = sys.argv[2]
        RATELIMIT_KEY_PREFIX = sys.argv[3]

    client = create_app(Config).test_client()
    codes = [client.post("/api/v1/tokens", json={"username": sys.argv[4], "password": sys.argv[5]}).status_code
             for _ in range(int(sys.argv[6]))]
    print(" ".join(map(str, codes)))
""")


def _attempts(database_url, prefix, username, password, times) -> list[int]:
    result = subprocess.run(
        [sys.executable, "-c", ATTEMPT, database_url, REDIS_URL, prefix, username, password, str(times)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    return [int(code) for code in result.stdout.split()]


def test_failed_logins_in_one_process_throttle_another(database_url, world):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis no responde en {REDIS_URL}: inícielo (ver README) o defina TEST_REDIS_URL.")
    prefix = f"cemprende-test-{uuid.uuid4().hex[:8]}"
    username = world["asesor_a"].username
    assert _attempts(database_url, prefix, username, "clave-equivocada", 5) == [401] * 5
    # A second process, sharing only Redis, already refuses even the right password.
    assert _attempts(database_url, prefix, username, PASSWORD, 1) == [429]
    # With its own (fresh) counters the right password works: the 429 came from the shared store.
    assert _attempts(database_url, prefix + "-otro", username, PASSWORD, 1) == [201]
