#!/usr/bin/env bash
# Make sure Debian's Chromium is on the machine for the browser tests (Playwright drives it; Playwright's own
# browser download is not used), with a Chinese font so the screenshots under tests/artifacts/ are readable.
# Idempotent: does nothing when both are already installed.
set -euo pipefail
packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || packages+=(fonts-wqy-microhei)
if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "installing ${packages[*]} for the browser tests" >&2
$sudo apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null \
  || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null; }
command -v chromium >/dev/null
