"""Training steps and what they cost: wall time (CUDA synchronised around each step) and memory.

Memory, always as the step's peak above what was allocated before it (parameters, gradients, AdamW state, input):
- CUDA: torch.cuda.reset_peak_memory_stats() before the step, max_memory_allocated() after it (SlowFast's
  gpu_mem_usage reads the same counter), and max_memory_reserved() for the caching allocator's view;
- CPU: jemalloc's per-thread peak (thread.peak.reset / thread.peak.read through mallctl) when jemalloc is the
  process's allocator (the runner re-executes itself with LD_PRELOAD for that), above the bytes of the tensors alive
  before the step; without jemalloc, no memory figures.
A memory budget is enforced by the device (torch.cuda.set_per_process_memory_fraction) or, on CPU, by checking the
measured peak after each step and raising an out-of-memory error (an injected limit, for tests and tiny runs).
"""
import gc
import resource
import time

import torch
import torch.nn.functional as F

from . import models
from .jemalloc import Jemalloc


class OutOfMemory(RuntimeError):
    """A step that did not fit: the device's out-of-memory error, or a CPU step over its injected budget."""


class OutOfTime(RuntimeError):
    """The run's deadline passed before a step or a probe could start."""


class Deadline:
    """The run's hard time limit, checked before every step with the step's expected length: a step that would end
    after it does not start, so a run ends within its limit (give or take a step slower than the one before it)."""

    def __init__(self, seconds=None, started=None):
        """`seconds` from `started` (a time.monotonic() value: the invocation's start), or from now."""
        self.at = None if seconds is None else (time.monotonic() if started is None else started) + seconds
        self.expired = False      # once a step was refused, nothing more starts

    def passed(self, expected_seconds=0.0):
        return self.expired or (self.at is not None and time.monotonic() + expected_seconds >= self.at)

    def check(self, expected_seconds=0.0):
        if self.passed(expected_seconds):
            self.expired = True
            raise OutOfTime("the run's time limit was reached")


class Device:
    """Where steps run, and how their memory is read."""

    def __init__(self, name, budget_bytes=None):
        # An indexed device: torch.cuda functions that take a device without `optional` (set_per_process_memory_fraction)
        # refuse a bare torch.device("cuda").
        self.torch = torch.device("cuda", torch.cuda.current_device()) if name == "cuda" else torch.device(name)
        self.is_cuda = self.torch.type == "cuda"
        self.jemalloc = None if self.is_cuda else Jemalloc.load()
        self.budget = budget_bytes
        if self.is_cuda and budget_bytes is not None:
            total = torch.cuda.get_device_properties(self.torch).total_memory
            if budget_bytes > total:
                raise ValueError(f"--memory {budget_bytes / 2**30:.1f} GiB is more than this GPU's {total / 2**30:.1f} GiB")
            torch.cuda.set_per_process_memory_fraction(budget_bytes / total, self.torch)

    @property
    def name(self):
        return torch.cuda.get_device_name(self.torch) if self.is_cuda else "cpu"

    @property
    def measures_memory(self):
        return self.is_cuda or self.jemalloc is not None

    def sync(self):
        if self.is_cuda:
            torch.cuda.synchronize(self.torch)

    def allocated(self):
        if self.is_cuda:
            return torch.cuda.memory_allocated(self.torch)
        return self.jemalloc.allocated() if self.jemalloc else None

    def reset_peak(self):
        if self.is_cuda:
            torch.cuda.reset_peak_memory_stats(self.torch)
        elif self.jemalloc:
            self.jemalloc.reset_thread_peak()

    def step_peak(self, before):
        """(peak allocated bytes during the step, peak reserved bytes or None)."""
        if self.is_cuda:
            return torch.cuda.max_memory_allocated(self.torch), torch.cuda.max_memory_reserved(self.torch)
        if self.jemalloc:
            return before + self.jemalloc.thread_peak(), None
        return None, None

    def alloc_retries(self):
        """The caching allocator's cumulative num_alloc_retries (CUDA), else None."""
        return torch.cuda.memory_stats(self.torch).get("num_alloc_retries", 0) if self.is_cuda else None

    def release(self):
        """Frees what an abandoned step left: Python garbage, then the CUDA cache."""
        gc.collect()
        if self.is_cuda:
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats(self.torch)

    @staticmethod
    def is_oom(error):
        return isinstance(error, (OutOfMemory, torch.OutOfMemoryError)) or "out of memory" in str(error).lower()


class Trainer:
    """One model variant on one device: AdamW (fused, updates in place like the engine's), synthetic data per batch
    size, and timed, measured training steps."""

    def __init__(self, cfg, variant, device, precision="fp32", seed=0, deadline=None):
        from . import presets
        self.cfg, self.variant, self.device, self.precision, self.seed = cfg, variant, device, precision, seed
        self.deadline = deadline or Deadline()
        self.last_step = None     # (batch, seconds) of the last step, for the deadline
        torch.manual_seed(seed)
        self.model = models.initialize(presets.build(cfg, variant), seed).to(device.torch)
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=1e-4, fused=True)
        self.params = sum(p.numel() for p in self.model.parameters())
        self.data = {}

    def batch(self, b):
        """The synthetic batch of size b on the device. A new size first frees the previous batch and then the
        allocator's cache, so that every batch size starts from the same state (parameters, gradients, AdamW state,
        nothing cached): a probe's verdict then holds for the timed steps after it, whatever was probed before."""
        if b not in self.data:
            self.data.clear()
            self.device.release()
            # Made on the device: a CPU-made batch of 855 ViT-B images costs a second per probe.
            torch.manual_seed(self.seed + 99)
            x = torch.randn(b, self.cfg.channels, self.cfg.image_size, self.cfg.image_size, device=self.device.torch)
            y = torch.randint(0, self.cfg.classes, (b,), device=self.device.torch)
            self.data[b] = (x, y)
        return self.data[b]

    def step(self, b):
        """Forward, cross-entropy, backward, AdamW update; returns the loss."""
        x, y = self.batch(b)
        amp = self.precision == "bf16-amp"
        with torch.autocast(self.device.torch.type, dtype=torch.bfloat16, enabled=amp):
            logits = self.model(x)
        loss = F.cross_entropy(logits.float(), y)
        loss.backward()
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=False)
        return loss.item()

    def check_memory_returned(self):
        """After an out-of-memory step, everything but the parameters, gradients and AdamW state should be free
        again (out-of-memory errors in backward have been known to leak); if not, later probes would fail for a
        reason that is not the batch, so say so in the log."""
        if not self.device.is_cuda:
            return
        left, kept = self.device.allocated(), self.tensor_bytes()
        if left > kept * 1.01 + 2**20:
            from .runner import log
            log(f"    warning: {(left - kept) / 2**20:.1f} MiB still allocated after an out-of-memory step beyond the "
                f"model's own {kept / 2**20:.1f} MiB; later probes of this configuration may fail for that reason")

    def expected_seconds(self, b):
        """A step's expected length at batch b: the last step's, scaled by batch (0 before the first step)."""
        if self.last_step is None:
            return 0.0
        last_b, seconds = self.last_step
        return seconds * b / last_b

    def tensor_bytes(self):
        """Bytes of the tensors alive between steps: parameters, gradients, AdamW state, the input batch."""
        tensors = [p for p in self.model.parameters()] + [p.grad for p in self.model.parameters() if p.grad is not None]
        tensors += [t for state in self.optimizer.state.values() for t in state.values() if torch.is_tensor(t)]
        tensors += [t for pair in self.data.values() for t in pair]
        return sum(t.numel() * t.element_size() for t in tensors)

    def profiled_step_bytes(self, b):
        """The step's peak of requested tensor bytes above its start, from torch.profiler's memory events (CPU):
        the running sum of every allocation and free in time order. Comparable with bench's ledger (requested
        bytes, not allocator size classes). Slower than a plain step, so never one of the timed steps."""
        from torch.profiler import ProfilerActivity, profile
        self.deadline.check(2 * self.expected_seconds(b))
        with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
            self.step(b)
        events = sorted((e.start_ns(), e.nbytes()) for e in prof.profiler.kineto_results.events() if e.name() == "[memory]")
        current = peak = 0
        for _, n in events:
            current += n
            peak = max(peak, current)
        return peak

    def measured_step(self, b):
        """(seconds, loss, bytes before, peak bytes, peak reserved bytes) of one step; raises OutOfMemory when the
        step does not fit the device or the injected budget, OutOfTime when it would end after the deadline."""
        self.deadline.check(self.expected_seconds(b))
        dev = self.device
        self.batch(b)
        dev.sync()
        # CUDA's counter holds exactly the tensors; on CPU jemalloc also counts torch's own runtime (~100 MB, some
        # of it allocated lazily by the first steps), so the tensors alive before the step are counted directly.
        before = dev.allocated() if dev.is_cuda else (self.tensor_bytes() if dev.jemalloc else None)
        dev.reset_peak()
        t0 = time.perf_counter()
        oom = None
        try:
            loss = self.step(b)
            dev.sync()
        except Exception as e:  # noqa: BLE001 (only out-of-memory is turned into OutOfMemory)
            if not dev.is_oom(e):
                raise
            oom = str(e).splitlines()[0] if str(e) else "out of memory"
        if oom is not None:  # outside the except block, so the failed step's tensors are already unreferenced
            # (A failed step's length is not a step's: the deadline's estimates come from completed steps only.)
            self.optimizer.zero_grad(set_to_none=False)
            self.data.clear()         # the next step starts from the state every batch size starts from
            dev.release()
            self.check_memory_returned()
            raise OutOfMemory(oom)
        seconds = time.perf_counter() - t0
        self.last_step = (b, seconds)
        peak, reserved = dev.step_peak(before)
        if dev.budget is not None and not dev.is_cuda and peak is not None and peak > dev.budget:
            raise OutOfMemory(f"step peak {peak} bytes over the injected budget of {dev.budget} bytes")
        return seconds, loss, before, peak, reserved


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def blas_description(device):
    if device.is_cuda:
        cudnn = torch.backends.cudnn.version()
        return f"cuBLAS (CUDA {torch.version.cuda}" + (f", cuDNN {cudnn})" if cudnn else ")")
    config = torch.__config__.show()
    for line in config.splitlines():
        if "BLAS_INFO=" in line:
            return "torch CPU BLAS " + line.split("BLAS_INFO=")[1].split(",")[0]
    return "torch CPU BLAS"
