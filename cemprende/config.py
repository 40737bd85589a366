"""Settings read from the environment, one class per way of running."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "si", "sí", "on"}


def _development_secret_key() -> str:
    """A random key kept under instance/ so sessions survive restarts; never in the repo."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class Config:
    ENV_NAME = "development"
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'cemprende.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    UPLOAD_ROOT = os.environ.get("UPLOAD_ROOT", str(PROJECT_ROOT / "uploads"))
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
    VERIFICADOR_MAX_BYTES = 10 * 1024 * 1024
    VERIFICADOR_ZIP_MAX_ENTRADAS = 2000
    VERIFICADOR_ZIP_MAX_BYTES = 500 * 1024 * 1024
    # A request may carry one zip of up to a few hundred MiB, or up to 2,000 loose files.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MIB", "520")) * 1024 * 1024
    MAX_FORM_PARTS = 2100
    SECRET_KEY = os.environ.get("SECRET_KEY")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30")))
    PERMANENT_SESSION_LIFETIME = SESSION_IDLE_TIMEOUT

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which idles out

    # Background jobs (imports, large exports): an rq queue on this Redis, else a thread per job.
    JOBS_REDIS_URL = os.environ.get("JOBS_REDIS_URL") or None
    JOBS_BACKEND = os.environ.get("JOBS_BACKEND") or None  # "rq" or "thread"; default from the URL
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "cemprende")
    JOBS_TIMEOUT_SECONDS = int(os.environ.get("JOBS_TIMEOUT_SECONDS", "3600"))

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_USERNAME = os.environ.get("LOGIN_LIMIT_PER_USERNAME", "5 per 5 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 5 minutes")

    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
    API_TOKEN_HOURS = int(os.environ.get("API_TOKEN_HOURS", "12"))
    CONSENT_NOTICE_VERSION = os.environ.get("CONSENT_NOTICE_VERSION", "2026-01")
    # Integrity alerts (API.md "Alertas"); shown on the alerts page.
    ALERTA_SOBREPRECIO_PCT = int(os.environ.get("ALERTA_SOBREPRECIO_PCT", "20"))
    ALERTA_CONCENTRACION_PCT = int(os.environ.get("ALERTA_CONCENTRACION_PCT", "50"))
    ALERTA_CONCENTRACION_MIN_DESEMBOLSOS = int(os.environ.get("ALERTA_CONCENTRACION_MIN_DESEMBOLSOS", "5"))
    ALERTA_SIN_ENTREGA_DIAS = int(os.environ.get("ALERTA_SIN_ENTREGA_DIAS", "60"))
    ALERTA_SIN_SEGUIMIENTO_DIAS = int(os.environ.get("ALERTA_SIN_SEGUIMIENTO_DIAS", "90"))
    ALERTA_CARGO_FIJO_PCT = int(os.environ.get("ALERTA_CARGO_FIJO_PCT", "50"))
    ALERTA_CARGO_FIJO_MIN_PLANES = int(os.environ.get("ALERTA_CARGO_FIJO_MIN_PLANES", "3"))
    # Importaciones (API.md "Importaciones"): the largest file, its rows, the rows applied per
    # transaction, and how long a running import may go without a sign of life before it counts
    # as interrumpida.
    IMPORTACION_MAX_BYTES = int(os.environ.get("IMPORTACION_MAX_MB", "50")) * 1024 * 1024
    IMPORTACION_MAX_FILAS = int(os.environ.get("IMPORTACION_MAX_FILAS", "200000"))
    # Rows per apply transaction; unset: 1000 on PostgreSQL, 200 on SQLite, whose single writer
    # lock the chunk holds while it writes (an advisor's save waits that long at most).
    IMPORTACION_LOTE = int(os.environ["IMPORTACION_LOTE"]) if os.environ.get("IMPORTACION_LOTE") else None
    IMPORTACION_LATIDO_SEGUNDOS = int(os.environ.get("IMPORTACION_LATIDO_SEGUNDOS", "120"))
    PER_PAGE = 25
    BABEL_LOCALE = "es_CO"


class DevelopmentConfig(Config):
    SECRET_KEY = Config.SECRET_KEY or _development_secret_key()


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-only-key-not-a-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    UPLOAD_ROOT = str(PROJECT_ROOT / "instance" / "test-uploads")
    # Lighter Argon2id so the suite stays fast; production keeps argon2-cffi's RFC 9106 profile.
    ARGON2_PARAMETERS = {"time_cost": 1, "memory_cost": 8192, "parallelism": 1}


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", default=True)


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    return CONFIGS[os.environ.get("CEMPRENDE_ENV", "development")]
