#!/usr/bin/env bash
# System packages the project needs on Debian/Ubuntu, besides Python itself:
#   chromium        headless browser for the report test (tests/test_report_browser.py)
#   fonts-noto-cjk  Chinese font for matplotlib/seaborn figures and the HTML report
# Idempotent: installs only what is missing. Run as root, or as a user with sudo.
set -euo pipefail

packages=(chromium fonts-noto-cjk)
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup-system: already installed: ${packages[*]}"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "setup-system: run as root or install sudo; missing: ${missing[*]}" >&2
    exit 1
fi

echo "setup-system: installing ${missing[*]}"
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
