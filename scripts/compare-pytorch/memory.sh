#!/usr/bin/env bash
# Memory per image, RevBench against PyTorch eager, side by side on this machine: the same models, batches and
# variants, both counting requested tensor bytes of the training step above what was allocated before it (RevBench's
# ledger; PyTorch's allocation events from torch.profiler, one extra profiled step after the timed ones). Explicit
# attention in both (--attention math, default), or the fused core against F.scaled_dot_product_attention (fused).
# Prints one line per configuration and the difference; the rows stay in the output folder.
#
# Usage: scripts/compare-pytorch/memory.sh [--out DIR] [--threads N] [--attention math|fused]
#   models: vit_small_patch16_224 (depth 12), vit_large_patch16_224 (depth 24), mvit_base_16; batches 1,2
# Python: $REVBENCH_PYTHON, else torchrunner/.venv/bin/python when present, else python3 (needs torch).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out=""; threads=$(nproc); attention=math
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=$2; shift 2;; --threads) threads=$2; shift 2;;
        --attention) attention=$2; shift 2
            case "$attention" in math|fused) ;; *) echo "memory.sh: --attention $attention is not math or fused" >&2; exit 64;; esac;;
        -h|--help) sed -n '2,11p' "$0"; exit 0;;
        *) echo "memory.sh: unknown option $1 (see --help)" >&2; exit 64;;
    esac
done
out="${out:-$(mktemp -d)}"
mkdir -p "$out"
python="${REVBENCH_PYTHON:-}"
if [ -z "$python" ]; then
    if [ -x "$root/torchrunner/.venv/bin/python" ]; then python="$root/torchrunner/.venv/bin/python"; else python=python3; fi
fi
(cd "$root" && swift build --product bench >/dev/null)
bench="$root/.build/debug/bench"   # ledger bytes do not depend on the build configuration
for model in vit_small_patch16_224 vit_large_patch16_224 mvit_base_16; do
    variants=standard,reversible,checkpointed
    echo "memory.sh: $model" >&2
    "$bench" --model "$model" --batch 1,2 --steps 1 --warmup 1 --threads "$threads" --variants "$variants" \
        --attention "$attention" --output "$out/revbench.csv" --quiet > /dev/null
    (cd "$root/torchrunner" && "$python" -m revbench_torch run --device cpu --model "$model" --batch 1,2 --steps 1 \
        --warmup 1 --threads "$threads" --variants "$variants" --attention "$attention" --memory-counter profiler --output "$out/pytorch.csv" 2>/dev/null)
done
"$python" - "$out/revbench.csv" "$out/pytorch.csv" <<'PY'
import csv, sys
def rows(path):
    return {(r["model"], r["variant"], r["batch"]): r for r in csv.DictReader(open(path)) if not r["error"]}
rb, pt = rows(sys.argv[1]), rows(sys.argv[2])
print(f"{'model':<24} {'variant':<13} {'batch':>5} {'RevBench MiB/img':>17} {'PyTorch MiB/img':>16} {'difference':>11}")
for key in rb:
    if key in pt:
        a, b = int(rb[key]["bytes_per_image"]) / 2**20, int(pt[key]["bytes_per_image"]) / 2**20
        print(f"{key[0]:<24} {key[1]:<13} {key[2]:>5} {a:17.2f} {b:16.2f} {100 * (a / b - 1):+10.2f}%")
PY
echo "memory.sh: rows in $out" >&2
