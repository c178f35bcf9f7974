"""A fake CUDA device, so that the runner's CUDA code paths run on a machine without a GPU (CI, laptops).

What is fake is only what lies below torch's own Python API: the `torch._C._cuda_*` primitives (device count,
init, properties, synchronize, memory fraction, memory statistics, empty cache) and the device itself. The
`torch.cuda` functions the runner calls are torch's real ones, so they check their arguments exactly as they do on
a GPU (`set_per_process_memory_fraction` refuses `torch.device("cuda")` without an index, as on an H100).

Tensors placed on "cuda:0" are real CPU tensors, marked as device tensors by a TorchDispatchMode that also keeps
the caching allocator's counters from every storage they create and free:
- allocated: the bytes of live device storages (what torch.cuda.memory_allocated counts), current and peak;
- reserved: a small model of the caching allocator: requests rounded up to 512 bytes, served from cached blocks
  while the cache has room, else from a new segment (2 MiB for requests up to 1 MiB, 20 MiB up to 10 MiB, larger
  ones rounded up to 2 MiB); fragmentation is not modelled;
- the per-process memory fraction caps reserved bytes: a segment that would pass it first frees the cache and
  retries (num_alloc_retries + 1), then raises torch.OutOfMemoryError mid-step (num_ooms + 1), as the real
  allocator does.

Use `with FakeCuda(total_memory=...) as gpu:` in a test, or set REVBENCH_FAKE_CUDA_TOTAL_BYTES and put
tests/fake_cuda_site on PYTHONPATH to install it in every Python process a script starts (reproduce.sh).
"""
import os
import threading
import weakref

import torch
import torch.cuda.graphs
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

MiB = 2**20
NAME = "Fake CUDA GPU (CPU tensors)"

# Every torch.cuda / torch.backends call the runner makes (revbench_torch and reproduce.sh), each exercised by
# test_fake_cuda.py; a test greps the runner's sources to keep this list complete.
RUNNER_CUDA_CALLS = (
    "torch.cuda.is_available", "torch.cuda.current_device", "torch.cuda.get_device_properties",
    "torch.cuda.set_per_process_memory_fraction", "torch.cuda.get_device_name", "torch.cuda.synchronize",
    "torch.cuda.memory_allocated", "torch.cuda.reset_peak_memory_stats", "torch.cuda.max_memory_allocated",
    "torch.cuda.max_memory_reserved", "torch.cuda.memory_stats", "torch.cuda.empty_cache",
    "torch.backends.cuda.matmul.allow_tf32", "torch.backends.cudnn.allow_tf32", "torch.backends.cudnn.version",
)


def _round(size):
    return max(512, (size + 511) // 512 * 512)


def _segment(size):
    if size <= MiB:
        return 2 * MiB
    if size < 10 * MiB:
        return 20 * MiB
    return (size + 2 * MiB - 1) // (2 * MiB) * (2 * MiB)


class _Properties:
    """What torch.cuda.get_device_properties returns, for the fields anyone reads."""

    def __init__(self, name, total_memory):
        self.name, self.total_memory = name, total_memory
        self.major, self.minor, self.multi_processor_count = 9, 0, 132


class _Allocator:
    """The caching allocator's counters for one fake device."""

    def __init__(self, total_memory):
        self.total_memory = total_memory
        self.fraction = 1.0
        self.lock = threading.Lock()
        self.live = {}           # storage data_ptr -> rounded bytes
        self.allocated = self.allocated_peak = 0
        self.rounded = 0         # bytes of live blocks, rounded as the allocator serves them
        self.reserved = self.reserved_peak = 0
        self.retries = self.ooms = 0
        self.allocated_at_last_oom = None

    def limit(self):
        return int(self.fraction * self.total_memory)

    def allocate(self, key, size):
        """Accounts a new storage of `size` bytes; raises torch.OutOfMemoryError when it cannot be served."""
        with self.lock:
            block = _round(size)
            if self.rounded + block > self.reserved:            # no cached block fits: a new segment
                segment = _segment(block)
                if self.reserved + segment > self.limit():
                    self.retries += 1                           # free every unused cached segment, then retry
                    self.reserved = self.rounded
                    if self.reserved + segment > self.limit():
                        self.ooms += 1
                        self.allocated_at_last_oom = self.allocated
                        raise torch.OutOfMemoryError(
                            f"CUDA out of memory. Tried to allocate {block / MiB:.2f} MiB. GPU 0 has a total capacity "
                            f"of {self.total_memory / 2**30:.2f} GiB of which {(self.total_memory - self.reserved) / MiB:.2f} "
                            f"MiB is free. Of the allocated memory {self.allocated / MiB:.2f} MiB is allocated by PyTorch, "
                            f"and {(self.reserved - self.rounded) / MiB:.2f} MiB is reserved by PyTorch but unallocated. "
                            f"(fake CUDA: the per-process memory fraction allows {self.limit() / MiB:.2f} MiB)")
                self.reserved += segment
                self.reserved_peak = max(self.reserved_peak, self.reserved)
            self.live[key] = (size, block)
            self.allocated += size
            self.rounded += block
            self.allocated_peak = max(self.allocated_peak, self.allocated)

    def free(self, key):
        with self.lock:
            size, block = self.live.pop(key, (0, 0))
            self.allocated -= size
            self.rounded -= block

    def stats(self):
        """torch._C._cuda_memoryStats's nested dict, for the keys torch.cuda's functions read."""
        def stat(current, peak):
            return {"all": {"current": current, "peak": peak, "allocated": 0, "freed": 0}}
        return {"allocated_bytes": stat(self.allocated, self.allocated_peak),
                "reserved_bytes": stat(self.reserved, self.reserved_peak),
                "active_bytes": stat(self.allocated, self.allocated_peak),
                "num_alloc_retries": self.retries, "num_ooms": self.ooms}

    def reset_peaks(self):
        with self.lock:
            self.allocated_peak, self.reserved_peak = self.allocated, self.reserved

    def empty_cache(self):
        with self.lock:
            self.reserved = self.rounded


class _DeviceMode(TorchDispatchMode):
    """Runs every op on the CPU; an op with a CUDA device argument, or with a device tensor among its inputs, makes
    device tensors, whose storages the allocator accounts from creation to their last reference."""

    def __init__(self, allocator):
        super().__init__()
        self.allocator = allocator

    def on_device(self, t):
        return isinstance(t, torch.Tensor) and t.untyped_storage().data_ptr() in self.allocator.live

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        device = kwargs.get("device")
        if device is not None:
            device = torch.device(device)
            if device.type == "cuda":
                if device.index not in (None, 0):
                    raise RuntimeError(f"CUDA error: invalid device ordinal (fake CUDA has one device, got {device})")
                kwargs["device"] = torch.device("cpu")
            makes_device_tensors = device.type == "cuda"
        else:
            flat, _ = tree_flatten((args, kwargs))
            makes_device_tensors = any(self.on_device(t) for t in flat)
        out = func(*args, **kwargs)
        if makes_device_tensors:
            self.account(out)
        return out

    def account(self, out):
        flat, _ = tree_flatten(out)
        for t in flat:
            if not isinstance(t, torch.Tensor):
                continue
            storage = t.untyped_storage()
            key = storage.data_ptr()
            if key == 0 or key in self.allocator.live:          # empty, or a view of a device storage
                continue
            self.allocator.allocate(key, storage.nbytes())
            # Storages keep one Python object for their lifetime, so this fires when the memory is freed.
            weakref.finalize(storage, self.allocator.free, key)


class FakeCuda:
    """One fake CUDA device of `total_memory` bytes, installed while the context is active."""

    def __init__(self, total_memory=256 * MiB, name=NAME):
        self.allocator = _Allocator(total_memory)
        self.properties = _Properties(name, total_memory)
        self.mode = _DeviceMode(self.allocator)
        self.saved = []

    def _patch(self, owner, name, value):
        self.saved.append((owner, name, getattr(owner, name, None), hasattr(owner, name)))
        setattr(owner, name, value)

    def _check_index(self, device):
        if not isinstance(device, int) or device >= 1:
            raise RuntimeError(f"CUDA error: invalid device ordinal (fake CUDA has one device, got {device!r})")

    def __enter__(self):
        c, cuda, alloc = torch._C, torch.cuda, self.allocator

        def set_fraction(fraction, device):
            self._check_index(device)
            alloc.fraction = fraction

        def memory_stats(device):
            self._check_index(device)
            return alloc.stats()

        def reset_peaks(device):
            self._check_index(device)
            alloc.reset_peaks()

        def exchange(device):
            if device >= 0:
                self._check_index(device)
            return 0 if device >= 0 else -1

        def properties(device):
            self._check_index(device)
            return self.properties

        patches = [
            (c, "_cuda_getDeviceCount", lambda: 1), (c, "_cuda_init", lambda: None), (c, "_cuda_getDevice", lambda: 0),
            (c, "_cuda_synchronize", lambda: None), (c, "_cuda_setMemoryFraction", set_fraction),
            (c, "_cuda_getMemoryFraction", lambda device: alloc.fraction), (c, "_cuda_memoryStats", memory_stats),
            (c, "_cuda_resetPeakMemoryStats", reset_peaks), (c, "_cuda_emptyCache", alloc.empty_cache),
            (cuda, "_cudart", cuda._cudart or object()), (cuda, "_device_count_nvml", lambda: -1),
            (cuda, "_device_count_amdsmi", lambda: -1), (cuda, "_get_device_properties", properties),
            (cuda, "_exchange_device", exchange), (cuda, "_maybe_exchange_device", exchange),
            (cuda, "_initialized", False), (cuda, "_cached_device_count", None),
            (cuda, "default_generators", (torch.Generator(),)),     # torch.manual_seed seeds every device
            (torch.cuda.graphs, "_cuda_isCurrentStreamCapturing", lambda: False),   # AdamW asks before each step
        ]
        for owner, name, value in patches:
            self._patch(owner, name, value)
        self.mode.__enter__()
        return self

    def __exit__(self, *exc):
        self.mode.__exit__(*exc)
        for owner, name, value, existed in reversed(self.saved):
            if existed:
                setattr(owner, name, value)
            else:
                delattr(owner, name)
        self.saved.clear()
        torch.cuda._initialized = False
        torch.cuda._cached_device_count = None
        return False


def install_from_environment():
    """Installs a FakeCuda for the whole process when REVBENCH_FAKE_CUDA_TOTAL_BYTES is set (see fake_cuda_site)."""
    total = os.environ.get("REVBENCH_FAKE_CUDA_TOTAL_BYTES")
    if not total:
        return None
    # One thread: a GPU's runner leaves the CPU idle, and CI's two cores are shared with the test runner.
    torch.set_num_threads(1)
    return FakeCuda(int(total)).__enter__()
