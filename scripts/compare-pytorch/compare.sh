#!/usr/bin/env bash
# Runs RevBench and PyTorch eager alternately (A B A B, a fresh process each) on the same configuration and prints
# images/s of each and the ratio. Installs torch (CPU use only) into scripts/compare-pytorch/.venv when missing.
# Optional for users; the product and its tests never need Python.
#
# Usage: scripts/compare-pytorch/compare.sh [--variants standard,reversible] [--depth 12] [--batch 8]
#        [--rounds 2] [--steps 3] [--threads N]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
variants=standard,reversible; depth=12; batch=8; rounds=2; steps=3; threads=$(nproc)
while [ $# -gt 0 ]; do
    case "$1" in
        --variants) variants=$2; shift 2;; --depth) depth=$2; shift 2;; --batch) batch=$2; shift 2;;
        --rounds) rounds=$2; shift 2;; --steps) steps=$2; shift 2;; --threads) threads=$2; shift 2;;
        -h|--help) sed -n '2,8p' "$0"; exit 0;;
        *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2;;
    esac
done

venv="${REVBENCH_TORCH_VENV:-$here/.venv}"
if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
    echo "compare.sh: installing torch into $venv (a few minutes, several GB)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q torch
fi
# RevBench's engine uses OpenBLAS: give it its AVX-512 kernels where the CPU has them (some machine images force
# OPENBLAS_CORETYPE=Haswell). PyTorch uses its own GEMM library and is unaffected by this variable.
if grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX; fi
(cd "$root" && swift build -c release --product bench >/dev/null)
bench="$root/.build/release/bench"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

echo "vit_small_patch16_224 depth $depth, batch $batch, 224x224, $threads threads, $steps timed steps, $rounds rounds (A B A B)"
echo "$("$venv/bin/python" -c 'import torch; print("torch", torch.__version__)'), $("$bench" --version | sed 's/^/RevBench /'), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto}"
printf "%-13s %-6s %12s %12s %8s\n" variant round revbench_ips pytorch_ips ratio
IFS=, read -ra vs <<< "$variants"
for v in "${vs[@]}"; do
    rb_all=(); pt_all=()
    for r in $(seq 1 "$rounds"); do
        "$bench" --variants "$v" --depth "$depth" --batch "$batch" --steps "$steps" --threads "$threads" \
            --output "$tmp/rb.csv" --quiet >/dev/null
        rb=$(python3 -c "import csv,sys; print(list(csv.DictReader(open(sys.argv[1])))[-1]['images_per_s'])" "$tmp/rb.csv")
        pt=$("$venv/bin/python" "$here/torch_step.py" --variant "$v" --depth "$depth" --batch "$batch" --steps "$steps" \
            --threads "$threads" | python3 -c "import json,sys; print(json.load(sys.stdin)['images_per_s'])")
        printf "%-13s %-6s %12.3f %12.3f %7.2fx\n" "$v" "$r" "$rb" "$pt" "$(python3 -c "print($rb/$pt)")"
        rb_all+=("$rb"); pt_all+=("$pt")
    done
    python3 - "$v" "${rb_all[*]}" "${pt_all[*]}" <<'PY'
import statistics, sys
v, rb, pt = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
print(f"{v:<13} median {statistics.median(rb):12.3f} {statistics.median(pt):12.3f} {statistics.median(rb)/statistics.median(pt):7.2f}x")
PY
done
