#!/usr/bin/env bash
# Load benchmark of the service: 1000 concurrent connections asking for one job's status
# (GET /api/jobs/{id} with an API key, so auth, the rate limiter and the job store are all in the
# path). Reports requests/s, p99 latency and errors (socket errors + non-2xx answers); goal: 0.
#
#   scripts/bench-service.sh                 # release build, SQLite store, 15 s
#   DURATION=30s CONNECTIONS=1000 DATABASE_URL=postgres://postgres@127.0.0.1/test?schema=bench scripts/bench-service.sh
#   UPLOAD_GB=2 scripts/bench-service.sh     # also: a 2 GB upload, reporting the server's peak memory
#
# Needs wrk (apt-get install wrk). Writes bench-out/service/wrk.txt and bench-out/service/summary.json.
set -euo pipefail

cd "$(dirname "$0")/.."
CONNECTIONS="${CONNECTIONS:-1000}"
DURATION="${DURATION:-15s}"
THREADS="${THREADS:-2}"
OPUSCLIP="${OPUSCLIP:-target/release/opusclip}"
OUT="bench-out/service"

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench-service: wrk is missing: apt-get install wrk" >&2
  exit 1
fi
if [ ! -x "$OPUSCLIP" ] || [ -n "${REBUILD:-}" ]; then
  cargo build --release --locked -p opusclip
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

mkdir -p "$OUT"
DATA="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT
export OPUSCLIP_DATA_DIR="$DATA"

KEY="$("$OPUSCLIP" keys create --name bench | tail -n 1)"
"$OPUSCLIP" serve --port 0 --workers 0 >"$DATA/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  grep -q 'listening on' "$DATA/serve.log" 2>/dev/null && break
  sleep 0.1
done
BASE="$(grep -o 'http://[0-9.:]*' "$DATA/serve.log" | head -n 1)"
[ -n "$BASE" ] || { cat "$DATA/serve.log" >&2; exit 1; }

# One real job to ask about: a 5-second generated video (it stays queued: no workers here).
ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=320x240:rate=25:duration=5 \
  -f lavfi -i sine=duration=5 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$DATA/v.mp4"
JOB="$(curl -sf -H "X-API-Key: $KEY" -F file=@"$DATA/v.mp4" "$BASE/api/jobs")"
ID="$(printf '%s' "$JOB" | sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p')"
[ -n "$ID" ] || { echo "bench-service: no job id in $JOB" >&2; exit 1; }

echo "bench-service: $CONNECTIONS connections for $DURATION on $BASE/api/jobs/$ID ($(nproc) cores)"
wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --timeout 10s --latency \
  -H "X-API-Key: $KEY" "$BASE/api/jobs/$ID" | tee "$OUT/wrk.txt"

RPS="$(awk '/^Requests\/sec:/ {print $2}' "$OUT/wrk.txt")"
P99="$(awk '$1 == "99%" {print $2}' "$OUT/wrk.txt")"
REQUESTS="$(awk '/requests in/ {print $1}' "$OUT/wrk.txt")"
SOCKET_ERRORS="$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$OUT/wrk.txt")"
NON_2XX="$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$OUT/wrk.txt")"
ERRORS=$(( ${SOCKET_ERRORS:-0} + ${NON_2XX:-0} ))
cat >"$OUT/summary.json" <<EOF
{"connections": $CONNECTIONS, "duration": "$DURATION", "requests": ${REQUESTS:-0}, "requests_per_second": ${RPS:-0}, "p99": "${P99:-?}", "errors": $ERRORS, "cores": $(nproc)}
EOF
echo "bench-service: ${RPS} requests/s, p99 ${P99}, ${ERRORS} errors (${REQUESTS} requests) -> $OUT/summary.json"

if [ -n "${UPLOAD_GB:-}" ]; then
  # Streamed to the spool, never held in memory: the server's peak RSS must stay flat. The file
  # is zeros (not a video), so after streaming it all the server refuses it by content (422).
  BIG="$DATA/big.bin"
  truncate -s "${UPLOAD_GB}G" "$BIG"
  BEFORE_KB="$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")"
  START=$(date +%s.%N)
  STATUS="$(curl -s -o "$DATA/upload.json" -w '%{http_code}' -H "X-API-Key: $KEY" -F file=@"$BIG" "$BASE/api/jobs")"
  SECONDS_TAKEN="$(echo "$(date +%s.%N) - $START" | bc)"
  AFTER_KB="$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")"
  echo "bench-service: ${UPLOAD_GB} GB upload answered $STATUS in ${SECONDS_TAKEN}s; server peak RSS ${BEFORE_KB} kB before, ${AFTER_KB} kB after"
  printf '{"upload_gb": %s, "status": %s, "seconds": %s, "peak_rss_kb_before": %s, "peak_rss_kb_after": %s}\n' \
    "$UPLOAD_GB" "$STATUS" "$SECONDS_TAKEN" "$BEFORE_KB" "$AFTER_KB" >"$OUT/upload.json"
  rm -f "$BIG"
fi
[ "$ERRORS" -eq 0 ]
