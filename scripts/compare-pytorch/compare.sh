#!/usr/bin/env bash
# Runs RevBench and PyTorch eager alternately (A B A B, a fresh process each) on the same configuration and prints
# images/s of each, the ratio, and each engine's reversible/standard images/s. Every round runs every variant (and
# every attention core of --attention: math is explicit attention in both, fused is RevBench's fused core against
# F.scaled_dot_product_attention), so slow drifts of the machine fall on all of them alike. Installs torch (CPU use only) into
# scripts/compare-pytorch/.venv when missing. Optional for users; the product and its tests never need Python.
#
# Usage: scripts/compare-pytorch/compare.sh [--variants standard,reversible] [--depth 12] [--batch 8]
#        [--rounds 2] [--steps 3] [--threads N] [--attention math|fused|math,fused]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
variants=standard,reversible; depth=12; batch=8; rounds=2; steps=3; threads=$(nproc); attention=math
while [ $# -gt 0 ]; do
    case "$1" in
        --variants) variants=$2; shift 2;; --depth) depth=$2; shift 2;; --batch) batch=$2; shift 2;;
        --rounds) rounds=$2; shift 2;; --steps) steps=$2; shift 2;; --threads) threads=$2; shift 2;;
        --attention) attention=$2; shift 2;;
        -h|--help) sed -n '2,10p' "$0"; exit 0;;
        *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2;;
    esac
done
IFS=, read -ra cores <<< "$attention"
for a in "${cores[@]}"; do
    case "$a" in math|fused) ;; *) echo "compare.sh: --attention $a is not math or fused" >&2; exit 2;; esac
done

venv="${REVBENCH_TORCH_VENV:-$here/.venv}"
if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
    echo "compare.sh: installing torch into $venv (a few minutes, several GB)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r "$root/torchrunner/requirements.txt" numpy   # numpy only silences a torch warning
fi
# RevBench's engine uses OpenBLAS: give it its AVX-512 kernels where the CPU has them (some machine images force
# OPENBLAS_CORETYPE=Haswell). PyTorch uses its own GEMM library and is unaffected by this variable.
if grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX; fi
(cd "$root" && swift build -c release --product bench >/dev/null)
bench="$root/.build/release/bench"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

echo "vit_small_patch16_224 depth $depth, batch $batch, 224x224, $threads threads, $steps timed steps, $rounds rounds"
echo "each round runs every variant, RevBench then PyTorch, each in a fresh process (A B A B)"
echo "$("$venv/bin/python" -W ignore -c 'import torch; print("torch", torch.__version__)'), $("$bench" --version | sed 's/^/RevBench /'), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto}"
printf "%-13s %-9s %-6s %12s %12s %8s\n" variant attention round revbench_ips pytorch_ips ratio
IFS=, read -ra vs <<< "$variants"
results="$tmp/results.txt"; : > "$results"
for r in $(seq 1 "$rounds"); do
    for a in "${cores[@]}"; do
        for v in "${vs[@]}"; do
            "$bench" --variants "$v" --depth "$depth" --batch "$batch" --steps "$steps" --threads "$threads" \
                --attention "$a" --output "$tmp/rb.csv" --quiet >/dev/null
            read -r rb gmacs < <(python3 -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1])))[-1]
print(r['images_per_s'], r['gmacs_per_image'])" "$tmp/rb.csv")
            pt=$("$venv/bin/python" "$here/torch_step.py" --variant "$v" --depth "$depth" --batch "$batch" --steps "$steps" \
                --threads "$threads" --attention "$a" | python3 -c "import json,sys; print(json.load(sys.stdin)['images_per_s'])")
            printf "%-13s %-9s %-6s %12.3f %12.3f %7.2fx\n" "$v" "$a" "$r" "$rb" "$pt" "$(python3 -c "print($rb/$pt)")"
            echo "$v $a $rb $pt $gmacs" >> "$results"
        done
    done
done
# Medians per variant; then each engine's own variant/standard ratio. The reversible model recomputes every block
# in its backward: forward + recompute + backward = 4 forward-equivalents against the standard model's 3, so at
# equal kernel efficiency its images/s is 3 x standard MACs / (4 x reversible MACs) of the standard model's.
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {}
gmacs = {r[0]: float(r[4]) for r in rows}
for key in dict.fromkeys((r[0], r[1]) for r in rows):
    rb = statistics.median(float(r[2]) for r in rows if (r[0], r[1]) == key)
    pt = statistics.median(float(r[3]) for r in rows if (r[0], r[1]) == key)
    med[key] = (rb, pt)
    print(f"{key[0]:<13} {key[1]:<9} median {rb:12.3f} {pt:12.3f} {rb / pt:7.2f}x")
for (v, a), (rb, pt) in med.items():
    if v != "standard" and ("standard", a) in med:
        bound = 3 * gmacs["standard"] / (4 * gmacs[v])
        s_rb, s_pt = med[("standard", a)]
        print(f"{v}/standard images/s ({a}): RevBench {rb / s_rb:.3f}, PyTorch {pt / s_pt:.3f}, compute bound {bound:.3f}")
for v in dict.fromkeys(r[0] for r in rows):
    if (v, "math") in med and (v, "fused") in med:
        (m_rb, m_pt), (f_rb, f_pt) = med[(v, "math")], med[(v, "fused")]
        print(f"{v} fused/math images/s: RevBench {f_rb / m_rb:.3f}, PyTorch {f_pt / m_pt:.3f}")
PY
