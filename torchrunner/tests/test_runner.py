"""The PyTorch runner: reversible and checkpointed backprop equal plain autograd, the presets equal bench's, the
budget search, and rows that bench reads. Run from the repository root: torchrunner/.venv/bin/python -m pytest
torchrunner/tests (needs torch; the Swift product and CI never do). Tests that compare with `bench` build it once."""
import copy
import os
import re
import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "torchrunner"))

from revbench_torch import models, presets, record, runner  # noqa: E402
from revbench_torch.__main__ import main  # noqa: E402
from revbench_torch.measure import OutOfMemory  # noqa: E402


@pytest.fixture(scope="session")
def bench():
    """The bench executable of this checkout, built (or brought up to date) once per session."""
    subprocess.run(["swift", "build", "--product", "bench"], cwd=ROOT, check=True, capture_output=True)
    return os.path.join(ROOT, ".build", "debug", "bench")


def gradients(model, x, y):
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    return {n: p.grad.detach().clone() for n, p in model.named_parameters()}


def worst_relative_difference(a, b):
    """max over parameters of max |a - b| / max |a|, the denominator floored at 1e-3 of the largest gradient: some
    gradients are zero in exact arithmetic (a LayerNorm bias before a softmax that cancels it), so their rounding
    noise has no scale of its own."""
    floor = 1e-3 * max(g.abs().max().item() for g in a.values())
    return max(((a[n] - b[n]).abs().max() / a[n].abs().max().clamp_min(floor)).item() for n in a)


@pytest.mark.parametrize("name", ["vit_tiny_test", "mvit_tiny_test"])
@pytest.mark.parametrize("dtype,bound", [(torch.float64, 1e-10), (torch.float32, 1e-5)])
def test_reversible_recompute_gradients_equal_plain_autograd(name, dtype, bound):
    cfg = presets.config(name)
    rev = models.initialize(presets.build(cfg, "reversible"), seed=3).to(dtype)
    plain = copy.deepcopy(rev)
    plain.recompute = False
    assert rev.recompute
    torch.manual_seed(0)
    x = torch.randn(3, 3, cfg.image_size, cfg.image_size, dtype=dtype)
    y = torch.tensor([1, 2, 3])
    worst = worst_relative_difference(gradients(plain, x, y), gradients(rev, x, y))
    assert worst <= bound, f"{name} {dtype}: worst relative gradient difference {worst}"


@pytest.mark.parametrize("name", ["vit_tiny_test", "mvit_tiny_test"])
def test_checkpointed_gradients_equal_standard(name):
    cfg = presets.config(name)
    standard = models.initialize(presets.build(cfg, "standard"), seed=3).double()
    checkpointed = models.initialize(presets.build(cfg, "checkpointed"), seed=3).double()
    checkpointed.load_state_dict(standard.state_dict())
    x = torch.randn(2, 3, cfg.image_size, cfg.image_size, dtype=torch.float64)
    y = torch.tensor([4, 5])
    assert worst_relative_difference(gradients(standard, x, y), gradients(checkpointed, x, y)) <= 1e-12


@pytest.mark.parametrize("name", ["vit_tiny_test", "mvit_tiny_test"])
@pytest.mark.parametrize("variant", ["standard", "reversible"])
def test_sdpa_twin_equals_explicit_attention(name, variant):
    """--attention fused (F.scaled_dot_product_attention) computes what explicit attention does, on the same weights."""
    explicit = models.initialize(presets.build(presets.config(name), variant), seed=3).double()
    sdpa = presets.build(presets.config(name, attention="fused"), variant).double()
    sdpa.load_state_dict(explicit.state_dict())
    assert all(m.sdpa for m in sdpa.modules() if hasattr(m, "sdpa"))
    assert not any(m.sdpa for m in explicit.modules() if hasattr(m, "sdpa"))
    cfg = presets.config(name)
    x = torch.randn(2, 3, cfg.image_size, cfg.image_size, dtype=torch.float64)
    y = torch.tensor([4, 5])
    assert torch.allclose(explicit(x), sdpa(x), rtol=1e-10, atol=1e-12)
    assert worst_relative_difference(gradients(explicit, x, y), gradients(sdpa, x, y)) <= 1e-10


def test_a_broken_reconstruction_is_caught():
    """The gradient comparison can fail: a reversible run that reconstructs X1 wrongly differs from autograd."""
    cfg = presets.config("vit_tiny_test")
    rev = models.initialize(presets.build(cfg, "reversible"), seed=3).double()
    plain = copy.deepcopy(rev)
    plain.recompute = False
    block = rev.blocks[0]
    original = block.f
    block.f = lambda x: original(x) * (1 + 1e-3) if not torch.is_grad_enabled() else original(x)
    x = torch.randn(2, 3, 32, 32, dtype=torch.float64)
    y = torch.tensor([1, 2])
    assert worst_relative_difference(gradients(plain, x, y), gradients(rev, x, y)) > 1e-6


def bench_list(bench):
    """{preset: (params, GMACs text)} from `bench list`."""
    out = subprocess.run([bench, "list"], capture_output=True, text=True, check=True).stdout
    table = {}
    for line in out.splitlines()[2:]:
        parts = line.split()
        table[parts[0]] = (int(parts[6].replace(",", "")), parts[7])
    return table


def test_every_preset_has_benchs_parameter_count_and_macs(bench):
    expected = bench_list(bench)
    assert set(expected) == set(presets.PRESETS)
    for name, (params, gmacs) in expected.items():
        cfg = presets.config(name)
        variant = "reversible" if name.startswith("rev_") else "standard"
        assert sum(p.numel() for p in presets.build(cfg, variant).parameters()) == params, name
        macs = presets.macs_per_image(cfg, variant) / 1e9
        text = f"{macs:.2f}" if macs >= 1 else f"{macs:.3g}"
        assert text == gmacs, (name, text, gmacs)


def test_find_max_batch_is_exact_against_an_injected_limit():
    for limit in (1, 7, 33, 250, 1000):
        for guess in (1, limit // 3 + 1, limit, 4 * limit):
            for predicted in (True, False):
                tried = []

                def fits(b):
                    tried.append(b)
                    return b <= limit

                best = runner.find_max_batch(fits, guess, predicted, max_tries=40, tolerance=0.0)
                assert best == limit, (limit, guess, predicted, tried)
                if limit // 2 <= guess <= 2 * limit:
                    assert len(tried) <= 20, ("a prediction within 2x costs few steps", limit, guess, tried)
    assert runner.find_max_batch(lambda b: False, 50) == 0


def cli(*args):
    """The runner as users start it (a fresh process, which re-executes itself with jemalloc preloaded on CPU)."""
    return subprocess.run([sys.executable, "-m", "revbench_torch", *args], cwd=os.path.join(ROOT, "torchrunner"),
                          capture_output=True, text=True)


def test_budget_on_cpu_with_an_injected_limit_and_an_error_row(tmp_path):
    out = tmp_path / "budget.csv"
    done = cli("budget", "--device", "cpu", "--models", "vit_tiny_test", "--depths", "4", "--memory", "40MiB",
               "--variants", "standard,reversible", "--steps", "1", "--threads", "1", "--output", str(out))
    assert done.returncode == 0, done.stderr
    if "jemalloc not found" in done.stderr:
        pytest.skip("no jemalloc on this machine: CPU steps have no memory figures to hold a budget against")
    rows = record.read(out)
    assert [r["variant"] for r in rows] == ["standard", "reversible"]
    for r in rows:
        assert r["error"] == "" and int(r["max_batch"]) > 4
        assert int(r["memory_budget_bytes"]) == 40 * 2**20
    assert int(rows[1]["max_batch"]) > int(rows[0]["max_batch"]), "the reversible model fits a larger batch"
    # A budget below the parameters' own footprint is an error row with max batch 0, not a crash.
    done = cli("budget", "--device", "cpu", "--models", "vit_small_patch16_224", "--depths", "12", "--memory", "64MiB",
               "--variants", "standard", "--output", str(out))
    assert done.returncode == 0, done.stderr
    last = record.read(out)[-1]
    assert last["max_batch"] == "0" and last["error"].startswith("no batch fits")


def test_an_out_of_memory_step_becomes_an_error_row(tmp_path, monkeypatch):
    def oom(self, b):
        raise OutOfMemory("CUDA out of memory (simulated)")
    monkeypatch.setattr(runner.Trainer, "measured_step", oom)
    out = tmp_path / "oom.csv"
    assert main(["run", "--device", "cpu", "--model", "vit_tiny_test", "--variants", "reversible", "--batch", "2",
                 "--output", str(out)]) == 0
    (row,) = record.read(out)
    assert row["error"].startswith("out of memory: CUDA out of memory (simulated)")


def test_header_equals_benchs_and_rows_load_in_bench_table(bench, tmp_path):
    swift_csv = tmp_path / "swift.csv"
    subprocess.run([bench, "--model", "vit_tiny_test", "--variants", "standard", "--batch", "1", "--steps", "1",
                    "--warmup", "0", "--threads", "1", "--output", str(swift_csv), "--quiet"], check=True,
                   capture_output=True)
    assert swift_csv.read_text().splitlines()[0] == record.HEADER
    torch_csv = tmp_path / "torch.csv"
    assert main(["run", "--device", "cpu", "--model", "vit_tiny_test", "--batch", "2", "--steps", "1",
                 "--output", str(torch_csv)]) == 0
    rows = record.read(torch_csv)
    assert {r["variant"] for r in rows} == {"standard", "reversible", "checkpointed"}
    assert all(r["engine"].startswith("pytorch ") and r["device"] == "cpu" for r in rows)
    (swift_row,) = record.read(swift_csv)
    assert all((r["classes"], r["drop_path"]) == (swift_row["classes"], swift_row["drop_path"]) == ("10", "0.0")
               for r in rows), "the preset's classes and drop-path rate, written as bench writes them"
    table = subprocess.run([bench, "table", str(torch_csv), str(swift_csv)], capture_output=True, text=True)
    assert table.returncode == 0, table.stderr
    assert re.search(r"\| vit_tiny_test \(pytorch [^|]+, cpu\) \| 4 \| 2 \|", table.stdout), table.stdout
    assert re.search(r"\| vit_tiny_test \| 4 \| 1 \|", table.stdout), "bench's own row stays apart"


def test_bad_input_is_one_error_line(capsys):
    assert main(["run", "--device", "cpu", "--model", "vit_gigantic"]) == 64
    assert main(["run", "--device", "cpu", "--model", "vit_tiny_test", "--batch", "2,x"]) == 64
    assert main(["budget", "--device", "cpu", "--memory", "lots"]) == 64
    assert main(["run", "--device", "cpu", "--model", "vit_tiny_test", "--variants", "fast"]) == 64
    err = capsys.readouterr().err.strip().splitlines()
    assert [line.split(":")[0] for line in err] == ["error"] * 4, err
    assert "unknown model 'vit_gigantic'" in err[0] and "'x'" in err[1] and "'lots'" in err[2] and "'fast'" in err[3]


def test_reproduce_script_rehearses_on_cpu_into_a_relative_folder(tmp_path):
    """The --device cpu rehearsal: every phase on the tiny presets, rows and log into --out given relative to the
    caller's folder, nothing written anywhere else (its time is printed and stated in docs/gpu-runner.md; a test
    asserts no timing)."""
    env = dict(os.environ, REVBENCH_PYTHON=sys.executable)
    done = subprocess.run(["bash", os.path.join(ROOT, "torchrunner", "reproduce.sh"), "--device", "cpu", "--out",
                           "out/cpu"], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    out = tmp_path / "out" / "cpu"
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(
        ["out", "cpu", "budget_vit_tiny_16MiB.csv", "budget_vit_tiny_16MiB_fused.csv", "memory.csv", "reproduce.log",
         "summary.txt"])
    memory, budget = record.read(out / "memory.csv"), record.read(out / "budget_vit_tiny_16MiB.csv")
    fused = record.read(out / "budget_vit_tiny_16MiB_fused.csv")
    assert len(memory) == 16 and all(r["error"] == "" and int(r["bytes_per_image"]) > 0 for r in memory)
    assert len(budget) == 9 and all(r["error"] == "" and int(r["max_batch"]) > 0 for r in budget)
    assert len(fused) == 3 and all(r["attention"] == "fused" and int(r["max_batch"]) > 0 for r in fused)
    assert "reversible" in done.stdout and "rev/std batch" in done.stdout
    assert re.search(r"reproduce.sh: \d+ s of 420; rows in ", done.stderr)


def test_reproduce_script_refuses_bad_options_in_one_line(tmp_path):
    script = os.path.join(ROOT, "torchrunner", "reproduce.sh")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "budget.csv").write_text("earlier rows\n")
    for args, message in ((["--time-limit", "0"], "--time-limit must be a positive whole number"),
                          (["--device", "tpu"], "--device must be cuda or cpu"),
                          (["--device", "cpu", "--scale", "paper"], "--device cpu runs --scale tiny only"),
                          (["--out"], "--out needs a value"),
                          (["--time-limit", "00"], "--time-limit must be a positive whole number"),
                          (["--device", "cpu", "--out", "full"], "already holds rows")):
        done = subprocess.run(["bash", script, *args], cwd=tmp_path, capture_output=True, text=True)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 64 and len(lines) == 1 and message in lines[0], done.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["budget.csv", "full"], "nothing was written"


def test_breakdown_attributes_saved_tensors_to_blocks():
    from revbench_torch import breakdown
    # Rev-ViT keeps exactly its run's two output streams (B, N, C) each; the standard ViT keeps something per block.
    rows, _ = breakdown.breakdown("rev_vit_tiny_test", batch=2)
    cfg = presets.config("vit_tiny_test")
    run = dict(rows)["blocks 0-3 (reversible run)"]
    assert run == 2 * 2 * cfg.patches * cfg.width * 4
    standard, _ = breakdown.breakdown("vit_tiny_test", batch=2)
    assert [label for label, _ in standard] == ["block 0", "block 1", "block 2", "block 3", "head"]
    # Rev-MViT: the stage transitions hold most of it.
    rows, _ = breakdown.breakdown("rev_mvit_tiny_test", batch=2)
    total = sum(b for _, b in rows)
    assert sum(b for label, b in rows if "transition" in label) > 0.5 * total


def test_breakdown_by_module_splits_each_block_and_keeps_its_total():
    from revbench_torch import breakdown
    for attention in ("math", "fused"):
        by_block, _ = breakdown.breakdown("vit_tiny_test", batch=2, attention=attention)
        by_module, _ = breakdown.breakdown("vit_tiny_test", batch=2, attention=attention, by_module=True)
        assert [label for label, _ in by_module[:4]] == ["block 0 · norm1", "block 0 · attn", "block 0 · norm2", "block 0 · mlp"]
        for label, total in by_block:
            assert sum(b for m, b in by_module if m == label or m.startswith(label + " · ")) == total, label
    # The fused core keeps no (B, H, N, N) probabilities: less is saved than with the math core.
    math, _ = breakdown.breakdown("vit_tiny_test", batch=2)
    fused, _ = breakdown.breakdown("vit_tiny_test", batch=2, attention="fused")
    assert dict(fused)["block 0"] < dict(math)["block 0"]


def test_results_file_keeps_bench_s_guarantees(tmp_path):
    """The runner's writer as bench's (docs/reliability.md): folders, other names and foreign files refused;
    a missing final newline repaired before the next row; an older header upgraded in place with its cells;
    concurrent writers on a new file write one header."""
    import multiprocessing
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    for target, message in ((folder, "is a folder"), (tmp_path / "notes.md", "does not end in .csv")):
        with pytest.raises(ValueError, match=message):
            record.ResultsFile(str(target))
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="not a results CSV"):
        record.ResultsFile(str(tmp_path / "other.csv"))
    assert (folder / "keep.txt").read_text() == "mine" and (tmp_path / "other.csv").read_text() == "a,b\n1,2\n"

    row = dict(model="vit_tiny_test", variant="standard", depth=4, batch=2, error="")
    path = tmp_path / "cut.csv"
    out = record.ResultsFile(str(path))
    out.append(row)
    path.write_bytes(path.read_bytes()[:-1])            # the last line loses its line end
    out.append(dict(row, batch=4))
    assert [r["batch"] for r in record.read(path)] == ["2", "4"]

    older = [c for c in record.COLUMNS if c != "alloc_retries"]
    old = tmp_path / "old.csv"
    old.write_text(",".join(older) + "\n" + ",".join('"a, b"' if c == "error" else "x" for c in older) + "\n")
    upgraded = record.ResultsFile(str(old))
    assert upgraded.upgraded_from == older
    (first,) = record.read(old)
    assert first["error"] == "a, b" and first["alloc_retries"] == "" and first["model"] == "x"

    new = tmp_path / "new.csv"
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.map(_append_one, [(str(new), i) for i in range(16)])
    text = new.read_text()
    assert text.count(record.HEADER) == 1 and sorted(int(r["batch"]) for r in record.read(new)) == list(range(16))


def _append_one(args):
    path, i = args
    record.ResultsFile(path).append(dict(model="m", variant="standard", batch=i))
