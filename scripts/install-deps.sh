#!/usr/bin/env bash
# Installs what building and testing Matchcut needs on Debian/Ubuntu, skipping
# what is already there. Safe to run again.
set -euo pipefail

APT_PACKAGES=(
  # build
  build-essential pkg-config clang libclang-dev python3 python3-venv python3-pip
  # FFmpeg (decoding) and its CLI (fixtures, reference frames, benchmarks)
  ffmpeg libavcodec-dev libavformat-dev libavutil-dev libswscale-dev
  libswresample-dev libavfilter-dev libavdevice-dev
  # Tauri on Linux: WebKitGTK and friends
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libsoup-3.0-dev
  libjavascriptcoregtk-4.1-dev libssl-dev
  # the app under test: X server, WebDriver, software Vulkan (lavapipe)
  xvfb xauth webkit2gtk-driver mesa-vulkan-drivers
  # the window plays cuts (H.264 + AAC in MP4) through WebKitGTK's GStreamer
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav
  # files dragged onto the window as a file manager does (XDND under Xvfb):
  # a GTK drag source, the pointer moved by XTest
  python3-gi gir1.2-gtk-3.0 xdotool
  # decisions from machines whose clocks disagree (tests run them under faketime)
  faketime
  # peak memory of a run (tests/memory.rs): GNU time
  time
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

for tool in cargo node npm; do
  command -v "$tool" >/dev/null || { echo "error: $tool is required (Rust via rustup, Node.js 20+)" >&2; exit 1; }
done
