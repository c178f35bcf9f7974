"""One CSV row per run in exactly bench's schema (RunRecord's coding keys; a Swift test and a pytest keep the two
equal), written with bench's guarantees (docs/reliability.md): a folder, a name not ending in .csv or a file that is
not a results CSV is refused before anything is measured; the header is created, and each row appended as one write
of a whole line starting on a fresh line, under an exclusive flock, then fsync, so concurrent writers, a crash or
Ctrl-C lose no completed row; a write the file will not take is cut back to the last complete row and reported with
its cause. A file under an older header (its columns a subset of today's) is upgraded in place, cells moved as
written, by one rename of a finished temporary beside it, as bench does."""
import csv
import datetime
import fcntl
import io
import math
import os
import platform
import subprocess
import tempfile

COLUMNS = (
    "timestamp", "git_sha", "model", "variant", "device", "engine", "precision", "depth", "width", "heads",
    "image_size", "patch_size", "transitions", "attention", "classes", "drop_path", "tokens", "batch", "threads", "params", "gmacs_per_image", "warmup", "steps",
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


REQUIRED = ("model", "variant", "depth", "width", "heads", "image_size", "patch_size", "batch", "error")


class ResultsFile:
    """Appends rows to `path`, creating it with the header, or upgrading an older header in place; refuses (ValueError,
    one line) anything else. Opening checks that the file can be written, before any measuring."""

    def __init__(self, path):
        self.path, self.upgraded_from = path, None
        if os.path.isdir(path):
            raise ValueError(f"--output {path} is a folder; name a .csv file")
        if not path.endswith(".csv"):
            raise ValueError(f"--output {path} does not end in .csv; results are written only to .csv files")
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        with self._locked() as fd:
            header = _read_header(fd)
            if header is None:
                _write_all(fd, (HEADER + "\n").encode(), 0, path)
            elif header != list(COLUMNS):
                unknown = [c for c in header if c not in COLUMNS]
                missing = [c for c in REQUIRED if c not in header]
                if missing:
                    raise ValueError(f"--output {path} is not a results CSV (no column {', '.join(missing)}); "
                                     "name another file")
                if unknown:
                    raise ValueError(f"--output {path} has columns this runner does not know ({', '.join(unknown)}); "
                                     "a newer writer made it: name another file")
                self._upgrade(fd, header)

    def _locked(self):
        path = self.path

        class Lock:
            def __enter__(lock):
                lock.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
                fcntl.flock(lock.fd, fcntl.LOCK_EX)
                return lock.fd

            def __exit__(lock, *exc):
                os.close(lock.fd)     # closing releases the lock
        return Lock()

    def _upgrade(self, fd, header):
        """Rewrites the file under today's header: each cell moved to its column as written, new columns empty."""
        os.lseek(fd, 0, os.SEEK_SET)
        with os.fdopen(os.dup(fd), "r", newline="", encoding="utf-8") as f:
            records = list(csv.reader(f))[1:]
        text = io.StringIO()
        text.write(HEADER + "\n")
        for cells in records:
            if cells:
                by_name = dict(zip(header, cells))
                text.write(",".join(_quoted(by_name.get(c, "")) for c in COLUMNS) + "\n")
        folder = os.path.dirname(os.path.abspath(self.path))
        tmp_fd, tmp = tempfile.mkstemp(prefix=".upgrade-", suffix=".csv", dir=folder)
        try:
            try:
                _write_all(tmp_fd, text.getvalue().encode(), 0, tmp)
                os.fsync(tmp_fd)
            finally:
                os.close(tmp_fd)
            os.rename(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        self.upgraded_from = header

    def append(self, row):
        data = line(row)
        with self._locked() as fd:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = "\n" + data      # the last row lacks its line end: start on a fresh line
            _write_all(fd, (data + "\n").encode(), size, self.path)
            os.fsync(fd)


def _quoted(text):
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\n\r') else text


def _read_header(fd):
    """The first line's column names, or None for an empty file."""
    if os.fstat(fd).st_size == 0:
        return None
    head = os.pread(fd, 65536, 0)
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        return next(csv.reader([first.decode("utf-8")]))
    except (UnicodeDecodeError, StopIteration, csv.Error):
        return ["(not text)"]


def _write_all(fd, data, offset, path):
    """Writes `data` at `offset` in one or more writes; on failure cuts the file back to `offset` and raises OSError
    naming the cause."""
    done = 0
    try:
        while done < len(data):
            n = os.pwrite(fd, data[done:], offset + done)
            if n <= 0:
                raise OSError(f"cannot write to {path}: nothing was written")
            done += n
    except OSError as e:
        os.ftruncate(fd, offset)
        raise OSError(f"cannot write to {path}: {e.strerror or e}; the file was cut back to its last complete row") \
            from None


def read(path):
    """Rows of a results CSV as dicts (for tests and the summary table)."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# -- environment columns ---------------------------------------------------------------------------------------

def git_sha():
    """HEAD's short sha, or $REVBENCH_GIT_SHA where the tree is a copy without .git (a lent GPU machine)."""
    if os.environ.get("REVBENCH_GIT_SHA"):
        return os.environ["REVBENCH_GIT_SHA"][:12]
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


def size_text(n):
    """Bytes as a budget is written: GiB from 1 GiB on, else MiB."""
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def retries_text(row):
    """A row's allocator retries in words ("" for none): such a row's images/s is not the batch's steady rate."""
    try:
        n = int(float(row.get("alloc_retries") or 0))
    except ValueError:
        return ""
    return f"{n} allocator retries in the timed steps" if n else ""


def timestamp():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
