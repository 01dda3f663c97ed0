# The two set-up commands: `make demo` (build, make a sample talk, clip it) and `make test`.
# Both install what is missing first (scripts/setup.sh) and are quick when nothing is.

CARGO ?= cargo
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: setup build demo test lint fmt bench clean-demo

setup:
	@bash scripts/setup.sh

build: setup
	$(CARGO) build --release --locked -p opusclip

demo: build
	./target/release/opusclip demo -o demo-out

test: setup
	$(CARGO) fmt --all -- --check
	$(CARGO) test --workspace --locked

lint: setup
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

fmt:
	$(CARGO) fmt --all

bench: build
	bash scripts/bench-clip.sh

clean-demo:
	rm -rf demo-out
