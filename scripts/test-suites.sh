#!/usr/bin/env bash
# The test suites that need something outside the repository, as `make test` sees them.
#   test-suites.sh check    exit 0 when every outside service the tests use answers (PostgreSQL's
#                           `test` database, Redis, moto_server, chromium + chromedriver,
#                           OpenTimelineIO's readers): `make
#                           test` then sets OPUSCLIP_REQUIRE_SERVICES=1, so a suite that would
#                           skip fails instead.
#   test-suites.sh summary  after the tests passed: which suites ran. Under
#                           OPUSCLIP_REQUIRE_SERVICES=1 a service suite that passed did run (it
#                           would have failed otherwise); without it, "ran" means the service
#                           answers now and "skipped" that it does not. Shared media suites run
#                           when ../shared is beside the clone, and skip otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."

PG_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
REDIS_URL_FOR_TESTS="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
REDIS_ADDRESS="${REDIS_URL_FOR_TESTS#redis://}"
REDIS_HOST="${REDIS_ADDRESS%%:*}"
REDIS_PORT="${REDIS_ADDRESS##*:}"
REDIS_PORT="${REDIS_PORT%%/*}"

postgresql() { command -v psql >/dev/null 2>&1 && PGCONNECT_TIMEOUT=3 psql "$PG_URL" -w -tAc 'SELECT 1' >/dev/null 2>&1; }
redis() { command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }
moto() { command -v moto_server >/dev/null 2>&1; }
chromium() { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; }
otio() { python3 -c "import opentimelineio, otio_fcp_adapter, otio_fcpx_xml_adapter, otio_cmx3600_adapter" >/dev/null 2>&1; }

SERVICES=(postgresql redis moto chromium otio)
declare -A LABEL=(
  [postgresql]="postgresql (${PG_URL#postgres://})"
  [redis]="redis ($REDIS_HOST:$REDIS_PORT)"
  [moto]="s3 (moto_server)"
  [chromium]="web page (chromium)"
  [otio]="export readers (OpenTimelineIO)"
)

case "${1:-summary}" in
  check)
    missing=()
    for service in "${SERVICES[@]}"; do "$service" || missing+=("${LABEL[$service]}"); done
    if [ ${#missing[@]} -gt 0 ]; then
      echo "make test: not available: ${missing[*]} — those suites will skip (OPUSCLIP_REQUIRE_SERVICES stays off)" >&2
      exit 1
    fi
    ;;
  summary)
    required="${OPUSCLIP_REQUIRE_SERVICES:-0}"
    lines=("unit, sqlite, local storage, ffmpeg media: ran")
    for service in "${SERVICES[@]}"; do
      if [ "$required" = "1" ]; then
        lines+=("${LABEL[$service]}: ran (required)")
      elif "$service"; then
        lines+=("${LABEL[$service]}: ran (answers; not enforced)")
      else
        lines+=("${LABEL[$service]}: skipped (not available)")
      fi
    done
    for shared in ../shared/media ../shared/highlights; do
      if [ -d "$shared" ]; then lines+=("$shared: ran"); else lines+=("$shared: skipped (not beside the clone)"); fi
    done
    echo "make test: suites"
    printf '  %s\n' "${lines[@]}"
    ;;
  *)
    echo "usage: $0 check|summary" >&2
    exit 2
    ;;
esac
