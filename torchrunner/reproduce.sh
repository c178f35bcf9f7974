#!/usr/bin/env bash
# Reproduces the paper's throughput experiment and its memory per image with RevBench's PyTorch twins, rows in
# bench's CSV schema, then prints a summary (`swift run bench table results/gpu/*.csv` makes the README's tables).
#
#   --device cuda (default): memory per image (batch slope) for vit_small d12, vit_large d24 and mvit_base_16 with
#       their reversible twins, vit_large also with fused attention (F.scaled_dot_product_attention); then ViT-B at
#       depths 12, 24, 48 under a 16 GiB budget, all three variants, fp32 with TF32 off; then the same budget with
#       fused attention while half the time remains, and depth 96 while a third remains. Within --time-limit seconds
#       (default 480: 8 minutes on an H100).
#   --device cpu: the same experiments on the tiny presets with an injected 40 MiB budget, in under a minute
#       (how it is tested without a GPU).
#
# Usage: torchrunner/reproduce.sh [--device cuda|cpu] [--out DIR] [--time-limit SECONDS]
# Python: $REVBENCH_PYTHON, else torchrunner/.venv/bin/python when present, else python3 (needs torch).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
device=cuda; out=""; limit=480
while [ $# -gt 0 ]; do
    case "$1" in
        --device) device=$2; shift 2;; --out) out=$2; shift 2;; --time-limit) limit=$2; shift 2;;
        -h|--help) sed -n '2,14p' "$0"; exit 0;;
        *) echo "reproduce.sh: unknown option $1 (see --help)" >&2; exit 64;;
    esac
done
case "$device" in cuda|cpu) ;; *) echo "reproduce.sh: --device must be cuda or cpu, got '$device'" >&2; exit 64;; esac
out="${out:-$root/results/gpu}"
[ "$device" = cpu ] && [ "$out" = "$root/results/gpu" ] && out="$root/results/gpu-cpu-check"
python="${REVBENCH_PYTHON:-}"
if [ -z "$python" ]; then
    if [ -x "$here/.venv/bin/python" ]; then python="$here/.venv/bin/python"; else python=python3; fi
fi
mkdir -p "$out"
start=$(date +%s)
left() { echo $(( limit - ($(date +%s) - start) )); }
runner() { (cd "$here" && "$python" -m revbench_torch "$@" --device "$device" --time-limit "$(left)"); }

if [ "$device" = cuda ]; then
    "$python" -c 'import torch; assert torch.cuda.is_available(), "no CUDA device"; print("torch", torch.__version__, "on", torch.cuda.get_device_name())'
    runner run --model vit_small_patch16_224 --batch 8,16 --steps 3 --output "$out/memory.csv"
    runner run --model vit_large_patch16_224 --batch 2,4 --steps 3 --output "$out/memory.csv"
    runner run --model mvit_base_16 --batch 2,4 --variants standard,reversible --steps 3 --output "$out/memory.csv"
    runner run --model vit_large_patch16_224 --batch 2,4 --steps 3 --attention fused --output "$out/memory.csv"
    runner budget --models vit_base_patch16_224 --depths 12,24,48 --memory 16GiB --steps 3 --output "$out/budget_vit_base_16GiB.csv"
    # The paper's throughput argument with today's attention (the standard model's memory shrinks, its batch grows).
    if [ "$(left)" -gt $(( limit / 2 )) ]; then
        runner budget --models vit_base_patch16_224 --depths 12,24,48 --memory 16GiB --steps 3 --attention fused \
            --output "$out/budget_vit_base_16GiB_fused.csv"
    else
        echo "reproduce.sh: skipping the fused-attention budget ($(left) s left of $limit)" >&2
    fi
    # Depth 96 only with a third of the time still left: its reversible and checkpointed steps are the slowest.
    if [ "$(left)" -gt $(( limit / 3 )) ]; then
        runner budget --models vit_base_patch16_224 --depths 96 --memory 16GiB --steps 3 --output "$out/budget_vit_base_16GiB.csv"
    else
        echo "reproduce.sh: skipping depth 96 ($(left) s left of $limit)" >&2
    fi
else
    runner run --model vit_tiny_test --batch 2,4 --steps 2 --threads 1 --output "$out/memory.csv"
    runner run --model mvit_tiny_test --batch 2,4 --variants standard,reversible --steps 2 --threads 1 --output "$out/memory.csv"
    runner budget --models vit_tiny_test --depths 4,8,16 --memory 40MiB --steps 3 --threads 1 --output "$out/budget_vit_tiny_40MiB.csv"
    runner budget --models vit_tiny_test --depths 4 --memory 40MiB --steps 3 --threads 1 --attention fused \
        --output "$out/budget_vit_tiny_40MiB_fused.csv"
fi
(cd "$here" && "$python" -m revbench_torch table "$out"/*.csv)
echo "reproduce.sh: $(( $(date +%s) - start )) s; rows in $out" >&2
