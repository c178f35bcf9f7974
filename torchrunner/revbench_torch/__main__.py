"""python -m revbench_torch: RevBench's twins trained in PyTorch, rows in bench's CSV schema.

  run     one model's variants at one or more batch sizes (memory per image, images/s)
  budget  the paper's throughput experiment: the largest batch per depth and variant under a memory budget, and
          images/s at it
  table   print a summary of result CSVs
  breakdown  where a model's memory for backward sits at the end of forward, per block (CPU)

Bad input: one `error:` line and exit 64. On CPU the runner re-executes itself once with jemalloc preloaded (when
installed) so that it can read each step's memory peak.
"""
import argparse
import os
import sys
import time
import warnings

# The time limit counts from the invocation's start, across the re-execution (time.monotonic is CLOCK_MONOTONIC,
# one clock for both processes).
STARTED = "REVBENCH_TORCH_STARTED"

warnings.filterwarnings("ignore", message="Failed to initialize NumPy")

VARIANTS = ("standard", "reversible", "checkpointed")
PRECISIONS = ("fp32", "tf32", "bf16-amp")


def positive_list(text, option):
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or int(part) < 1:
            raise ValueError(f"{option} takes positive integers separated by commas, got '{part}' in '{text}'")
        out.append(int(part))
    return out


def variant_list(text):
    names = [v.strip() for v in text.split(",") if v.strip()]
    for v in names:
        if v not in VARIANTS:
            raise ValueError(f"unknown variant '{v}' in --variants; choose from {', '.join(VARIANTS)}")
    if not names:
        raise ValueError(f"--variants is empty; choose from {', '.join(VARIANTS)}")
    return names


def add_common(p):
    p.add_argument("--device", default="cuda", choices=("cuda", "cpu"), help="where steps run (default cuda)")
    p.add_argument("--precision", default="fp32", choices=PRECISIONS,
                   help="fp32 with TF32 off (default, the paper's), tf32 matmuls, or bf16 autocast")
    p.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated: standard, reversible, checkpointed")
    p.add_argument("--width", type=int, help="embedding width (overrides the preset)")
    p.add_argument("--heads", type=int, help="attention heads (overrides the preset)")
    p.add_argument("--image-size", type=int, help="image side in pixels (overrides the preset)")
    p.add_argument("--patch-size", type=int, help="patch side in pixels, or MViT's stem stride (overrides the preset)")
    p.add_argument("--classes", type=int, help="classes of the head (overrides the preset)")
    p.add_argument("--attention", choices=("math", "fused"),
                   help="attention core: math (explicit, the probabilities kept; default) or fused "
                        "(F.scaled_dot_product_attention, as RevBench's --attention fused)")
    p.add_argument("--steps", type=int, default=3, help="timed training steps per configuration (default 3)")
    p.add_argument("--warmup", type=int, default=1, help="untimed warm-up steps (default 1)")
    p.add_argument("--threads", type=int, help="CPU threads for torch (default: torch's choice)")
    p.add_argument("--seed", type=int, default=0, help="seed for weights and synthetic data")
    p.add_argument("--time-limit", type=float, help="seconds this invocation may run (a positive number): a model "
                                                     "build or step expected to end after it does not start; the "
                                                     "configuration it cuts off writes no row, later ones 'skipped' rows")
    p.add_argument("--output", default="results/gpu/runs.csv", help="CSV the rows are appended to")
    p.add_argument("--memory-counter", default="jemalloc", choices=("jemalloc", "profiler"),
                   help="CPU only: jemalloc's thread peak (size-class bytes, as bench's jemalloc columns; default) or "
                        "torch.profiler's allocation events (requested bytes, as bench's ledger; one extra step)")


def parser():
    ap = argparse.ArgumentParser(prog="python -m revbench_torch", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="one model's variants at one or more batch sizes")
    r.add_argument("--model", default="vit_small_patch16_224", help="preset (as `bench list`); rev_ names select the pair")
    r.add_argument("--depth", type=int, help="depth in blocks (overrides the preset)")
    r.add_argument("--batch", default="8", help="batch size, or a comma-separated list (e.g. 2,4) for the per-image slope")
    add_common(r)
    b = sub.add_parser("budget", help="largest batch under a memory budget, and images/s at it")
    b.add_argument("--memory", default="16GiB", help="memory budget (e.g. 16GiB), enforced on CUDA by "
                                                     "set_per_process_memory_fraction, on CPU by the measured peak")
    b.add_argument("--models", default="vit_base_patch16_224", help="presets, comma-separated")
    b.add_argument("--depths", default="12,24,48", help="depths, comma-separated")
    add_common(b)
    t = sub.add_parser("table", help="summary of result CSVs")
    t.add_argument("files", nargs="+", help="CSV files")
    k = sub.add_parser("breakdown", help="memory saved for backward per block at the end of forward (CPU, fp32)")
    k.add_argument("--model", default="rev_mvit_base_16", help="preset (a rev_ name for the reversible twin)")
    k.add_argument("--batch", type=int, default=2, help="batch size (figures are per image; from 2 on they do not change)")
    k.add_argument("--attention", default="math", choices=("math", "fused"),
                   help="attention core: math (the probabilities kept; default) or fused (F.scaled_dot_product_attention)")
    k.add_argument("--by-module", action="store_true",
                   help="split each block by the submodule that saves (norm1, attn, norm2, mlp, ...); standard models")
    return ap


def check_counts(a):
    if a.steps < 1:
        raise ValueError(f"--steps must be a positive integer, got {a.steps}")
    if a.warmup < 0:
        raise ValueError(f"--warmup must be 0 or more, got {a.warmup}")
    cores = os.cpu_count() or 1
    if a.threads is not None and not 1 <= a.threads <= cores:
        raise ValueError(f"--threads {a.threads} is outside 1...{cores} (this machine has {cores} cores)")
    if a.time_limit is not None and not a.time_limit > 0:
        raise ValueError(f"--time-limit must be a positive number of seconds, got {a.time_limit:g}")
    for name in ("width", "heads", "image_size", "patch_size", "classes", "depth"):
        v = getattr(a, name, None)
        if v is not None and v < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be a positive integer, got {v}")


def overrides(a):
    return {k: getattr(a, k, None) for k in ("width", "heads", "image_size", "patch_size", "classes", "depth", "attention")}


def reexec_with_jemalloc(a, started):
    """CPU runs read memory through jemalloc: re-execute once with it preloaded, when it is installed."""
    from .jemalloc import Jemalloc, jemalloc_preload_env
    if a.command in ("table", "breakdown") or a.device != "cpu" or Jemalloc.load() or os.environ.get("REVBENCH_TORCH_REEXEC"):
        return
    env = jemalloc_preload_env()
    if env is None:
        print("note: jemalloc not found; CPU rows will have no memory figures", file=sys.stderr)
        return
    env["REVBENCH_TORCH_REEXEC"] = "1"
    env[STARTED] = repr(started)
    os.execve(sys.executable, [sys.executable, "-m", "revbench_torch"] + sys.argv[1:], env)


def main(argv=None, reexec=False):
    """The command line; `reexec` (the module's entry point only) allows the once-only jemalloc re-execution."""
    started = float(os.environ.get(STARTED, time.monotonic())) if reexec else time.monotonic()
    a = parser().parse_args(argv)
    try:
        if a.command == "table":
            from .summary import render
            print(render(a.files))
            return 0
        if a.command == "breakdown":
            from . import breakdown, presets
            presets.config(a.model)
            if a.batch < 1:
                raise ValueError(f"--batch must be a positive integer, got {a.batch}")
            print(breakdown.render(a.model, a.batch, a.attention, a.by_module))
            return 0
        check_counts(a)
        if reexec:
            reexec_with_jemalloc(a, started)
        from . import presets, record, runner
        variants = variant_list(a.variants)
        from .measure import Deadline
        deadline = Deadline(a.time_limit, started=started)
        if a.command == "run":
            presets.config(a.model, **overrides(a))
            batches = positive_list(a.batch, "--batch")
            settings = runner.Settings(runner.device_for(a.device), a.precision, a.threads, a.warmup, a.steps, a.seed,
                                       deadline, a.memory_counter)
            out = record.ResultsFile(a.output)
            rows = runner.run(settings, a.model, overrides(a), batches, variants, out)
        else:
            budget_bytes = runner.parse_bytes(a.memory)
            models = [m.strip() for m in a.models.split(",") if m.strip()]
            depths = positive_list(a.depths, "--depths")
            for m in models:
                for d in depths:
                    presets.config(m, **{**overrides(a), "depth": d})
            settings = runner.Settings(runner.device_for(a.device, budget_bytes), a.precision, a.threads, a.warmup,
                                       a.steps, a.seed, deadline, a.memory_counter)
            out = record.ResultsFile(a.output)
            rows = []
            for m in models:
                rows += runner.budget(settings, m, overrides(a), depths, variants, budget_bytes, out)
        if out.upgraded_from:
            print(f"note: {out.path} had an older header; upgraded in place (rows kept, new columns empty)",
                  file=sys.stderr)
        print(f"wrote {len(rows)} row{'s' if len(rows) != 1 else ''} to {out.path}", file=sys.stderr)
        failed = [r for r in rows if (r.get("error") or "").startswith("failed:")]
        if failed:   # a configuration that broke (not one that did not fit, nor one skipped for time)
            print(f"error: {len(failed)} configuration{'s' if len(failed) != 1 else ''} failed (their rows say why; "
                  "tracebacks above)", file=sys.stderr)
            return 1
        return 0
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 64


if __name__ == "__main__":
    sys.exit(main(reexec=True))
