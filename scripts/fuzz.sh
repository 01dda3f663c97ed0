#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser of outside input with libFuzzer, on the stable
# toolchain (sanitizer-coverage through -Cpasses=sancov-module; no nightly needed).
#   scripts/fuzz.sh [SECONDS_PER_TARGET=60] [TARGET...]
# Builds crates/opusclip-fuzz's libFuzzer entry point into target/fuzz (the first build takes a
# few minutes), seeds each target from the crate's seeds and dictionaries, runs each with a
# 1 GiB memory limit and a 2 s per-input timeout, keeps the corpus in target/fuzz/corpus, and
# prints the executions per target and in total. Any crash, timeout or memory blow-up stops the
# script with libFuzzer's report and the input saved as target/fuzz/artifacts/NAME-*.
# FUZZ_SERVICE=1 also builds the API targets (the service and its dependencies, much longer).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
features="libfuzzer"
seed_features=()
if [ "${FUZZ_SERVICE:-0}" = "1" ]; then features="libfuzzer,service"; seed_features=(--features service); fi
host="$(rustc -vV | sed -n 's/^host: //p')"
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
  -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
cargo build --release --locked -p opusclip-fuzz --no-default-features --features "$features" \
  --bin opusclip-fuzz-libfuzzer --target "$host" --target-dir target/fuzz
unset RUSTFLAGS
fuzzer="target/fuzz/$host/release/opusclip-fuzz-libfuzzer"

seeds="target/fuzz/seeds"
rm -rf "$seeds"
cargo run --quiet --locked -p opusclip-fuzz --no-default-features "${seed_features[@]}" --bin opusclip-fuzz -- seeds "$seeds" >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(ls "$seeds" | grep -v '\.dict$')
fi

mkdir -p target/fuzz/artifacts
total=0
for name in "${targets[@]}"; do
  [ -n "$name" ] || continue
  corpus="target/fuzz/corpus/$name"
  mkdir -p "$corpus"
  log="target/fuzz/$name.log"
  if ! OPUSCLIP_FUZZ_TARGET="$name" "$fuzzer" "$corpus" "$seeds/$name" -dict="$seeds/$name.dict" \
      -max_total_time="$seconds" -rss_limit_mb=1024 -malloc_limit_mb=1024 -timeout=2 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="target/fuzz/artifacts/$name-" >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz: $name FAILED (log: $log)" >&2
    exit 1
  fi
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  echo "fuzz: $name ${runs:-0} executions, 0 crashes, 0 timeouts, 0 out-of-memory"
  total=$((total + ${runs:-0}))
done
echo "fuzz: total $total executions"
