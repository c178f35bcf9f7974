#!/usr/bin/env python3
"""What the PyTorch twin saves for backward at the end of forward, per block and per block module, as JSON for the
Swift engine's comparison (BenchKit's TorchBreakdown: `swift test --filter TorchBreakdownTests`, and
`bench profile --torch-breakdown FILE`). The Swift tests read the committed files and never run Python.

Usage:
  python3 scripts/make_breakdown_fixtures.py                     # the test fixtures under Tests/Fixtures/breakdown
  python3 scripts/make_breakdown_fixtures.py --model vit_small_patch16_224 --batch 8 [--attention fused] --out FILE
(needs torch; PYTHONPATH=torchrunner)
"""
import argparse, json, os, sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torchrunner"))
from revbench_torch import breakdown  # noqa: E402

FIXTURES = [("vit_tiny_test", "math"), ("vit_tiny_test", "fused"), ("mvit_tiny_test", "math")]


def record(model, batch, attention):
    """Per label its bytes and, where some of them are int64 (max-pool indices), "int64_bytes"."""
    def entries(rows, int64):
        return [dict({"label": label, "bytes": b}, **({"int64_bytes": int64[label]} if label in int64 else {}))
                for label, b in rows]
    block_int64, module_int64 = {}, {}
    by_block, _ = breakdown.breakdown(model, batch, attention=attention, int64_bytes=block_int64)
    by_module, _ = breakdown.breakdown(model, batch, attention=attention, by_module=True, int64_bytes=module_int64)
    return {"torch_version": torch.__version__, "model": model, "batch": batch, "attention": attention,
            "by_block": entries(by_block, block_int64), "by_module": entries(by_module, module_int64)}


def write(path, value):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(value, f, indent=1)
        f.write("\n")
    print(f"wrote {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="one preset instead of the test fixtures")
    ap.add_argument("--batch", type=int, default=2, help="batch size (default 2)")
    ap.add_argument("--attention", default="math", choices=("math", "fused"), help="attention core (default math)")
    ap.add_argument("--out", help="output file (with --model) or folder (default Tests/Fixtures/breakdown)")
    args = ap.parse_args()
    torch.set_default_dtype(torch.float32)
    if args.model:
        write(args.out or f"{args.model}_{args.attention}_b{args.batch}.json", record(args.model, args.batch, args.attention))
        return
    folder = args.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "breakdown")
    for model, attention in FIXTURES:
        write(os.path.join(folder, f"{model}_{attention}.json"), record(model, 2, attention))


if __name__ == "__main__":
    main()
