"""Measured runs and the budget experiment, each configuration one row in bench's schema.

run:    every (batch, variant) of one model: warm-up steps, then timed steps; images/s from the median step.
budget: for each depth and variant, the largest batch that trains under a memory budget (predicted from the
        per-image slope between batches 2 and 4, then confirmed by real steps: an out-of-memory step is caught,
        memory released, and the search goes on), then images/s at that batch. A configuration that cannot fit
        becomes a row with an error and max_batch 0, never a crash.
Any other failure of one configuration (an exception of any kind) is a row with its error too, and the run goes on.
The time limit is hard: checked before every step and probe; the configuration it cuts off writes no row, later
ones are 'skipped' rows; rows already written are complete.
"""
import statistics
import sys
import time
import traceback

import torch

from . import presets, record
from .record import retries_text, size_text
from .measure import Deadline, Device, OutOfMemory, OutOfTime, Trainer, blas_description

SKIPPED = "skipped: the run's time limit was reached"


def log(message):
    print(message, file=sys.stderr, flush=True)


class Settings:
    """What every row of one invocation shares: device, precision, threads, steps, seed, output."""

    def __init__(self, device, precision="fp32", threads=None, warmup=1, steps=3, seed=0, deadline=None,
                 memory_counter="jemalloc"):
        self.device, self.precision, self.warmup, self.steps, self.seed = device, precision, warmup, steps, seed
        self.memory_counter = memory_counter
        self.threads = threads or torch.get_num_threads()
        self.deadline = deadline or Deadline()
        self.last_build = None    # (seconds, depth x width^2) of the last model built
        torch.set_num_threads(self.threads)
        if device.is_cuda:
            tf32 = precision == "tf32"
            torch.backends.cuda.matmul.allow_tf32 = tf32
            torch.backends.cudnn.allow_tf32 = tf32
            torch.set_float32_matmul_precision("high" if tf32 else "highest")
        self.environment = {
            "git_sha": record.git_sha(), "device": device.name, "engine": f"pytorch {torch.__version__}",
            "precision": precision, "threads": self.threads, "build": "pytorch eager", "cpu": record.cpu_description(),
            "cores": __import__("os").cpu_count(), "blas": blas_description(device),
            "jemalloc_version": device.jemalloc.version() if device.jemalloc else None,
        }
        log(f"torch {torch.__version__} (CUDA {torch.version.cuda}) on {device.name}, {precision}, "
            f"{self.threads} CPU thread{'s' if self.threads != 1 else ''}")

    def trainer(self, cfg, variant):
        """A model on the device; the deadline is checked first with the last build's time scaled by depth x width^2
        (what a transformer's parameters scale with: building and initialising a 340M-parameter model takes
        seconds)."""
        size = cfg.depth * cfg.width ** 2
        if self.last_build is not None:
            seconds, built = self.last_build
            self.deadline.check(seconds * size / built)
        t0 = time.monotonic()
        trainer = Trainer(cfg, variant, self.device, self.precision, self.seed, self.deadline)
        self.last_build = (time.monotonic() - t0, size)
        return trainer


def base_row(settings, name, cfg, variant, batch):
    row = dict(settings.environment)
    row.update(timestamp=record.timestamp(), model=presets.pair_name(name), variant=variant, depth=cfg.depth,
               width=cfg.width, heads=cfg.heads, image_size=cfg.image_size, patch_size=cfg.patch_size,
               attention=cfg.attention, classes=cfg.classes, drop_path=0.0,  # no stochastic depth here: the presets' 0
               tokens=cfg.tokens(variant), batch=batch, warmup=settings.warmup, steps=settings.steps,
               gmacs_per_image=round(presets.macs_per_image(cfg, variant) / 1e9, 4))
    return row


def timed_row(settings, trainer, name, batch):
    """Warm-up then timed steps at `batch`; raises OutOfMemory when a step does not fit."""
    cfg, variant = trainer.cfg, trainer.variant
    losses, times, memory = [], [], []
    for _ in range(settings.warmup):
        losses.append(trainer.measured_step(batch)[1])
    retries_before = settings.device.alloc_retries()
    for _ in range(settings.steps):
        seconds, loss, before, peak, reserved = trainer.measured_step(batch)
        losses.append(loss)
        times.append(seconds)
        memory.append((before, peak, reserved))
    times.sort()
    median = statistics.median(times)
    macs = presets.macs_per_image(cfg, variant)
    row = base_row(settings, name, cfg, variant, batch)
    row.update(params=trainer.params, step_s_median=round(median, 4), step_s_min=round(times[0], 4),
               step_s_max=round(times[-1], 4), images_per_s=round(batch / median, 3),
               gflops_per_s=round(macs * presets.passes_per_step(variant) * 2 * batch / median / 1e9, 2),
               loss_first=losses[0], loss_last=losses[-1])
    if retries_before is not None:
        row["alloc_retries"] = settings.device.alloc_retries() - retries_before
    before, peak, reserved = max(memory, key=lambda m: (m[1] or 0) - (m[0] or 0))
    if peak is not None:
        step = peak - before
        if settings.device.is_cuda:  # the caching allocator's tensor bytes, the counter the paper's code reads
            row.update(baseline_bytes=before, peak_ledger_bytes=peak, step_ledger_bytes=step, peak_reserved_bytes=reserved)
        else:                        # jemalloc's size-class bytes, as bench's jemalloc columns
            row.update(peak_jemalloc_bytes=peak, step_jemalloc_bytes=step)
        row["bytes_per_image"] = step // batch
    if not settings.device.is_cuda and settings.memory_counter == "profiler":
        # Requested bytes, as bench's ledger counts them: one more step, under the profiler, after the timed ones.
        step = trainer.profiled_step_bytes(batch)
        row.update(baseline_bytes=trainer.tensor_bytes(), step_ledger_bytes=step, bytes_per_image=step // batch)
        row["peak_ledger_bytes"] = row["baseline_bytes"] + step
    return row


def error_row(settings, name, cfg, variant, batch, message):
    row = base_row(settings, name, cfg, variant, batch)
    row["error"] = message
    return row


def failure_text(error):
    """An error row's text: out of memory as such, anything else with its type (the traceback goes to the log)."""
    first = str(error).splitlines()[0] if str(error) else ""
    if Device.is_oom(error):
        return f"out of memory: {first or 'out of memory'}"
    log("".join(traceback.format_exception(error)).rstrip())
    return f"failed: {type(error).__name__}: {first}"


def run_row(settings, name, cfg, variant, batch, trainer):
    """The row of one batch on `trainer` (a callable giving the variant's trainer, built on first use)."""
    try:
        return timed_row(settings, trainer(), name, batch)
    except OutOfTime:
        raise
    except Exception as e:  # noqa: BLE001 (any failure of one configuration is its row; the run goes on)
        return error_row(settings, name, cfg, variant, batch, failure_text(e))


def measure_configuration(settings, out, rows, make_row, skipped_row, describe):
    """Appends `make_row()` to `out` and `rows`, or a skipped row once the deadline has passed; a configuration the
    deadline cuts off mid-way writes nothing (its steps are not a measurement)."""
    if settings.deadline.passed():
        row = skipped_row()
    else:
        try:
            row = make_row()
        except OutOfTime:
            log(f"  {describe}: cut off by the time limit; no row")
            return None
        finally:
            settings.device.release()  # what the step left; a model gone with make_row's frame
    out.append(row)
    rows.append(row)
    return row


def run(settings, name, overrides, batches, variants, out):
    """Rows for every variant and batch of one model, each appended to `out` when measured; one model per variant
    serves all its batches (building a large one takes seconds)."""
    cfg = presets.config(name, **overrides)
    rows, total, start, done = [], len(batches) * len(variants), time.monotonic(), 0
    for v in variants:
        built = []

        def trainer(v=v, built=built):
            if not built:
                built.append(settings.trainer(cfg, v))
            return built[0]
        for b in batches:
            eta = f", ETA {(time.monotonic() - start) / done * (total - done):.0f}s" if done else ""
            label = f"{presets.pair_name(name)} {v} depth {cfg.depth} batch {b}"
            log(f"[{done + 1}/{total}] {label}{eta}")
            done += 1
            row = measure_configuration(settings, out, rows, lambda: run_row(settings, name, cfg, v, b, trainer),
                                        lambda: error_row(settings, name, cfg, v, b, SKIPPED), label)
            if row is None:
                continue
            if row.get("error"):
                log(f"  {row['error']}")
            else:
                log(f"  {row['images_per_s']} img/s" + (f", {row['bytes_per_image'] / 1e6:.1f} MB/img"
                                                        if row.get("bytes_per_image") is not None else "")
                    + (f", {retries_text(row)}" if retries_text(row) else ""))
        built.clear()                       # this variant's model goes before the next one is built
        settings.device.release()
    return rows


def find_max_batch(fits, guess, predicted=True, max_tries=20, tolerance=0.05):
    """The largest batch b with fits(b), searched from `guess`. While batches fit it grows (from a prediction by 5%,
    then 10%, 20%, ... up to doubling; without one by doubling); while none has fit it shrinks (from a prediction by
    10%, then 20%, 40%, then halving, since a prediction is rarely far off; without one by halving), then bisects
    until the bracket is within `tolerance` (exact below 1/tolerance). 0 when batch 1 does not fit."""
    lo, hi = 0, None            # largest batch seen to fit, smallest seen to fail
    b = max(1, guess)
    growth = 0.05 if predicted else 1.0
    shrink = 0.1 if predicted else 0.5
    for _ in range(max_tries):
        if fits(b):
            lo = b
        else:
            hi = b
        if hi is None:
            b = max(lo + 1, int(lo * (1 + growth)))
            growth = min(1.0, 2 * growth)   # a prediction that was far too low costs few tries
        elif lo == 0:
            if hi == 1:
                break
            b = max(1, min(hi - 1, int(hi * (1 - shrink))))
            shrink = min(0.5, 2 * shrink)   # and one far too high, too
        elif hi - lo <= max(1, int(lo * tolerance)):
            break
        else:
            b = (lo + hi) // 2
    return lo


def budget(settings, name, overrides, depths, variants, budget_bytes, out):
    """The paper's throughput experiment under `budget_bytes` (enforced by `settings.device`)."""
    rows, total, done = [], len(depths) * len(variants), 0
    for depth in depths:
        cfg = presets.config(name, **{**overrides, "depth": depth})
        for v in variants:
            label = f"{presets.pair_name(name)} depth {depth} {v}, budget {size_text(budget_bytes)}"
            log(f"[{done + 1}/{total}] {label}")
            done += 1

            def with_budget(row):
                row.update(memory_budget_bytes=budget_bytes, max_batch=row.get("max_batch", 0))
                return row
            row = measure_configuration(
                settings, out, rows, lambda: with_budget(budget_row(settings, name, cfg, v, budget_bytes)),
                lambda: with_budget(error_row(settings, name, cfg, v, None, SKIPPED)), label)
            if row is not None:
                log(f"  {row['error']}" if row.get("error") else
                    f"  max batch {row['max_batch']}, {row['images_per_s']} img/s"
                    + (f", {retries_text(row)}" if retries_text(row) else ""))
    return rows


def budget_row(settings, name, cfg, variant, budget_bytes):
    try:
        trainer = settings.trainer(cfg, variant)
        if 16 * trainer.params > budget_bytes:
            row = error_row(settings, name, cfg, variant, None, f"no batch fits: parameters, gradients and AdamW state "
                            f"alone need {16 * trainer.params / 2**30:.1f} GiB of the {budget_bytes / 2**30:.1f} GiB budget")
            row["params"] = trainer.params
            return row
        peaks = {}

        def fits(b):
            try:
                # The trainer's first step allocates gradients and AdamW state: measure a second one after it.
                for _ in range(1 if peaks else 2):
                    _, _, before, peak, _ = trainer.measured_step(b)
                peaks[b] = peak
                return True
            except OutOfMemory:
                log(f"    batch {b}: out of memory")
                return False

        if not settings.device.measures_memory:
            raise ValueError("a budget needs memory figures: run on CUDA, or on CPU with jemalloc (LD_PRELOAD)")
        guess, predicted = 1, False
        if fits(2) and fits(4) and peaks[4] > peaks[2]:
            slope = (peaks[4] - peaks[2]) / 2
            fixed = peaks[2] - 2 * slope
            guess, predicted = max(1, int((0.95 * budget_bytes - fixed) // slope)), True
            log(f"    per-image slope {slope / 2**20:.2f} MiB (batch 2 -> 4), predicted max batch {guess}")
        best = find_max_batch(fits, guess, predicted)
        # The timed steps can land a little above the confirming ones (allocator caching, fragmentation): step down
        # by 3% until they fit too.
        for _ in range(3):
            if best == 0:
                break
            try:
                row = timed_row(settings, trainer, name, best)
                row["max_batch"] = best
                return row
            except OutOfMemory:
                log(f"    batch {best}: out of memory in the timed steps, trying smaller")
                best = min(best - 1, int(best * 0.97))
        row = error_row(settings, name, cfg, variant, None, "no batch fits: batch 1 ran out of memory" if best == 0
                        else "no batch confirmed under the budget")
        row["params"] = trainer.params
        return row
    except OutOfTime:
        raise
    except Exception as e:  # noqa: BLE001 (as run_row)
        return error_row(settings, name, cfg, variant, None, failure_text(e))


def parse_bytes(text):
    """'16GiB', '512MiB', '8GB', '1000000' -> bytes (as bench's --memory)."""
    t = text.replace(" ", "")
    for suffix, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3),
                          ("G", 2**30), ("M", 2**20)):
        if t.endswith(suffix):
            try:
                v = float(t[:-len(suffix)])
            except ValueError:
                break
            if v > 0:
                return int(v * scale)
            break
    else:
        if t.isdigit() and int(t) > 0:
            return int(t)
    raise ValueError(f"--memory takes a positive size like 16GiB, 2GiB or 512MiB, got '{text}'")


def device_for(name, budget_bytes=None):
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda: no CUDA device is available to this torch "
                         f"({torch.__version__}); use --device cpu")
    return Device(name, budget_bytes)
