# Cemprende: `make run` serves the demo on http://127.0.0.1:5000, `make test` runs the whole suite
# on SQLite and on PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup run serve test test-sqlite test-postgres browser db clean security audit

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

setup: $(VENV)/.installed

db: setup
	$(FLASK) db upgrade
	$(FLASK) import-centros

run: db
	$(FLASK) demo-data --participantes 300 --seed 2015 --si-vacia
	# The demo logins work without a phone; production asks supervisors and admins for a second
	# factor (REQUIRE_TOTP_ROLES, default supervisor,admin).
	REQUIRE_TOTP_ROLES= $(FLASK) run --host 127.0.0.1 --port 5000

# Production: gunicorn with gunicorn.conf.py. Needs CEMPRENDE_ENV=production (the default here),
# SECRET_KEY, DATABASE_URL, UPLOAD_ROOT and, with more than one worker, RATELIMIT_STORAGE_URI.
serve: setup
	CEMPRENDE_ENV=$${CEMPRENDE_ENV:-production} $(FLASK) db upgrade
	CEMPRENDE_ENV=$${CEMPRENDE_ENV:-production} exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# Debian's Chromium for the browser tests; Playwright never downloads its own.
browser:
	@command -v chromium >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium)

test: setup browser test-sqlite test-postgres

# Static security check of the application code (config in pyproject.toml): fails on any medium or
# high finding; a deliberate one carries `# nosec BXXX` with its reason on the line above.
security: setup
	$(BIN)/bandit -c pyproject.toml -r cemprende --severity-level medium --quiet

# Known vulnerabilities in the pinned requirements (pip-audit). Where the vulnerability service
# cannot be reached it says so plainly and exits 0; a vulnerable pin exits 1.
audit: setup
	$(BIN)/python .ci/audit.py requirements.txt

test-sqlite: setup
	TEST_DATABASE_URL=sqlite:// $(BIN)/pytest -q -p no:cacheprovider

test-postgres: setup
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -q -p no:cacheprovider

clean:
	rm -rf $(VENV) instance .pytest_cache
