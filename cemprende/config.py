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
    # hide_parameters: a logged database error never carries the values bound (personal data).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    # A streaming replica of the PostgreSQL server for the reads of tableros, drill-downs, bases
    # and informes (cemprende/lectura.py); unset: everything on DATABASE_URL, as ever.
    DATABASE_READ_URL = os.environ.get("DATABASE_READ_URL") or None
    DATABASE_READ_RETRY_SECONDS = int(os.environ.get("DATABASE_READ_RETRY_SECONDS", "30"))
    DATABASE_READ_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_READ_CONNECT_TIMEOUT", "3"))
    # How long a statement waits for a lock another transaction holds (SQLite's busy timeout,
    # PostgreSQL's lock_timeout) before giving up: the request then answers 409 "intente de
    # nuevo" instead of hanging until the web server kills its worker.
    DATABASE_LOCK_TIMEOUT_MS = int(os.environ.get("DATABASE_LOCK_TIMEOUT_MS", "5000"))
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
    # The idle clock (and so the cookie) is written at most once a minute, never on every page;
    # the cookie outlives the idle timeout by that minute so the server-side check decides.
    SESSION_TOUCH_SECONDS = 60
    SESSION_REFRESH_EACH_REQUEST = False
    PERMANENT_SESSION_LIFETIME = SESSION_IDLE_TIMEOUT + timedelta(seconds=SESSION_TOUCH_SECONDS)

    # Compressed answers (Flask-Compress): pages, JSON, CSS, JS and CSV; never streamed downloads
    # nor PDF, XLSX, ZIP or images, which are compressed already.
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript",
                          "application/json", "text/csv", "text/plain", "image/svg+xml"]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_STREAMS = False
    COMPRESS_MIN_SIZE = 500

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which idles out

    # Background jobs (imports, large exports): an rq queue on this Redis, else a thread per job.
    JOBS_REDIS_URL = os.environ.get("JOBS_REDIS_URL") or None
    JOBS_BACKEND = os.environ.get("JOBS_BACKEND") or None  # "rq" or "thread"; default from the URL
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "cemprende")
    JOBS_TIMEOUT_SECONDS = int(os.environ.get("JOBS_TIMEOUT_SECONDS", "3600"))

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: count in memory, never a 500
    # Failed attempts (login page, its code step, API tokens, password change), counted together.
    LOGIN_LIMIT_PER_USERNAME = os.environ.get("LOGIN_LIMIT_PER_USERNAME", "5 per 15 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 15 minutes")
    # Roles that must use a second factor (TOTP); empty to switch it off.
    REQUIRE_TOTP_ROLES = tuple(
        r.strip() for r in os.environ.get("REQUIRE_TOTP_ROLES", "supervisor,admin").split(",") if r.strip())
    TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "Cemprende")

    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
    API_TOKEN_HOURS = int(os.environ.get("API_TOKEN_HOURS", "12"))
    CONSENT_NOTICE_VERSION = os.environ.get("CONSENT_NOTICE_VERSION", "2026-01")
    # Integrity alerts (API.md "Alertas"); shown on the alerts page.
    ALERTA_SOBREPRECIO_PCT = int(os.environ.get("ALERTA_SOBREPRECIO_PCT", "20"))
    ALERTA_CONCENTRACION_PCT = int(os.environ.get("ALERTA_CONCENTRACION_PCT", "50"))
    ALERTA_CONCENTRACION_MIN_DESEMBOLSOS = int(os.environ.get("ALERTA_CONCENTRACION_MIN_DESEMBOLSOS", "5"))
    # A verifier document waiting longer than this for a supervisor's review is overdue.
    REVISION_VENCIDA_DIAS = int(os.environ.get("REVISION_VENCIDA_DIAS", "5"))
    ALERTA_SIN_ENTREGA_DIAS = int(os.environ.get("ALERTA_SIN_ENTREGA_DIAS", "60"))
    ALERTA_SIN_SEGUIMIENTO_DIAS = int(os.environ.get("ALERTA_SIN_SEGUIMIENTO_DIAS", "90"))
    ALERTA_CARGO_FIJO_PCT = int(os.environ.get("ALERTA_CARGO_FIJO_PCT", "50"))
    ALERTA_CARGO_FIJO_MIN_PLANES = int(os.environ.get("ALERTA_CARGO_FIJO_MIN_PLANES", "3"))
    ALERTA_REFERENCIA_MIN_OBSERVACIONES = int(os.environ.get("ALERTA_REFERENCIA_MIN_OBSERVACIONES", "3"))
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
    # A base's XLSX over this many rows is prepared in the background (API.md: 100,000).
    BASES_XLSX_FONDO_FILAS = int(os.environ.get("BASES_XLSX_FONDO_FILAS", "100000"))
    BABEL_LOCALE = "es_CO"
    # Age bands of the breakdowns (age at the cut date): the lower bound of each band after the
    # first. "18,25,29,63": menores de 18, 18–24, 25–28, 29–62, 63 y más.
    DESGLOSE_EDADES = os.environ.get("DESGLOSE_EDADES", "18,25,29,63")


class DevelopmentConfig(Config):
    SECRET_KEY = Config.SECRET_KEY or _development_secret_key()


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    # Bandit B105: TestConfig only; production refuses to start without its own
    SECRET_KEY = "test-only-key-not-a-secret"  # nosec B105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    UPLOAD_ROOT = str(PROJECT_ROOT / "instance" / "test-uploads")
    DATABASE_READ_URL = None  # tests/test_replica.py sets its own
    # Lighter Argon2id so the suite stays fast; production keeps argon2-cffi's RFC 9106 profile.
    ARGON2_PARAMETERS = {"time_cost": 1, "memory_cost": 8192, "parallelism": 1}
    # The suite's supervisors and admins log in with a password alone; test_auth_security turns
    # the second factor on where it tests it.
    REQUIRE_TOTP_ROLES: tuple = ()


def _workers() -> int:
    """How many processes serve: gunicorn.conf.py exports its count; WEB_CONCURRENCY otherwise."""
    raw = os.environ.get("CEMPRENDE_WORKERS") or os.environ.get("WEB_CONCURRENCY") or "1"
    return int(raw) if raw.strip().isdigit() else 1


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", default=True)
    # No silent defaults in production: each of these must come from the environment.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    UPLOAD_ROOT = os.environ.get("UPLOAD_ROOT")
    WORKERS = _workers()


_PLACEHOLDER_WORDS = ("change", "secret", "example", "ejemplo", "cambiar", "dev", "test", "****")


def production_problems(config) -> list[str]:
    """What keeps a production start from being safe, in Spanish; empty when all is in place."""
    problems = []
    key = config.get("SECRET_KEY") or ""
    if (len(key) < 32 or len(set(key)) < 12
            or any(word in key.lower() for word in _PLACEHOLDER_WORDS)):
        problems.append("SECRET_KEY debe ser una clave aleatoria de al menos 32 caracteres "
                        "(python3 -c 'import secrets; print(secrets.token_hex(32))').")
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        problems.append("DATABASE_URL es obligatoria (postgresql+psycopg://usuario:clave@servidor/base).")
    if not config.get("UPLOAD_ROOT"):
        problems.append("UPLOAD_ROOT es obligatoria: la carpeta donde se guardan los verificadores.")
    if config.get("WORKERS", 1) > 1 and str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory"):
        problems.append(f"Con {config.get('WORKERS')} procesos, RATELIMIT_STORAGE_URI debe ser un "
                        "almacén compartido (redis://servidor:6379): en memoria cada proceso "
                        "contaría sus propios intentos de ingreso.")
    return problems


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    return CONFIGS[os.environ.get("CEMPRENDE_ENV", "development")]
