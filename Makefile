# Everything the project needs is installed from here: a fresh machine needs only python3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint format bench voikko clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@# An editable install is not byte-compiled, and PYTHONDONTWRITEBYTECODE may be set:
	@# compile once so every start-up does not recompile the package from source.
	$(BIN)/python -m compileall -q smskit
	@touch $(STAMP)

# Voikko (Finnish morphology) comes from Debian's packages; ENC001 falls back without it.
voikko:
	@if ldconfig -p 2>/dev/null | grep -q libvoikko.so.1 && test -d /usr/lib/voikko -o -d /usr/share/voikko; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libvoikko1 voikko-fi >/dev/null) \
	  || echo "note: could not install Voikko; ENC001 uses its fallback"; \
	else echo "note: Voikko not installed (needs apt-get as root); ENC001 uses its fallback"; fi

demo: $(STAMP) voikko
	@echo "== smskit check campaigns/examples/ (a failing campaign and passing ones)"
	-@$(BIN)/smskit check campaigns/examples/
	@echo
	@echo "== the corrected campaign alone"
	$(BIN)/smskit check campaigns/examples/elisa-datavartija-fixed.yml
	@echo
	BIN=$(BIN) scripts/demo-send.sh

lint: $(STAMP)
	$(BIN)/ruff check smskit tests bench
	$(BIN)/ruff format --check smskit tests bench

format: $(STAMP)
	$(BIN)/ruff format smskit tests bench
	$(BIN)/ruff check --fix smskit tests bench

test: $(STAMP) voikko lint
	$(BIN)/python -m pytest -q

bench: $(STAMP) voikko
	$(BIN)/python -m compileall -q smskit
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
