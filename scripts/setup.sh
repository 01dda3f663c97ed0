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
