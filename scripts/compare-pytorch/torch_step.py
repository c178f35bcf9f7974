#!/usr/bin/env python3
"""Times training steps of RevBench's models in PyTorch eager (float32, CPU): forward, cross-entropy, backward,
AdamW update on synthetic data, like `bench`. Prints one JSON line with images/s (median step).

Usage: torch_step.py --variant standard|reversible|checkpointed [--depth 12 --batch 8 --steps 3 --warmup 1
       --threads 2 --width 384 --heads 6 --image-size 224 --patch-size 16 --attention math|fused]
       (--attention fused: F.scaled_dot_product_attention, as RevBench's --attention fused)
       torch_step.py --self-check   (reversible recompute gradients == plain autograd gradients)
"""
import argparse, json, os, sys, time, warnings

warnings.filterwarnings("ignore", message="Failed to initialize NumPy")  # torch without numpy; not needed here
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "torchrunner"))
from revbench_torch.models import ViT, RevViT, RevViTRecompute, CheckpointedViT, use_sdpa  # noqa: E402


def build(variant, a):
    args = (a.image_size, a.patch_size, a.width, a.depth, a.heads, 1000)
    model = {"standard": ViT, "reversible": RevViTRecompute, "checkpointed": CheckpointedViT}[variant](*args)
    return use_sdpa(model, a.attention == "fused")


def self_check():
    torch.manual_seed(0)
    plain, rev = RevViT(16, 4, 32, 6, 2, 10), RevViTRecompute(16, 4, 32, 6, 2, 10)
    rev.load_state_dict(plain.state_dict())
    x, y = torch.randn(3, 3, 16, 16), torch.tensor([1, 2, 3])
    for m in (plain, rev):
        F.cross_entropy(m(x), y).backward()
    worst = max((a.grad - b.grad).abs().max().item() / max(a.grad.abs().max().item(), 1e-12)
                for a, b in zip(plain.parameters(), rev.parameters()))
    print(json.dumps({"self_check_max_rel_diff": worst}))
    return 0 if worst < 1e-4 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variant", default="standard", choices=["standard", "reversible", "checkpointed"])
    ap.add_argument("--depth", type=int, default=12)
    ap.add_argument("--width", type=int, default=384)
    ap.add_argument("--heads", type=int, default=6)
    ap.add_argument("--image-size", type=int, default=224)
    ap.add_argument("--patch-size", type=int, default=16)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--attention", default="math", choices=["math", "fused"])
    ap.add_argument("--self-check", action="store_true")
    a = ap.parse_args()
    if a.self_check:
        return self_check()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = build(a.variant, a)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    x = torch.randn(a.batch, 3, a.image_size, a.image_size)
    y = torch.randint(0, 1000, (a.batch,))
    times = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=False)
        if i >= a.warmup:
            times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2]
    print(json.dumps({"variant": a.variant, "attention": a.attention, "images_per_s": a.batch / median, "step_s_median": median,
                      "torch": torch.__version__, "threads": a.threads}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
