#!/usr/bin/env bash
# README's test command: the Swift package's tests (swift test), then the PyTorch runner's (pytest in
# torchrunner/.venv, created on first use with the pinned torch; no GPU needed, its CUDA paths run under a fake
# CUDA). Installs the system libraries first when they are missing. Works from any folder.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift test
python=$(bash torchrunner/setup-venv.sh)
"$python" -m pytest -q -p no:cacheprovider torchrunner/tests
