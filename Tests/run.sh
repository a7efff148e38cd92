#!/usr/bin/env bash
# The project's test command: installs what the tests need, then runs every test suite.
# Usage: bash Tests/run.sh   (from anywhere; run as root or with sudo available to install packages)
set -euo pipefail
cd "$(dirname "$0")/.."

# System libraries: GMP is the big-integer engine; OpenSSL backs digests. pkg-config finds them.
missing=()
for package in libgmp-dev libssl-dev pkg-config; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

# Release build: the arithmetic-heavy property tests run ~100x faster than in debug.
swift test -c release
