#!/usr/bin/env bash
# Reproduces the paper's throughput experiment and its memory per image with RevBench's PyTorch twins, rows in
# bench's CSV schema, then prints a summary (`swift run bench table DIR/*.csv` makes the README's tables).
#
#   --device cuda (default), --scale paper (default): within --time-limit seconds (default 420), in this order, each
#       phase only while time is left:
#       1. ViT-B at depths 12, 24, 48 under a 16 GiB budget (fp32, TF32 off): max batch and img/s, standard and
#          reversible first (the paper's comparison), then checkpointed;
#       2. memory per image (the slope between two batches): vit_small d12, vit_large d24, mvit_base_16 and their
#          reversible twins, vit_large also with fused attention (F.scaled_dot_product_attention);
#       3. ViT-B depth 96 under the same budget, then the 16 GiB budget with fused attention at depths 12, 24, 48.
#   --scale tiny: the same phases on the tiny presets with a 24 MiB budget (16 MiB on the CPU): how the CUDA branch
#       is tested on CPU under a fake CUDA. Not for a real GPU, whose cuBLAS workspace alone (32 MiB per handle on
#       Hopper) is more than that budget.
#   --device cpu: the tiny phases on the CPU, memory from jemalloc (a rehearsal of about a minute).
# Rows, the log (reproduce.log: nvidia-smi, the python, and each phase's torch, CUDA and device) and the summary go to
# --out DIR and nowhere else; DIR is relative to the current folder, must hold no .csv yet (a summary must not mix
# runs), and defaults to results/gpu (results/gpu-cpu-check for --device cpu) in the repository. A failing phase is
# reported and the next one runs; the exit status is 1 when any phase failed. $REVBENCH_GIT_SHA names the commit on
# rows where the tree has no .git (a copy on a lent machine).
#
# Usage: torchrunner/reproduce.sh [--device cuda|cpu] [--scale paper|tiny] [--out DIR] [--time-limit SECONDS]
# Python: $REVBENCH_PYTHON, else torchrunner/.venv/bin/python when present, else python3 (needs torch).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
device=cuda; scale=""; out=""; limit=420
die() { echo "reproduce.sh: $*" >&2; exit 64; }
while [ $# -gt 0 ]; do
    case "$1" in
        --device|--scale|--out|--time-limit) [ $# -ge 2 ] || die "$1 needs a value (see --help)";;&
        --device) device=$2; shift 2;; --scale) scale=$2; shift 2;; --out) out=$2; shift 2;;
        --time-limit) limit=$2; shift 2;;
        -h|--help) sed -n '2,/^# Python:/p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
        *) die "unknown option $1 (see --help)";;
    esac
done
case "$device" in cuda|cpu) ;; *) die "--device must be cuda or cpu, got '$device'";; esac
[ -n "$scale" ] || { [ "$device" = cpu ] && scale=tiny || scale=paper; }
case "$scale" in paper|tiny) ;; *) die "--scale must be paper or tiny, got '$scale'";; esac
[ "$device" = cpu ] && [ "$scale" = paper ] && die "--device cpu runs --scale tiny only (the paper's models need a GPU)"
case "$limit" in ''|*[!0-9]*) die "--time-limit must be a positive whole number of seconds, got '$limit'";; esac
[ "${#limit}" -le 6 ] && [ $((10#$limit)) -gt 0 ] || die "--time-limit must be a positive whole number of seconds up to 999999, got '$limit'"
limit=$((10#$limit))
if [ -z "$out" ]; then
    if [ "$device" = cpu ]; then out="$root/results/gpu-cpu-check"; else out="$root/results/gpu"; fi
fi
[ -e "$out" ] && [ ! -d "$out" ] && die "--out $out exists and is not a folder"
compgen -G "$out/*.csv" >/dev/null && die "--out $out already holds rows (*.csv); name a new folder, so that the summary is of one run"
mkdir -p "$out" || die "cannot create --out $out"
out="$(cd "$out" && pwd)"
python="${REVBENCH_PYTHON:-}"
if [ -z "$python" ]; then
    if [ -x "$here/.venv/bin/python" ]; then python="$here/.venv/bin/python"; else python=python3; fi
fi
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
log="$out/reproduce.log"
exec 3>&2 2> >(tee -a "$log" >&3)
tee_pid=$!
# The log is whole when the script ends: stderr closed, then tee waited for.
trap 'exec 2>&3; wait "$tee_pid" 2>/dev/null || true' EXIT

start=$(date +%s)
left() { echo $(( limit - ($(date +%s) - start) )); }
reserve=10          # seconds kept for the summary at the end
failed=(); ran=0
# phase NAME MIN_SECONDS ARGS...: runs the runner with a hard deadline of what is left (less the reserve) when at
# least MIN_SECONDS are left, else says it skipped; a failure is noted and the script goes on.
phase() {
    local name=$1 need=$2; shift 2
    local budget=$(( $(left) - reserve ))
    if [ "$budget" -lt "$need" ]; then
        echo "reproduce.sh: skipping $name ($budget s left, it needs about $need)" >&2
        return 0
    fi
    echo "reproduce.sh: $name ($budget s left)" >&2
    ran=$((ran + 1))
    if ! "$python" -m revbench_torch "$@" --device "$device" --time-limit "$budget"; then
        echo "reproduce.sh: $name failed; going on" >&2
        failed+=("$name")
    fi
}

{
    echo "reproduce.sh --device $device --scale $scale --time-limit $limit, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "git ${REVBENCH_GIT_SHA:-$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)}"
    echo "python $python: $("$python" -V 2>&1)"
    if [ "$device" = cuda ] && command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi || true; fi
} >&2
# Every runner invocation logs its torch, CUDA and device; on CUDA, check first that there is a device at all.
if [ "$device" = cuda ]; then
    "$python" -c '
import sys, torch
if not torch.cuda.is_available():
    sys.exit(f"reproduce.sh: --device cuda: torch {torch.__version__} sees no CUDA device; use --device cpu")
' || exit 1
fi

if [ "$scale" = paper ]; then
    vit=vit_base_patch16_224; memory=16GiB; tag=vit_base_16GiB; depths=12,24,48; deep=96; fused_depths=$depths
    memory_runs=("vit_small_patch16_224 8,16" "vit_large_patch16_224 2,4" "mvit_base_16 2,4")
    fused_run="vit_large_patch16_224 2,4"; steps=3
else
    vit=vit_tiny_test; memory=24MiB; tag=vit_tiny_24MiB; depths=2,4; deep=8; fused_depths=2
    # A CUDA allocator serves 1-10 MiB requests from 20 MiB segments, so 24 MiB is about the least a tiny budget can
    # be on a GPU; jemalloc has no such floor, and a smaller budget keeps the CPU rehearsal short.
    [ "$device" = cpu ] && { memory=16MiB; tag=vit_tiny_16MiB; }
    memory_runs=("vit_tiny_test 2,4" "mvit_tiny_test 2,4")
    fused_run="vit_tiny_test 2,4"; steps=2
fi
threads=(); [ "$device" = cpu ] && threads=(--threads 1)

# 1. The paper's throughput experiment: standard and reversible at every depth first, then checkpointed. No warm-up
#    step: the search's probes have run the model at the batch just before (the median of the timed steps takes care
#    of a first slow one).
phase "budget $memory" 30 budget --models "$vit" --depths "$depths" --memory "$memory" --steps "$steps" --warmup 0 \
    --variants standard,reversible "${threads[@]}" --output "$out/budget_$tag.csv"
phase "budget $memory checkpointed" 30 budget --models "$vit" --depths "$depths" --memory "$memory" --steps "$steps" \
    --warmup 0 --variants checkpointed "${threads[@]}" --output "$out/budget_$tag.csv"
# 2. Memory per image, as the slope between two batches.
for entry in "${memory_runs[@]}"; do
    set -- $entry
    variants=standard,reversible,checkpointed
    case "$1" in mvit*) variants=standard,reversible;; esac
    phase "memory $1" 20 run --model "$1" --batch "$2" --variants "$variants" --steps "$steps" "${threads[@]}" \
        --output "$out/memory.csv"
done
set -- $fused_run
phase "memory $1 fused" 20 run --model "$1" --batch "$2" --steps "$steps" --attention fused "${threads[@]}" \
    --output "$out/memory.csv"
# 3. Deeper, and with today's attention (the standard model's memory shrinks, its batch grows).
phase "budget $memory depth $deep" 60 budget --models "$vit" --depths "$deep" --memory "$memory" --steps "$steps" \
    --warmup 0 "${threads[@]}" --output "$out/budget_$tag.csv"
phase "budget $memory fused" 60 budget --models "$vit" --depths "$fused_depths" --memory "$memory" --steps "$steps" \
    --warmup 0 --attention fused "${threads[@]}" --output "$out/budget_${tag}_fused.csv"

csvs=("$out"/*.csv)
if [ -e "${csvs[0]}" ]; then
    "$python" -m revbench_torch table "${csvs[@]}" | tee "$out/summary.txt"
fi
echo "reproduce.sh: $(( $(date +%s) - start )) s of $limit; rows in $out" >&2
if [ "$ran" -eq 0 ]; then
    echo "reproduce.sh: nothing was measured: --time-limit $limit leaves no phase the time it needs" >&2
    exit 1
fi
if [ ${#failed[@]} -gt 0 ]; then
    echo "reproduce.sh: failed phases: ${failed[*]}" >&2
    exit 1
fi
