#!/usr/bin/env bash
# Install Debian's pango when it is missing: WeasyPrint renders the committee pack's PDF with
# it (GET /api/v1/initiatives/{id}/gate-pack). Installing needs root (CI runs as root); without
# root it only says what to install, and the pack stays available as HTML (format=html).
set -euo pipefail

LIBS=(libpango-1.0-0 libpangoft2-1.0-0)

have() {
    { ldconfig -p 2>/dev/null || /sbin/ldconfig -p; } | grep -q "$1"
}

if have 'libpango-1.0.so.0' && have 'libpangoft2-1.0.so.0'; then
    exit 0
fi
if [[ "$(id -u)" -ne 0 ]]; then
    echo "warning: pango is missing, so the committee pack's PDF cannot be rendered;" >&2
    echo "         as root: apt-get install -y ${LIBS[*]}" >&2
    exit 0
fi
echo "installing pango (for the committee pack's PDF) from the Debian archive..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${LIBS[@]}"
