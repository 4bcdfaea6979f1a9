#!/usr/bin/env bash
# System packages the live-source tests use: a GStreamer RTSP server to stream from, and a
# virtual X display (Xvfb) with xwd and xdotool to look at and drive the overlay window, and
# Debian's chromium, which Playwright drives for the browser tests (no browser download).
set -euo pipefail
packages=(
  gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 python3-gi
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  xvfb x11-apps xdotool
  chromium
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# Another apt (an unattended upgrade, a parallel set-up) holds the dpkg lock for a while:
# wait for it instead of failing at once.
apt=($sudo apt-get -o DPkg::Lock::Timeout=300)
"${apt[@]}" install -y -q "${missing[@]}" >/dev/null 2>&1 || {
  "${apt[@]}" update -q >/dev/null
  "${apt[@]}" install -y -q "${missing[@]}" >/dev/null
}
echo "installed: ${missing[*]}"
