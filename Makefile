# Matchcut: two set-up commands, `make run` and `make test` (see README.md).
# Both install what is missing first, then build. One cargo profile (dev, with
# dependencies fully optimised) serves run, test and bench, so CI builds the
# heavy stack once.

SHELL := /bin/bash
.DEFAULT_GOAL := run
CARGO ?= cargo
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
BIN := $(TARGET_DIR)/debug
SAMPLES := samples
STAMP := .make

.PHONY: run test bench deps fixtures ui ui-test app bindings lint e2e clean-fixtures

$(STAMP):
	@mkdir -p $(STAMP)

$(STAMP)/deps: scripts/install-deps.sh | $(STAMP)
	scripts/install-deps.sh
	@touch $@

$(STAMP)/npm: ui/package.json ui/package-lock.json $(STAMP)/deps | $(STAMP)
	cd ui && npm ci --no-audit --no-fund
	@touch $@

# OpenTimelineIO and its CMX 3600 and FCP 7 XML adapters: the export tests
# read our EDLs, .otio and XML files with them.
OTIO_PYTHON := $(abspath $(TARGET_DIR))/otioenv/bin/python
$(STAMP)/otio-fcp: $(STAMP)/deps | $(STAMP)
	python3 -m venv $(abspath $(TARGET_DIR))/otioenv
	$(OTIO_PYTHON) -m pip install --quiet --disable-pip-version-check \
	  opentimelineio==0.18.1 otio-cmx3600-adapter==1.0.0 otio-fcp-adapter==1.0.0
	@touch $@

# Ray, pinned, for catalogue mode's driver and its test on a local cluster.
RAY_PYTHON := $(abspath $(TARGET_DIR))/rayenv/bin/python
$(STAMP)/ray: scripts/catalogue/requirements.txt $(STAMP)/deps | $(STAMP)
	python3 -m venv $(abspath $(TARGET_DIR))/rayenv
	$(RAY_PYTHON) -m pip install --quiet --disable-pip-version-check -r scripts/catalogue/requirements.txt
	@touch $@

deps: $(STAMP)/deps $(STAMP)/npm

fixtures: deps
	tests/fixtures/make-fixtures.sh

ui: deps
	cd ui && npm run build

app: ui
	$(CARGO) build --workspace --bins

lint: deps ui
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## make run: the app on the sample library, or without a display the CLI:
## scan the sample library (into target/sample-library) and list its pairs.
run: app
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  $(BIN)/matchcut-app --library $(SAMPLES); \
	else \
	  echo "no display: scanning the sample library with the CLI"; \
	  $(BIN)/matchcut scan $(SAMPLES) --library $(TARGET_DIR)/sample-library && \
	  $(BIN)/matchcut pairs --library $(TARGET_DIR)/sample-library --top 20; \
	fi

## make test: every test (Rust unit and integration, UI, end-to-end), after
## formatting and lint checks.
test: app fixtures lint $(STAMP)/otio-fcp $(STAMP)/ray
	MATCHCUT_OTIO_PYTHON=$(OTIO_PYTHON) MATCHCUT_RAY_PYTHON=$(RAY_PYTHON) $(CARGO) test --workspace
	cd ui && npm test
	scripts/e2e.sh

e2e: app fixtures $(STAMP)/otio-fcp
	scripts/e2e.sh

ui-test: deps
	cd ui && npm test

## Regenerate ui/src/bindings.ts from the Tauri commands.
bindings: deps
	@mkdir -p ui/dist
	MATCHCUT_UPDATE_BINDINGS=1 $(CARGO) test -p matchcut-app --test bindings

## make bench: decode and preprocessing throughput against `ffmpeg` decoding
## the same 1080p file in the same run; embedding keyframes/s and the hashing
## share of an analysis; shot segmentation accuracy and speed against
## PySceneDetect (scripts/shot-eval/); index scale (10k to 1M shots); the
## match-cut evaluation, end-to-end scan and re-scan (scripts/match-eval/);
## the time to prepare a cut for playback against `ffmpeg` rendering it;
## the time to add one title to a library of 1, 5 and 20; `matchcut scan`
## of the 10-minute film at 1080p, a 1080p, a 720p 23.976 and a 4K HEVC
## 10-bit title against `ffmpeg` decoding each, with peak memory, decoded
## pictures per frame and each stage's busy time;
## the decision stress test at full size (4 processes x 500, one killed);
## 20 scans killed at random moments, each completed by the next.
bench: fixtures
	scripts/bench-fixtures.sh
	$(CARGO) bench --profile dev --bench decode
	$(CARGO) bench --profile dev --bench preprocess
	$(CARGO) bench --profile dev --bench embed
	$(CARGO) bench --profile dev --bench index
	$(CARGO) bench --profile dev --bench lists
	$(CARGO) bench --profile dev --bench catalogue
	$(CARGO) bench --profile dev --bench graph_growth
	$(CARGO) bench --profile dev --bench playback
	$(CARGO) bench --profile dev --bench ingest
	$(CARGO) build --bin matchcut
	$(CARGO) bench --profile dev --bench scan
	scripts/shot-eval/run.sh $(TARGET_DIR)/debug/matchcut
	scripts/match-eval/run.sh $(TARGET_DIR)/debug/matchcut
	scripts/motion-eval/run.sh $(TARGET_DIR)/debug/matchcut
	MATCHCUT_STRESS_DECISIONS=500 $(CARGO) test --test decisions concurrent -- --nocapture
	MATCHCUT_STRESS_KILLS=20 $(CARGO) test --test integrity killed -- --nocapture

clean-fixtures:
	rm -rf tests/fixtures/generated
