"""jemalloc's counters through mallctl, for CPU rows (the runner re-executes itself with jemalloc preloaded). Kept apart
from torch: the runner decides to re-execute before it imports torch, so a CPU run imports torch once."""
import ctypes
import os

JEMALLOC_PATHS = ("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
                  "/usr/lib64/libjemalloc.so.2", "/usr/local/lib/libjemalloc.so.2")


class Jemalloc:
    """mallctl access when jemalloc is this process's allocator (preloaded), else None from `load`."""

    def __init__(self, lib):
        self.lib = lib
        self.lib.mallctl.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t),
                                     ctypes.c_void_p, ctypes.c_size_t]

    @classmethod
    def load(cls):
        try:
            lib = ctypes.CDLL(None)
            lib.mallctl  # noqa: B018 (raises AttributeError when jemalloc is not linked or preloaded)
            probe = cls(lib)
            return probe if probe.version() else None
        except (AttributeError, OSError):
            return None

    def _read(self, name, ctype):
        value, size = ctype(), ctypes.c_size_t(ctypes.sizeof(ctype))
        if self.lib.mallctl(name.encode(), ctypes.byref(value), ctypes.byref(size), None, 0) != 0:
            return None
        return value.value

    def version(self):
        value, size = ctypes.c_char_p(), ctypes.c_size_t(ctypes.sizeof(ctypes.c_char_p))
        if self.lib.mallctl(b"version", ctypes.byref(value), ctypes.byref(size), None, 0) != 0:
            return None
        return value.value.decode().split("-")[0]

    def allocated(self):
        epoch = ctypes.c_uint64(1)
        self.lib.mallctl(b"epoch", None, None, ctypes.byref(epoch), ctypes.sizeof(epoch))
        return self._read("stats.allocated", ctypes.c_size_t)

    def reset_thread_peak(self):
        self.lib.mallctl(b"thread.peak.reset", None, None, None, 0)

    def thread_peak(self):
        return self._read("thread.peak.read", ctypes.c_uint64)


def jemalloc_preload_env():
    """The environment that makes a re-executed runner allocate through jemalloc, or None when unavailable."""
    for path in JEMALLOC_PATHS:
        if os.path.exists(path):
            env = dict(os.environ)
            env["LD_PRELOAD"] = (path + " " + env.get("LD_PRELOAD", "")).strip()
            return env
    return None
