"""The runner's CUDA code paths, run end to end on a CPU-only machine under a fake CUDA (tests/fake_cuda.py): torch's
own torch.cuda functions with only the driver-level primitives and the device faked, so arguments are checked
exactly as on a GPU. Also the hard time limit, error rows for any failure, the budget search's step-down, the
reversible twin's freed stream gradients, and the GPU summary.

The torch.cuda / torch.backends calls the runner makes (a test below keeps this list equal to the sources):
    torch.cuda.is_available             Device via device_for, reproduce.sh's device check
    torch.cuda.current_device           Device (the indexed device), reproduce.sh
    torch.cuda.get_device_properties    Device: the budget against the GPU's total memory
    torch.cuda.set_per_process_memory_fraction   Device: the budget (needs an indexed device)
    torch.cuda.get_device_name          Device.name, reproduce.sh
    torch.cuda.synchronize              Device.sync around every step
    torch.cuda.memory_allocated         Device.allocated: bytes before a step
    torch.cuda.reset_peak_memory_stats  Device.reset_peak, Device.release
    torch.cuda.max_memory_allocated     Device.step_peak
    torch.cuda.max_memory_reserved      Device.step_peak
    torch.cuda.memory_stats             Device.alloc_retries (num_alloc_retries)
    torch.cuda.empty_cache              Device.release
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32   Settings (TF32 off for fp32)
    torch.backends.cudnn.version        blas_description
Each is exercised by test_every_cuda_call_of_the_runner_is_exercised_under_fake_cuda.
"""
import collections
import os
import re
import subprocess
import sys

import pytest
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "torchrunner"))
sys.path.insert(0, HERE)

from fake_cuda import NAME, RUNNER_CUDA_CALLS, FakeCuda  # noqa: E402
from revbench_torch import measure, models, presets, record, runner, summary  # noqa: E402
from revbench_torch.__main__ import main  # noqa: E402

MiB = 2**20


@pytest.fixture
def gpu():
    with FakeCuda(total_memory=256 * MiB) as fake:
        yield fake


def test_cuda_device_is_indexed_so_the_memory_fraction_accepts_it(gpu):
    """The defect a GPU would have met first: set_per_process_memory_fraction refuses torch.device("cuda")."""
    with pytest.raises(ValueError, match="specified index"):
        torch.cuda.set_per_process_memory_fraction(0.5, torch.device("cuda"))
    device = measure.Device("cuda", 40 * MiB)
    assert device.torch == torch.device("cuda", 0)
    assert gpu.allocator.fraction == pytest.approx(40 / 256)
    assert device.name == NAME
    with pytest.raises(ValueError, match="more than this GPU"):
        measure.Device("cuda", 512 * MiB)


def test_cuda_budget_search_finds_the_largest_batch_under_a_scaled_down_budget(gpu, tmp_path):
    out = tmp_path / "budget.csv"
    assert main(["budget", "--device", "cuda", "--models", "vit_tiny_test", "--depths", "2", "--memory", "24MiB",
                 "--steps", "1", "--warmup", "0", "--output", str(out)]) == 0
    rows = record.read(out)
    assert [r["variant"] for r in rows] == ["standard", "reversible", "checkpointed"]
    budget = 24 * MiB
    for r in rows:
        assert r["error"] == "" and r["device"] == NAME and int(r["memory_budget_bytes"]) == budget
        assert int(r["max_batch"]) > 4 and float(r["images_per_s"]) > 0
        assert int(r["peak_reserved_bytes"]) <= budget, "the caching allocator stayed under the fraction"
        assert int(r["peak_ledger_bytes"]) <= int(r["peak_reserved_bytes"])
        assert r["alloc_retries"] != "", "CUDA rows record the allocator's retries over their timed steps"
    batches = {r["variant"]: int(r["max_batch"]) for r in rows}
    assert batches["reversible"] > batches["checkpointed"] > batches["standard"]
    assert gpu.allocator.ooms > 0, "the search went past the budget and recovered from real out-of-memory errors"


def test_cuda_out_of_memory_mid_step_is_an_error_row_and_the_run_goes_on(gpu, tmp_path):
    out = tmp_path / "oom.csv"
    assert main(["run", "--device", "cuda", "--model", "vit_tiny_test", "--batch", "2,4000,4", "--variants",
                 "standard", "--steps", "1", "--output", str(out)]) == 0
    rows = record.read(out)
    assert [(r["batch"], r["error"][:27]) for r in rows] == [
        ("2", ""), ("4000", "out of memory: CUDA out of "), ("4", "")]
    assert gpu.allocator.ooms == 1 and gpu.allocator.allocated_at_last_oom > 128 * MiB, "it failed mid-step"
    assert all(int(r["step_ledger_bytes"]) > 0 and int(r["bytes_per_image"]) > 0 for r in (rows[0], rows[2]))
    assert gpu.allocator.allocated < 4 * MiB, "an abandoned step's tensors were freed"


def test_every_cuda_call_of_the_runner_is_exercised_under_fake_cuda(gpu, tmp_path, monkeypatch):
    sources = [os.path.join(ROOT, "torchrunner", "revbench_torch", f) for f in os.listdir(
        os.path.join(ROOT, "torchrunner", "revbench_torch")) if f.endswith(".py")]
    sources.append(os.path.join(ROOT, "torchrunner", "reproduce.sh"))
    found = set()
    for path in sources:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        found |= set(re.findall(r"torch\.(?:cuda|backends)\.[A-Za-z0-9_.]*[A-Za-z0-9_]", text))
    found -= {"torch.cuda.OutOfMemoryError"}  # an exception class, raised by the fake allocator itself
    assert found == set(RUNNER_CUDA_CALLS), "update RUNNER_CUDA_CALLS and this file's list"

    calls = collections.Counter()
    for name in RUNNER_CUDA_CALLS:
        owner_name, attr = name.rsplit(".", 1)
        owner = eval(owner_name, {"torch": torch})  # noqa: S307 (names from the list above)
        original = getattr(owner, attr)
        if callable(original):
            def counting(*args, _original=original, _name=name, **kwargs):
                calls[_name] += 1
                return _original(*args, **kwargs)
            monkeypatch.setattr(owner, attr, counting)
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    out = tmp_path / "calls.csv"
    assert main(["budget", "--device", "cuda", "--models", "vit_tiny_test", "--depths", "2", "--memory", "24MiB",
                 "--variants", "standard", "--steps", "1", "--output", str(out)]) == 0
    assert main(["run", "--device", "cuda", "--model", "vit_tiny_test", "--depth", "2", "--batch", "2",
                 "--variants", "reversible", "--steps", "1", "--output", str(out)]) == 0
    assert all(r["error"] == "" for r in record.read(out))
    assert torch.backends.cuda.matmul.allow_tf32 is False and torch.backends.cudnn.allow_tf32 is False
    functions = {n for n in RUNNER_CUDA_CALLS if not n.endswith("allow_tf32")}
    missing = {n for n in functions if calls[n] == 0}
    assert not missing, f"not exercised: {sorted(missing)}"


def fake_cuda_environment():
    return dict(os.environ, REVBENCH_FAKE_CUDA_TOTAL_BYTES=str(256 * MiB), REVBENCH_PYTHON=sys.executable,
                PYTHONPATH=os.path.join(HERE, "fake_cuda_site"))


def test_reproduce_scripts_cuda_branch_runs_as_a_whole_under_fake_cuda(tmp_path):
    """reproduce.sh --device cuda, every phase, in fresh Python processes that see the fake GPU, written into a
    folder given relative to the caller's folder, and nothing outside it."""
    done = subprocess.run(["bash", os.path.join(ROOT, "torchrunner", "reproduce.sh"), "--device", "cuda", "--scale",
                           "tiny", "--out", "rel/gpu", "--time-limit", "600"], cwd=tmp_path, capture_output=True,
                          text=True, env=fake_cuda_environment(), timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    out = tmp_path / "rel" / "gpu"
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(
        ["rel", "gpu", "budget_vit_tiny_24MiB.csv", "budget_vit_tiny_24MiB_fused.csv", "memory.csv",
         "reproduce.log", "summary.txt"])
    budget = record.read(out / "budget_vit_tiny_24MiB.csv")
    assert [(r["depth"], r["variant"]) for r in budget] == (
        [(d, v) for d in ("2", "4") for v in ("standard", "reversible")] + [("2", "checkpointed"), ("4", "checkpointed")]
        + [("8", v) for v in ("standard", "reversible", "checkpointed")]), "standard and reversible first"
    assert all(r["error"] == "" and int(r["max_batch"]) > 0 and r["device"] == NAME for r in budget)
    memory = record.read(out / "memory.csv")
    assert len(memory) == 16 and all(r["error"] == "" and int(r["bytes_per_image"]) > 0 for r in memory)
    assert f"(CUDA {torch.version.cuda}) on {NAME}, fp32" in (out / "reproduce.log").read_text()
    assert "rev/std batch" in done.stdout and "memory std/rev" in done.stdout


def test_a_bare_cuda_device_fails_the_whole_script_without_the_fix(tmp_path):
    """The fake catches the original defect end to end: with the runner's device built as torch.device("cuda"),
    every budget phase fails (and the script says so) instead of measuring."""
    patched = tmp_path / "runner"
    patched.mkdir()
    for part in ("revbench_torch", "tests"):
        subprocess.run(["cp", "-r", os.path.join(ROOT, "torchrunner", part), str(patched)], check=True)
    measure_py = patched / "revbench_torch" / "measure.py"
    text = measure_py.read_text()
    fixed = 'torch.device("cuda", torch.cuda.current_device()) if name == "cuda" else torch.device(name)'
    assert fixed in text
    measure_py.write_text(text.replace(fixed, "torch.device(name)"))
    env = fake_cuda_environment()
    env["PYTHONPATH"] = os.path.join(patched, "tests", "fake_cuda_site")
    done = subprocess.run([sys.executable, "-m", "revbench_torch", "budget", "--device", "cuda", "--models",
                           "vit_tiny_test", "--depths", "2", "--memory", "24MiB", "--output", str(tmp_path / "b.csv")],
                          cwd=patched, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 64 and "specified index" in done.stderr, done.stderr[-2000:]


class CountingDeadline(measure.Deadline):
    """A deadline that passes after `checks` checks: the time limit without a clock."""

    def __init__(self, checks):
        super().__init__(None)
        self.left = checks

    def passed(self, expected_seconds=0.0):
        self.left -= 1
        return self.left < 0


def test_the_time_limit_is_checked_before_every_step_and_cuts_no_row_in_half(gpu, tmp_path):
    settings = runner.Settings(runner.device_for("cuda", 24 * MiB), steps=2, deadline=CountingDeadline(25))
    out = record.ResultsFile(str(tmp_path / "cut.csv"))
    rows = runner.budget(settings, "vit_tiny_test", {}, [2, 4, 8], ["standard", "reversible"], 24 * MiB, out)
    written = record.read(tmp_path / "cut.csv")
    assert len(written) == len(rows) < 6, "one configuration was cut off and wrote no row"
    measured = [r for r in written if not r["error"]]
    skipped = [r for r in written if r["error"]]
    assert measured and skipped, (len(measured), len(skipped))
    assert written[:len(measured)] == measured, "measured rows come first, each complete"
    assert all(int(r["max_batch"]) > 0 and float(r["images_per_s"]) > 0 for r in measured)
    assert all(r["error"] == runner.SKIPPED and r["max_batch"] == "0" for r in skipped)


def test_a_step_that_would_end_after_the_deadline_does_not_start():
    deadline = measure.Deadline(10.0)
    assert not deadline.passed(expected_seconds=5.0)
    assert deadline.passed(expected_seconds=11.0)
    with pytest.raises(measure.OutOfTime):
        deadline.check(expected_seconds=11.0)
    assert not measure.Deadline(None).passed(1e9)


@pytest.mark.parametrize("value", ["0", "-5", "nan"])
def test_a_time_limit_that_is_not_positive_is_refused(value, capsys):
    assert main(["budget", "--device", "cpu", "--time-limit", value]) == 64
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --time-limit must be a positive number"), err


def test_any_failure_of_one_configuration_is_its_row_and_the_run_goes_on(tmp_path, monkeypatch, capsys):
    original = measure.Trainer.step

    def broken_for_reversible(self, b):
        if self.variant == "reversible":
            raise KeyError("a bug in one variant")
        return original(self, b)
    monkeypatch.setattr(measure.Trainer, "step", broken_for_reversible)
    out = tmp_path / "failed.csv"
    assert main(["run", "--device", "cpu", "--model", "vit_tiny_test", "--batch", "2", "--steps", "1",
                 "--output", str(out)]) == 1, "a broken configuration fails the invocation, after every row"
    assert "error: 1 configuration failed" in capsys.readouterr().err
    rows = {r["variant"]: r for r in record.read(out)}
    assert rows["reversible"]["error"] == "failed: KeyError: 'a bug in one variant'"
    assert rows["standard"]["error"] == "" and rows["checkpointed"]["error"] == ""


def test_a_predicted_batch_that_fails_steps_down_by_about_ten_percent():
    tried = []

    def fits(b):
        tried.append(b)
        return b <= 930
    assert runner.find_max_batch(fits, 1000, predicted=True, tolerance=0.0, max_tries=40) == 930
    assert tried[:2] == [1000, 900], tried
    tried.clear()
    assert runner.find_max_batch(fits, 1000, predicted=False, tolerance=0.0, max_tries=40) == 930
    assert tried[:2] == [1000, 500], "without a prediction it halves"


def test_the_reversible_backward_keeps_no_stream_gradient_into_the_next_recompute():
    """At every recompute of F or G in backward, no earlier recompute's input still holds a gradient: the reference
    code frees Y1's and X2's gradients once added in (a kept one costs a (B, N, C) stream per block)."""
    import weakref
    cfg = presets.config("vit_tiny_test")
    model = models.initialize(presets.build(cfg, "reversible"), seed=1)
    assert model.recompute
    inputs, held = [], []

    def watch(fn):
        def wrapped(x):
            if torch.is_grad_enabled() and x.requires_grad:      # a recompute in backward
                held.extend(i() for i in inputs if i() is not None and i().grad is not None)
                inputs.append(weakref.ref(x))
            return fn(x)
        return wrapped
    for blk in model.blocks:
        blk.f, blk.g = watch(blk.f), watch(blk.g)
    x = torch.randn(2, 3, cfg.image_size, cfg.image_size)
    torch.nn.functional.cross_entropy(model(x), torch.tensor([1, 2])).backward()
    assert len(inputs) == 2 * cfg.depth
    assert not held, f"{len(held)} stream gradients were alive at a later recompute"


def test_the_summary_gives_memory_per_image_as_a_slope_and_budget_ratios(tmp_path):
    path = tmp_path / "rows.csv"
    out = record.ResultsFile(str(path))
    base = dict(model="vit_base_patch16_224", device="NVIDIA H100", engine="pytorch 2.11.0", precision="fp32",
                width=768, heads=12, image_size=224, patch_size=16, attention="math")
    for variant, per_image in (("standard", 130 * MiB), ("reversible", 17 * MiB)):
        for batch in (2, 4):
            out.append(dict(base, variant=variant, depth=12, batch=batch, images_per_s=100.0,
                            step_ledger_bytes=5 * MiB + batch * per_image))
    for depth, (std, rev) in ((12, (100, 700)), (48, (25, 600))):
        for variant, batch, speed in (("standard", std, 200.0), ("reversible", rev, 300.0)):
            out.append(dict(base, variant=variant, depth=depth, batch=1, max_batch=batch, images_per_s=speed,
                            memory_budget_bytes=16 * 2**30, alloc_retries=2 if depth == 48 else 0))
    text = summary.render([str(path)])
    assert re.search(r"standard\s+130\.00\s", text) and re.search(r"reversible\s+17\.00\s", text), text
    assert "memory std/rev 7.65x" in text
    line48 = next(line for line in text.splitlines() if re.search(r"16\.0 GiB\s+48 ", line))
    assert "24.00x" in line48 and "1.50x" in line48 and "2 allocator retries" in line48, line48
    assert "3.9x (CVPR)" in text
