#!/usr/bin/env bash
# Install Debian's chromium (used by the Playwright end-to-end tests) when it is missing,
# then print its version. Needs root to install; safe to run again.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ ! -x "$CHROMIUM" ]]; then
    if [[ "$(id -u)" -ne 0 ]]; then
        echo "error: $CHROMIUM is missing and installing it needs root." >&2
        echo "       run as root, or: sudo apt-get install -y chromium" >&2
        exit 1
    fi
    echo "installing chromium from the Debian archive..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation
fi

"$CHROMIUM" --version
