#!/bin/sh
# Install Debian's headless Chromium for the worklist report screenshot test
# (tests/worklists/test_report_screenshot.py).  Nothing is downloaded outside apt: the test
# runs `chromium --headless` on a local file with networking features switched off.
#
# Usage: sh .ci/install-chromium.sh   (as root, or with sudo available)
set -eu

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

if command -v chromium >/dev/null 2>&1; then
    echo "install-chromium: $(chromium --version 2>/dev/null | head -n 1) already installed"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# fonts-dejavu-core: text in the screenshot needs at least one font.
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "install-chromium: $(chromium --version 2>/dev/null | head -n 1)"
