#!/usr/bin/env bash
# Installs what Video-OpusClip needs to build, test and run, when it is missing: FFmpeg (CLI and
# dev libraries), clang (bindgen), cmake (whisper.cpp), pkg-config, espeak-ng (sample talks),
# tesseract (caption OCR tests), a caption font, and a Rust toolchain. Idempotent and quick when
# everything is present.
set -euo pipefail

PACKAGES=(ffmpeg libavcodec-dev libavformat-dev libavutil-dev libavfilter-dev libavdevice-dev
  libswscale-dev libswresample-dev pkg-config clang libclang-dev cmake espeak-ng
  tesseract-ocr tesseract-ocr-eng fonts-dejavu-core)

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
