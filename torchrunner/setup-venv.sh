#!/usr/bin/env bash
# Creates (or reuses) torchrunner/.venv with the runner's pinned torch and pytest (requirements.txt): what the
# runner's tests need on a machine without a GPU. Prints the venv's python on stdout; progress on stderr.
# A fresh install downloads about 5 GB (torch with its CUDA libraries) and took 2 min 37 s on a project machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
want=$(sed -n 's/^torch==//p' "$here/requirements.txt")
if [ -x "$venv/bin/python" ] && "$venv/bin/python" - "$want" >/dev/null 2>&1 <<'PY'
import sys, pytest, torch
sys.exit(0 if torch.__version__.split("+")[0] == sys.argv[1] else 1)
PY
then
    echo "setup-venv: $venv already has torch $want and pytest" >&2
else
    command -v python3 >/dev/null || { echo "setup-venv: python3 is needed to create $venv" >&2; exit 1; }
    echo "setup-venv: installing torch $want and pytest into $venv (about 5 GB, a few minutes)" >&2
    start=$(date +%s)
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
    echo "setup-venv: done in $(( $(date +%s) - start )) s" >&2
fi
echo "$venv/bin/python"
