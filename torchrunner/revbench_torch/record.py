"""One CSV row per run in exactly bench's schema (RunRecord's coding keys; a Swift test and a pytest keep the two
equal), appended the way bench appends: one write of a whole line on an O_APPEND descriptor, then fsync, so a crash
or Ctrl-C loses no completed row. A file with another header is never appended to: rows go to NAME-2.csv."""
import datetime
import math
import os
import platform
import subprocess

COLUMNS = (
    "timestamp", "git_sha", "model", "variant", "device", "engine", "precision", "depth", "width", "heads",
    "image_size", "patch_size", "transitions", "attention", "tokens", "batch", "threads", "params", "gmacs_per_image", "warmup", "steps",
    "step_s_median", "step_s_min", "step_s_max", "images_per_s", "gflops_per_s", "rounds", "step_s_all",
    "images_per_s_rounds", "images_per_s_round_min", "images_per_s_round_max", "cpu_util", "load_average",
    "sgemm_gflops",
    "baseline_bytes",
    "peak_ledger_bytes", "peak_ledger_activation_bytes", "peak_jemalloc_bytes", "peak_rss_bytes",
    "peak_reserved_bytes", "alloc_retries", "resident_growth_bytes", "step_ledger_bytes", "step_ledger_allocated_bytes",
    "step_jemalloc_bytes", "bytes_per_image", "predicted_peak_bytes", "max_batch", "memory_budget_bytes",
    "loss_first", "loss_last", "build", "cpu", "cores", "blas", "jemalloc_version", "swift_version", "error",
)
HEADER = ",".join(COLUMNS)


def cell(value):
    """A value as bench writes it: empty for None, the shortest round-trip text for numbers, quoted when needed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    text = str(value).replace("\n", " ").replace("\r", " ")
    if "," in text or '"' in text:
        text = '"' + text.replace('"', '""') + '"'
    return text


def line(row):
    unknown = set(row) - set(COLUMNS)
    if unknown:
        raise KeyError(f"not columns of the results schema: {sorted(unknown)}")
    return ",".join(cell(row.get(c)) for c in COLUMNS)


def _first_line(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.readline().rstrip("\n") or None
    except FileNotFoundError:
        return None


class ResultsFile:
    """Appends rows to `path`, creating it with the header; a file with another header is left alone."""

    def __init__(self, path):
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        chosen, self.redirected_from = path, None
        header = _first_line(path)
        if header is not None and header != HEADER:
            base, ext = os.path.splitext(path)
            n = 2
            while _first_line(f"{base}-{n}{ext or '.csv'}") not in (None, HEADER):
                n += 1
            chosen, self.redirected_from = f"{base}-{n}{ext or '.csv'}", path
        self.path = chosen
        if _first_line(chosen) is None:
            self._append(HEADER)

    def append(self, row):
        self._append(line(row))

    def _append(self, text):
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            data = (text + "\n").encode()
            if os.write(fd, data) != len(data):
                raise OSError(f"short write to {self.path}")
            os.fsync(fd)
        finally:
            os.close(fd)


def read(path):
    """Rows of a results CSV as dicts (for tests and the summary table)."""
    import csv
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# -- environment columns ---------------------------------------------------------------------------------------

def git_sha():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        out = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=here, capture_output=True, text=True,
                             timeout=10)
        return out.stdout.strip() if out.returncode == 0 else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def cpu_description():
    """The first CPU's model name with family, model and stepping, as bench's cpu column."""
    fields = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for raw in f:
                if not raw.strip():
                    if fields:
                        break
                    continue
                key, _, value = raw.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        return platform.processor() or "unknown"
    ids = [f"{label} {fields[k]}" for label, k in (("family", "cpu family"), ("model", "model"), ("stepping", "stepping"))
           if k in fields]
    name = fields.get("model name", "unknown")
    return f"{name} ({' '.join(ids)})" if ids else name


def timestamp():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
