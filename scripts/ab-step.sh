#!/usr/bin/env bash
# Alternating A/B of two bench builds on one training-step configuration (issue 28): each round runs both binaries,
# one fresh `bench run --rounds 1` each, in alternating order (A B, B A, ...), so a drift of the machine hits both.
# Prints every round's images/s, gflops_per_s, sgemm_gflops (the parent's SGEMM reference, measured in each run)
# and the share gflops / sgemm per variant, then per build and variant the median and min-max of images/s and of
# the share, and the median images/s of B over A. Meant for a quiet machine: timings of a busy one say little.
#
#   scripts/ab-step.sh BEFORE_BENCH AFTER_BENCH [ROUNDS]
#   e.g. git worktree add /tmp/main main && (cd /tmp/main && swift build -c release)
#        swift build -c release && scripts/ab-step.sh /tmp/main/.build/release/bench .build/release/bench 6
#
# Environment: MODEL (vit_small_patch16_224), DEPTH (12), BATCH (8), VARIANTS (standard,reversible), STEPS (5),
# WARMUP (1), THREADS (all cores), OUT (a temporary folder, kept: a.csv and b.csv hold every row). Whatever
# OPENBLAS_CORETYPE the caller sets reaches both builds unchanged (e.g. OPENBLAS_CORETYPE=SkylakeX on an AVX-512
# host whose image sets Haswell).
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,15p' "$0"; exit 64; }
a=$1; b=$2; rounds=${3:-5}
for bin in "$a" "$b"; do [ -x "$bin" ] || { echo "ab-step: not an executable: $bin" >&2; exit 64; }; done
model=${MODEL:-vit_small_patch16_224}; depth=${DEPTH:-12}; batch=${BATCH:-8}
variants=${VARIANTS:-standard,reversible}; steps=${STEPS:-5}; warmup=${WARMUP:-1}
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/ab-step.XXXXXX")}
mkdir -p "$out"
rm -f "$out/a.csv" "$out/b.csv" "$out/rounds.tsv"
threads=()
[ -n "${THREADS:-}" ] && threads=(--threads "$THREADS")

echo "ab-step: A = $a"
echo "ab-step: B = $b"
echo "ab-step: $model depth $depth batch $batch, $variants, $steps steps after $warmup warm-up, $rounds rounds;" \
     "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)}; rows in $out"

# last_rows CSV N: the last N rows of CSV as "variant images_per_s gflops_per_s sgemm_gflops cpu_util blas", by header.
last_rows() {
    awk -F, -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        { row[NR] = $col["variant"] "\t" $col["images_per_s"] "\t" $col["gflops_per_s"] "\t" $col["sgemm_gflops"] "\t" $col["cpu_util"] "\t" $col["blas"] }
        END { for (i = NR - n + 1; i <= NR; i++) if (i > 1) print row[i] }' "$1"
}

nvariants=$(echo "$variants" | tr ',' '\n' | wc -l)
printf 'round\tbuild\tvariant\timg/s\tgflops/s\tsgemm_gflops\tshare\tcpu_util\tblas\n'
for ((r = 1; r <= rounds; r++)); do
    if ((r % 2)); then order="a b"; else order="b a"; fi
    for side in $order; do
        if [ "$side" = a ]; then bin=$a; else bin=$b; fi
        "$bin" run --model "$model" --depth "$depth" --batch "$batch" --variants "$variants" --rounds 1 \
            --steps "$steps" --warmup "$warmup" "${threads[@]}" --output "$out/$side.csv" --quiet > "$out/$side.log" 2>&1 \
            || { echo "ab-step: $bin failed (round $r), see $out/$side.log" >&2; tail -5 "$out/$side.log" >&2; exit 1; }
        last_rows "$out/$side.csv" "$nvariants" | while IFS=$'\t' read -r variant ips gfs sgemm util blas; do
            share=$(awk -v g="$gfs" -v s="$sgemm" 'BEGIN { printf "%.3f", (s > 0 ? g / s : 0) }')
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$side" "$variant" "$ips" "$gfs" "$sgemm" "$share" "$util" "$blas" \
                | tee -a "$out/rounds.tsv"
        done
    done
done

echo
echo "summary (median, min-max over rounds; spread = max / min - 1):"
awk -F'\t' '
    function median(list,    n, v, i, j, t) {
        n = split(list, v, " ")
        for (i = 2; i <= n; i++) { t = v[i] + 0; for (j = i - 1; j >= 1 && v[j] + 0 > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function lo(list,    n, v, i, m) { n = split(list, v, " "); m = v[1] + 0; for (i = 2; i <= n; i++) if (v[i] + 0 < m) m = v[i] + 0; return m }
    function hi(list,    n, v, i, m) { n = split(list, v, " "); m = v[1] + 0; for (i = 2; i <= n; i++) if (v[i] + 0 > m) m = v[i] + 0; return m }
    { key = $2 "\t" $3; ips[key] = ips[key] " " $4; share[key] = share[key] " " $7; sg[key] = sg[key] " " $6; seen[$3] = 1 }
    END {
        printf "build\tvariant\timg/s median (min-max, spread)\tshare median (min-max)\tsgemm_gflops median\n"
        for (v in seen) for (s = 0; s < 2; s++) {
            side = s ? "b" : "a"; key = side "\t" v
            if (!(key in ips)) continue
            printf "%s\t%s\t%.3f (%.3f-%.3f, %.1f%%)\t%.3f (%.3f-%.3f)\t%.1f\n", side, v, median(ips[key]), lo(ips[key]), hi(ips[key]),
                100 * (hi(ips[key]) / lo(ips[key]) - 1), median(share[key]), lo(share[key]), hi(share[key]), median(sg[key])
        }
        for (v in seen) if (("a\t" v) in ips && ("b\t" v) in ips)
            printf "%s: B / A img/s (medians) %.3fx, share %.3f -> %.3f\n", v, median(ips["b\t" v]) / median(ips["a\t" v]),
                median(share["a\t" v]), median(share["b\t" v])
    }' "$out/rounds.tsv"
