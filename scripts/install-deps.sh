#!/usr/bin/env bash
# Installs RevBench's system libraries (OpenBLAS and jemalloc development packages) with apt, only when missing.
# Idempotent: a second run installs nothing and exits 0. Exits 1 with a message when it cannot install.
set -euo pipefail

packages=(libopenblas-dev libjemalloc-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: ${packages[*]} already installed"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: missing ${missing[*]}, and apt-get is not available on this system." >&2
    echo "install-deps: install OpenBLAS (with cblas.h and an 'openblas' pkg-config file) and jemalloc by hand." >&2
    exit 1
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo_cmd=(sudo)
    else
        echo "install-deps: missing ${missing[*]}; installing needs root. Run: sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi

echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
echo "install-deps: done"
