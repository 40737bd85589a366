"""gunicorn settings for production: `make serve` (or `gunicorn -c gunicorn.conf.py wsgi:app`).

Every value can be changed from the environment; the defaults suit one server behind an HTTPS
reverse proxy on the same machine.
"""
import gc
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers, the usual 2 x CPU + 1; WEB_CONCURRENCY overrides (as on most platforms).
workers = int(os.environ.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) * 2 + 1)
worker_class = "sync"
# A bulk upload of a few hundred MiB or a network tablero PDF may take a while on a slow link;
# a worker stuck longer than this is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then so slow leaks never grow.
max_requests = 2000
max_requests_jitter = 200
preload_app = False  # each worker builds the app, after on_starting exported the worker count
# Only a proxy on this machine may say the request was HTTPS (X-Forwarded-Proto); the client
# address for the login throttle comes from PROXY_FIX_HOPS in the app.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The path without its query string (%(U)s, never %(r)s or %(q)s: ?documento= and ?q= carry
# personal data), no referer (it carries the previous page's query), the time in ms and the
# request id the app sends back (X-Request-Id), to find the error log line of a request.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'

# The app refuses a production start with more than one worker and an in-process throttle.
os.environ["CEMPRENDE_WORKERS"] = str(workers)


def on_starting(server):
    # The final count, after any command-line -w.
    os.environ["CEMPRENDE_WORKERS"] = str(server.cfg.workers)


def post_worker_init(worker):
    # The application's own objects (routes, templates, mappers: about 200,000) live as long as
    # the worker: frozen out of the collector's sight, the full collections that requests trigger
    # no longer walk them (8 ms of a network tablero page, measured with bench/tableros.py).
    gc.freeze()
