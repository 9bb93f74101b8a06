# Two commands: `make run` (install, migrate, seed, demo data, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

NODE_STAMP := node_modules/.installed-$(shell cat package-lock.json | cksum | cut -d' ' -f1)

.PHONY: run test install lint node browser nginx messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# The stock Node clients and the schema linter, pinned by package-lock.json. Node itself comes
# from Debian when missing; without it the Node tests skip, except under CI=true (they fail).
$(NODE_STAMP): package-lock.json
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null) || true; }
	@if command -v npm >/dev/null; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	elif [ "$$CI" = true ]; then echo "node/npm missing and CI=true" >&2; exit 1; \
	else echo "node/npm missing: the Node client tests will skip" >&2; fi

node: $(NODE_STAMP)

# Debian's Chromium for the browser test (tests/clients/test_browser.py; PAKN_TEST_CHROMIUM
# names another). Installed with apt-get when missing and root; without it that test
# skips, except under CI=true (it fails).
browser:
	@[ -n "$$PAKN_TEST_CHROMIUM" ] || command -v chromium >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || true; }
	@if [ -n "$$PAKN_TEST_CHROMIUM" ] || command -v chromium >/dev/null; then :; \
	elif [ "$$CI" = true ]; then echo "chromium missing and CI=true" >&2; exit 1; \
	else echo "chromium missing: the browser test will skip" >&2; fi

# Debian's nginx for the multi-host tests (tests/ops/test_multi_host.py, on deploy/nginx.conf;
# PAKN_TEST_NGINX names another). Installed with apt-get when missing and root; without it
# those tests skip, except under CI=true (they fail).
nginx:
	@[ -n "$$PAKN_TEST_NGINX" ] || command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && apt-get install -y -qq nginx >/dev/null) || true; }
	@if [ -n "$$PAKN_TEST_NGINX" ] || command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then :; \
	elif [ "$$CI" = true ]; then echo "nginx missing and CI=true" >&2; exit 1; \
	else echo "nginx missing: the multi-host tests will skip" >&2; fi

# The website's texts: extract them, then merge them into the Vietnamese catalog (translate
# the new entries in app/web/site/locale/vi/LC_MESSAGES/messages.po).
messages: install
	$(BIN)/pybabel --quiet extract -F babel.cfg -k N_ --no-location --sort-output -w 100 -o app/web/site/locale/messages.pot .
	$(BIN)/pybabel --quiet update -i app/web/site/locale/messages.pot -d app/web/site/locale -l vi -w 100 --no-fuzzy-matching --ignore-obsolete

run: install
	$(BIN)/pakn serve --demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: lint node browser nginx
	$(BIN)/python -m pytest --durations=25
